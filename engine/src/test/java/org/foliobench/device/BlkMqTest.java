package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.Defaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The request queue ({@link BlkMq}): asynchronous completion, tags, flush ordering, draining. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlkMqTest {
    @TempDir
    Path dir;

    /** A gated disk that gates every request from the start. */
    static GatedDisk gated(int hwQueues, int nrRequests) {
        GatedDisk d = new GatedDisk(8 << 20, hwQueues, nrRequests);
        d.gateWrites = true;
        d.open = false;
        return d;
    }

    static Bio write(long sector, byte fill) {
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < 4096; i++) {
            b.put(i, fill);
        }
        Bio bio = new Bio(Bio.Op.WRITE, sector);
        bio.addSegment(b, 0, 4096);
        return bio;
    }

    @Test
    void bioEndsOnTheIoThreadAfterSubmitReturned() throws Exception {
        try (GatedDisk d = gated(1, 8)) {
            AtomicReference<Thread> endedOn = new AtomicReference<>();
            CountDownLatch ended = new CountDownLatch(1);
            Bio bio = write(0, (byte) 1).endIo(b -> {
                endedOn.set(Thread.currentThread());
                ended.countDown();
            });
            d.submit(bio);
            assertTrue(d.isAsync());
            assertFalse(bio.isDone(), "the device has not performed it yet: submit returned before completion");
            assertEquals(1, d.inflight());
            d.permits.release();
            ended.await();
            assertNotEquals(Thread.currentThread(), endedOn.get());
            assertTrue(endedOn.get().getName().contains("hctx0"), endedOn.get().getName());
            d.drain();
            assertEquals(0, d.inflight());
            assertEquals(1, d.counters().get("blk.hctx0.dispatched"));
            assertEquals(1, d.counters().get("blk.requests"));
        }
    }

    @Test
    void aFullQueueMakesTheSubmitterWaitForATag() throws Exception {
        int nr = 4;
        try (GatedDisk d = gated(1, nr)) {
            AtomicInteger ends = new AtomicInteger();
            for (int i = 0; i < nr; i++) {
                d.submit(write(8L * i, (byte) i).endIo(b -> ends.incrementAndGet()));
            }
            assertEquals(nr, d.inflight());
            assertEquals(0, d.counters().get("blk.tag_waits"));
            CountDownLatch submitted = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                d.submit(write(8L * nr, (byte) nr).endIo(b -> ends.incrementAndGet()));
                submitted.countDown();
            });
            t.start();
            // the fifth submitter sleeps in blk_mq_get_tag: counted, and not back from submit
            while (d.counters().get("blk.tag_waits") == 0) {
                Thread.onSpinWait();
            }
            assertEquals(1, submitted.getCount(), "submit returned without a free tag");
            assertEquals(nr, d.inflight(), "never more requests than tags");
            d.permits.release(1); // one command finishes: its tag frees and the waiter takes it
            submitted.await();
            d.permits.release(nr);
            d.drain();
            t.join();
            assertEquals(nr + 1, ends.get());
            assertEquals(nr, d.inflightMax(), "depth bounded by nr_requests");
            assertTrue(d.counters().get("blk.tag_wait_ns") > 0);
        }
    }

    @Test
    void aFlushIsARequestBehindTheCompletedWrites() throws Exception {
        try (GatedDisk d = gated(1, 8)) {
            Bio w = write(16, (byte) 7);
            d.permits.release();
            d.submitWait(w);
            assertNull(w.status());
            d.flush();
            assertEquals(List.of("W16", "F"), d.performed);
            assertEquals(1, d.stats().flushes());
            assertEquals(2, d.counters().get("blk.requests"), "the flush took a tag too");
        }
    }

    @Test
    void submitWaitSleepsUntilTheDeviceCompletes() throws Exception {
        try (GatedDisk d = gated(2, 8)) {
            Bio w = write(24, (byte) 3);
            Thread t = new Thread(() -> d.submitWait(w));
            t.start();
            while (d.inflight() == 0) {
                Thread.onSpinWait();
            }
            assertFalse(w.isDone());
            d.permits.release();
            t.join();
            assertTrue(w.isDone());
            assertThrows(IllegalArgumentException.class, () -> d.submitWait(write(0, (byte) 0).endIo(b -> { })),
                    "a bio with its own end_io cannot be waited for");
        }
    }

    @Test
    void aBioLargerThanMaxSectorsIsSplitAndEndsOnce() throws Exception {
        try (GatedDisk d = gated(1, 8)) {
            int len = 3 * (Defaults.MAX_SECTORS_KB << 10) + 4096;
            ByteBuffer b = ByteBuffer.allocateDirect(len);
            for (int i = 0; i < len; i += 4096) {
                b.put(i, (byte) (i >> 12));
            }
            AtomicInteger ends = new AtomicInteger();
            Bio w = new Bio(Bio.Op.WRITE, 0).endIo(x -> ends.incrementAndGet());
            w.addSegment(b, 0, len);
            d.permits.release(4);
            d.submit(w);
            d.drain();
            assertEquals(1, ends.get());
            assertEquals(4, d.stats().ios(Bio.Op.WRITE), "four requests");
            assertEquals(0, d.counters().get("slab.bio_split.active"), "the parts are put back");
            ByteBuffer back = ByteBuffer.allocateDirect(len);
            Bio r = new Bio(Bio.Op.READ, 0);
            r.addSegment(back, 0, len);
            d.permits.release(4);
            d.submitWait(r);
            assertEquals(0, back.compareTo(b.clear()));
        }
    }

    @Test
    void closeDrainsTheQueueAndFileDataSurvives() throws Exception {
        Path f = dir.resolve("drain.img");
        Files.write(f, new byte[1 << 20]);
        AtomicInteger ends = new AtomicInteger();
        int n = 200;
        FileDevice dev = FileDevice.open(f, 0, 512);
        assertEquals(Defaults.defaultNrRequests(Defaults.LOOP_HW_QUEUE_DEPTH, 1), dev.nrRequests());
        assertEquals(256, dev.nrRequests(), "loop: mq-deadline over one queue of 128 tags");
        for (int i = 0; i < n; i++) {
            dev.submit(write(8L * i, (byte) (i + 1)).endIo(b -> {
                assertNull(b.status());
                ends.incrementAndGet();
            }));
        }
        dev.close();
        assertEquals(n, ends.get(), "close waited for every request");
        byte[] all = Files.readAllBytes(f);
        for (int i = 0; i < n; i++) {
            assertEquals((byte) (i + 1), all[i * 4096 + 17], "block " + i);
        }
        Bio late = write(0, (byte) 9);
        dev.submit(late);
        assertTrue(late.isDone());
        assertNotNull(late.status(), "a closed device fails the bio");
    }

    @Test
    void anEndIoFailureIsReportedAtClose() throws Exception {
        GatedDisk d = gated(1, 8);
        d.permits.release(2);
        d.submit(write(0, (byte) 1).endIo(b -> {
            throw new IllegalStateException("broken handler");
        }));
        Bio ok = write(8, (byte) 2);
        d.submitWait(ok); // the IO thread survived the handler
        assertNull(ok.status());
        IllegalStateException e = assertThrows(IllegalStateException.class, d::close);
        assertTrue(e.getMessage().contains("broken handler"), e.getMessage());
    }

    @Test
    void directDeviceDefaultsToAnNvmeQueuePerCpu() throws Exception {
        Path f = dir.resolve("nvme.img");
        Files.write(f, new byte[1 << 20]);
        String type = Files.getFileStore(dir).type();
        if (type.equals("tmpfs") || type.equals("ramfs")) {
            System.out.println("SKIPPED BlkMqTest.directDeviceDefaultsToAnNvmeQueuePerCpu: " + dir + " is on " + type
                    + ", which refuses O_DIRECT");
            return;
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        try (DirectDevice dev = DirectDevice.open(f, 0, false)) {
            assertEquals(cpus, dev.nrHwQueues());
            assertEquals(Defaults.defaultNrRequests(Defaults.NVME_QUEUE_DEPTH, cpus), dev.nrRequests());
            byte[] data = DeviceTesting.random(9, 64 << 10);
            DeviceTesting.write(dev, 8192, data, 4);
            assertArrayEquals(data, DeviceTesting.read(dev, 8192, data.length, 3));
        }
        try (DirectDevice dev = DirectDevice.open(f, 0, false, 16)) {
            assertEquals(16, dev.nrRequests(), "nr_requests= overrides the default");
        }
    }
}
