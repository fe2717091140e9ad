package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.foliobench.DefragIomap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.fs.Inode;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code EXT4_IOC_MOVE_EXT} ({@link File#moveExtents}): the original's data is unchanged, its
 * blocks become the donor's and the donor gets the old ones, journaled (fsck and remount); on an
 * iomap inode EOPNOTSUPP by default, or the buffer_head fallback, which leaves order-0 folios with
 * BufferHeads and never shows a concurrent reader stale or lost data.
 */
class Ext4MoveExtentsTest {
    static final int BLOCKS = 32;

    static MountOptions opts(int bs, DefragIomap d) {
        return MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0).defragIomap(d).build();
    }

    static int extents(FileSystem fs, String name) throws Exception {
        Inode i = fs.ext4().lookup(name);
        String dump = fs.ext4().dumpExtents(i);
        return dump.split("\\[", -1).length - 2; // "[" + one "[...]" per extent
    }

    /**
     * A fragmented original: its blocks written and synced one at a time, interleaved with those
     * of a filler file whose inode number the allocator maps to the same goal region
     * ({@code ext4_ext_find_goal}), so no two blocks of the original are adjacent on disk and each
     * is its own extent. Returns its data.
     */
    static byte[] fragmented(FileSystem fs, IoPath path, int bs, int blocks) throws Exception {
        byte[] data = FileSystemTest.random(7, blocks * bs);
        try (File f = fs.open("orig", path, StandardOpenOption.CREATE)) {
            int ino = fs.ext4().lookup("orig").ino();
            for (int i = 0; (fs.ext4().create("pad" + i).ino() + 1) % 16 != ino % 16; i++) {
                // inode numbers come in order: the next one is the filler's
            }
            try (File g = fs.open("filler", IoPath.BUFFER_HEAD, StandardOpenOption.CREATE_NEW)) {
                for (int i = 0; i < blocks; i++) {
                    f.pwrite(ByteBuffer.wrap(data, i * bs, bs), (long) i * bs);
                    f.fsync();
                    g.pwrite(ByteBuffer.wrap(new byte[bs]), (long) i * bs);
                    g.fsync();
                }
            }
        }
        fs.dropCaches();
        return data;
    }

    /** e4defrag's donor: as large as the original, written in one go so it is contiguous. */
    static File donor(FileSystem fs, IoPath path, long bytes) throws Exception {
        File d = fs.open("donor", path, StandardOpenOption.CREATE);
        d.pwrite(ByteBuffer.wrap(new byte[(int) bytes]), 0);
        d.fsync();
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bh/4096", "bhlf/4096", "bh/1024"})
    void movedFileKeepsItsDataAndDonorGetsTheOldBlocks(String spec) throws Exception {
        IoPath path = IoPath.parse(spec.split("/")[0]);
        int bs = Integer.parseInt(spec.split("/")[1]);
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(bs, DefragIomap.EOPNOTSUPP);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] data = fragmented(fs, path, bs, BLOCKS);
        assertEquals(BLOCKS, extents(fs, "orig"), "each block its own extent before the move");
        try (File f = fs.open("orig", path); File d = donor(fs, path, (long) BLOCKS * bs)) {
            // half of it cached, half not: both read back unchanged
            f.pread(ByteBuffer.allocate(BLOCKS / 2 * bs), 0);
            long moved = f.moveExtents(d, 0, 0, BLOCKS);
            assertEquals(BLOCKS, moved);
            assertArrayEquals(data, FileSystemTest.readAll(f), "original unchanged from the cache");
            assertEquals(1, extents(fs, "orig"), "the original is one extent after the move");
            assertEquals(BLOCKS, extents(fs, "donor"), "the donor holds the old fragments");
            assertArrayEquals(data, FileSystemTest.readAll(d), "the donor's (old) blocks hold the synced data");
            assertEquals(path, f.path());
        }
        fs.dropCaches();
        try (File f = fs.open("orig", path)) {
            assertArrayEquals(data, FileSystemTest.readAll(f), "original unchanged from the device");
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File f = fs.open("orig", path)) {
            assertArrayEquals(data, FileSystemTest.readAll(f), "original unchanged after remount");
        }
        fs.unmount();
    }

    @Test
    void movedDataSurvivesACrashAfterTheCommit() throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(4096, DefragIomap.EOPNOTSUPP);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] data = fragmented(fs, IoPath.BUFFER_HEAD, 4096, BLOCKS);
        try (File f = fs.open("orig", IoPath.BUFFER_HEAD); File d = donor(fs, IoPath.BUFFER_HEAD, BLOCKS * 4096L)) {
            f.moveExtents(d, 0, 0, BLOCKS);
            fs.ext4().commit(); // data=ordered: the moved data reaches its new blocks first
        }
        fs.crash();
        fs = FileSystem.mount(dev, o);
        try (File f = fs.open("orig", IoPath.BUFFER_HEAD)) {
            assertEquals(1, extents(fs, "orig"));
            assertArrayEquals(data, FileSystemTest.readAll(f), "committed move: new blocks hold the data");
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = opts(4096, DefragIomap.EOPNOTSUPP);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o);
                File f = fs.open("a", IoPath.BUFFER_HEAD, StandardOpenOption.CREATE);
                File h = fs.open("hole", IoPath.BUFFER_HEAD, StandardOpenOption.CREATE)) {
            f.pwrite(ByteBuffer.wrap(new byte[8192]), 0);
            f.fsync();
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> f.moveExtents(f, 0, 0, 1)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> f.moveExtents(h, 0, 0, 0)).errno());
            h.truncate(8192);
            assertEquals(Errno.ENODATA, assertThrows(ErrnoException.class, () -> f.moveExtents(h, 0, 0, 2)).errno(),
                    "a donor hole under written data");
            assertEquals(Errno.ENODATA, assertThrows(ErrnoException.class, () -> f.moveExtents(h, 5, 0, 1)).errno(),
                    "start beyond EOF");
        }
    }

    @Test
    void iomapInodeIsRefusedByDefault() throws Exception {
        assertEquals(DefragIomap.EOPNOTSUPP, MountOptions.builder().build().defragIomap());
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(4096, org.foliobench.Defaults.DEFRAG_IOMAP);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] data = fragmented(fs, IoPath.IOMAP, 4096, BLOCKS);
        try (File f = fs.open("orig", IoPath.IOMAP); File d = donor(fs, IoPath.BUFFER_HEAD, BLOCKS * 4096L)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> f.moveExtents(d, 0, 0, BLOCKS));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().contains("fb_defrag_iomap=fallback"), e.getMessage());
            assertEquals(IoPath.IOMAP, f.path());
            assertEquals(BLOCKS, extents(fs, "orig"), "nothing moved");
            assertArrayEquals(data, FileSystemTest.readAll(f));
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
    }

    @ParameterizedTest
    @EnumSource(value = IoPath.class, names = {"IOMAP", "BUFFER_HEAD"})
    void fallbackSwitchesToOrderZeroBufferHeads(IoPath donorPath) throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(4096, DefragIomap.FALLBACK);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        byte[] data = fragmented(fs, IoPath.IOMAP, 4096, BLOCKS);
        Counters c = fs.counters();
        try (File f = fs.open("orig", IoPath.IOMAP); File d = donor(fs, donorPath, BLOCKS * 4096L)) {
            // dirty, unsynced data in large folios at the switch (an append: one delalloc
            // extent, so one large folio): written back, not lost
            byte[] tail = FileSystemTest.random(9, 64 << 10);
            f.pwrite(ByteBuffer.wrap(tail), BLOCKS * 4096L);
            data = Arrays.copyOf(data, data.length + tail.length);
            System.arraycopy(tail, 0, data, BLOCKS * 4096, tail.length);
            assertTrue(largeFolios(c) > 0, "the iomap path used large folios: " + c.snapshot());
            assertEquals(BLOCKS, f.moveExtents(d, 0, 0, BLOCKS));
            assertEquals(IoPath.BUFFER_HEAD, f.path(), "the original fell back to buffer_head");
            assertEquals(IoPath.BUFFER_HEAD, d.path(), "the donor too");
            assertTrue(extents(fs, "orig") <= 2, "the moved range is one extent, the appended tail another");
            assertEquals(donorPath == IoPath.IOMAP ? 2 : 1, c.get("vfs.defrag_iomap_fallbacks"));
            f.fsync();
            fs.dropCaches();
            Map<String, Long> before = c.snapshot();
            long large = largeFolios(c);
            assertArrayEquals(data, FileSystemTest.readAll(f), "data intact after the fallback");
            byte[] more = FileSystemTest.random(10, 128 << 10);
            f.pwrite(ByteBuffer.wrap(more), 0);
            System.arraycopy(more, 0, data, 0, more.length);
            f.fsync();
            Map<String, Long> d1 = Counters.delta(before, c.snapshot());
            assertEquals(large, largeFolios(c), "no large folio after the fallback");
            assertTrue(d1.getOrDefault("pagecache.folio_alloc_order_0", 0L) >= BLOCKS, d1.toString());
            assertTrue(d1.getOrDefault("buffer.bh_alloc", 0L) >= BLOCKS, "IO through BufferHeads: " + d1);
            assertEquals(0L, d1.getOrDefault("iomap.folio_state_alloc", 0L), "no iomap folio state");
            assertArrayEquals(data, FileSystemTest.readAll(f));
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File f = fs.open("orig", IoPath.IOMAP)) {
            assertArrayEquals(data, FileSystemTest.readAll(f), "remounted: data intact, iomap again on a new open");
        }
        fs.unmount();
    }

    static long largeFolios(Counters c) {
        long n = 0;
        for (int o = 1; o <= org.foliobench.Defaults.MAX_PAGECACHE_ORDER; o++) {
            n += c.get("pagecache.folio_alloc_order_" + o);
        }
        return n;
    }

    /**
     * Writers keep rewriting their own blocks (each byte of a block holds its generation) and
     * readers keep reading the whole file while the defrag falls back and moves the extents. A
     * reader must see, for every byte, a generation no older than the last write completed before
     * its read began and no newer than the last write begun before its read ended: no stale data
     * (older), no lost data (zeros or garbage). The move starts once every writer has completed a
     * number of rounds, so it lands amid the writes whatever the timing.
     */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1024})
    void concurrentReadersAndWritersNeverSeeStaleOrLostData(int bs) throws Exception {
        final int writers = 3;
        final int readers = 2;
        final int blocksPerWriter = 8;
        final int rounds = 60;
        final int moveAfter = 15;
        final int blocks = writers * blocksPerWriter;
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = opts(bs, DefragIomap.FALLBACK);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        // generation 1 of every block, fragmented and synced
        byte[] one = new byte[blocks * bs];
        Arrays.fill(one, (byte) 1);
        fragmented(fs, IoPath.IOMAP, bs, blocks);
        try (File f = fs.open("orig", IoPath.IOMAP)) {
            f.pwrite(ByteBuffer.wrap(one), 0);
            f.fsync();
        }
        AtomicIntegerArray started = new AtomicIntegerArray(blocks);
        AtomicIntegerArray completed = new AtomicIntegerArray(blocks);
        for (int b = 0; b < blocks; b++) {
            started.set(b, 1);
            completed.set(b, 1);
        }
        CountDownLatch warm = new CountDownLatch(writers);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService ex = Executors.newFixedThreadPool(writers + readers);
        List<Future<Long>> fut = new ArrayList<>();
        try (File f = fs.open("orig", IoPath.IOMAP); File d = donor(fs, IoPath.IOMAP, (long) blocks * bs)) {
            for (int w = 0; w < writers; w++) {
                final int first = w * blocksPerWriter;
                fut.add(ex.submit(() -> {
                    byte[] buf = new byte[bs];
                    for (int r = 2; r <= rounds; r++) {
                        Arrays.fill(buf, (byte) r);
                        for (int b = first; b < first + blocksPerWriter; b++) {
                            started.set(b, r);
                            f.pwrite(ByteBuffer.wrap(buf), (long) b * bs);
                            completed.set(b, r);
                        }
                        if (r == moveAfter) {
                            warm.countDown();
                        }
                    }
                    return 0L;
                }));
            }
            for (int r = 0; r < readers; r++) {
                fut.add(ex.submit(() -> {
                    long reads = 0;
                    int[] floor = new int[blocks];
                    ByteBuffer buf = ByteBuffer.allocate(blocks * bs);
                    do {
                        for (int b = 0; b < blocks; b++) {
                            floor[b] = completed.get(b);
                        }
                        buf.clear();
                        int n = f.pread(buf, 0);
                        assertEquals(blocks * bs, n);
                        for (int b = 0; b < blocks; b++) {
                            int ceil = started.get(b);
                            for (int i = 0; i < bs; i++) {
                                int v = buf.get(b * bs + i);
                                if (v < floor[b] || v > ceil) {
                                    throw new AssertionError("block " + b + " byte " + i + " read generation " + v
                                            + ", expected " + floor[b] + ".." + ceil + " (path " + f.path() + ")");
                                }
                            }
                        }
                        reads++;
                    } while (writing.get());
                    return reads;
                }));
            }
            assertTrue(warm.await(60, TimeUnit.SECONDS), "writers reached round " + moveAfter);
            assertEquals(blocks, f.moveExtents(d, 0, 0, blocks));
            assertEquals(IoPath.BUFFER_HEAD, f.path());
            for (int w = 0; w < writers; w++) {
                fut.get(w).get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (int r = 0; r < readers; r++) {
                assertTrue(fut.get(writers + r).get(60, TimeUnit.SECONDS) > 0);
            }
            byte[] all = FileSystemTest.readAll(f);
            for (int i = 0; i < all.length; i++) {
                assertEquals(rounds, all[i], "byte " + i + " holds the last generation");
            }
            assertTrue(extents(fs, "orig") < blocks, "the move made the original less fragmented");
        } finally {
            ex.shutdownNow();
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File f = fs.open("orig", IoPath.BUFFER_HEAD)) {
            byte[] all = FileSystemTest.readAll(f);
            for (int i = 0; i < all.length; i++) {
                assertEquals(rounds, all[i], "after remount, byte " + i);
            }
        }
        fs.unmount();
    }
}
