package org.foliobench.fs;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.vfs.Errno;
import org.foliobench.vfs.ErrnoException;

/**
 * The block allocator ({@code fs/ext4/mballoc.c} plus the free-cluster accounting of
 * {@code fs/ext4/balloc.c}). The on-disk truth is the block bitmap (journaled); in memory the
 * free space is a tree of free extents (the buddy cache's role). Freed blocks come back into the
 * tree only when the transaction freeing them has committed (data) or been checkpointed
 * (metadata), so no block is reused while a crash could still bring back its old owner.
 *
 * <p>Accounting mirrors {@code s_freeclusters_counter} ({@link #freeBlocks}),
 * {@code s_dirtyclusters_counter} ({@link #dirtyClusters}, delalloc reservations) and
 * {@code s_resv_clusters} (kept back for metadata, 2% of the filesystem up to 4096 blocks).
 */
final class Mballoc {
    enum Kind { DATA, DELALLOC, METADATA }

    private final Ext4 fs;
    final ReentrantLock lock = new ReentrantLock();
    /** Free extents: start -> length. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
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

    Mballoc(Ext4 fs) {
        this.fs = fs;
        this.resvClusters = Math.min(fs.blocksCount / 50, 4096);
        this.allocCalls = fs.counters.counter("fs.alloc_calls");
        this.allocBlocks = fs.counters.counter("fs.alloc_blocks");
        this.freeCalls = fs.counters.counter("fs.free_calls");
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
        free.put(start, len);
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
     * that does, else the longest one (a short allocation). Returns {pblk, count}.
     */
    long[] alloc(Handle h, long goal, int len, Kind kind, int alignment) throws ErrnoException {
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
            long[] r = alignment > 1 ? findAligned((int) want, alignment) : find(goal, want);
            if (r == null) {
                throw new ErrnoException(Errno.ENOSPC, "no free " + (alignment > 1 ? alignment + "-block aligned " : "")
                        + "extent of " + want + " blocks");
            }
            take(r[0], r[1]);
            setBits(h, r[0], r[1], true);
            if (kind == Kind.DELALLOC) {
                dirtyClusters -= r[1];
            }
            allocCalls.increment();
            allocBlocks.add(r[1]);
            return r;
        } finally {
            lock.unlock();
        }
    }

    private long[] find(long goal, long want) {
        long[] best = null;
        Map.Entry<Long, Long> e = free.floorEntry(goal);
        if (e != null && e.getKey() + e.getValue() > goal) {
            long avail = e.getKey() + e.getValue() - goal;
            if (avail >= want) {
                return new long[] {goal, want};
            }
            best = new long[] {goal, avail};
        }
        for (Map.Entry<Long, Long> f : free.tailMap(goal, false).entrySet()) {
            if (f.getValue() >= want) {
                return new long[] {f.getKey(), want};
            }
            if (best == null || f.getValue() > best[1]) {
                best = new long[] {f.getKey(), f.getValue()};
            }
        }
        for (Map.Entry<Long, Long> f : free.headMap(goal, false).entrySet()) {
            if (f.getValue() >= want) {
                return new long[] {f.getKey(), want};
            }
            if (best == null || f.getValue() > best[1]) {
                best = new long[] {f.getKey(), f.getValue()};
            }
        }
        return best == null ? null : new long[] {best[0], Math.min(best[1], want)};
    }

    /** Exactly {@code len} blocks starting at a multiple of {@code alignment} (a power of two). */
    private long[] findAligned(int len, int alignment) {
        for (Map.Entry<Long, Long> f : free.entrySet()) {
            long s = (f.getKey() + alignment - 1) & -(long) alignment;
            if (s + len <= f.getKey() + f.getValue()) {
                return new long[] {s, len};
            }
        }
        return null;
    }

    private void take(long start, long len) {
        Map.Entry<Long, Long> e = free.floorEntry(start);
        if (e == null || e.getKey() + e.getValue() < start + len) {
            throw new IllegalStateException("blocks " + start + "+" + len + " are not free");
        }
        long s = e.getKey();
        long l = e.getValue();
        free.remove(s);
        if (start > s) {
            free.put(s, start - s);
        }
        if (start + len < s + l) {
            free.put(start + len, s + l - start - len);
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

    /** Returns freed blocks to the free-extent tree (commit / checkpoint callback). */
    void release(long pblk, long len) {
        lock.lock();
        try {
            long s = pblk;
            long l = len;
            Map.Entry<Long, Long> p = free.floorEntry(pblk);
            if (p != null && p.getKey() + p.getValue() > pblk) {
                throw new IllegalStateException("double free of block " + pblk);
            }
            if (p != null && p.getKey() + p.getValue() == pblk) {
                s = p.getKey();
                l += p.getValue();
                free.remove(p.getKey());
            }
            Long nl = free.get(pblk + len);
            if (nl != null) {
                free.remove(pblk + len);
                l += nl;
            }
            Map.Entry<Long, Long> n = free.ceilingEntry(s);
            if (n != null && n.getKey() < s + l) {
                throw new IllegalStateException("double free of blocks " + pblk + "+" + len);
            }
            free.put(s, l);
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
