package org.foliobench.fs;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.CounterNames;

/**
 * The block allocator ({@code fs/ext4/mballoc.c} plus the free-cluster accounting of
 * {@code fs/ext4/balloc.c}). The on-disk truth is the block bitmap (journaled); in memory the
 * free space is a tree of free extents (the buddy cache's role). Freed blocks come back into the
 * tree only when the transaction freeing them has committed (data) or been checkpointed
 * (metadata), so no block is reused while a crash could still bring back its old owner; until
 * then each freed range waits in an {@link FreeData} entry from the {@code ext4_free_data} cache.
 *
 * <p>The free extents are two primitive arrays sorted by start block (binary search, insertion
 * and removal by array copy): nothing is allocated per allocation or release.
 *
 * <p>Accounting mirrors {@code s_freeclusters_counter} ({@link #freeBlocks}),
 * {@code s_dirtyclusters_counter} ({@link #dirtyClusters}, delalloc reservations) and
 * {@code s_resv_clusters} (kept back for metadata, 2% of the filesystem up to 4096 blocks).
 */
final class Mballoc {
    enum Kind { DATA, DELALLOC, METADATA }

    private final Ext4 fs;
    final ReentrantLock lock = new ReentrantLock();
    /** Free extents {@code [freeStart[i], freeStart[i] + freeLen[i])}, {@code i < nfree}, sorted and disjoint. */
    private long[] freeStart = new long[16];
    private long[] freeLen = new long[16];
    private int nfree;
    /** {@code ext4_free_data_cachep}: ranges freed in a transaction, waiting for it to commit. */
    private final KmemCache<FreeData> freeDataCache;
    /**
     * {@code s_freeclusters_counter} / {@code s_dirtyclusters_counter}: changed under {@link #lock},
     * read without it ({@code percpu_counter_read_positive}), so hot paths such as
     * {@code ext4_nonda_switch} take no lock; two reads may be mutually stale, as in the kernel.
     */
    private volatile long freeBlocks;
    private volatile long dirtyClusters;
    final long resvClusters;
    private final LongAdder allocCalls;
    private final LongAdder allocBlocks;
    private final LongAdder freeCalls;
    /** Allocations with {@code EXT4_MB_HINT_ALIGNED} (atomic writes): power-of-two, naturally aligned. */
    private final LongAdder alignedAllocs;

    Mballoc(Ext4 fs) {
        this.fs = fs;
        this.resvClusters = Math.min(fs.blocksCount / 50, 4096);
        this.allocCalls = fs.counters.counter("fs.alloc_calls");
        this.allocBlocks = fs.counters.counter("fs.alloc_blocks");
        this.freeCalls = fs.counters.counter("fs.free_calls");
        this.alignedAllocs = fs.counters.counter(CounterNames.FS_ALIGNED_ALLOC_CALLS);
        this.freeDataCache = KmemCache.create("ext4_free_data", Defaults.SLAB_FREE_OBJECTS, FreeData::new, fs.counters);
    }

    /** {@code struct ext4_free_data}: blocks freed in a transaction, allocatable once it commits (or is checkpointed). */
    static final class FreeData {
        long pblk;
        long len;
    }

    /** A {@link FreeData} entry for {@code [pblk, pblk + len)}, from the cache. */
    FreeData freeData(long pblk, long len) {
        FreeData fd = freeDataCache.alloc();
        fd.pblk = pblk;
        fd.len = len;
        return fd;
    }

    /** {@code ext4_free_data_in_buddy}: the entry's blocks become allocatable; the entry goes back to its cache. */
    void releaseFreed(FreeData fd) {
        release(fd.pblk, fd.len);
        freeDataCache.free(fd);
    }

    /** The index of the last free extent starting at or before {@code blk}, or -1. */
    private int floorIndex(long blk) {
        int lo = 0;
        int hi = nfree - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (freeStart[mid] <= blk) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    private void insertFree(int i, long start, long len) {
        if (nfree == freeStart.length) {
            freeStart = java.util.Arrays.copyOf(freeStart, 2 * nfree);
            freeLen = java.util.Arrays.copyOf(freeLen, 2 * nfree);
        }
        System.arraycopy(freeStart, i, freeStart, i + 1, nfree - i);
        System.arraycopy(freeLen, i, freeLen, i + 1, nfree - i);
        freeStart[i] = start;
        freeLen[i] = len;
        nfree++;
    }

    private void removeFree(int i) {
        System.arraycopy(freeStart, i + 1, freeStart, i, nfree - i - 1);
        System.arraycopy(freeLen, i + 1, freeLen, i, nfree - i - 1);
        nfree--;
    }

    /** {@code ext4_mb_init_backend}: builds the free-extent tree from the bitmap. */
    void loadFromBitmap() {
        long run = -1;
        long bitsPerBlock = (long) fs.bs * 8;
        for (long b = 0; b < fs.blocksCount; ) {
            MetaBuffer bh = fs.bitmapBuffer(b);
            int bit = (int) (b % bitsPerBlock);
            byte v = bh.data.get(bit >>> 3);
            if ((bit & 7) == 0 && b + 8 <= fs.blocksCount && (v == 0 || v == (byte) 0xFF)) {
                // whole byte free or in use
                if (v == 0 && run < 0) {
                    run = b;
                } else if (v != 0 && run >= 0) {
                    addFree(run, b - run);
                    run = -1;
                }
                b += 8;
                continue;
            }
            boolean used = (v & (1 << (bit & 7))) != 0;
            if (!used && run < 0) {
                run = b;
            } else if (used && run >= 0) {
                addFree(run, b - run);
                run = -1;
            }
            b++;
        }
        if (run >= 0) {
            addFree(run, fs.blocksCount - run);
        }
    }

    private void addFree(long start, long len) {
        insertFree(nfree, start, len); // the bitmap is scanned in block order
        freeBlocks += len;
    }

    long freeBlocks() {
        return freeBlocks;
    }

    long dirtyClusters() {
        return dirtyClusters;
    }

    /** {@code ext4_claim_free_clusters} for delalloc: ENOSPC before anything changes. */
    void reserve(long n, Inode inode) throws ErrnoException {
        lock.lock();
        try {
            if (freeBlocks - dirtyClusters - resvClusters < n) {
                throw new ErrnoException(Errno.ENOSPC, "cannot reserve " + n + " delalloc blocks for " + inode
                        + ": " + freeBlocks + " free, " + dirtyClusters + " reserved, " + resvClusters
                        + " kept for metadata; free space or write less");
            }
            dirtyClusters += n;
        } finally {
            lock.unlock();
        }
    }

    /** {@code ext4_da_release_space}'s percpu_counter_sub. */
    void unreserve(long n) {
        lock.lock();
        try {
            if (n > dirtyClusters) {
                throw new IllegalStateException("releasing " + n + " delalloc blocks, only " + dirtyClusters
                        + " reserved");
            }
            dirtyClusters -= n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code ext4_mb_new_blocks}: up to {@code len} contiguous blocks, as near {@code goal} as
     * possible: the free extent at or after the goal if it holds all of them, else the first
     * that does, else the longest one (a short allocation). The first block and the count go into
     * {@code ar}'s {@code pblk} and {@code len} (the kernel updates its allocation request the same way).
     */
    void alloc(Handle h, long goal, int len, Kind kind, int alignment, MapBlocks ar) throws ErrnoException {
        lock.lock();
        try {
            long budget;
            switch (kind) {
                case DELALLOC: budget = len; break; // covered by the reservation
                case DATA: budget = freeBlocks - dirtyClusters - resvClusters; break;
                default: budget = freeBlocks - dirtyClusters; break;
            }
            if (budget > freeBlocks) {
                budget = freeBlocks;
            }
            long want = Math.min(len, budget);
            if (want <= 0) {
                throw new ErrnoException(Errno.ENOSPC, "no free blocks for a " + kind.name().toLowerCase()
                        + " allocation of " + len + ": " + freeBlocks + " free, " + dirtyClusters
                        + " reserved for delalloc");
            }
            if (alignment > 0 && want < len) {
                // EXT4_MB_HINT_ALIGNED: exactly len blocks or nothing, never a short extent
                throw new ErrnoException(Errno.ENOSPC, "no room for an aligned allocation of " + len + " blocks: "
                        + freeBlocks + " free, " + dirtyClusters + " reserved for delalloc");
            }
            if (!(alignment > 0 ? findAligned(goal, (int) want, alignment, ar) : find(goal, want, ar))) {
                throw new ErrnoException(Errno.ENOSPC, "no free " + (alignment > 0 ? alignment + "-block aligned " : "")
                        + "extent of " + want + " blocks");
            }
            take(ar.pblk, ar.len);
            setBits(h, ar.pblk, ar.len, true);
            if (kind == Kind.DELALLOC) {
                dirtyClusters -= ar.len;
            }
            allocCalls.increment();
            allocBlocks.add(ar.len);
            if (alignment > 0) {
                alignedAllocs.increment();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A copy-on-write staging allocation (XFS allocates CoW staging extents the same way, in
     * {@code xfs_bmapi_convert_delalloc} on the CoW fork): up to {@code len} blocks near
     * {@code goal} are taken out of the free extents but not marked in the bitmap; the bitmap
     * learns of them only in the handle that remaps them into a file ({@link #commitStaging}),
     * so a crash before that leaves them free on disk (XFS records them in its refcount btree
     * and frees them at mount, {@code xfs_reflink_recover_cow}). {@code reserved}: the blocks were
     * reserved at write time (they leave {@code s_dirtyclusters_counter}).
     */
    void allocStaging(long goal, int len, boolean reserved, MapBlocks ar) throws ErrnoException {
        lock.lock();
        try {
            long budget = reserved ? len : freeBlocks - dirtyClusters - resvClusters;
            long want = Math.min(len, Math.min(budget, freeBlocks));
            if (want <= 0 || !find(goal, want, ar)) {
                throw new ErrnoException(Errno.ENOSPC, "no free blocks for a copy-on-write allocation of " + len + ": "
                        + freeBlocks + " free, " + dirtyClusters + " reserved for delalloc");
            }
            take(ar.pblk, ar.len);
            if (reserved) {
                dirtyClusters -= ar.len;
            }
            allocCalls.increment();
            allocBlocks.add(ar.len);
        } finally {
            lock.unlock();
        }
    }

    /** The staging blocks enter the bitmap in {@code h}, which maps them into a file. */
    void commitStaging(Handle h, long pblk, long len) {
        lock.lock();
        try {
            setBits(h, pblk, len, true);
        } finally {
            lock.unlock();
        }
    }

    /** Staging blocks never remapped (a cancelled or failed write) go back to the free extents. */
    void releaseStaging(long pblk, long len) {
        release(pblk, len);
    }

    /**
     * The goal if free, else the first free extent after it (then from the start) holding
     * {@code want} blocks, else the longest one seen; into {@code ar}. False when nothing is free.
     */
    private boolean find(long goal, long want, MapBlocks ar) {
        long bestStart = -1;
        long bestLen = 0;
        int g = floorIndex(goal);
        if (g >= 0 && freeStart[g] + freeLen[g] > goal) {
            long avail = freeStart[g] + freeLen[g] - goal;
            if (avail >= want) {
                return found(ar, goal, want);
            }
            bestStart = goal;
            bestLen = avail;
        }
        // the extents starting after the goal, then those starting before it
        for (int k = 0; k < nfree; k++) {
            int i = (g + 1 + k) % nfree;
            if (freeStart[i] == goal) {
                continue; // the extent at the goal, seen above
            }
            if (freeLen[i] >= want) {
                return found(ar, freeStart[i], want);
            }
            if (bestStart < 0 || freeLen[i] > bestLen) {
                bestStart = freeStart[i];
                bestLen = freeLen[i];
            }
        }
        return bestStart >= 0 && found(ar, bestStart, Math.min(bestLen, want));
    }

    private static boolean found(MapBlocks ar, long pblk, long len) {
        ar.pblk = pblk;
        ar.len = (int) len;
        return true;
    }

    /**
     * {@code EXT4_MB_HINT_ALIGNED} ({@code ext4_mb_scan_aligned} over the buddy's order-n free
     * chunks): exactly {@code len} blocks starting at a multiple of {@code alignment} (a power of
     * two), into {@code ar}: at the goal rounded up to the alignment if that is free, else the first
     * free extent after the goal (then from the start) holding such a chunk.
     */
    private boolean findAligned(long goal, int len, int alignment, MapBlocks ar) {
        int g = floorIndex(goal);
        for (int k = 0; k < nfree; k++) {
            int i = g < 0 ? k : (g + k) % nfree;
            long from = k == 0 && g >= 0 ? Math.max(goal, freeStart[i]) : freeStart[i];
            long s = (from + alignment - 1) & -(long) alignment;
            if (s + len <= freeStart[i] + freeLen[i]) {
                return found(ar, s, len);
            }
        }
        // the extent holding the goal, from its start (the part before the goal)
        if (g >= 0) {
            long s = (freeStart[g] + alignment - 1) & -(long) alignment;
            if (s + len <= freeStart[g] + freeLen[g]) {
                return found(ar, s, len);
            }
        }
        return false;
    }

    private void take(long start, long len) {
        int i = floorIndex(start);
        if (i < 0 || freeStart[i] + freeLen[i] < start + len) {
            throw new IllegalStateException("blocks " + start + "+" + len + " are not free");
        }
        long end = freeStart[i] + freeLen[i];
        if (start > freeStart[i]) {
            freeLen[i] = start - freeStart[i]; // the head stays
            if (start + len < end) {
                insertFree(i + 1, start + len, end - start - len);
            }
        } else if (start + len < end) {
            freeStart[i] = start + len; // the tail stays
            freeLen[i] = end - start - len;
        } else {
            removeFree(i);
        }
        freeBlocks -= len;
    }

    /**
     * {@code ext4_free_blocks}: clears the bitmap bits in this handle; the blocks become
     * allocatable once the transaction commits (data) or is checkpointed (metadata).
     */
    void free(Handle h, long pblk, long len, boolean metadata) {
        lock.lock();
        try {
            setBits(h, pblk, len, false);
            freeCalls.increment();
        } finally {
            lock.unlock();
        }
        if (metadata) {
            fs.journal.freeMeta(h, pblk);
        } else {
            fs.journal.freeData(h, pblk, len);
        }
    }

    /** Returns freed blocks to the free extents (commit / checkpoint callback), merged with their neighbours. */
    void release(long pblk, long len) {
        lock.lock();
        try {
            int p = floorIndex(pblk);
            if (p >= 0 && freeStart[p] + freeLen[p] > pblk) {
                throw new IllegalStateException("double free of block " + pblk);
            }
            int n = p + 1; // the first extent after pblk
            if (n < nfree && freeStart[n] < pblk + len) {
                throw new IllegalStateException("double free of blocks " + pblk + "+" + len);
            }
            boolean left = p >= 0 && freeStart[p] + freeLen[p] == pblk;
            boolean right = n < nfree && freeStart[n] == pblk + len;
            if (left && right) {
                freeLen[p] += len + freeLen[n];
                removeFree(n);
            } else if (left) {
                freeLen[p] += len;
            } else if (right) {
                freeStart[n] = pblk;
                freeLen[n] += len;
            } else {
                insertFree(n, pblk, len);
            }
            freeBlocks += len;
        } finally {
            lock.unlock();
        }
    }

    private void setBits(Handle h, long start, long len, boolean set) {
        long bitsPerBlock = (long) fs.bs * 8;
        long b = start;
        long end = start + len;
        while (b < end) {
            MetaBuffer bh = fs.bitmapBuffer(b);
            long blockEnd = Math.min(end, (b / bitsPerBlock + 1) * bitsPerBlock);
            ByteBuffer d = bh.data;
            long x = b;
            while (x < blockEnd) {
                int bit = (int) (x % bitsPerBlock);
                int idx = bit >>> 3;
                byte v = d.get(idx);
                if ((bit & 7) == 0 && x + 8 <= blockEnd) {
                    // a whole byte (mb_set_bits / mb_clear_bits fast path)
                    if (v != (set ? 0 : (byte) 0xFF)) {
                        throw new IllegalStateException("blocks " + x + "+8 not all " + (set ? "free" : "in use") + " in the bitmap");
                    }
                    d.put(idx, set ? (byte) 0xFF : 0);
                    x += 8;
                    continue;
                }
                int mask = 1 << (bit & 7);
                if (set == ((v & mask) != 0)) {
                    throw new IllegalStateException("block " + x + " already " + (set ? "in use" : "free") + " in the bitmap");
                }
                d.put(idx, (byte) (set ? v | mask : v & ~mask));
                x++;
            }
            h.dirtyMetadata(bh);
            b = blockEnd;
        }
    }
}
