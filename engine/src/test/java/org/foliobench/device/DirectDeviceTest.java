package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectDeviceTest {
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
        try (DirectDevice dev = DirectDevice.open(file("d", 8 << 20), 0, false)) {
            assertEquals(Files.getFileStore(dir).getBlockSize(), dev.alignment());
            assertFalse(dev.isBlockDevice());
            DeviceTesting.roundTrip(dev, 21);
        }
    }

    @Test
    void multiSegmentBioIsOneRequest() throws IOException {
        try (DirectDevice dev = DirectDevice.open(file("vec", 4 << 20), 0, false)) {
            byte[] data = DeviceTesting.random(5, 256 * 4096);
            DeviceTesting.write(dev, 1 << 20, data, 256);
            assertEquals(1, dev.stats().ios(Bio.Op.WRITE));
            assertArrayEquals(data, DeviceTesting.read(dev, 1 << 20, data.length, 256));
            assertEquals(1, dev.stats().ios(Bio.Op.READ));
            dev.flush();
        }
    }

    @Test
    void capacityEdges() throws IOException {
        try (DirectDevice dev = DirectDevice.open(file("edge", (1 << 20) + 5000), 0, false)) {
            assertEquals((1 << 20) + 4096, dev.capacity());
            DeviceTesting.capacityEdges(dev);
        }
    }

    @Test
    void misalignedMemoryIsRejectedNotBounced() throws IOException {
        try (DirectDevice dev = DirectDevice.open(file("mis", 1 << 20), 0, false)) {
            int a = dev.alignment();
            ByteBuffer aligned = DmaMemory.allocate(4 * a, a);
            Bio odd = new Bio(Bio.Op.WRITE, 0);
            odd.addSegment(aligned, 512, a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.submit(odd));
            assertTrue(e.getMessage().contains("offset 512") && e.getMessage().contains("length " + a)
                    && e.getMessage().contains("alignment " + a), e.getMessage());
            Bio shortSeg = new Bio(Bio.Op.WRITE, 0);
            shortSeg.addSegment(aligned, 0, 512);
            shortSeg.addSegment(DmaMemory.allocate(a, a), 0, a - 512);
            e = assertThrows(IllegalArgumentException.class, () -> dev.submit(shortSeg));
            assertTrue(e.getMessage().contains("length 512"), e.getMessage());
            Bio heap = new Bio(Bio.Op.READ, 0);
            heap.addSegment(ByteBuffer.allocate(a), 0, a);
            e = assertThrows(IllegalArgumentException.class, () -> dev.submit(heap));
            assertTrue(e.getMessage().contains("heap"), e.getMessage());
            assertEquals(0, dev.stats().ios(Bio.Op.WRITE) + dev.stats().errors(Bio.Op.WRITE));
        }
    }

    @Test
    void tmpfsIsRefusedWithAClearMessage() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!(Files.isDirectory(shm))) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + "/dev/shm does not exist on this machine");
        }
        Assumptions.assumeTrue(Files.isDirectory(shm), "/dev/shm does not exist on this machine");
        Path p = Files.createTempFile(shm, "foliobench-direct", ".img");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirectDevice.open(p, 0, false));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("tmpfs")
                    && e.getMessage().contains("disk-backed"), e.getMessage());
        } finally {
            Files.delete(p);
        }
    }

    @Test
    void refusalMessageNamesPathFilesystemAndAlternative() {
        String m = DirectDevice.refusal(Path.of("/mnt/x/dev.img"), "fuse", "Invalid argument");
        assertTrue(m.startsWith("cannot do direct IO on /mnt/x/dev.img (filesystem fuse at /mnt/x): Invalid argument;"), m);
        assertTrue(m.contains("file:"), m);
    }
}
