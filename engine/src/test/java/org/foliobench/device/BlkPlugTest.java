package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.foliobench.Defaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlkPlugTest {
    private static final int BS = 4096;

    /** One write bio of {@code blocks} 4 KiB blocks at block {@code block}, each block its own buffer (one segment per block). */
    private static Bio writeBio(long block, int blocks, long seed, AtomicInteger ends) {
        Bio bio = new Bio(Bio.Op.WRITE, block * BS >> Bio.SECTOR_SHIFT);
        for (int i = 0; i < blocks; i++) {
            ByteBuffer b = DmaMemory.allocate(BS, BS);
            b.put(0, DeviceTesting.random(seed * 100_000 + block + i, BS));
            bio.addSegment(b, 0, BS);
        }
        return bio.endIo(x -> ends.incrementAndGet());
    }

    /** Like {@link #writeBio} but all blocks in one buffer: a single segment. */
    private static Bio contiguousWriteBio(long block, int blocks, long seed, AtomicInteger ends) {
        Bio bio = new Bio(Bio.Op.WRITE, block * BS >> Bio.SECTOR_SHIFT);
        ByteBuffer b = DmaMemory.allocate(blocks * BS, BS);
        b.put(0, expected(block, blocks, seed));
        bio.addSegment(b, 0, blocks * BS);
        return bio.endIo(x -> ends.incrementAndGet());
    }

    private static byte[] expected(long block, int blocks, long seed) {
        byte[] out = new byte[blocks * BS];
        for (int i = 0; i < blocks; i++) {
            System.arraycopy(DeviceTesting.random(seed * 100_000 + block + i, BS), 0, out, i * BS, BS);
        }
        return out;
    }

    @Test
    void contiguousBiosMergeIntoOneRequestAndEachCompletes() {
        try (RamDisk disk = new RamDisk(16 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            List<Bio> bios = new ArrayList<>();
            BlkPlug plug = new BlkPlug(disk);
            for (int i = 0; i < 64; i++) {
                Bio b = writeBio(100 + i, 1, 1, ends);
                bios.add(b);
                plug.submit(b);
            }
            assertEquals(1, plug.plugged());
            assertEquals(0, ends.get(), "nothing dispatched before the plug is finished");
            assertFalse(bios.get(0).isDone());
            plug.finish();
            assertEquals(64, ends.get());
            bios.forEach(b -> assertTrue(b.isDone() && b.status() == null));
            assertEquals(1, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(63, disk.stats().merges(Bio.Op.WRITE));
            assertEquals(64 * BS / 512, disk.stats().sectors(Bio.Op.WRITE));
            assertArrayEquals(expected(100, 64, 1), DeviceTesting.read(disk, 100 * BS, 64 * BS, 3));
            assertThrows(IllegalStateException.class, () -> plug.submit(writeBio(0, 1, 1, ends)));
        }
    }

    @Test
    void frontMergesToo() {
        try (RamDisk disk = new RamDisk(1 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            try (BlkPlug plug = new BlkPlug(disk)) {
                plug.submit(writeBio(10, 2, 2, ends));
                plug.submit(writeBio(8, 2, 2, ends));
                plug.submit(writeBio(12, 1, 2, ends));
            }
            assertEquals(3, ends.get());
            assertEquals(1, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(2, disk.stats().merges(Bio.Op.WRITE));
            assertArrayEquals(expected(8, 5, 2), DeviceTesting.read(disk, 8 * BS, 5 * BS, 1));
        }
    }

    @Test
    void requestsStopAtMaxSectorsKb() {
        try (RamDisk disk = new RamDisk(16 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            int perRequest = Defaults.MAX_SECTORS_KB * 1024 / (4 * BS); // 80 bios of 16 KiB
            try (BlkPlug plug = new BlkPlug(disk)) {
                for (int i = 0; i < perRequest + 5; i++) {
                    plug.submit(contiguousWriteBio(4L * i, 4, 3, ends));
                }
                // the second request was added after the first (>= BLK_PLUG_FLUSH_SIZE) had been dispatched
                assertEquals(1, disk.stats().ios(Bio.Op.WRITE));
                assertEquals(perRequest, ends.get());
                assertEquals(1, plug.plugged());
            }
            assertEquals(perRequest + 5, ends.get());
            assertEquals(2, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(perRequest + 5 - 2, disk.stats().merges(Bio.Op.WRITE));
            assertEquals((long) Defaults.MAX_SECTORS_KB * 1024 + 5 * 4 * BS, disk.stats().bytes(Bio.Op.WRITE));
            assertArrayEquals(expected(0, 4 * (perRequest + 5), 3), DeviceTesting.read(disk, 0, 4 * (perRequest + 5) * BS, 7));
        }
    }

    @Test
    void requestsStopAtBioMaxVecsSegments() {
        try (RamDisk disk = new RamDisk(4 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            try (BlkPlug plug = new BlkPlug(disk)) {
                for (int i = 0; i < 300; i++) { // 300 x 512 bytes = 150 KiB, far below max_sectors_kb
                    Bio b = new Bio(Bio.Op.WRITE, i);
                    b.addSegment(ByteBuffer.allocateDirect(512), 0, 512);
                    plug.submit(b.endIo(x -> ends.incrementAndGet()));
                }
            }
            assertEquals(300, ends.get());
            assertEquals(2, disk.stats().ios(Bio.Op.WRITE), "256 segments, then the remaining 44");
            assertEquals(298, disk.stats().merges(Bio.Op.WRITE));
        }
    }

    @Test
    void plugHoldsAtMost32Requests() {
        try (RamDisk disk = new RamDisk(4 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            try (BlkPlug plug = new BlkPlug(disk)) {
                for (int i = 0; i < BlkPlug.BLK_MAX_REQUEST_COUNT; i++) {
                    plug.submit(writeBio(2L * i, 1, 4, ends)); // gaps: no merges
                }
                assertEquals(32, plug.plugged());
                assertEquals(0, ends.get());
                plug.submit(writeBio(100, 1, 4, ends));
                assertEquals(32, ends.get(), "the full plug was flushed before the 33rd request was added");
                assertEquals(1, plug.plugged());
            }
            assertEquals(33, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(0, disk.stats().merges(Bio.Op.WRITE));
        }
    }

    @Test
    void differentOpsAndFuaDoNotMerge() {
        try (RamDisk disk = new RamDisk(1 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            try (BlkPlug plug = new BlkPlug(disk)) {
                plug.submit(writeBio(0, 1, 5, ends));
                Bio r = new Bio(Bio.Op.READ, BS >> Bio.SECTOR_SHIFT);
                r.addSegment(DmaMemory.allocate(BS, BS), 0, BS);
                plug.submit(r.endIo(x -> ends.incrementAndGet()));
                plug.submit(writeBio(2, 1, 5, ends).fua(true));
                plug.submit(writeBio(3, 1, 5, ends));
            }
            assertEquals(4, ends.get());
            assertEquals(3, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(1, disk.stats().ios(Bio.Op.READ));
            assertEquals(0, disk.stats().merges(Bio.Op.WRITE) + disk.stats().merges(Bio.Op.READ));
        }
    }

    @Test
    void mergedReadIsOneVectoredSyscallOnDirectDevice(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("d.img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        try (DirectDevice dev = DirectDevice.open(p, 0, false)) {
            AtomicInteger ends = new AtomicInteger();
            try (BlkPlug plug = new BlkPlug(dev)) {
                for (int i = 0; i < 16; i++) {
                    plug.submit(writeBio(i, 1, 6, ends));
                }
            }
            dev.drain(); // the request completes on the device's IO thread
            assertEquals(1, dev.stats().ios(Bio.Op.WRITE));
            List<ByteBuffer> bufs = new ArrayList<>();
            try (BlkPlug plug = new BlkPlug(dev)) {
                for (int i = 0; i < 16; i++) {
                    ByteBuffer b = DmaMemory.allocate(BS, BS);
                    bufs.add(b);
                    Bio r = new Bio(Bio.Op.READ, (long) i * BS >> Bio.SECTOR_SHIFT);
                    r.addSegment(b, 0, BS);
                    plug.submit(r.endIo(x -> ends.incrementAndGet()));
                }
            }
            dev.drain();
            assertEquals(32, ends.get());
            assertEquals(1, dev.stats().ios(Bio.Op.READ));
            assertEquals(15, dev.stats().merges(Bio.Op.READ));
            byte[] want = expected(0, 16, 6);
            for (int i = 0; i < 16; i++) {
                byte[] got = new byte[BS];
                bufs.get(i).get(0, got);
                assertArrayEquals(java.util.Arrays.copyOfRange(want, i * BS, (i + 1) * BS), got, "block " + i);
            }
        }
    }

    @Test
    void aFailedRequestFailsEveryBioInIt(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("e.img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        FileDevice dev = FileDevice.open(p, 0, 512);
        List<Bio> bios = new ArrayList<>();
        AtomicInteger ends = new AtomicInteger();
        BlkPlug plug = new BlkPlug(dev);
        for (int i = 0; i < 8; i++) {
            Bio b = writeBio(i, 1, 7, ends);
            bios.add(b);
            plug.submit(b);
        }
        dev.close();
        plug.finish();
        assertEquals(8, ends.get());
        for (Bio b : bios) {
            assertNotNull(b.status());
        }
        assertEquals(1, dev.stats().errors(Bio.Op.WRITE));
    }

    @Test
    void aBadBioFailsItsSubmitterImmediately() {
        try (RamDisk disk = new RamDisk(1 << 20)) {
            try (BlkPlug plug = new BlkPlug(disk)) {
                Bio beyond = writeBio((1 << 20) / BS, 1, 8, new AtomicInteger());
                assertThrows(IllegalArgumentException.class, () -> plug.submit(beyond));
                assertEquals(0, plug.plugged());
                Bio ok = writeBio(0, 1, 8, new AtomicInteger());
                plug.submit(ok);
                assertNull(ok.status());
            }
            assertEquals(1, disk.stats().ios(Bio.Op.WRITE));
        }
    }

    /**
     * {@code blk_start_plug} on the stack: the thread's plug comes back after {@code finish}, empty
     * and working, its requests reused; a plug started while the thread's one is in use is another
     * object; merged requests are built from the device's bio_set and put back.
     */
    @Test
    void startedPlugIsReusedPerThreadAndStillMerges() {
        try (RamDisk disk = new RamDisk(16 << 20)) {
            AtomicInteger ends = new AtomicInteger();
            BlkPlug first = BlkPlug.start(disk);
            BlkPlug nested = BlkPlug.start(disk);
            assertTrue(first != nested, "the thread's plug is in use: a nested start gets its own");
            nested.finish();
            first.finish();
            for (int round = 0; round < 3; round++) {
                BlkPlug plug = BlkPlug.start(disk);
                assertTrue(plug == first || plug == nested, "a finished plug is reused");
                for (int i = 0; i < 40; i++) {
                    plug.submit(writeBio(200 + i + 100 * round, 1, round, ends));
                }
                assertTrue(plug.plugged() > 0, "requests held until finish");
                plug.finish();
                assertEquals(0, plug.plugged());
                assertThrows(IllegalStateException.class, () -> plug.submit(writeBio(0, 1, 0, ends)));
                byte[] got = new byte[40 * BS];
                Bio rd = new Bio(Bio.Op.READ, (200L + 100 * round) * BS >> Bio.SECTOR_SHIFT);
                ByteBuffer b = DmaMemory.allocate(40 * BS, BS);
                rd.addSegment(b, 0, 40 * BS);
                disk.submit(rd);
                b.get(0, got);
                assertArrayEquals(expected(200 + 100 * round, 40, round), got, "round " + round);
            }
            assertEquals(120, ends.get(), "every bio completed once");
            assertEquals(0, disk.counters().get("slab.bio_split.active"), "merged requests' bios put back");
            assertTrue(disk.counters().get("slab.bio_split.allocs") > 0);
        }
    }
}
