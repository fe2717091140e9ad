package org.foliobench.vfs;

import java.io.IOException;
import java.util.concurrent.locks.Lock;
import org.foliobench.Defaults;
import org.foliobench.DefragIomap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.buffer.MoveExtentFolios;
import org.foliobench.fs.Inode;
import org.foliobench.iopath.IoPath;
import org.foliobench.iopath.IoPathOps;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.stats.CounterNames;

/**
 * {@code EXT4_IOC_MOVE_EXT} ({@code ext4_ioctl} -> {@code ext4_move_extents}, fs/ext4/move_extent.c):
 * checks the arguments, takes both inodes' i_rwsem and invalidate_lock (lower inode number first,
 * {@code lock_two_nondirectories}), treats an iomap inode as {@link DefragIomap} says (EOPNOTSUPP,
 * or the series' {@code ext4_disable_buffered_iomap_aops} fallback), writes both ranges back, and
 * lets the buffer_head path move the extents folio by folio ({@link MoveExtentFolios}). The
 * donor's cached pages of the range are dropped: its blocks (now the original's old ones) are
 * read again from the device.
 */
final class Ext4MoveExtents {
    private Ext4MoveExtents() {
    }

    /** {@code ext4_move_extents}: returns {@code moved_len} in blocks. */
    static long moveExtents(FileSystem fs, FileSystem.VfsInode o, FileSystem dfs, FileSystem.VfsInode d, long origStart,
            long donorStart, long len) throws IOException {
        if (dfs != fs) {
            throw new ErrnoException(Errno.EXDEV, "the donor '" + d.inode.name() + "' is on another filesystem;"
                    + " create it on the same one as '" + o.inode.name() + "'");
        }
        if (o == d) {
            throw new ErrnoException(Errno.EINVAL, "'" + o.inode.name() + "' is both the original and the donor;"
                    + " use a separate donor file");
        }
        if (origStart < 0 || donorStart < 0 || len <= 0) {
            throw new ErrnoException(Errno.EINVAL, "move extent orig_start=" + origStart + " donor_start=" + donorStart
                    + " len=" + len + " (starts must be >= 0 and len > 0, in filesystem blocks)");
        }
        FileSystem.VfsInode first = o.inode.ino() < d.inode.ino() ? o : d;
        FileSystem.VfsInode second = first == o ? d : o;
        // lock_two_nondirectories
        first.inode.iRwsem().writeLock().lock();
        try {
            second.inode.iRwsem().writeLock().lock();
            try {
                // a reflinked file's blocks belong to other files too: moving them (or falling back to
                // buffer_head, which writes in place) would change those files. ext4 has no reflink, so
                // no kernel path exists for this; refused before anything changes
                for (FileSystem.VfsInode vi : new FileSystem.VfsInode[] {o, d}) {
                    if (fs.ext4().reflink().hasShared(vi.inode)) {
                        throw new ErrnoException(Errno.EOPNOTSUPP, "'" + vi.inode.name() + "' shares blocks with a"
                                + " reflinked file, whose extents cannot be moved; copy it (cp --reflink=never) first");
                    }
                }
                // ext4_move_extents: inodes using buffered iomap
                for (FileSystem.VfsInode vi : new FileSystem.VfsInode[] {o, d}) {
                    if (vi.ops.path() == IoPath.IOMAP) {
                        if (fs.options().defragIomap() == DefragIomap.EOPNOTSUPP) {
                            throw new ErrnoException(Errno.EOPNOTSUPP, "'" + vi.inode.name() + "' uses the buffered iomap"
                                    + " path, which cannot move extents; mount with fb_defrag_iomap=fallback or open"
                                    + " it on the bh path");
                        }
                        disableBufferedIomapAops(fs, vi);
                    }
                }
                return moveLocked(fs, o, d, origStart, donorStart, len);
            } finally {
                second.inode.iRwsem().writeLock().unlock();
            }
        } finally {
            first.inode.iRwsem().writeLock().unlock();
        }
    }

    /**
     * {@code ext4_disable_buffered_iomap_aops} (seed 004): with the inode lock held, under the
     * mapping's invalidate_lock, write back every dirty folio and wait, drop the whole page cache
     * ({@code truncate_inode_pages}), then switch the mapping to the buffer_head aops and clear
     * large folios. Readers that looked a folio up before the switch still hold it (uptodate,
     * written back, so the file's data); new folios are order 0 with BufferHeads.
     */
    static void disableBufferedIomapAops(FileSystem fs, FileSystem.VfsInode vi) throws IOException {
        AddressSpace m = vi.mapping;
        IoPathOps bh = fs.opsFor(IoPath.BUFFER_HEAD);
        m.invalidateLock().writeLock().lock();
        try {
            m.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
            m.truncateInodePages(0);
            m.setAops(bh.aops());
            m.setMaxFolioOrder(bh.maxFolioOrder()); // mapping_clear_large_folios
            synchronized (fs) {
                vi.ops = bh;
            }
            fs.counters().counter(CounterNames.VFS_DEFRAG_IOMAP_FALLBACKS).increment();
        } finally {
            m.invalidateLock().writeLock().unlock();
        }
    }

    /** {@code mext_check_arguments} and the move, with both i_rwsem held. */
    private static long moveLocked(FileSystem fs, FileSystem.VfsInode o, FileSystem.VfsInode d, long origStart,
            long donorStart, long len) throws IOException {
        int bits = fs.ext4().blockBits();
        long bs = 1L << bits;
        long blocksPerPage = Defaults.PAGE_SIZE / bs;
        if (origStart % blocksPerPage != donorStart % blocksPerPage) {
            throw new ErrnoException(Errno.EINVAL, "orig_start " + origStart + " and donor_start " + donorStart
                    + " must sit at the same block within a page (" + blocksPerPage + " blocks per page)");
        }
        long origEof = (o.inode.size() + bs - 1) >> bits;
        long donorEof = (d.inode.size() + bs - 1) >> bits;
        if (origStart >= origEof || donorStart >= donorEof) {
            throw new ErrnoException(Errno.ENODATA, "move extent starts beyond end of file ('" + o.inode.name() + "' has "
                    + origEof + " blocks, the donor '" + d.inode.name() + "' " + donorEof + ")");
        }
        len = Math.min(len, Math.min(origEof - origStart, donorEof - donorStart));
        Inode oi = o.inode;
        FileSystem.VfsInode first = oi.ino() < d.inode.ino() ? o : d;
        FileSystem.VfsInode second = first == o ? d : o;
        Lock l1 = first.mapping.invalidateLock().writeLock();
        Lock l2 = second.mapping.invalidateLock().writeLock();
        l1.lock();
        try {
            l2.lock();
            try {
                o.mapping.filemapWriteAndWaitRange(origStart << bits, ((origStart + len) << bits) - 1);
                d.mapping.filemapWriteAndWaitRange(donorStart << bits, ((donorStart + len) << bits) - 1);
                long moved = MoveExtentFolios.moveExtents(o.ops, oi, o.mapping, d.inode, origStart, donorStart, len);
                long ps = Defaults.PAGE_SIZE;
                long dFrom = (donorStart << bits) & -ps;
                long dTo = (((donorStart + len) << bits) + ps - 1) & -ps;
                d.mapping.truncateInodePagesRange(dFrom, dTo - 1);
                fs.counters().counter("vfs.move_ext_blocks").add(moved);
                return moved;
            } finally {
                l2.unlock();
            }
        } finally {
            l1.unlock();
        }
    }
}
