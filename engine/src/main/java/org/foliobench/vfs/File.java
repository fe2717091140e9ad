package org.foliobench.vfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.foliobench.DefragIomap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.iopath.IoPath;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Errseq;
import org.foliobench.pagecache.FileRaState;
import org.foliobench.pagecache.Filemap;
import org.foliobench.pagecache.XArray;

/**
 * An open file ({@code struct file}): its readahead state ({@code f_ra}), its writeback-error
 * sample ({@code f_wb_err}) and the IO path serving it. Reads and writes are positional, as
 * fio's psync engine issues them. Thread-safe; the readahead state is shared by the threads
 * using this open file, as it is in the kernel.
 */
public final class File implements Closeable {
    private final FileSystem fs;
    private final FileSystem.VfsInode vi;
    private final Inode inode;
    private final AddressSpace mapping;
    private final FileRaState ra;
    private final Errseq.Since wbErr;
    /** {@code O_DIRECT}: reads and writes bypass the page cache. */
    private final boolean direct;
    private volatile boolean closed;

    /** {@code RWF_ATOMIC}: a {@link #pwritev2} flag; the write is untorn (O_DIRECT only). */
    public static final int RWF_ATOMIC = 0x00000040;

    File(FileSystem fs, FileSystem.VfsInode vi, IoPath path) {
        this(fs, vi, path, false);
    }

    File(FileSystem fs, FileSystem.VfsInode vi, IoPath path, boolean direct) {
        this.direct = direct;
        this.fs = fs;
        this.vi = vi;
        this.inode = vi.inode;
        this.mapping = vi.mapping;
        this.ra = fs.pageCache().newRaState();
        this.wbErr = mapping.errseqSample();
    }

    /**
     * The path serving this file: the one it was opened on, or buffer_head after an
     * {@link #moveExtents} fell back from iomap ({@link DefragIomap#FALLBACK}).
     */
    public IoPath path() {
        return vi.ops.path();
    }

    public String name() {
        return inode.name();
    }

    /** Opened {@code O_DIRECT}. */
    public boolean isDirect() {
        return direct;
    }

    /**
     * {@code statx(2)} with {@code STATX_DIOALIGN | STATX_WRITE_ATOMIC} ({@code ext4_getattr}): the
     * atomic write unit is the filesystem's ({@code ext4_inode_can_atomic_write}: any regular file
     * with extents) whether or not this open is O_DIRECT; the write needs O_DIRECT.
     */
    public Statx statx() throws ErrnoException {
        checkOpen();
        org.foliobench.iomap.Ext4DirectIo d = fs.directIo();
        return new Statx(inode.size(), fs.blockSize(), d.dioMemAlign(), d.dioOffsetAlign(), d.atomicWriteUnitMin(),
                d.atomicWriteUnitMax(), d.atomicWriteUnitMax() > 0 ? 1 : 0);
    }

    /** {@code i_size}. */
    public long size() {
        return inode.size();
    }

    /** The largest file the extent format can address ({@code s_maxbytes}). */
    private long maxBytes() {
        return (Ext4.EXT_MAX_BLOCKS) << fs.ext4().blockBits();
    }

    /**
     * {@code pread(2)} through {@code filemap_read}: fills {@code dst} from its position up to
     * its limit or end of file. Returns the bytes read, 0 at or beyond end of file.
     */
    public int pread(ByteBuffer dst, long pos) throws IOException {
        checkOpen();
        if (pos < 0) {
            throw new ErrnoException(Errno.EINVAL, "pread at negative offset " + pos);
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (direct) {
            fs.checkMounted();
            return (int) fs.directIo().read(inode, mapping, dst, pos); // ext4_dio_read_iter
        }
        return Filemap.filemapRead(mapping, ra, pos, dst, inode.size());
    }

    /**
     * {@code pwrite(2)} through {@code ext4_buffered_write_iter}: copies {@code src} from its
     * position to its limit into the page cache at {@code pos} (the path's write loop), under the
     * inode lock, after {@code file_modified}'s time update ({@link Ext4#fileUpdateTime}),
     * throttled by {@code balance_dirty_pages}. Returns the bytes written.
     */
    public int pwrite(ByteBuffer src, long pos) throws IOException {
        return pwritev2(src, pos, 0);
    }

    /**
     * {@code pwritev2(2)} with one buffer: {@link #pwrite} with {@code flags}, of which this model
     * has {@link #RWF_ATOMIC}: the write reaches the device whole or not at all. It needs an
     * {@code O_DIRECT} open (EOPNOTSUPP otherwise, as {@code kiocb_set_rw_flags} without
     * {@code FMODE_CAN_ATOMIC_WRITE}); one that breaks the atomic rules ({@link #statx}) fails with
     * EINVAL, or ENOSPC when no aligned free extent is left, and writes nothing. On an O_DIRECT open
     * the write goes from {@code src} to the device ({@code ext4_dio_write_iter}).
     */
    public int pwritev2(ByteBuffer src, long pos, int flags) throws IOException {
        checkOpen();
        if ((flags & ~RWF_ATOMIC) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "pwritev2 flags 0x" + Integer.toHexString(flags & ~RWF_ATOMIC)
                    + " are not supported (only RWF_ATOMIC)");
        }
        boolean atomic = (flags & RWF_ATOMIC) != 0;
        if (atomic && !direct) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "RWF_ATOMIC write to '" + inode.name()
                    + "', which is not open O_DIRECT (open it with ExtendedOpenOption.DIRECT)");
        }
        if (pos < 0) {
            throw new ErrnoException(Errno.EINVAL, "pwrite at negative offset " + pos);
        }
        int count = src.remaining();
        if (count == 0) {
            return 0;
        }
        // generic_write_checks: s_maxbytes
        long max = maxBytes();
        if (pos >= max) {
            throw new ErrnoException(Errno.EFBIG, "write at offset " + pos + " beyond the largest file size " + max);
        }
        if (direct) {
            if (pos + count > max) {
                throw new ErrnoException(Errno.EFBIG, "direct write at offset " + pos + " of " + count
                        + " bytes ends beyond the largest file size " + max);
            }
            fs.checkMounted();
            return (int) fs.directIo().write(inode, mapping, src, pos, atomic); // ext4_dio_write_iter
        }
        ByteBuffer s = src;
        if (pos + count > max) {
            s = src.duplicate();
            s.limit(s.position() + (int) (max - pos));
        }
        inode.iRwsem().writeLock().lock();
        long n;
        try {
            fs.ext4().fileUpdateTime(inode); // file_modified
            n = vi.ops.bufferedWrite(inode, mapping, s, pos); // read under i_rwsem: a defrag fallback swaps it
        } finally {
            inode.iRwsem().writeLock().unlock();
        }
        if (s != src) {
            src.position(src.position() + (int) n);
        }
        return (int) n;
    }

    /** {@code fsync(2)} ({@code ext4_sync_file}): data written back and waited for, then the journal commit or a cache flush. */
    public void fsync() throws IOException {
        sync(false);
    }

    /** {@code fdatasync(2)}: like {@link #fsync} but commits only when the data needs it (size, allocation). */
    public void fdatasync() throws IOException {
        sync(true);
    }

    private void sync(boolean datasync) throws IOException {
        checkOpen();
        fs.checkMounted();
        mapping.fileWriteAndWaitRange(wbErr, 0, Long.MAX_VALUE);
        fs.ext4().fsyncCommit(inode, datasync);
    }

    /**
     * {@code ftruncate(2)} ({@code ext4_setattr}): zeroes the cached tail of the block at the
     * new (or old, when growing) end, drops the cache beyond the new end, then frees the blocks.
     */
    public void truncate(long newSize) throws IOException {
        checkOpen();
        fs.checkMounted();
        if (newSize < 0 || newSize > maxBytes()) {
            throw new ErrnoException(newSize < 0 ? Errno.EINVAL : Errno.EFBIG, "truncate to " + newSize
                    + " (must be 0.." + maxBytes() + ")");
        }
        inode.iRwsem().writeLock().lock();
        try {
            mapping.invalidateLock().writeLock().lock();
            try {
                long old = inode.size();
                if (newSize == old) {
                    return;
                }
                vi.ops.truncatePage(inode, mapping, Math.min(old, newSize));
                if (newSize < old) {
                    mapping.truncateInodePages(newSize);
                }
                fs.ext4().truncate(inode, newSize);
            } finally {
                mapping.invalidateLock().writeLock().unlock();
            }
        } finally {
            inode.iRwsem().writeLock().unlock();
        }
    }

    /**
     * {@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)} ({@code ext4_punch_hole}):
     * {@code [offset, offset + length)} reads as zeros afterwards; whole blocks inside are freed,
     * partial blocks at the edges are zeroed. The size does not change.
     */
    public void punchHole(long offset, long length) throws IOException {
        checkOpen();
        fs.checkMounted();
        if (offset < 0 || length <= 0) {
            throw new ErrnoException(Errno.EINVAL, "punch hole at " + offset + " length " + length
                    + " (offset must be >= 0 and length > 0)");
        }
        int bits = fs.ext4().blockBits();
        long bs = 1L << bits;
        inode.iRwsem().writeLock().lock();
        try {
            mapping.invalidateLock().writeLock().lock();
            try {
                long size = inode.size();
                if (offset >= size) {
                    return;
                }
                long end = offset + length;
                // ext4_punch_hole: write out the dirty range first, so no dirty cached block
                // of the range is left to be written (and allocated) after the blocks are freed
                if (mapping.tagged(XArray.DIRTY)) {
                    mapping.filemapWriteAndWaitRange(offset, end - 1);
                }
                updateDisksizeBeforePunch(offset, end, size);
                if (end >= size) {
                    // as ext4_punch_hole: through the end of the last block
                    end = (size + bs - 1) & -bs;
                }
                long first = (offset + bs - 1) & -bs;
                long last = end & -bs;
                if (first > offset || last < end) {
                    vi.ops.zeroPartialBlocks(inode, mapping, offset, end - offset);
                }
                if (last > first) {
                    mapping.truncateInodePagesRange(first, last - 1);
                    fs.ext4().punchHole(inode, first >> bits, (last - first) >> bits);
                }
            } finally {
                mapping.invalidateLock().writeLock().unlock();
            }
        } finally {
            inode.iRwsem().writeLock().unlock();
        }
    }

    /**
     * {@code ext4_update_disksize_before_punch}: a punch reaching EOF frees the blocks whose
     * writeback would have moved i_disksize up to i_size; move it now, or the size is lost.
     */
    private void updateDisksizeBeforePunch(long offset, long end, long size) throws IOException {
        if (offset > size || end < size || inode.diskSize() >= size) {
            return;
        }
        Ext4 ext4 = fs.ext4();
        Handle h = ext4.journalStart(ext4.transBlocks(1));
        try {
            ext4.updateDiskSize(h, inode, size);
        } finally {
            h.stop();
        }
    }

    /**
     * {@code ioctl(fd, EXT4_IOC_MOVE_EXT, &me)} on this (the original) file, e4defrag's primitive
     * ({@code ext4_move_extents}): the blocks of {@code [origStart, origStart + len)} (in
     * filesystem blocks) and those of {@code donor} at {@code donorStart} change places; this
     * file's data is unchanged as readers see it, the donor gets the old blocks. On an iomap
     * inode it fails with EOPNOTSUPP or first falls back to buffer_head, as
     * {@link MountOptions#defragIomap()} says. Returns {@code moved_len}, the blocks moved.
     */
    public long moveExtents(File donor, long origStart, long donorStart, long len) throws IOException {
        checkOpen();
        donor.checkOpen();
        fs.checkMounted();
        return Ext4MoveExtents.moveExtents(fs, this.vi, donor.fs, donor.vi, origStart, donorStart, len);
    }

    /** {@code ioctl(FS_IOC_FIEMAP)} counting only: the extents mapping this file (e4defrag's fragmentation measure). */
    public int fiemapExtents() throws ErrnoException {
        checkOpen();
        return org.foliobench.fs.MoveExtent.fiemapExtents(inode);
    }

    /**
     * {@code ioctl(FICLONE)} ({@code ioctl_file_clone} with a length of 0): this file's blocks
     * from 0 to {@code src}'s end of file become {@code src}'s blocks, shared and copied on write
     * from then on. See {@link #cloneRange}.
     */
    public void cloneFrom(File src) throws IOException {
        cloneRange(src, 0, 0, 0);
    }

    /**
     * {@code ioctl(FICLONERANGE)} ({@code vfs_clone_file_range}, {@code generic_remap_file_range_prep},
     * then the filesystem's {@code ->remap_file_range}): {@code [dstOff, dstOff + len)} of this file
     * maps the blocks of {@code [srcOff, srcOff + len)} of {@code src} ({@code len} 0: to
     * {@code src}'s end of file). Offsets and length must be multiples of the block size, except
     * a length reaching {@code src}'s end of file that does not end inside this file. Both files
     * must be served by the iomap path: ext4's buffer_head path has no copy on write, so a clone
     * there fails with EOPNOTSUPP as FICLONE does on ext4. Both ranges are written back first and
     * this file's cached pages of the range dropped; this file grows if the range ends past it.
     */
    public void cloneRange(File src, long srcOff, long len, long dstOff) throws IOException {
        checkOpen();
        src.checkOpen();
        fs.checkMounted();
        if (src.fs != fs) {
            throw new ErrnoException(Errno.EINVAL, "clone from '" + src.name() + "' on another filesystem (EXDEV); "
                    + "reflink works within one filesystem");
        }
        if (path() != IoPath.IOMAP || src.path() != IoPath.IOMAP) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "clone of '" + src.name() + "' into '" + name() + "' on the "
                    + (path() != IoPath.IOMAP ? path() : src.path()).shortName() + " path: ext4's buffer_head path has no "
                    + "reflink (no copy on write); open both files on the iomap path");
        }
        Ext4 ext4 = fs.ext4();
        int bits = ext4.blockBits();
        long bmask = (1L << bits) - 1;
        if (srcOff < 0 || dstOff < 0 || len < 0) {
            throw new ErrnoException(Errno.EINVAL, "clone range: negative offset or length");
        }
        Inode si = src.inode;
        boolean same = si == inode;
        lockTwo(si, inode);
        try {
            long srcSize = si.size();
            if (len == 0) {
                len = srcSize - srcOff;
                if (len <= 0) {
                    return;
                }
            }
            if (srcOff + len > srcSize) {
                throw new ErrnoException(Errno.EINVAL, "clone range " + srcOff + "+" + len + " runs past the end of '"
                        + src.name() + "' (" + srcSize + " bytes)");
            }
            long dstEnd = dstOff + len;
            boolean tail = (len & bmask) != 0;
            if ((srcOff & bmask) != 0 || (dstOff & bmask) != 0 || tail && (srcOff + len != srcSize || dstEnd < inode.size())) {
                throw new ErrnoException(Errno.EINVAL, "clone range " + srcOff + "+" + len + " -> " + dstOff
                        + " is not aligned to the " + (1L << bits) + "-byte block (only a range ending at the source's "
                        + "end of file, and not inside the destination, may end mid-block)");
            }
            if (dstEnd > maxBytes()) {
                throw new ErrnoException(Errno.EFBIG, "clone range ends at " + dstEnd + ", beyond the largest file");
            }
            long blocks = (len + bmask) >> bits;
            if (same && srcOff < dstOff + (blocks << bits) && dstOff < srcOff + (blocks << bits)) {
                throw new ErrnoException(Errno.EINVAL, "clone range " + srcOff + "+" + len + " -> " + dstOff
                        + " overlaps itself in '" + name() + "'");
            }
            // generic_remap_file_range_prep: write back both ranges, drop the destination's cache
            src.mapping.filemapWriteAndWaitRange(srcOff, srcOff + (blocks << bits) - 1);
            mapping.filemapWriteAndWaitRange(dstOff, dstOff + (blocks << bits) - 1);
            if (inode.size() < dstOff) {
                vi.ops.truncatePage(inode, mapping, inode.size()); // the old EOF block's tail reads as zeros
            }
            mapping.truncateInodePagesRange(dstOff, dstOff + (blocks << bits) - 1);
            ext4.reflink().remapRange(si, srcOff >> bits, inode, dstOff >> bits, blocks, Math.max(inode.size(), dstEnd));
            mapping.truncateInodePagesRange(dstOff, dstOff + (blocks << bits) - 1);
        } finally {
            unlockTwo(si, inode);
        }
    }

    /** {@code lock_two_nondirectories} + {@code filemap_invalidate_lock_two}, in inode order. */
    private void lockTwo(Inode a, Inode b) {
        Inode first = a.ino() <= b.ino() ? a : b;
        Inode second = first == a ? b : a;
        first.iRwsem().writeLock().lock();
        if (second != first) {
            second.iRwsem().writeLock().lock();
        }
        ((AddressSpace) first.mapping()).invalidateLock().writeLock().lock();
        if (second != first) {
            ((AddressSpace) second.mapping()).invalidateLock().writeLock().lock();
        }
    }

    private static void unlockTwo(Inode a, Inode b) {
        ((AddressSpace) a.mapping()).invalidateLock().writeLock().unlock();
        a.iRwsem().writeLock().unlock();
        if (b != a) {
            ((AddressSpace) b.mapping()).invalidateLock().writeLock().unlock();
            b.iRwsem().writeLock().unlock();
        }
    }

    private void checkOpen() throws ErrnoException {
        if (closed) {
            throw new ErrnoException(Errno.EBADF, "'" + inode.name() + "' is closed");
        }
    }

    /** {@code close(2)}: no implicit sync, as on Linux. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        fs.release(vi);
    }

    @Override
    public String toString() {
        return "File[" + inode.name() + " " + path().shortName() + (direct ? " O_DIRECT" : "") + " size=" + inode.size() + "]";
    }
}
