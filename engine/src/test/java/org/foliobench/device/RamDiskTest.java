package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RamDiskTest {
    @Test
    void writeThenReadAcrossChunkBoundary() {
        try (RamDisk disk = new RamDisk(3L * RamDisk.CHUNK_SIZE)) {
            ByteBuffer src = ByteBuffer.allocateDirect(1 << 20);
            byte[] data = new byte[1 << 20];
            new Random(7).nextBytes(data);
            src.put(0, data);
            long pos = RamDisk.CHUNK_SIZE - (512 << 10);
            Bio w = new Bio(Bio.Op.WRITE, pos >> Bio.SECTOR_SHIFT);
            w.addSegment(src, 0, 1 << 19);
            w.addSegment(src, 1 << 19, 1 << 19);
            assertEquals(1, w.segments(), "contiguous segments merge into one bvec");
            disk.submit(w);
            ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
            Bio r = new Bio(Bio.Op.READ, pos >> Bio.SECTOR_SHIFT);
            r.addSegment(dst, 0, 1 << 20);
            disk.submit(r);
            byte[] back = new byte[1 << 20];
            dst.get(0, back);
            assertArrayEquals(data, back);
            assertEquals(1, disk.stats().ios(Bio.Op.WRITE));
            assertEquals(2048, disk.stats().sectors(Bio.Op.READ));
        }
    }

    @Test
    void neverWrittenReadsZeros() {
        try (RamDisk disk = new RamDisk(1L << 30)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            dst.put(0, new byte[] {1, 2, 3});
            Bio r = new Bio(Bio.Op.READ, 1000);
            r.addSegment(dst, 0, 4096);
            disk.submit(r);
            byte[] back = new byte[4096];
            dst.get(0, back);
            assertArrayEquals(new byte[4096], back);
            assertEquals(0, disk.residentBytes());
        }
    }

    @Test
    void rejectsBioBeyondCapacity() {
        try (RamDisk disk = new RamDisk(1 << 20)) {
            Bio r = new Bio(Bio.Op.READ, (1 << 20) >> Bio.SECTOR_SHIFT);
            r.addSegment(ByteBuffer.allocateDirect(512), 0, 512);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> disk.submit(r));
            assertEquals(true, e.getMessage().contains("beyond the device capacity"));
        }
    }

    @Test
    void assortedSizesAndOffsetsReadBackIdentical() {
        for (long seed : new long[] {1, 2, 3}) {
            try (RamDisk disk = new RamDisk(RamDisk.CHUNK_SIZE + (8 << 20))) {
                DeviceTesting.roundTrip(disk, seed);
            }
        }
        try (RamDisk disk = new RamDisk(16 << 20, 4096)) {
            DeviceTesting.roundTrip(disk, 4);
        }
    }

    @Test
    void capacityEdges() {
        try (RamDisk disk = new RamDisk(RamDisk.CHUNK_SIZE + 4096, 4096)) {
            DeviceTesting.capacityEdges(disk);
            assertEquals(RamDisk.CHUNK_SIZE + 4096, disk.capacity());
        }
        try (RamDisk disk = new RamDisk(1 << 20)) {
            DeviceTesting.capacityEdges(disk);
        }
    }

    @Test
    void tensOfGibibytesCostOnlyWhatIsWritten() {
        try (RamDisk disk = new RamDisk(40L << 30)) {
            long last = disk.capacity() - 4096;
            byte[] data = DeviceTesting.random(5, 4096);
            DeviceTesting.write(disk, last, data, 1);
            assertArrayEquals(data, DeviceTesting.read(disk, last, 4096, 1));
            assertEquals(RamDisk.CHUNK_SIZE, disk.residentBytes());
        }
    }

    @Test
    void rejectsBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new RamDisk(0));
        assertThrows(IllegalArgumentException.class, () -> new RamDisk(4096 + 512, 4096));
        assertThrows(IllegalArgumentException.class, () -> new RamDisk(1 << 20, 1000));
    }

    @Test
    void closedDiskFailsTheBioNotTheCaller() {
        RamDisk disk = new RamDisk(1 << 20);
        disk.close();
        Bio r = new Bio(Bio.Op.READ, 0);
        r.addSegment(ByteBuffer.allocateDirect(512), 0, 512);
        disk.submit(r);
        assertEquals(true, r.isDone());
        assertEquals(true, r.status() != null);
        assertEquals(1, disk.stats().errors(Bio.Op.READ));
    }

    @Test
    void bioLargerThanMaxSectorsIsSplitIntoRequests() {
        try (RamDisk disk = new RamDisk(64L << 20)) {
            int len = 3 * disk.maxRequestBytes() + 8192;
            ByteBuffer src = ByteBuffer.allocateDirect(len);
            byte[] data = new byte[len];
            new Random(9).nextBytes(data);
            src.put(0, data);
            Bio w = new Bio(Bio.Op.WRITE, 8);
            w.addSegment(src, 0, 4096);
            w.addSegment(ByteBuffer.allocateDirect(4096), 0, 4096); // a second buffer: two bvecs
            w.addSegment(src, 8192, len - 8192);
            disk.submit(w);
            assertEquals(4, disk.stats().ios(Bio.Op.WRITE), "split at max_sectors_kb");
            assertEquals(len >> Bio.SECTOR_SHIFT, disk.stats().sectors(Bio.Op.WRITE));
            ByteBuffer dst = ByteBuffer.allocateDirect(len);
            Bio r = new Bio(Bio.Op.READ, 8);
            r.addSegment(dst, 0, len);
            disk.submit(r);
            byte[] back = new byte[len - 8192];
            dst.get(8192, back);
            byte[] want = new byte[len - 8192];
            System.arraycopy(data, 8192, want, 0, want.length);
            assertArrayEquals(want, back);
            assertEquals(true, w.isDone() && w.status() == null);
        }
    }

    @Test
    void atomicWriteLimitsAndTheBlockLayerChecksOfAnAtomicBio() {
        try (RamDisk plain = new RamDisk(1 << 20)) {
            assertEquals(0, plain.atomicWriteUnitMax(), "brd claims no atomic writes");
            assertEquals(0, plain.atomicWriteUnitMin());
        }
        try (RamDisk big = new RamDisk(8 << 20, 512, 4 << 20)) {
            assertEquals(1 << 20, big.atomicWriteUnitMax(), "capped to what one unsplit request carries (256 pages)");
        }
        try (RamDisk disk = new RamDisk(4 << 20, 512, 64 << 10)) {
            assertEquals(512, disk.atomicWriteUnitMin());
            assertEquals(64 << 10, disk.atomicWriteUnitMax());
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(128 << 10);
            Bio ok = new Bio(Bio.Op.WRITE, (64 << 10) >> Bio.SECTOR_SHIFT).atomic(true);
            ok.addSegment(b, 0, 16 << 10);
            disk.submitWait(ok);
            assertEquals(null, ok.status());
            long[][] bad = {{8 << 10, 16 << 10}, {0, 12 << 10}, {0, 128 << 10}};
            for (long[] x : bad) {
                Bio bio = new Bio(Bio.Op.WRITE, x[0] >> Bio.SECTOR_SHIFT).atomic(true);
                bio.addSegment(b, 0, (int) x[1]);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> disk.submit(bio));
                assertTrue(e.getMessage().contains("invalid atomic"), e.getMessage());
            }
            Bio read = new Bio(Bio.Op.READ, 0).atomic(true);
            read.addSegment(b, 0, 4096);
            assertThrows(IllegalArgumentException.class, () -> disk.submit(read), "REQ_ATOMIC is for writes");
        }
        assertThrows(IllegalArgumentException.class, () -> new RamDisk(1 << 20, 4096, 2048), "below the logical block size");
        assertThrows(IllegalArgumentException.class, () -> new RamDisk(1 << 20, 512, 3 << 10), "not a power of two");
    }
}
