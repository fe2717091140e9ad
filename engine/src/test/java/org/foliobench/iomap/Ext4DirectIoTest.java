package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.nio.file.ExtendedOpenOption;
import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.Counters;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.foliobench.vfs.Statx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * O_DIRECT reads and writes ({@link Ext4DirectIo} over {@link DirectIo}) on every buffered path's
 * inodes, their coherence with the page cache, and RWF_ATOMIC writes: statx limits, aligned
 * allocation checked on the raw device, every rule violation refused with nothing written.
 */
class Ext4DirectIoTest {
    static final int AWU_MAX = 64 << 10;

    static MountOptions opts(int bs) {
        return MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0).build();
    }

    static byte[] random(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuffer buf(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    static byte[] dioRead(File f, long pos, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(len);
        f.pread(b, pos);
        return b.array();
    }

    @ParameterizedTest
    @EnumSource(IoPath.class)
    void directIoBypassesTheCacheAndStaysCoherentWithIt(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(64L << 20);
        MountOptions o = opts(4096);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        Counters c = fs.counters();
        byte[] a = random(1, 256 << 10);
        byte[] b = random(2, 64 << 10);
        try (File d = fs.open("f", path, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT)) {
            assertTrue(d.isDirect());
            long bios = c.get("iomap.dio_bios");
            assertEquals(a.length, d.pwrite(buf(a), 0));
            assertEquals(b.length, d.pwrite(buf(b), 1 << 20)); // past EOF, leaving a hole
            assertEquals((1 << 20) + b.length, d.size(), "the extending write moved i_size");
            assertTrue(c.get("iomap.dio_bios") >= bios + 2, "the data went to the device in bios of its own");
            assertEquals(0, fs.dirtyPages(), "nothing went through the page cache");
            assertArrayEquals(a, dioRead(d, 0, a.length));
            assertArrayEquals(new byte[64 << 10], dioRead(d, 512 << 10, 64 << 10), "the hole reads zeros");
            assertArrayEquals(b, dioRead(d, 1 << 20, b.length));
            ByteBuffer past = ByteBuffer.allocate(8192);
            assertEquals(0, d.pread(past, (1 << 20) + b.length), "a read at EOF returns nothing");
            // a buffered open of the same inode: sees the direct writes, and the direct IO sees its writes
            try (File bf = fs.open("f", path)) {
                ByteBuffer r = ByteBuffer.allocate(a.length);
                assertEquals(a.length, bf.pread(r, 0));
                assertArrayEquals(a, r.array(), "buffered read of direct-written data");
                byte[] x = random(3, 10_000);
                bf.pwrite(buf(x), 5000); // dirty in the cache, not on the device
                byte[] got = dioRead(d, 0, 16384);
                assertArrayEquals(x, java.util.Arrays.copyOfRange(got, 5000, 5000 + x.length),
                        "a direct read writes the dirty range back first");
                System.arraycopy(x, 0, a, 5000, x.length);
                // the range is cached now; a direct write must not leave the old copy there
                byte[] y = random(4, 8192);
                d.pwrite(buf(y), 8192);
                System.arraycopy(y, 0, a, 8192, y.length);
                ByteBuffer r2 = ByteBuffer.allocate(a.length);
                bf.pread(r2, 0);
                assertArrayEquals(a, r2.array(), "the buffered reader sees the direct write (its cache was invalidated)");
            }
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File d = fs.open("f", path, ExtendedOpenOption.DIRECT)) {
            assertArrayEquals(a, dioRead(d, 0, a.length), "after remount");
            assertArrayEquals(b, dioRead(d, 1 << 20, b.length));
        }
        fs.unmount();
    }

    @Test
    void misalignedDirectIoIsEinval() throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = opts(4096);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o);
                File d = fs.open("f", IoPath.IOMAP, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT)) {
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.pwrite(buf(new byte[4096]), 512)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.pwrite(buf(new byte[1000]), 0)).errno());
            d.pwrite(buf(new byte[8192]), 0);
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.pread(ByteBuffer.allocate(100), 0)).errno());
            assertEquals(8192, d.size(), "the refused writes changed nothing");
            Statx st = d.statx();
            assertEquals(4096, st.dioOffsetAlign());
            assertFalse(st.writeAtomic(), "a ramdisk without awu_max cannot write atomically");
            ErrnoException e = assertThrows(ErrnoException.class, () -> d.pwritev2(buf(new byte[4096]), 0, File.RWF_ATOMIC));
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        }
    }

    /** The device offset where {@code data}'s first 64 bytes are found, scanning in {@code step}s. */
    static long findOnDevice(BlockDevice dev, byte[] data, int step) {
        ByteBuffer b = ByteBuffer.allocate(step);
        for (long pos = 0; pos < dev.capacity(); pos += step) {
            Bio bio = new Bio(Bio.Op.READ, pos >> Bio.SECTOR_SHIFT);
            bio.addSegment(b, 0, step);
            dev.submitWait(bio);
            boolean match = true;
            for (int i = 0; i < 64 && match; i++) {
                match = b.get(i) == data[i];
            }
            if (match) {
                return pos;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(IoPath.class)
    void atomicWritesGetNaturallyAlignedExtentsAndBreakingARuleWritesNothing(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(32L << 20, 512, AWU_MAX);
        MountOptions o = opts(1024);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        Counters c = fs.counters();
        try (File d = fs.open("a", path, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT);
                File buffered = fs.open("a", path)) {
            Statx st = d.statx();
            assertTrue(st.writeAtomic());
            assertEquals(1024, st.atomicWriteUnitMin(), "the larger of the block size and the device's 512");
            assertEquals(AWU_MAX, st.atomicWriteUnitMax());
            assertEquals(1, st.atomicWriteSegmentsMax());
            // a non-atomic write first, so the next allocation's natural goal is not aligned
            d.pwrite(buf(random(9, 3072)), 0);
            long aligned = c.get("fs.aligned_alloc_calls");
            long atomicBios = c.get("iomap.dio_atomic_bios");
            byte[][] data = new byte[4][];
            int[] sizes = {16 << 10, 64 << 10, 1024, 32 << 10};
            long[] offs = {16 << 10, 128 << 10, 4096 + 1024, 256 << 10};
            for (int i = 0; i < sizes.length; i++) {
                data[i] = random(10 + i, sizes[i]);
                assertEquals(sizes[i], d.pwritev2(buf(data[i]), offs[i], File.RWF_ATOMIC));
                long at = findOnDevice(dev, data[i], 512);
                assertTrue(at >= 0 && at % sizes[i] == 0, "atomic write " + i + " of " + sizes[i] + " landed at device offset "
                        + at + ", naturally aligned");
            }
            assertEquals(aligned + 4, c.get("fs.aligned_alloc_calls"), "one aligned allocation per atomic write into a hole");
            assertEquals(atomicBios + 4, c.get("iomap.dio_atomic_bios"), "one REQ_ATOMIC bio per atomic write");
            assertEquals(4, c.get("fs.atomic_writes"));
            // overwrites of the aligned extent (whole, and an aligned part of it) stay atomic
            byte[] over = random(20, 16 << 10);
            d.pwritev2(buf(over), (128 << 10) + (16 << 10), File.RWF_ATOMIC);
            System.arraycopy(over, 0, data[1], 16 << 10, over.length);
            assertEquals(aligned + 4, c.get("fs.aligned_alloc_calls"), "no allocation for an overwrite");

            long rejected = c.get("fs.atomic_rejections");
            byte[] junk = random(30, 128 << 10);
            record Bad(long pos, int len, Errno errno, String why) {
            }
            List<Bad> bad = List.of(
                    new Bad(48 << 10, 12 << 10, Errno.EINVAL, "not a power of two"),
                    new Bad(8 << 10, 16 << 10, Errno.EINVAL, "offset not a multiple of the length"),
                    new Bad(0, 128 << 10, Errno.EINVAL, "larger than the unit max"),
                    new Bad(0, 4096, Errno.EINVAL, "over a hole and the unaligned first extent"),
                    new Bad(0, 64 << 10, Errno.EINVAL, "over several extents and holes"));
            for (Bad x : bad) {
                byte[] before = dioRead(d, x.pos, x.len);
                long size = d.size();
                ByteBuffer src = ByteBuffer.wrap(junk, 0, x.len);
                ErrnoException e = assertThrows(ErrnoException.class, () -> d.pwritev2(src, x.pos, File.RWF_ATOMIC), x.why);
                assertEquals(x.errno, e.errno(), x.why + ": " + e.getMessage());
                assertArrayEquals(before, dioRead(d, x.pos, x.len), x.why + ": nothing was written");
                assertEquals(size, d.size(), x.why + ": the size did not move");
            }
            assertEquals(rejected + bad.size(), c.get("fs.atomic_rejections"));
            assertEquals(Errno.EOPNOTSUPP, assertThrows(ErrnoException.class,
                    () -> buffered.pwritev2(buf(new byte[4096]), 0, File.RWF_ATOMIC)).errno(), "RWF_ATOMIC needs O_DIRECT");
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(data[i], dioRead(d, offs[i], sizes[i]), "atomic write " + i + " reads back");
                ByteBuffer r = ByteBuffer.allocate(sizes[i]);
                buffered.pread(r, offs[i]);
                assertArrayEquals(data[i], r.array(), "atomic write " + i + " through the page cache");
            }
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }

    @Test
    void anAtomicWriteWithNoAlignedFreeExtentIsEnospcAndWritesNothing() throws Exception {
        // 2 MiB of 1 KiB blocks: the 2% kept back for metadata (40 blocks) cannot hold 64 aligned ones
        RamDisk dev = new RamDisk(2L << 20, 512, AWU_MAX);
        MountOptions o = opts(1024);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o);
                File d = fs.open("full", IoPath.IOMAP, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT);
                File a = fs.open("atomic", IoPath.IOMAP, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT)) {
            // fill the filesystem, then free one block in every four: free space only in 1 KiB pieces
            byte[] chunk = random(1, 1024); // one block a write: the write that fails allocated nothing
            long off = 0;
            try {
                for (;;) {
                    off += d.pwrite(buf(chunk), off);
                }
            } catch (ErrnoException e) {
                assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
            }
            for (long p = 0; p + 4096 <= d.size(); p += 4096) {
                d.punchHole(p, 1024);
            }
            fs.sync();
            assertTrue(fs.freeBlocks() >= 64, "free blocks left, in pieces: " + fs.freeBlocks());
            long rejected = fs.counters().get("fs.atomic_rejections");
            ErrnoException e = assertThrows(ErrnoException.class, () -> a.pwritev2(buf(random(2, 64 << 10)), 0, File.RWF_ATOMIC));
            assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
            assertEquals(0, a.size());
            assertEquals(rejected + 1, fs.counters().get("fs.atomic_rejections"));
            assertEquals(1024, a.pwritev2(buf(random(3, 1024)), 0, File.RWF_ATOMIC), "a one-block atomic write still fits");
        }
        assertEquals(List.of(), Fsck.check(dev));
    }
}
