package org.foliobench.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.pagecache.WritebackControl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random writes, reads, truncates, partial-block zeroing, writeback, fsync, commits, drop_caches
 * and remounts of one file through the buffer_head path, checked against a byte-array model
 * after every step, and the delalloc reservation checked against the inode's.
 */
class BufferHeadPathModelTest {
    static final int MAX = 768 * 1024;

    @ParameterizedTest(name = "seed {0} bs {1}")
    @CsvSource({"1,1024", "2,4096", "3,2048", "4,1024", "5,4096", "6,4096", "7,1024", "8,2048", "9,4096", "10,1024"})
    void randomOpsMatchTheModel(long seed, int bs) throws Exception {
        ArrayDeque<String> log = new ArrayDeque<>();
        try {
            run(seed, bs, log);
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " bs " + bs + " failed; last ops: " + String.join("; ", log), t);
        }
    }

    private static void note(ArrayDeque<String> log, String op) {
        log.addLast(op);
        if (log.size() > 25) {
            log.removeFirst();
        }
    }

    private static void run(long seed, int bs, ArrayDeque<String> log) throws Exception {
        Random r = new Random(seed);
        RamDisk disk = new RamDisk(32L << 20);
        BhHarness h = BhHarness.format(disk, bs);
        BhHarness.Open f = h.create("f");
        byte[] model = new byte[MAX + 65536];
        long size = 0;
        for (int step = 0; step < 500; step++) {
            int op = r.nextInt(100);
            if (op < 40) {
                long pos = r.nextInt(MAX);
                int len = 1 + (r.nextBoolean() ? r.nextInt(4096) : r.nextInt(48 * 1024));
                note(log, "write " + pos + "+" + len);
                byte[] d = BufferHeadPathTest.pattern(seed * 1000 + step, pos, len);
                assertEquals(len, f.write(pos, d));
                System.arraycopy(d, 0, model, (int) pos, len);
                size = Math.max(size, pos + len);
            } else if (op < 60) {
                long pos = r.nextInt((int) Math.max(1, size + 1000));
                int len = 1 + r.nextInt(64 * 1024);
                note(log, "read " + pos + "+" + len);
                byte[] got = f.read(pos, len);
                int want = (int) Math.max(0, Math.min(len, size - pos));
                assertEquals(want, got.length, "read length at " + pos);
                BufferHeadPathTest.assertRange(model, pos, got, "read " + pos + "+" + len);
            } else if (op < 67) {
                long ns = r.nextInt((int) Math.max(1, size + 20000));
                note(log, "truncate " + ns);
                f.truncate(ns);
                if (ns < size) {
                    Arrays.fill(model, (int) ns, (int) size, (byte) 0);
                }
                size = ns;
            } else if (op < 71) {
                long pos = r.nextInt((int) Math.max(1, size));
                long len = 1 + r.nextInt(5 * bs);
                note(log, "zero_partial " + pos + "+" + len);
                f.inode.iRwsem().writeLock().lock();
                try {
                    h.path.zeroPartialBlocks(f.inode, f.mapping, pos, len);
                } finally {
                    f.inode.iRwsem().writeLock().unlock();
                }
                long end = pos + len; // ext4_zero_partial_blocks
                long sb = pos / bs;
                long eb = (end - 1) / bs;
                long ps = pos % bs;
                long pe = (end - 1) % bs;
                if (sb == eb) {
                    if (ps != 0 || pe != bs - 1) {
                        zero(model, pos, end, size);
                    }
                } else {
                    if (ps != 0) {
                        zero(model, pos, (sb + 1) * bs, size);
                    }
                    if (pe != bs - 1) {
                        zero(model, eb * bs, end, size);
                    }
                }
            } else if (op < 79) {
                long n = 1 + r.nextInt(64);
                note(log, "writeback " + n);
                f.mapping.doWritepages(WritebackControl.background(n));
            } else if (op < 85) {
                note(log, "fsync");
                f.fsync();
            } else if (op < 89) {
                note(log, "commit");
                h.fs.commit();
            } else if (op < 95) {
                note(log, "drop_caches");
                h.cache.dropCaches();
            } else {
                note(log, "remount");
                h = h.remount();
                assertEquals(List.of(), Fsck.check(disk), "fsck after remount");
                f = h.open("f");
                assertEquals(size, f.inode.size(), "i_size after remount");
            }
            assertEquals(size, f.inode.size(), "i_size");
            assertEquals(f.inode.reservedBlocks(), h.fs.dirtyClusters(), "reserved blocks match the fs count");
        }
        note(log, "final check");
        BufferHeadPathTest.assertRange(model, 0, f.read(0, (int) size), "final cached read");
        f.fsync();
        assertEquals(0, h.fs.dirtyClusters(), "every reservation consumed by writeback");
        h.cache.dropCaches();
        assertEquals(0, f.mapping.nrPages());
        assertEquals(h.counters.get("buffer.bh_alloc"), h.counters.get("buffer.bh_free"), "no buffer_head leaked");
        BufferHeadPathTest.assertRange(model, 0, f.read(0, (int) size), "final read from disk");
        h = h.remount();
        BufferHeadPathTest.assertRange(model, 0, h.open("f").read(0, (int) size), "final read after remount");
        h.close();
        assertEquals(List.of(), Fsck.check(disk));
    }

    private static void zero(byte[] model, long from, long to, long size) {
        long end = Math.min(to, size);
        if (end > from) {
            Arrays.fill(model, (int) from, (int) end, (byte) 0);
        }
    }
}
