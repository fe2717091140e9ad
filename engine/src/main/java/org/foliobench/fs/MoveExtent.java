package org.foliobench.fs;

import java.util.List;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;

/**
 * The filesystem half of {@code EXT4_IOC_MOVE_EXT} (fs/ext4/move_extent.c): exchanging the block
 * mappings of a range of two inodes ({@code ext4_swap_extents}) under both inodes'
 * {@code i_data_sem}, in one journal handle, so a crash leaves either both mappings old or both
 * new. The page cache half (keeping the original's data as readers see it) is the IO path's.
 */
public final class MoveExtent {
    private MoveExtent() {
    }

    /**
     * {@code ext4_double_down_write_data_sem}: both inodes' i_data_sem for write, lower inode
     * number first so two movers never deadlock.
     */
    static void doubleDownWriteDataSem(Inode a, Inode b) {
        Inode first = a.ino <= b.ino ? a : b;
        Inode second = first == a ? b : a;
        first.iDataSem.writeLock().lock();
        if (second != first) {
            second.iDataSem.writeLock().lock();
        }
    }

    static void doubleUpWriteDataSem(Inode a, Inode b) {
        a.iDataSem.writeLock().unlock();
        if (b != a) {
            b.iDataSem.writeLock().unlock();
        }
    }

    /**
     * {@code FS_IOC_FIEMAP} with {@code fm_extent_count} 0, as e4defrag asks before and after:
     * the number of extents mapping the file ({@code fm_mapped_extents}).
     */
    public static int fiemapExtents(Inode inode) {
        inode.iDataSem.readLock().lock();
        try {
            return inode.tree.size();
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    /** Credits of one {@link #swapExtents} of {@code nblocks}: both inodes' slots and leaves. */
    public static int swapCredits(Ext4 fs, int nblocks) {
        return 2 * fs.transBlocks(nblocks);
    }

    /**
     * {@code ext4_swap_extents}: the extents of {@code orig} over {@code [olblk, olblk + len)}
     * and those of {@code donor} over {@code [dlblk, dlblk + len)} change places (a hole moves
     * as a hole), in the extent trees and the extent-status caches (whose sequence is bumped,
     * invalidating every cached iomap), and both inodes are written into {@code h}. Delayed
     * extents must have been written back first (EBUSY otherwise, as the kernel refuses to move
     * delalloc blocks). Returns the blocks swapped.
     */
    public static long swapExtents(Ext4 fs, Handle h, Inode orig, long olblk, Inode donor, long dlblk, long len)
            throws ErrnoException {
        if (orig == donor) {
            throw new ErrnoException(Errno.EINVAL, "move extent of " + orig + " onto itself");
        }
        if (len <= 0) {
            return 0;
        }
        doubleDownWriteDataSem(orig, donor);
        try {
            for (Inode i : new Inode[] {orig, donor}) {
                if (i.unlinked) {
                    throw new ErrnoException(Errno.ENOENT, i + " was unlinked; open it again by name");
                }
            }
            checkNoDelayed(orig, olblk, len);
            checkNoDelayed(donor, dlblk, len);
            List<ExtentMap.Ext> o = clip(orig.tree.overlapping(olblk, olblk + len), olblk, olblk + len);
            List<ExtentMap.Ext> d = clip(donor.tree.overlapping(dlblk, dlblk + len), dlblk, dlblk + len);
            orig.tree.remove(olblk, len);
            donor.tree.remove(dlblk, len);
            for (ExtentMap.Ext e : d) {
                orig.tree.insert(olblk + (e.lblk - dlblk), e.len, e.pblk, e.status);
            }
            for (ExtentMap.Ext e : o) {
                donor.tree.insert(dlblk + (e.lblk - olblk), e.len, e.pblk, e.status);
            }
            // ext4_es_remove_extent on both ranges: the next lookup reads the new mapping
            synchronized (orig.esLock) {
                orig.es.remove(olblk, len);
            }
            orig.bumpEsSeq();
            synchronized (donor.esLock) {
                donor.es.remove(dlblk, len);
            }
            donor.bumpEsSeq();
            fs.writeInode(h, orig);
            fs.writeInode(h, donor);
            return len;
        } finally {
            doubleUpWriteDataSem(orig, donor);
        }
    }

    private static void checkNoDelayed(Inode inode, long lblk, long len) throws ErrnoException {
        synchronized (inode.esLock) {
            ExtentMap.Ext e = inode.es.firstOverlapping(lblk, lblk + len, ExtentMap.DELAYED);
            if (e != null) {
                throw new ErrnoException(Errno.EBUSY, inode + " has delayed-allocation blocks at " + e.lblk
                        + "; write the range back (fsync) before moving its extents");
            }
        }
    }

    /** The extents clipped to {@code [from, to)}. */
    private static List<ExtentMap.Ext> clip(List<ExtentMap.Ext> l, long from, long to) {
        for (ExtentMap.Ext e : l) {
            long s = Math.max(e.lblk, from);
            long t = Math.min(e.end(), to);
            e.set(s, t - s, e.pblk + (s - e.lblk), e.status);
        }
        return l;
    }
}
