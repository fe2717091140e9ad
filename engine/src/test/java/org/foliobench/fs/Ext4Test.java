package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ext4Test {
    static FsOptions opts(int bs, int journal) {
        return FsOptions.builder().blockSize(bs).journalBlocks(journal).inodeCount(32).commitIntervalSeconds(0)
                .counters(new Counters()).build();
    }

    static Ext4 fresh(RamDisk disk, FsOptions o) throws IOException {
        Ext4.format(disk, o);
        return Ext4.mount(disk, o);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    void formatMountCreateAllocateRemount(int bs) throws IOException {
        RamDisk disk = new RamDisk(4 << 20);
        FsOptions o = opts(bs, 128);
        Ext4 fs = fresh(disk, o);
        Inode a = fs.create("a");
        assertThrows(ErrnoException.class, () -> fs.create("a"));
        assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> fs.lookup("b")).errno());
        MapBlocks hole = fs.ext4MapBlocks(null, a, 10, 100, 0);
        assertTrue(hole.isHole());
        assertEquals(100, hole.len());
        // delalloc 0..63, then allocate it as unwritten, convert, size
        assertEquals(64, fs.insertDelayedBlocks(a, 0, 64));
        assertEquals(64, fs.dirtyClusters());
        long seq = a.esSeq();
        MapBlocks d = fs.ext4MapBlocks(null, a, 0, 128, 0);
        assertTrue(d.isDelayed());
        assertEquals(64, d.len());
        Handle h = fs.journalStart(fs.transBlocks(64));
        MapBlocks m = fs.ext4MapBlocks(h, a, 0, 128, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT);
        assertTrue(m.isUnwritten() && m.isNew());
        assertEquals(64, m.len(), "one call maps the whole delayed extent");
        assertTrue(a.esSeq() > seq, "allocation bumps the extent-status sequence");
        assertEquals(0, fs.dirtyClusters());
        assertEquals(64, fs.convertUnwritten(h, a, 0, 64));
        assertTrue(fs.updateDiskSize(h, a, 64L * bs));
        h.stop();
        assertTrue(fs.fsyncCommit(a, true));
        assertFalse(fs.fsyncCommit(a, true), "nothing changed since the last commit");
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
        Ext4 fs2 = Ext4.mount(disk, o.toBuilder().counters(new Counters()).build());
        Inode a2 = fs2.lookup("a");
        assertEquals(64L * bs, a2.diskSize());
        MapBlocks m2 = fs2.ext4MapBlocks(null, a2, 0, 1000, 0);
        assertTrue(m2.isMapped());
        assertEquals(m.pblk(), m2.pblk());
        assertEquals(64, m2.len());
        assertEquals(1, fs2.counters().get("fs.es_inserts"));
        fs2.ext4MapBlocks(null, a2, 5, 1, 0);
        assertEquals(1, fs2.counters().get("fs.es_inserts"), "second lookup hits the status cache");
        assertEquals(2, fs2.counters().get("fs.es_lookups"));
        fs2.unlink("a");
        assertEquals(List.of(), fs2.list());
        assertEquals(0, fs2.counters().get("slab.extent_status.active"), "eviction frees the status entries");
        assertEquals(0, fs2.counters().get("slab.ext4_extent.active"));
        fs2.unmount();
        assertEquals(List.of(), Fsck.check(disk));
    }

    @Test
    void extentStatusFillsFromTheTreeBumpTheSequence() throws IOException {
        RamDisk disk = new RamDisk(4 << 20);
        FsOptions o = opts(4096, 128);
        Ext4 fs = fresh(disk, o);
        Inode a = fs.create("a");
        Handle h = fs.journalStart(fs.transBlocks(8));
        fs.ext4MapBlocks(h, a, 0, 8, Ext4.GET_BLOCKS_CREATE);
        fs.updateDiskSize(h, a, 8L * 4096);
        h.stop();
        fs.unmount();
        Ext4 fs2 = Ext4.mount(disk, o.toBuilder().counters(new Counters()).build());
        Inode a2 = fs2.lookup("a");
        long seq = a2.esSeq();
        assertTrue(fs2.ext4MapBlocks(null, a2, 0, 8, 0).isMapped());
        assertTrue(a2.esSeq() > seq, "a miss filled from the tree is an ext4_es_insert_extent (patch 21 bumps it)");
        seq = a2.esSeq();
        assertTrue(fs2.ext4MapBlocks(null, a2, 100, 1, 0).isHole());
        assertTrue(a2.esSeq() > seq, "so is a hole put in the cache (ext4_ext_put_gap_in_cache)");
        seq = a2.esSeq();
        fs2.ext4MapBlocks(null, a2, 3, 1, 0);
        fs2.ext4MapBlocks(null, a2, 100, 1, 0);
        assertEquals(seq, a2.esSeq(), "hits change nothing");
        fs2.unmount();
    }

    /** The coarse clock's next tick (a real wait of at most one tick, 4 ms at HZ=250). */
    static long nextTick(long after) {
        long t;
        while ((t = Ext4.currentTime()) == after) {
            Thread.onSpinWait();
        }
        return t;
    }

    @Test
    void fileUpdateTimeDirtiesTheInodeOncePerTickForFsyncNotFdatasync() throws IOException {
        RamDisk disk = new RamDisk(4 << 20);
        FsOptions o = opts(4096, 128);
        Ext4 fs = fresh(disk, o);
        Inode a = fs.create("a");
        assertTrue(a.mtime > 0, "ext4_create sets the times");
        fs.commit();
        long handles = fs.counters().get("jbd2.handles");
        nextTick(a.mtime);
        assertTrue(fs.fileUpdateTime(a), "the clock ticked since the create");
        assertEquals(handles + 1, fs.counters().get("jbd2.handles"), "ext4_dirty_inode's handle");
        long t = a.mtime;
        if (Ext4.currentTime() == t) {
            assertFalse(fs.fileUpdateTime(a), "inode_needs_update_time: same tick, nothing to do");
            assertEquals(handles + 1, fs.counters().get("jbd2.handles"));
        }
        assertFalse(fs.fsyncCommit(a, true), "timestamps alone are not fdatasync's business");
        assertTrue(fs.fsyncCommit(a, false), "fsync commits them");
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
        Ext4 fs2 = Ext4.mount(disk, o.toBuilder().counters(new Counters()).build());
        assertEquals(t, fs2.lookup("a").mtime, "on disk in the inode");
        fs2.unmount();
    }

    @Test
    void enospcWithReservations() throws IOException {
        RamDisk disk = new RamDisk(1 << 20);
        Ext4 fs = fresh(disk, opts(1024, 128));
        Inode a = fs.create("a");
        long avail = fs.freeBlocks() - fs.reservedClusters();
        assertEquals(avail - 10, fs.insertDelayedBlocks(a, 0, (int) (avail - 10)));
        long before = fs.dirtyClusters();
        long seq = a.esSeq();
        ErrnoException e = assertThrows(ErrnoException.class, () -> fs.insertDelayedBlocks(a, 100000, 11));
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals(before, fs.dirtyClusters(), "a failed reservation changes nothing");
        assertEquals(seq, a.esSeq());
        assertTrue(fs.ext4MapBlocks(null, a, 100000, 11, 0).isHole());
        // a non-delalloc allocation cannot take reserved blocks
        Inode b = fs.create("b");
        Handle h = fs.journalStart(fs.transBlocks(100));
        MapBlocks got = fs.ext4MapBlocks(h, b, 0, 100, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT);
        assertTrue(got.len() <= 10, "only unreserved blocks: " + got);
        // every reserved block can still be allocated
        long lblk = 0;
        while (lblk < avail - 10) {
            MapBlocks m = fs.ext4MapBlocks(h, a, lblk, 1 << 20, Ext4.GET_BLOCKS_CREATE);
            assertTrue(m.isMapped() && m.isNew(), m.toString());
            lblk += m.len();
        }
        assertEquals(0, fs.dirtyClusters());
        fs.updateDiskSize(h, a, lblk * 1024);
        h.stop();
        fs.commit();
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
    }

    @Test
    void alignedAllocation() throws IOException {
        RamDisk disk = new RamDisk(4 << 20);
        Ext4 fs = fresh(disk, opts(4096, 128));
        Inode a = fs.create("a");
        Handle h = fs.journalStart(fs.transBlocks(16));
        fs.ext4MapBlocks(h, a, 0, 3, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT);
        for (int align : new int[] {2, 4, 16, 64}) {
            MapBlocks m = fs.ext4MapBlocksAligned(h, a, 100 * align, align, align, true);
            assertEquals(0, m.pblk() % align, m.toString());
            assertEquals(align, m.len());
        }
        assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                () -> fs.ext4MapBlocksAligned(h, a, 0, 4, 4, true)).errno());
        h.stop();
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
    }

    @Test
    void freedBlocksAreNotReusedBeforeTheirTransactionCommits() throws IOException {
        RamDisk disk = new RamDisk(4 << 20);
        Ext4 fs = fresh(disk, opts(4096, 128));
        Inode a = fs.create("a");
        Handle h = fs.journalStart(fs.transBlocks(16));
        MapBlocks m = fs.ext4MapBlocks(h, a, 0, 16, Ext4.GET_BLOCKS_CREATE);
        fs.updateDiskSize(h, a, 16 * 4096);
        h.stop();
        fs.commit();
        long free = fs.freeBlocks();
        fs.truncate(a, 0);
        assertEquals(free, fs.freeBlocks(), "freed blocks wait for the commit");
        Inode b = fs.create("b");
        Handle h2 = fs.journalStart(fs.transBlocks(16));
        MapBlocks mb = fs.ext4MapBlocks(h2, b, 0, 16, Ext4.GET_BLOCKS_CREATE);
        h2.stop();
        assertTrue(mb.pblk() >= m.pblk() + 16 || mb.pblk() + mb.len() <= m.pblk(), "reused uncommitted free: " + mb);
        fs.commit();
        assertEquals(free, fs.freeBlocks(), "16 freed, 16 allocated");
        fs.unmount();
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    void extentTreeGrowsIntoLeavesAndShrinksBack(int bs) throws IOException {
        RamDisk disk = new RamDisk(32 << 20);
        FsOptions o = opts(bs, 256);
        Ext4 fs = fresh(disk, o);
        Inode a = fs.create("a");
        Inode b = fs.create("b");
        // more extents than ten full leaves: the index moves out of the inode (depth 2)
        int n = Ext4.INODE_SLOTS * ExtentTree.leafCapacity(bs) + 50;
        // interleave two files so no extent of either can merge with its neighbour
        for (int i = 0; i < n; i++) {
            for (Inode x : new Inode[] {a, b}) {
                Handle h = fs.journalStart(fs.transBlocks(1));
                fs.ext4MapBlocks(h, x, 2L * i, 1, Ext4.GET_BLOCKS_CREATE);
                fs.updateDiskSize(h, x, (2L * i + 1) * bs);
                h.stop();
            }
        }
        assertEquals(n, fs.extents(a).size());
        assertTrue(a.leaves.size() > Ext4.INODE_SLOTS && a.indexBlock != 0, "depth-2 tree: " + a.leaves.size() + " leaves");
        fs.commit();
        assertEquals(List.of(), Fsck.check(disk));
        String before = fs.dumpExtents(a);
        fs.unmount();
        Ext4 fs2 = Ext4.mount(disk, o);
        Inode a2 = fs2.lookup("a");
        assertEquals(before, fs2.dumpExtents(a2));
        // punch all but a few: the tree collapses back into the inode
        fs2.punchHole(a2, 6, 2L * n);
        assertEquals(3, fs2.extents(a2).size());
        assertEquals(0, a2.leaves.size());
        assertEquals(0, a2.indexBlock);
        fs2.unmount();
        assertEquals(List.of(), Fsck.check(disk));
    }

    // ------------------------------------------------------------------ random ops vs a model

    static final int W = ExtentMap.WRITTEN;
    static final int U = ExtentMap.UNWRITTEN;
    static final int D = ExtentMap.DELAYED;
    static final int SPAN = 1500;

    static final class FileModel {
        final TreeMap<Long, Integer> blocks = new TreeMap<>();
        long diskSize;

        int at(long b) {
            return blocks.getOrDefault(b, 0);
        }

        long run(long b, long max) {
            int s = at(b);
            long n = 0;
            while (n < max && at(b + n) == s) {
                n++;
            }
            return n;
        }

        long count(int status) {
            return blocks.values().stream().filter(v -> v == status).count();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    void randomOpsAgainstModel(int bs) throws IOException {
        for (long seed : new long[] {1, 2, 3, 4}) {
            runModel(bs, seed, 500);
        }
    }

    private void runModel(int bs, long seed, int nops) throws IOException {
        Random rnd = new Random(seed * 31 + bs);
        RamDisk disk = new RamDisk(4 << 20);
        FsOptions o = opts(bs, 256);
        Ext4 fs = fresh(disk, o);
        String[] names = {"f0", "f1", "f2"};
        FileModel[] model = new FileModel[names.length];
        for (int i = 0; i < names.length; i++) {
            fs.create(names[i]);
            model[i] = new FileModel();
        }
        List<String> log = new ArrayList<>();
        int op = 0;
        try {
            for (op = 0; op < nops; op++) {
                int f = rnd.nextInt(names.length);
                Inode inode = fs.lookup(names[f]);
                FileModel fm = model[f];
                long lblk = rnd.nextInt(SPAN);
                int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 200);
                int kind = rnd.nextInt(100);
                if (kind < 20) {
                    log.add("reserve " + names[f] + " " + lblk + "+" + len);
                    long holes = 0;
                    for (long b = lblk; b < lblk + len; b++) {
                        holes += fm.at(b) == 0 ? 1 : 0;
                    }
                    try {
                        assertEquals(holes, fs.insertDelayedBlocks(inode, lblk, len));
                        for (long b = lblk; b < lblk + len; b++) {
                            if (fm.at(b) == 0) {
                                fm.blocks.put(b, D);
                            }
                        }
                    } catch (ErrnoException e) {
                        assertEquals(Errno.ENOSPC, e.errno());
                    }
                } else if (kind < 45) {
                    boolean unwrit = rnd.nextBoolean();
                    log.add("alloc " + (unwrit ? "unwritten " : "written ") + names[f] + " " + lblk + "+" + len);
                    Handle h = fs.journalStart(fs.transBlocks(len));
                    try {
                        int before = fm.at(lblk);
                        long run = fm.run(lblk, len);
                        MapBlocks m = fs.ext4MapBlocks(h, inode, lblk, len,
                                unwrit ? Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT : Ext4.GET_BLOCKS_CREATE);
                        log.add("  -> " + m);
                        assertEquals(lblk, m.lblk());
                        assertTrue(m.len() >= 1 && m.len() <= run, "len " + m.len() + " run " + run);
                        int after;
                        if (before == W) {
                            assertTrue(m.isMapped() && !m.isNew());
                            after = W;
                        } else if (before == U) {
                            after = unwrit ? U : W;
                            assertEquals(unwrit, m.isUnwritten());
                            assertEquals(!unwrit, m.isNew());
                        } else {
                            assertTrue(m.isNew());
                            after = unwrit ? U : W;
                            assertEquals(unwrit, m.isUnwritten());
                        }
                        for (long b = lblk; b < lblk + m.len(); b++) {
                            fm.blocks.put(b, after);
                        }
                        if (after == W) {
                            long end = (lblk + m.len()) * bs;
                            if (fs.updateDiskSize(h, inode, end)) {
                                fm.diskSize = end;
                            }
                        }
                    } catch (ErrnoException e) {
                        assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                        log.add("  -> ENOSPC");
                    } finally {
                        h.stop();
                    }
                } else if (kind < 55) {
                    log.add("convert " + names[f] + " " + lblk + "+" + len);
                    Handle h = fs.journalStart(fs.transBlocks(len));
                    long want = 0;
                    long last = -1;
                    for (long b = lblk; b < lblk + len; b++) {
                        if (fm.at(b) == U) {
                            want++;
                            fm.blocks.put(b, W);
                            last = b;
                        }
                    }
                    assertEquals(want, fs.convertUnwritten(h, inode, lblk, len));
                    long end = (Math.max(last, fm.diskSize == 0 ? -1 : 0) + 1) * bs;
                    if (last >= 0 && fs.updateDiskSize(h, inode, (last + 1) * bs)) {
                        fm.diskSize = (last + 1) * bs;
                    }
                    assertTrue(end >= 0);
                    h.stop();
                } else if (kind < 62) {
                    long size = (long) rnd.nextInt(SPAN) * bs + (rnd.nextBoolean() ? rnd.nextInt(bs) : 0);
                    log.add("truncate " + names[f] + " " + size);
                    fs.truncate(inode, size);
                    long from = (size + bs - 1) / bs;
                    fm.blocks.tailMap(from, true).clear();
                    fm.diskSize = size;
                } else if (kind < 70) {
                    log.add("punch " + names[f] + " " + lblk + "+" + len);
                    fs.punchHole(inode, lblk, len);
                    fm.blocks.subMap(lblk, lblk + len).clear();
                } else if (kind < 76) {
                    log.add("release " + names[f] + " " + lblk + "+" + len);
                    long want = 0;
                    for (long b = lblk; b < lblk + len; b++) {
                        if (fm.at(b) == D) {
                            want++;
                            fm.blocks.remove(b);
                        }
                    }
                    assertEquals(want, fs.releaseDelayedBlocks(inode, lblk, len));
                } else if (kind < 84) {
                    log.add("commit");
                    fs.commit();
                    assertEquals(List.of(), Fsck.check(disk), "fsck after commit");
                } else if (kind < 86) {
                    log.add("remount");
                    fs.unmount();
                    assertEquals(List.of(), Fsck.check(disk), "fsck after unmount");
                    fs = Ext4.mount(disk, o);
                    for (FileModel m : model) {
                        m.blocks.values().removeIf(v -> v == D);
                    }
                } else {
                    log.add("lookup " + names[f] + " " + lblk + "+" + len);
                    MapBlocks m = fs.ext4MapBlocks(null, inode, lblk, len, 0);
                    checkLookup(m, fm, lblk, len);
                }
                long delayed = 0;
                for (int i = 0; i < names.length; i++) {
                    delayed += model[i].count(D);
                    assertEquals(model[i].count(D), fs.lookup(names[i]).reservedBlocks(), "i_reserved_data_blocks of " + names[i]);
                    assertEquals(model[i].diskSize, fs.lookup(names[i]).diskSize(), "i_disksize of " + names[i]);
                }
                assertEquals(delayed, fs.dirtyClusters(), "s_dirtyclusters_counter");
            }
            fs.unmount();
            assertEquals(List.of(), Fsck.check(disk));
            fs = Ext4.mount(disk, o);
            for (int i = 0; i < names.length; i++) {
                Inode inode = fs.lookup(names[i]);
                model[i].blocks.values().removeIf(v -> v == D);
                for (long b = 0; b < SPAN + 200; ) {
                    MapBlocks m = fs.ext4MapBlocks(null, inode, b, 64, 0);
                    checkLookup(m, model[i], b, 64);
                    b += m.len();
                }
            }
            fs.unmount();
        } catch (AssertionError | RuntimeException | IOException e) {
            int from = Math.max(0, log.size() - 40);
            fail("seed " + seed + " bs " + bs + " failed at op " + op + ": " + e + "\nlast ops:\n  "
                    + String.join("\n  ", log.subList(from, log.size())), e);
        }
    }

    private static void checkLookup(MapBlocks m, FileModel fm, long lblk, int len) {
        int s = fm.at(lblk);
        assertEquals(lblk, m.lblk());
        assertTrue(m.len() >= 1 && m.len() <= fm.run(lblk, len), m + " run " + fm.run(lblk, len));
        switch (s) {
            case W: assertTrue(m.isMapped(), m.toString()); break;
            case U: assertTrue(m.isUnwritten(), m.toString()); break;
            case D: assertTrue(m.isDelayed(), m.toString()); break;
            default: assertTrue(m.isHole(), m.toString()); break;
        }
    }
}
