package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.foliobench.DefragIomap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.iopath.IoPath;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reflink and copy on write through the iomap path's srcmap: clones share blocks counted in the
 * refcount tree, writes into shared blocks go to new blocks remapped at IO completion, the
 * source never changes, everything survives remount and passes Fsck; the buffer_head paths
 * refuse (EOPNOTSUPP).
 */
class ReflinkTest {
    static MountOptions opts(int bs) {
        return MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0).build();
    }

    static byte[] random(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] readAll(File f) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        assertEquals(f.size(), f.pread(b, 0));
        return b.array();
    }

    static void write(File f, byte[] data, long pos) throws Exception {
        assertEquals(data.length, f.pwrite(ByteBuffer.wrap(data), pos));
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void cloneSharesBlocksAndWritesCopyOnWrite(int bs) throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(bs);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] src = random(1, 300_000); // ends mid-block
        long free0;
        byte[] model;
        try (File a = fs.open("a", IoPath.IOMAP, StandardOpenOption.CREATE);
                File b = fs.open("b", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            write(a, src, 0);
            a.fsync();
            free0 = fs.freeBlocks();
            b.cloneFrom(a);
            assertEquals(src.length, b.size());
            assertTrue(fs.reflink().sharedRecords() > 0, "the clone's blocks are shared");
            assertTrue(fs.freeBlocks() >= free0 - 2, "a clone allocates no data blocks: " + free0 + " -> " + fs.freeBlocks());
            assertArrayEquals(src, readAll(b));
            b.fsync();
            fs.dropCaches();
            model = src.clone();
            // a partial-block write (srcmap read), an aligned one, and one past the end
            byte[] w1 = random(2, 3000);
            write(b, w1, 1000);
            System.arraycopy(w1, 0, model, 1000, w1.length);
            byte[] w2 = random(3, 64 << 10);
            write(b, w2, 128 << 10);
            System.arraycopy(w2, 0, model, 128 << 10, w2.length);
            byte[] w3 = random(4, 10_000);
            write(b, w3, src.length - 5000);
            model = Arrays.copyOf(model, src.length + 5000);
            System.arraycopy(w3, 0, model, src.length - 5000, w3.length);
            b.fsync();
            assertTrue(fs.counters().get("iomap.srcmap_reads") > 0, "partial blocks read from the srcmap");
            assertTrue(fs.counters().get("fs.cow_alloc_calls") > 0, "staging blocks allocated");
            assertTrue(fs.counters().get("fs.cow_remaps") > 0, "remapped at completion");
            assertEquals(0, fs.reservedBlocks(), "no CoW reservation left once written back");
            fs.dropCaches();
            assertArrayEquals(model, readAll(b));
            assertArrayEquals(src, readAll(a), "the source never changes");
            // the source overwritten too: copy on write on its side
            byte[] w4 = random(5, 20_000);
            write(a, w4, 4096);
            a.fsync();
            fs.dropCaches();
            byte[] amodel = src.clone();
            System.arraycopy(w4, 0, amodel, 4096, w4.length);
            assertArrayEquals(amodel, readAll(a));
            assertArrayEquals(model, readAll(b));
            src = amodel;
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        assertTrue(fs.reflink().sharedRecords() > 0, "refcounts survive remount");
        try (File a = fs.open("a", IoPath.IOMAP); File b = fs.open("b", IoPath.IOMAP)) {
            assertArrayEquals(src, readAll(a));
            assertArrayEquals(model, readAll(b));
        }
        fs.unlink("a");
        assertEquals(0, fs.reflink().sharedRecords(), "the last sharer gone, no record left");
        try (File b = fs.open("b", IoPath.IOMAP)) {
            assertArrayEquals(model, readAll(b));
        }
        fs.unlink("b");
        fs.sync();
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        assertEquals(free0 + (src.length + bs - 1) / bs, fs.freeBlocks(), "every data block freed once");
        fs.unmount();
    }

    private static ByteBuffer readBlock(RamDisk dev, int bs, long blk) throws Exception {
        ByteBuffer b = Ext4.ioBuffer(bs);
        org.foliobench.device.Bio bio = new org.foliobench.device.Bio(org.foliobench.device.Bio.Op.READ,
                blk * bs >> org.foliobench.device.Bio.SECTOR_SHIFT);
        bio.addSegment(b, 0, bs);
        dev.submitWait(bio);
        return b;
    }

    private static void writeBlock(RamDisk dev, int bs, long blk, ByteBuffer b) throws Exception {
        org.foliobench.device.Bio bio = new org.foliobench.device.Bio(org.foliobench.device.Bio.Op.WRITE,
                blk * bs >> org.foliobench.device.Bio.SECTOR_SHIFT);
        bio.addSegment(b, 0, bs);
        dev.submitWait(bio);
    }

    /** Fsck counts the extents mapping every shared block against the refcount tree. */
    @Test
    void fsckChecksRefcounts() throws Exception {
        int bs = 4096;
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = opts(bs);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        try (File a = fs.open("a", IoPath.IOMAP, StandardOpenOption.CREATE);
                File b = fs.open("b", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            write(a, random(9, 64 << 10), 0);
            a.fsync();
            b.cloneFrom(a);
            b.fsync();
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        long itable = Ext4.readSuperblock(dev).getLong(40);
        ByteBuffer root = readBlock(dev, bs, itable);
        assertEquals(RefcountTree.ROOT_MAGIC, root.getShort(0));
        long rblk = root.getLong(RefcountTree.HEADER);
        ByteBuffer rb = readBlock(dev, bs, rblk);
        assertEquals(1, rb.getShort(2), "one shared range");
        assertEquals(2, rb.getInt(RefcountTree.HEADER + 12), "two owners");
        rb.putInt(RefcountTree.HEADER + 12, 3);
        writeBlock(dev, bs, rblk, rb);
        List<String> p = Fsck.check(dev);
        assertTrue(!p.isEmpty() && p.get(0).contains("has refcount 3 but 2 extents map it"), p.toString());
        // without the tree, the same blocks are mapped twice
        ByteBuffer zero = root.duplicate();
        for (int i = 0; i < Ext4.INODE_SIZE; i++) {
            zero.put(i, (byte) 0);
        }
        writeBlock(dev, bs, itable, zero);
        p = Fsck.check(dev);
        assertTrue(p.stream().anyMatch(x -> x.contains("used twice")), p.toString());
    }

    @Test
    void bufferHeadPathsHaveNoReflink() throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = opts(4096);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        for (IoPath p : new IoPath[] {IoPath.BUFFER_HEAD, IoPath.BUFFER_HEAD_LARGE_FOLIO}) {
            try (File a = fs.open("a" + p, p, StandardOpenOption.CREATE);
                    File b = fs.open("b" + p, p, StandardOpenOption.CREATE)) {
                write(a, random(1, 8192), 0);
                ErrnoException e = assertThrows(ErrnoException.class, () -> b.cloneFrom(a));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
            }
        }
        try (File a = fs.open("x", IoPath.IOMAP, StandardOpenOption.CREATE);
                File b = fs.open("y", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            write(a, random(2, 8192), 0);
            b.cloneFrom(a);
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> fs.open("y", IoPath.BUFFER_HEAD));
        assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
        e = assertThrows(ErrnoException.class, () -> fs.open("x", IoPath.BUFFER_HEAD_LARGE_FOLIO));
        assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }

    @Test
    void cloneRangeChecksAndPartialRanges() throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = opts(4096);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] data = random(7, 64 << 10);
        try (File a = fs.open("a", IoPath.IOMAP, StandardOpenOption.CREATE);
                File b = fs.open("b", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            write(a, data, 0);
            byte[] bdata = random(8, 32 << 10);
            write(b, bdata, 0);
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> b.cloneRange(a, 100, 4096, 0)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> b.cloneRange(a, 0, 4096, 0 + 512)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> a.cloneRange(a, 0, 8192, 4096)).errno(),
                    "overlapping ranges of one file");
            // the middle of a into the middle of b, and a's second half into its own first half
            b.cloneRange(a, 8192, 16384, 4096);
            byte[] model = bdata.clone();
            System.arraycopy(data, 8192, model, 4096, 16384);
            assertArrayEquals(model, readAll(b));
            a.cloneRange(a, 32768, 16384, 0);
            byte[] amodel = data.clone();
            System.arraycopy(data, 32768, amodel, 0, 16384);
            assertArrayEquals(amodel, readAll(a));
            // punch and truncate of shared blocks drop one reference each
            b.punchHole(4096, 8192);
            a.truncate(20000);
            Arrays.fill(model, 4096, 4096 + 8192, (byte) 0);
            assertArrayEquals(model, readAll(b));
            assertArrayEquals(Arrays.copyOf(amodel, 20000), readAll(a));
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }
    /**
     * Two paths that would write a shared block in place refuse a reflinked file before changing
     * anything: an O_DIRECT write (no copy on write for direct IO here) and an extent move, even
     * with the defrag fallback to buffer_head allowed.
     */
    @Test
    void directWritesAndExtentMovesRefuseSharedFiles() throws Exception {
        int bs = 4096;
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0)
                .defragIomap(DefragIomap.FALLBACK).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] src = random(7, 16 * bs);
        try (File a = fs.open("a", IoPath.IOMAP, StandardOpenOption.CREATE);
                File b = fs.open("b", IoPath.IOMAP, StandardOpenOption.CREATE);
                File donor = fs.open("donor", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            write(a, src, 0);
            write(donor, random(8, 16 * bs), 0);
            a.fsync();
            donor.fsync();
            b.cloneFrom(a);
            try (File d = fs.open("b", IoPath.IOMAP, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                ByteBuffer blk = ByteBuffer.allocateDirect(bs);
                ErrnoException e = assertThrows(ErrnoException.class, () -> d.pwrite(blk, 0));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
            }
            ErrnoException e = assertThrows(ErrnoException.class, () -> a.moveExtents(donor, 0, 0, 16));
            assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
            assertEquals(IoPath.IOMAP, a.path(), "refused before the fallback switched the file to buffer_head");
            fs.dropCaches();
            assertArrayEquals(src, readAll(a));
            assertArrayEquals(src, readAll(b));
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }
}
