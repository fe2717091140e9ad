package org.foliobench.fs;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.ErrnoException;

/**
 * Delayed allocation's reservations: {@code ext4_da_reserve_space} /
 * {@code ext4_da_release_space} against the allocator's {@code s_dirtyclusters_counter}
 * ({@link Mballoc#reserve}), the inode's {@code i_reserved_data_blocks}
 * ({@link Inode#reservedBlocks}) and the DELAYED ranges of its extent-status cache
 * ({@code ext4_insert_delayed_blocks}, {@code ext4_es_remove_extent}). Writeback consumes a
 * reservation when it allocates the range ({@link ExtentTree}).
 */
final class Delalloc {
    private final Mballoc mballoc;
    private final ExtentStatus extentStatus;
    private final LongAdder daReserve;
    private final LongAdder daReserveBlocks;
    private final LongAdder daRelease;
    private final LongAdder daReleaseBlocks;

    Delalloc(Ext4 fs) {
        this.mballoc = fs.mballoc;
        this.extentStatus = fs.extentStatus;
        this.daReserve = fs.counters.counter("fs.da_reserve");
        this.daReserveBlocks = fs.counters.counter("fs.da_reserve_blocks");
        this.daRelease = fs.counters.counter("fs.da_release");
        this.daReleaseBlocks = fs.counters.counter("fs.da_release_blocks");
    }

    /** {@link Ext4#insertDelayedBlocks}. */
    long insertDelayedBlocks(Inode inode, long lblk, int len) throws ErrnoException {
        Ext4.checkRange(lblk, len);
        Ext4.checkLive(inode);
        inode.iDataSem.writeLock().lock();
        try {
            long total = delayedHoles(inode, lblk, lblk + len, false);
            if (total > 0) {
                reserveDelayedLocked(inode, lblk, lblk + len, total);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /**
     * The blocks of {@code [lblk, end)} that are holes (neither in the tree nor delayed), counted
     * and, with {@code insert}, made delayed extents. Under i_data_sem held for write, so two walks
     * see the same holes.
     */
    private long delayedHoles(Inode inode, long lblk, long end, boolean insert) {
        long total = 0;
        int inserts = 0;
        long pos = lblk;
        while (pos < end) {
            ExtentMap.Ext t = inode.tree.find(pos);
            if (t != null) {
                pos = t.end();
                continue;
            }
            long runEnd;
            synchronized (inode.esLock) {
                ExtentMap.Ext d = inode.es.find(pos);
                if (d != null && d.status == ExtentMap.DELAYED) {
                    pos = d.end();
                    continue;
                }
                ExtentMap.Ext nt = inode.tree.next(pos);
                runEnd = Math.min(end, nt == null ? end : nt.lblk);
                ExtentMap.Ext nd = ExtentStatus.nextDelayed(inode, pos, runEnd);
                if (nd != null) {
                    runEnd = nd.lblk;
                }
                if (insert) {
                    inode.es.insert(pos, runEnd - pos, 0, ExtentMap.DELAYED);
                    inserts++;
                }
            }
            total += runEnd - pos;
            pos = runEnd;
        }
        if (inserts > 0) {
            extentStatus.esInserts.add(inserts);
        }
        return total;
    }

    /** Reserves {@code total} blocks, then makes the holes of {@code [lblk, end)} delayed extents. */
    void reserveDelayedLocked(Inode inode, long lblk, long end, long total) throws ErrnoException {
        mballoc.reserve(total, inode);
        daReserve.increment();
        daReserveBlocks.add(total);
        long inserted = delayedHoles(inode, lblk, end, true);
        if (inserted != total) {
            throw new IllegalStateException("delalloc holes of " + lblk + ".." + end + " changed under i_data_sem: "
                    + total + " then " + inserted + " blocks");
        }
        synchronized (inode.esLock) {
            inode.reservedBlocks += total;
        }
        inode.bumpEsSeq();
    }

    /** {@link Ext4#releaseDelayedBlocks}. */
    long releaseDelayedBlocks(Inode inode, long lblk, long len) throws ErrnoException {
        Ext4.checkRange(lblk, len);
        inode.iDataSem.writeLock().lock();
        try {
            return releaseDelayedLocked(inode, lblk, lblk + len);
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    private long releaseDelayedLocked(Inode inode, long lblk, long end) {
        long total = 0;
        synchronized (inode.esLock) {
            ExtentMap.Ext e;
            for (long pos = lblk; pos < end && (e = inode.es.firstOverlapping(pos, end, ExtentMap.DELAYED)) != null; ) {
                long s = Math.max(e.lblk, pos);
                long t = Math.min(e.end(), end);
                inode.es.remove(s, t - s);
                total += t - s;
                pos = t;
            }
            inode.reservedBlocks -= total;
        }
        if (total > 0) {
            mballoc.unreserve(total);
            daRelease.increment();
            daReleaseBlocks.add(total);
            inode.bumpEsSeq();
        }
        return total;
    }
}
