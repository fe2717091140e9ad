package org.foliobench.fs;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * Shared extents and copy on write, as XFS does them ({@code fs/xfs/xfs_reflink.c}) on the
 * model's ext4-like metadata: {@link #remapRange} makes a second inode map a file's blocks
 * ({@code FICLONE} / {@code FICLONERANGE}, {@code xfs_reflink_remap_blocks}), counting the owners
 * in the {@link RefcountTree}; a buffered write into shared blocks reserves a range of the
 * inode's CoW fork ({@link #cowBegin}, {@code xfs_buffered_write_iomap_begin}'s
 * {@code xfs_reflink_allocate_cow}); writeback allocates the fork's blocks ({@link #cowAllocate},
 * {@code xfs_bmapi_convert_delalloc(XFS_COW_FORK)}) and writes only them; IO completion remaps
 * them into the file and drops a reference to the old blocks ({@link #endCow},
 * {@code xfs_reflink_end_cow}). The blocks of the file it was cloned from never change.
 *
 * <p>Only the iomap path uses this: ext4's buffer_head path has no CoW (ext4 has no
 * {@code remap_file_range}; FICLONE on it is EOPNOTSUPP), so the vfs refuses to clone or open on
 * that path an inode with shared blocks.
 */
public final class Reflink {
    private final Ext4 fs;
    final RefcountTree refcount;
    private final LongAdder clones;
    private final LongAdder cloneBlocks;
    private final LongAdder cowReserveBlocks;
    private final LongAdder cowAllocs;
    private final LongAdder cowAllocBlocks;
    private final LongAdder cowRemaps;
    private final LongAdder cowRemapBlocks;
    private final LongAdder cowCancelBlocks;

    Reflink(Ext4 fs) {
        this.fs = fs;
        this.refcount = new RefcountTree(fs);
        Counters c = fs.counters;
        this.clones = c.counter("fs.reflink_clones");
        this.cloneBlocks = c.counter("fs.reflink_clone_blocks");
        this.cowReserveBlocks = c.counter("fs.cow_reserve_blocks");
        this.cowAllocs = c.counter(CounterNames.FS_COW_ALLOC_CALLS);
        this.cowAllocBlocks = c.counter(CounterNames.FS_COW_ALLOC_BLOCKS);
        this.cowRemaps = c.counter(CounterNames.FS_COW_REMAPS);
        this.cowRemapBlocks = c.counter(CounterNames.FS_COW_REMAP_BLOCKS);
        this.cowCancelBlocks = c.counter("fs.cow_cancel_blocks");
    }

    /** One answer of {@link #cowBegin} / {@link #cowAllocate} (on the caller's stack in the kernel). */
    public static final class CowMap {
        boolean shared;
        long lblk;
        int len;
        /** The CoW fork's range: staging pblk, or -1 while only reserved (delalloc). */
        long cowPblk;
        /** The data fork's range ({@code srcmap}): pblk, or -1 for a hole; unwritten or not. */
        long dataPblk;
        boolean dataUnwritten;
        /** This call reserved the range (a new DELAYED range of the CoW fork). */
        boolean reservedNow;

        /** An empty answer, filled by {@link Reflink#cowBegin} or {@link Reflink#cowAllocate}. */
        public CowMap() {
        }

        /** True: {@code [lblk, lblk + len)} is copied on write; false: not shared, map it normally. */
        public boolean shared() {
            return shared;
        }

        public long lblk() {
            return lblk;
        }

        /** Blocks this answer covers (shared or not). */
        public int len() {
            return len;
        }

        /** The staging block of {@link #lblk}, or -1 when the range is only reserved (delalloc). */
        public long cowPblk() {
            return cowPblk;
        }

        /** The old block of {@link #lblk} (the srcmap), or -1 for a hole. */
        public long dataPblk() {
            return dataPblk;
        }

        public boolean dataUnwritten() {
            return dataUnwritten;
        }

        /**
         * True when this {@link Reflink#cowBegin} reserved the range (xfs sets {@code IOMAP_F_NEW}
         * then), so a short write may punch what it left unused; false for a range found reserved
         * or staged.
         */
        public boolean reservedNow() {
            return reservedNow;
        }

        private CowMap set(boolean shared, long lblk, long len, long cowPblk, long dataPblk, boolean dataUnwritten) {
            this.shared = shared;
            this.lblk = lblk;
            this.len = (int) len;
            this.cowPblk = cowPblk;
            this.dataPblk = dataPblk;
            this.dataUnwritten = dataUnwritten;
            this.reservedNow = false;
            return this;
        }
    }

    /** Whether a write to {@code inode} may need CoW: some block is shared, or its CoW fork is not empty. */
    public boolean active(Inode inode) {
        return !refcount.isEmpty() || inode.hasCow;
    }

    /** Shared ranges in the refcount tree (tests, Fsck's counterpart). */
    int sharedRecords() {
        return refcount.records();
    }

    /** The refcount of an in-use data block (1 when it has one owner). */
    public int refs(long pblk) {
        return refcount.refs(pblk);
    }

    /** Does any block of {@code inode} have another owner, or does it have a CoW fork? */
    public boolean hasShared(Inode inode) {
        if (!active(inode)) {
            return false;
        }
        inode.iDataSem.readLock().lock();
        try {
            if (inode.cow.size() > 0) {
                return true;
            }
            for (ExtentMap.Ext e : inode.tree.all()) {
                for (long p = e.pblk, end = e.pblk + e.len; p < end;) {
                    long r = refcount.run(p, end - p);
                    if (r > 0) {
                        return true;
                    }
                    p -= r;
                }
            }
            return false;
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    /** Credits of one remap or CoW completion step over {@code n} blocks. */
    public int credits(int n) {
        return fs.transBlocks(n) + refcount.credits() + ExtentTree.REMOVE_MAX_EXTENTS + 2;
    }

    // ---------------------------------------------------------------- clone

    /** Most source extents one clone handle remaps. */
    static final int REMAP_EXTENTS_PER_HANDLE = 8;

    /**
     * {@code ->remap_file_range} ({@code xfs_reflink_remap_blocks}): maps blocks
     * {@code [srcLblk, srcLblk + n)} of {@code src} into {@code dst} at {@code dstLblk}, replacing
     * what {@code dst} mapped there (holes in the source punch the destination), one handle per
     * few extents; each step raises the destination's i_disksize to the end of what it mapped,
     * capped at {@code newDstSize}. The caller holds both i_rwsems and has written back and
     * waited for both ranges (no delalloc, nothing under writeback).
     */
    public void remapRange(Inode src, long srcLblk, Inode dst, long dstLblk, long n, long newDstSize)
            throws ErrnoException {
        if (src.unlinked || dst.unlinked) {
            throw new ErrnoException(Errno.ENOENT, "clone of an unlinked inode");
        }
        clones.increment();
        cancelCow(dst, dstLblk, n);
        fs.releaseDelayedBlocks(dst, dstLblk, n);
        long done = 0;
        while (done < n) {
            Handle h = fs.journalStart(credits(REMAP_EXTENTS_PER_HANDLE) + Ext4.INODE_SLOTS);
            try {
                lockTwo(src, dst);
                try {
                    for (int k = 0; k < REMAP_EXTENTS_PER_HANDLE && done < n; k++) {
                        long s = srcLblk + done;
                        long d = dstLblk + done;
                        ExtentMap.Ext t = src.tree.find(s);
                        long piece;
                        long p = 0;
                        int st = 0;
                        if (t != null) {
                            piece = Math.min(t.end() - s, n - done);
                            p = t.pblk + (s - t.lblk);
                            st = t.status;
                        } else {
                            ExtentMap.Ext nx = src.tree.next(s);
                            piece = Math.min(nx == null ? n - done : nx.lblk - s, n - done);
                        }
                        unmapData(h, dst, d, piece);
                        if (t != null) {
                            refcount.increment(h, p, piece);
                            dst.tree.insert(d, piece, p, st);
                            cloneBlocks.add(piece);
                        }
                        fs.extentStatus.esRemove(dst, d, piece);
                        done += piece;
                    }
                    long mapped = Math.min(newDstSize, (dstLblk + done) << fs.bits);
                    if (mapped > dst.diskSize) {
                        dst.diskSize = mapped;
                    }
                    if (mapped > dst.size()) {
                        dst.setSize(mapped);
                    }
                    fs.writeInode(h, dst);
                } finally {
                    unlockTwo(src, dst);
                }
            } finally {
                h.stop();
            }
        }
    }

    private static void lockTwo(Inode a, Inode b) {
        if (a == b) {
            a.iDataSem.writeLock().lock();
        } else if (a.ino < b.ino) {
            a.iDataSem.writeLock().lock();
            b.iDataSem.writeLock().lock();
        } else {
            b.iDataSem.writeLock().lock();
            a.iDataSem.writeLock().lock();
        }
    }

    private static void unlockTwo(Inode a, Inode b) {
        a.iDataSem.writeLock().unlock();
        if (a != b) {
            b.iDataSem.writeLock().unlock();
        }
    }

    /**
     * {@code xfs_bmap_unmap_extent} + {@code xfs_refcount_decrease_extent}: the extents of
     * {@code [lblk, lblk + len)} leave the tree, one reference to their blocks dropped (freed when
     * it was the last). Under i_data_sem, in {@code h}.
     */
    void unmapData(Handle h, Inode inode, long lblk, long len) throws ErrnoException {
        List<ExtentMap.Ext> ov = inode.tree.overlapping(lblk, lblk + len);
        if (ov.isEmpty()) {
            return;
        }
        for (ExtentMap.Ext e : ov) {
            long s = Math.max(e.lblk, lblk);
            long t = Math.min(e.end(), lblk + len);
            refcount.decrement(h, e.pblk + (s - e.lblk), t - s);
        }
        inode.tree.remove(lblk, len);
    }

    // ---------------------------------------------------------------- copy on write

    /**
     * {@code xfs_buffered_write_iomap_begin} with {@code xfs_reflink_allocate_cow}: the CoW fork's
     * range at {@code lblk} if it has one; else, if the data fork's blocks there are shared, a
     * new DELAYED range of the CoW fork reserving as many blocks as the shared run (ENOSPC before
     * any change); else not shared, with {@code len} trimmed to the unshared run (so the next
     * mapping call starts at the next shared block). {@code out} also holds the data fork's
     * mapping of the range (the srcmap).
     */
    public CowMap cowBegin(Inode inode, long lblk, int len, CowMap out) throws ErrnoException {
        inode.iDataSem.writeLock().lock();
        try {
            return cowLookup(inode, lblk, len, true, out);
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    private CowMap cowLookup(Inode inode, long lblk, int len, boolean reserve, CowMap out) throws ErrnoException {
        Ext4.checkLive(inode);
        ExtentMap.Ext t = inode.tree.find(lblk);
        ExtentMap.Ext c = inode.cow.find(lblk);
        long dataEnd;
        long dataPblk = -1;
        boolean unwritten = false;
        if (t != null) {
            dataEnd = t.end();
            dataPblk = t.pblk + (lblk - t.lblk);
            unwritten = t.status == ExtentMap.UNWRITTEN;
        } else {
            ExtentMap.Ext nx = inode.tree.next(lblk);
            dataEnd = nx == null ? Ext4.EXT_MAX_BLOCKS : nx.lblk;
        }
        if (c != null) {
            long n = Math.min(len, Math.min(c.end(), dataEnd) - lblk);
            long cp = c.status == ExtentMap.UNWRITTEN ? c.pblk + (lblk - c.lblk) : -1;
            return out.set(true, lblk, n, cp, dataPblk, unwritten);
        }
        ExtentMap.Ext nc = inode.cow.next(lblk);
        long n = Math.min(len, Math.min(dataEnd, nc == null ? Ext4.EXT_MAX_BLOCKS : nc.lblk) - lblk);
        if (t == null) {
            return out.set(false, lblk, n, -1, -1, false);
        }
        long run = refcount.run(dataPblk, n);
        if (run < 0) {
            return out.set(false, lblk, -run, -1, dataPblk, unwritten);
        }
        n = Math.min(run, Ext4.EXT_INIT_MAX_LEN);
        if (!reserve) {
            return out.set(true, lblk, n, -1, dataPblk, unwritten);
        }
        fs.mballoc.reserve(n, inode);
        inode.cow.insert(lblk, n, 0, ExtentMap.DELAYED);
        inode.cowReserved += n;
        inode.hasCow = true;
        inode.bumpEsSeq();
        cowReserveBlocks.add(n);
        out.set(true, lblk, n, -1, dataPblk, unwritten);
        out.reservedNow = true;
        return out;
    }

    /** The allocation request of {@link #cowAllocate} (on the kernel's stack), one per thread. */
    private final ThreadLocal<MapBlocks> allocScratch = ThreadLocal.withInitial(MapBlocks::new);

    /**
     * Writeback's half ({@code xfs_map_blocks} looking at the CoW fork first, then
     * {@code xfs_bmapi_convert_delalloc(XFS_COW_FORK)}): the staging blocks to write
     * {@code [lblk, ...)} to, allocating the CoW fork's DELAYED range now (as staging blocks, see
     * {@link Mballoc#allocStaging}); a shared range with no CoW fork range (written without a
     * reservation) is allocated from free space. Not shared: {@code out.shared()} false and
     * {@code len} trimmed to the unshared run.
     */
    public CowMap cowAllocate(Inode inode, long lblk, int len, CowMap out) throws ErrnoException {
        inode.iDataSem.writeLock().lock();
        try {
            cowLookup(inode, lblk, len, false, out);
            if (!out.shared || out.cowPblk >= 0) {
                return out;
            }
            ExtentMap.Ext c = inode.cow.find(lblk);
            boolean reserved = c != null;
            int n = out.len;
            MapBlocks ar = allocScratch.get();
            long goal = out.dataPblk >= 0 ? out.dataPblk : fs.firstDataBlock;
            fs.mballoc.allocStaging(goal, n, reserved, ar);
            if (reserved) {
                inode.cowReserved -= ar.len;
            }
            inode.cow.insert(lblk, ar.len, ar.pblk, ExtentMap.UNWRITTEN);
            inode.hasCow = true;
            inode.bumpEsSeq();
            cowAllocs.increment();
            cowAllocBlocks.add(ar.len);
            out.len = ar.len;
            out.cowPblk = ar.pblk;
            return out;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /**
     * {@code xfs_reflink_end_cow}, at the end of a write of {@code [lblk, lblk + n)} that went to
     * staging blocks: in {@code h}, each staged range of the CoW fork replaces the data fork's
     * mapping (one reference to the old blocks dropped, freed if it was the last) and enters the
     * bitmap. Returns the blocks remapped.
     */
    public long endCow(Handle h, Inode inode, long lblk, long n) throws ErrnoException {
        long end = lblk + n;
        long total = 0;
        inode.iDataSem.writeLock().lock();
        try {
            long pos = lblk;
            while (pos < end) {
                ExtentMap.Ext c = inode.cow.find(pos);
                if (c == null) {
                    ExtentMap.Ext nc = inode.cow.next(pos);
                    if (nc == null || nc.lblk >= end) {
                        break;
                    }
                    pos = nc.lblk;
                    continue;
                }
                long e = Math.min(c.end(), end);
                if (c.status != ExtentMap.UNWRITTEN) {
                    pos = e; // reserved only: not written by this IO
                    continue;
                }
                long np = c.pblk + (pos - c.lblk);
                unmapData(h, inode, pos, e - pos);
                fs.mballoc.commitStaging(h, np, e - pos);
                inode.tree.insert(pos, e - pos, np, ExtentMap.WRITTEN);
                inode.cow.remove(pos, e - pos);
                fs.extentStatus.esRemove(inode, pos, e - pos);
                total += e - pos;
                pos = e;
            }
            if (total > 0) {
                inode.hasCow = inode.cow.size() > 0;
                fs.writeInode(h, inode);
                cowRemaps.increment();
                cowRemapBlocks.add(total);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /**
     * {@code xfs_reflink_cancel_cow_range}: the CoW fork's ranges in {@code [lblk, lblk + n)} go
     * away, reservations released and staging blocks freed (truncate, punch, unlink, a failed
     * write). Returns the blocks cancelled.
     */
    public long cancelCow(Inode inode, long lblk, long n) {
        return removeCow(inode, lblk, n, false);
    }

    /**
     * {@code xfs_bmap_punch_delalloc_range} on the CoW fork, as {@code xfs_buffered_write_delalloc_punch}
     * calls it for what a short write into shared blocks reserved and left clean: the DELAYED ranges
     * in {@code [lblk, lblk + n)} go and their reservations are released; staged ranges stay.
     * Returns the blocks punched.
     */
    public long punchCowDelalloc(Inode inode, long lblk, long n) {
        return removeCow(inode, lblk, n, true);
    }

    /** The CoW fork's ranges in {@code [lblk, lblk + n)} removed, only the DELAYED ones when {@code delayedOnly}. */
    private long removeCow(Inode inode, long lblk, long n, boolean delayedOnly) {
        if (!inode.hasCow) {
            return 0;
        }
        inode.iDataSem.writeLock().lock();
        try {
            long total = 0;
            for (ExtentMap.Ext c : inode.cow.overlapping(lblk, lblk + n)) {
                if (delayedOnly && c.status != ExtentMap.DELAYED) {
                    continue;
                }
                long s = Math.max(c.lblk, lblk);
                long t = Math.min(c.end(), lblk + n);
                if (c.status == ExtentMap.DELAYED) {
                    fs.mballoc.unreserve(t - s);
                    inode.cowReserved -= t - s;
                } else {
                    fs.mballoc.releaseStaging(c.pblk + (s - c.lblk), t - s);
                }
                inode.cow.remove(s, t - s);
                total += t - s;
            }
            if (total > 0) {
                inode.hasCow = inode.cow.size() > 0;
                inode.bumpEsSeq();
                cowCancelBlocks.add(total);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /** The inode's CoW fork as text, for tests and debugging. */
    String dumpCowFork(Inode inode) {
        inode.iDataSem.readLock().lock();
        try {
            return inode.cow.toString();
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    /** The refcount records as text ({@code [pblk+len xN]...}). */
    String dumpRefcounts() {
        return refcount.toString();
    }
}
