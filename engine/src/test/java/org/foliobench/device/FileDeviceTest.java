package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeviceTest {
    @TempDir
    Path dir;

    private Path file(String name, long size) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void assortedSizesAndOffsetsReadBackIdentical() throws IOException {
        for (int lbs : new int[] {512, 4096}) {
            try (FileDevice dev = FileDevice.open(file("d" + lbs, 8 << 20), 0, lbs)) {
                DeviceTesting.roundTrip(dev, lbs);
            }
        }
    }

    @Test
    void dataSurvivesReopen() throws IOException {
        Path p = file("persist", 1 << 20);
        byte[] data = DeviceTesting.random(11, 64 << 10);
        try (FileDevice dev = FileDevice.open(p, 0, 512)) {
            DeviceTesting.write(dev, 4096, data, 16);
            dev.flush();
            assertEquals(1, dev.stats().flushes());
            assertEquals(1, dev.stats().ios(Bio.Op.WRITE), "a 16-segment bio is one request");
        }
        try (FileDevice dev = FileDevice.open(p, 0, 512)) {
            assertArrayEquals(data, DeviceTesting.read(dev, 4096, data.length, 3));
        }
    }

    @Test
    void heapMemoryWorksThroughTheOsCache() throws IOException {
        try (FileDevice dev = FileDevice.open(file("heap", 1 << 20), 0, 512)) {
            ByteBuffer a = ByteBuffer.wrap(DeviceTesting.random(3, 1024));
            ByteBuffer b = ByteBuffer.wrap(DeviceTesting.random(4, 512));
            Bio w = new Bio(Bio.Op.WRITE, 8).fua(true);
            w.addSegment(a, 0, 1024);
            w.addSegment(b, 0, 512);
            dev.submitWait(w);
            assertEquals(null, w.status());
            byte[] back = DeviceTesting.read(dev, 4096, 1536, 1);
            byte[] want = new byte[1536];
            a.get(0, want, 0, 1024);
            b.get(0, want, 1024, 512);
            assertArrayEquals(want, back);
        }
    }

    @Test
    void requestsReuseOneScatterGatherList() throws IOException {
        try (FileDevice dev = FileDevice.open(file("sg", 1 << 20), 0, 512)) {
            byte[] data = DeviceTesting.random(5, 64 << 10);
            ByteBuffer mem = ByteBuffer.allocateDirect(data.length);
            mem.put(0, data);
            int requests = 0;
            for (int round = 0; round < 4; round++) {
                // 8 segments from every other 4 KiB of the buffer (not contiguous: no merging), then 1 segment
                Bio w = new Bio(Bio.Op.WRITE, round * 128L);
                for (int i = 0; i < 8; i++) {
                    assertTrue(w.addSegment(mem, 2 * i * 4096, 4096));
                }
                dev.submitWait(w);
                Bio one = new Bio(Bio.Op.WRITE, 1024 + round * 8L);
                one.addSegment(mem, round * 4096, 4096);
                dev.submitWait(one);
                assertEquals(null, w.status());
                assertEquals(null, one.status());
                requests += 2;
                byte[] want = new byte[8 * 4096];
                for (int i = 0; i < 8; i++) {
                    System.arraycopy(data, 2 * i * 4096, want, i * 4096, 4096);
                }
                assertArrayEquals(want, DeviceTesting.read(dev, round * 128L * 512, want.length, 4));
                requests++;
            }
            assertEquals(requests, dev.counters().get("slab.sgpool.allocs"), "one list per request");
            assertEquals(0, dev.counters().get("slab.sgpool.active"), "given back after the transfer");
            assertEquals(1, dev.counters().get("slab.sgpool.grows"), "one list serves every request of the thread");
        }
    }

    @Test
    void requestsAlternatingBetweenMemoriesAllocateNothingOnceWarm() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        try (FileDevice dev = FileDevice.open(file("alt", 1 << 20), 0, 512)) {
            BioSet pool = BioSet.create("bio", 4, new org.foliobench.stats.Counters());
            ByteBuffer a = ByteBuffer.allocateDirect(64 << 10);
            ByteBuffer b = ByteBuffer.allocateDirect(64 << 10);
            long before = 0;
            int measured = 2000;
            for (int round = 0; round < 2 * measured; round++) {
                if (round == measured) {
                    before = mx.getCurrentThreadAllocatedBytes();
                }
                // a data bio of two segments in one memory, then a one-segment bio in the other (a journal write)
                Bio w = pool.alloc(Bio.Op.WRITE, 0);
                w.addSegment(a, 0, 4096);
                w.addSegment(a, 8192, 4096);
                dev.submitWait(w);
                w.put();
                Bio j = pool.alloc(Bio.Op.WRITE, 64);
                j.addSegment(b, 0, 4096);
                dev.submitWait(j);
                j.put();
            }
            long perRequest = (mx.getCurrentThreadAllocatedBytes() - before) / (2L * measured);
            assertTrue(perRequest < 8, perRequest + " bytes allocated per request");
        }
    }

    @Test
    void theScatterGatherListsKeepNoMemoryAlive() throws IOException {
        try (FileDevice dev = FileDevice.open(file("weak", 1 << 20), 0, 512)) {
            ByteBuffer mem = ByteBuffer.allocateDirect(64 << 10);
            Bio w = new Bio(Bio.Op.WRITE, 0);
            w.addSegment(mem, 0, 4096);
            w.addSegment(mem, 8192, 4096);
            dev.submitWait(w);
            assertEquals(null, w.status());
            java.lang.ref.WeakReference<ByteBuffer> gone = new java.lang.ref.WeakReference<>(mem);
            mem = null;
            w = null;
            for (int i = 0; i < 20 && gone.get() != null; i++) {
                System.gc();
            }
            assertEquals(null, gone.get(), "memory a request used is not kept by the device's scatter-gather lists");
        }
    }

    @Test
    void capacityEdges() throws IOException {
        try (FileDevice dev = FileDevice.open(file("edge", (1 << 20) + 700), 0, 512)) {
            assertEquals((1 << 20) + 512, dev.capacity(), "capacity rounds down to the logical block size");
            DeviceTesting.capacityEdges(dev);
        }
        try (FileDevice dev = FileDevice.open(file("edge4k", 1 << 20), 1 << 19, 4096)) {
            assertEquals(1 << 19, dev.capacity(), "a capacity below the file length uses a prefix");
            DeviceTesting.capacityEdges(dev);
        }
    }

    @Test
    void rejectsBadFiles() throws IOException {
        Path empty = file("empty", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileDevice.open(empty, 0, 512));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        Path small = file("small", 4096);
        e = assertThrows(IllegalArgumentException.class, () -> FileDevice.open(small, 8192, 512));
        assertTrue(e.getMessage().contains("shorter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FileDevice.open(dir, 0, 512));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FileDevice.open(small, 0, 1000));
        assertNotNull(e.getMessage());
    }

    @Test
    void closedDeviceFailsTheBio() throws IOException {
        FileDevice dev = FileDevice.open(file("closed", 1 << 20), 0, 512);
        dev.close();
        Bio r = DeviceTesting.bio(dev, Bio.Op.READ, 0, 4096, 2, null);
        dev.submitWait(r);
        assertTrue(r.isDone());
        assertNotNull(r.status());
        assertEquals(1, dev.stats().errors(Bio.Op.READ));
        assertTrue(Files.exists(dir.resolve("closed")));
    }
}
