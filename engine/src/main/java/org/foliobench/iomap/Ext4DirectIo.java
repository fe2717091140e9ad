package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DmaMemory;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * ext4's direct IO ({@code ext4_dio_read_iter}, {@code ext4_dio_write_iter} in fs/ext4/file.c,
 * {@code ext4_iomap_ops} in fs/ext4/inode.c) over {@link DirectIo}. ext4 does direct IO through
 * iomap whichever buffered path an inode uses, so buffer_head and iomap inodes both come here;
 * their mapping only has to be written back and invalidated around the IO.
 *
 * <p>Writes into holes allocate unwritten extents in {@code ->iomap_begin} and convert them,
 * with the i_disksize update, in one handle once the bios completed
 * ({@code ext4_dio_write_end_io}); until then a crash leaves unwritten blocks, which read as
 * zeros. Overwrites of allocated blocks map without a handle. Offsets and lengths must be
 * multiples of the filesystem block size (the kernel also takes sub-block IO aligned to the
 * device's logical block size, zeroing the rest of a new block; this model refuses it with
 * EINVAL), the buffer must suit the device's DMA alignment.
 *
 * <p>{@code RWF_ATOMIC} writes, as Ojaswin Mujoo's "ext4: Allocator changes for atomic write
 * support with DIO" (seed 003) builds them: the unit min/max come from the device and the block
 * size ({@code ext4_atomic_write_init}: min the larger of the block size and the device's min,
 * max the device's max; no atomic writes if min exceeds max); a write must be a power of two
 * within them, naturally aligned in the file ({@code generic_atomic_write_valid}). A hole gets a
 * power-of-two, naturally aligned physical extent from mballoc ({@code EXT4_MB_HINT_ALIGNED});
 * allocated blocks must already be one such extent. Anything else fails, EINVAL or ENOSPC, before
 * a byte is written. The data goes to the device as one {@code REQ_ATOMIC} bio.
 */
public final class Ext4DirectIo {
    private final Ext4 fs;
    private final BlockDevice device;
    private final DirectIo dio;
    private final int blockBits;
    private final int blockSize;
    /** {@code s_awu_min} / {@code s_awu_max}; both 0 when the filesystem cannot write atomically. */
    private final int awuMin;
    private final int awuMax;
    private final LongAdder dioReads;
    private final LongAdder dioWrites;
    private final LongAdder atomicWrites;
    private final LongAdder atomicRejections;
    private final LongAdder sharedLockWrites;
    /** {@code struct ext4_map_blocks} of an {@code ->iomap_begin}, on the kernel's stack: one per thread. */
    private final ThreadLocal<MapBlocks> mapScratch = ThreadLocal.withInitial(MapBlocks::new);

    public Ext4DirectIo(Ext4 fs) {
        this.fs = fs;
        this.device = fs.device();
        this.blockBits = fs.blockBits();
        this.blockSize = fs.blockSize();
        Counters c = fs.counters();
        this.dio = new DirectIo(device, fs.bioSet(), c);
        // ext4_atomic_write_init
        int min = Math.max(blockSize, device.atomicWriteUnitMin());
        int max = device.atomicWriteUnitMax();
        boolean ok = device.atomicWriteUnitMax() > 0 && min <= max;
        this.awuMin = ok ? min : 0;
        this.awuMax = ok ? max : 0;
        this.dioReads = c.counter("iomap.dio_reads");
        this.dioWrites = c.counter("iomap.dio_writes");
        this.atomicWrites = c.counter(CounterNames.FS_ATOMIC_WRITES);
        this.atomicRejections = c.counter(CounterNames.FS_ATOMIC_REJECTIONS);
        this.sharedLockWrites = c.counter("iomap.dio_shared_lock_writes");
    }

    /** statx's {@code stx_atomic_write_unit_min}: 0 when the filesystem cannot write atomically. */
    public int atomicWriteUnitMin() {
        return awuMin;
    }

    /** statx's {@code stx_atomic_write_unit_max}: 0 when the filesystem cannot write atomically. */
    public int atomicWriteUnitMax() {
        return awuMax;
    }

    /** statx's {@code stx_dio_offset_align}: the alignment of a direct IO's offset and length. */
    public int dioOffsetAlign() {
        return blockSize;
    }

    /** statx's {@code stx_dio_mem_align}: the alignment of a direct IO's buffer. */
    public int dioMemAlign() {
        return device.dmaAlignment();
    }

    /** The direct IO alignment rules: offset and length in whole blocks, the buffer as the device needs. */
    private void checkAligned(String op, ByteBuffer buf, long pos) throws ErrnoException {
        long len = buf.remaining();
        if (((pos | len) & (blockSize - 1)) != 0) {
            throw new ErrnoException(Errno.EINVAL, "direct " + op + " at offset " + pos + " length " + len
                    + ": both must be multiples of the block size " + blockSize + " (O_DIRECT)");
        }
        int mem = device.dmaAlignment();
        if (mem > 1 && !DmaMemory.isAligned(buf, buf.position(), mem)) {
            throw new ErrnoException(Errno.EINVAL, "direct " + op + " buffer is not " + mem
                    + "-byte aligned direct memory (allocate it with DmaMemory.allocate)");
        }
    }

    /**
     * {@code ext4_dio_read_iter}: under i_rwsem shared, {@code iomap_dio_rw} with the read mapping.
     * Returns the bytes read (none past i_size).
     */
    public long read(Inode inode, AddressSpace mapping, ByteBuffer dst, long pos) throws IOException {
        checkAligned("read", dst, pos);
        inode.iRwsem().readLock().lock();
        try {
            dioReads.increment();
            return dio.rw(inode, mapping, dst, pos, 0, readOps, null);
        } finally {
            inode.iRwsem().readLock().unlock();
        }
    }

    /**
     * {@code generic_atomic_write_valid} and ext4's unit check in {@code ext4_file_write_iter}:
     * EINVAL for a length that is no power of two, outside the unit min/max, or an offset that is
     * not a multiple of it.
     */
    private void checkAtomic(long pos, long len) throws ErrnoException {
        String why = null;
        if (awuMax == 0) {
            why = "the filesystem cannot write atomically on " + device.describe() + " (no atomic write unit)";
        } else if (Long.bitCount(len) != 1) {
            why = "its length " + len + " is not a power of two";
        } else if (len < awuMin || len > awuMax) {
            why = "its length " + len + " is outside the atomic write unit " + awuMin + ".." + awuMax;
        } else if (pos % len != 0) {
            why = "its offset " + pos + " is not a multiple of its length " + len;
        }
        if (why != null) {
            atomicRejections.increment();
            throw new ErrnoException(Errno.EINVAL, "atomic write at " + pos + " of " + len + " bytes: " + why);
        }
    }

    /**
     * {@code ext4_dio_write_iter} ({@code RWF_ATOMIC} when {@code atomic}): checks, i_rwsem shared
     * for an overwrite of allocated blocks inside i_size and i_disksize, else exclusive
     * ({@code ext4_dio_write_checks}), the time update, then {@code iomap_dio_rw} with
     * {@code ext4_iomap_ops}. On failure, blocks allocated past i_size are freed again. Returns the
     * bytes written.
     */
    public long write(Inode inode, AddressSpace mapping, ByteBuffer src, long pos, boolean atomic) throws IOException {
        long len = src.remaining();
        if (atomic) {
            checkAtomic(pos, len);
        }
        checkAligned("write", src, pos);
        if (len == 0) {
            return 0;
        }
        boolean shared = !extendingIo(inode, pos, len) && overwriteIo(inode, pos, len);
        Lock lock = shared ? inode.iRwsem().readLock() : inode.iRwsem().writeLock();
        lock.lock();
        if (shared && (extendingIo(inode, pos, len) || !overwriteIo(inode, pos, len))) {
            lock.unlock(); // changed before we got the lock: go exclusive
            shared = false;
            lock = inode.iRwsem().writeLock();
            lock.lock();
        }
        try {
            if (fs.reflink().hasShared(inode)) {
                // XFS copies on write for direct IO too (xfs_reflink_allocate_cow); this model's direct
                // path would write the shared blocks in place, so it refuses before changing anything
                throw new ErrnoException(Errno.EOPNOTSUPP, "direct write into '" + inode.name() + "', which shares"
                        + " blocks with a reflinked file: copy on write for O_DIRECT is not modelled; write it buffered");
            }
            fs.fileUpdateTime(inode); // file_modified
            dioWrites.increment();
            if (shared) {
                sharedLockWrites.increment();
            }
            int flags = IomapOps.IOMAP_WRITE | (atomic ? DirectIo.IOMAP_ATOMIC : 0);
            long n;
            try {
                n = dio.rw(inode, mapping, src, pos, flags, writeOps, this::writeEndIo);
            } catch (IOException | RuntimeException e) {
                if (atomic && e instanceof ErrnoException
                        && (((ErrnoException) e).errno() == Errno.EINVAL || ((ErrnoException) e).errno() == Errno.ENOSPC)) {
                    atomicRejections.increment();
                }
                if (!shared) {
                    truncateFailedWrite(inode, pos + len);
                }
                throw e;
            }
            if (atomic) {
                atomicWrites.increment();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** {@code ext4_extending_io}. */
    private static boolean extendingIo(Inode inode, long pos, long len) {
        return pos + len > inode.size() || pos + len > inode.diskSize();
    }

    /** {@code ext4_overwrite_io}: is the whole range one allocated (written or unwritten) extent? */
    private boolean overwriteIo(Inode inode, long pos, long len) throws ErrnoException {
        long lblk = pos >> blockBits;
        int n = (int) Math.min(len >> blockBits, Integer.MAX_VALUE);
        MapBlocks m = fs.ext4MapBlocks(null, inode, lblk, n, 0, mapScratch.get());
        return (m.isMapped() || m.isUnwritten()) && m.len() == n;
    }

    /**
     * {@code ext4_truncate_failed_write} after a failed extending write: blocks the write allocated
     * past i_size go again (sizes untouched, under the exclusive i_rwsem the write holds).
     */
    private void truncateFailedWrite(Inode inode, long end) throws IOException {
        long from = (inode.size() + blockSize - 1) >> blockBits;
        long to = (end + blockSize - 1) >> blockBits;
        if (to > from) {
            fs.punchHole(inode, from, to - from);
        }
    }

    /**
     * {@code ext4_dio_write_end_io}: converts what went into unwritten extents and moves i_size and
     * i_disksize past the write ({@code ext4_handle_inode_extension}), in one handle; a pure
     * overwrite inside both sizes needs none.
     */
    private void writeEndIo(Inode inode, long pos, long size, boolean unwritten) throws IOException {
        if (size == 0) {
            return;
        }
        long end = pos + size;
        boolean extend = end > inode.diskSize() || end > inode.size();
        if (!unwritten && !extend) {
            return;
        }
        long lblk = pos >> blockBits;
        long nblocks = ((end + blockSize - 1) >> blockBits) - lblk;
        Handle h = fs.journalStart(fs.transBlocks((int) Math.min(nblocks, Integer.MAX_VALUE)) + 1);
        try {
            if (unwritten) {
                fs.convertUnwritten(h, inode, lblk, nblocks);
            }
            if (extend) {
                fs.updateDiskSize(h, inode, end);
            }
        } finally {
            h.stop();
        }
    }

    // ================================================================ ext4_iomap_ops

    /** {@code ext4_set_iomap} for direct IO. */
    private void setIomap(Inode inode, Iomap iomap, MapBlocks m) {
        iomap.setFrom(m, blockBits, inode.esSeq());
    }

    private long blocks(long pos, long length) throws ErrnoException {
        long lblk = pos >> blockBits;
        if (lblk >= Ext4.EXT_MAX_BLOCKS) {
            throw new ErrnoException(Errno.EFBIG, "file offset " + pos + " is beyond the largest ext4 file");
        }
        long last = Math.min((pos + length - 1) >> blockBits, Ext4.EXT_MAX_BLOCKS - 1);
        return Math.min(last - lblk + 1, Ext4.EXT_UNWRITTEN_MAX_LEN);
    }

    /** {@code ext4_iomap_begin} for a direct read: {@code ext4_map_blocks} without create. */
    private final IomapOps readOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            MapBlocks m = fs.ext4MapBlocks(null, inode, pos >> blockBits, (int) blocks(pos, length), 0, mapScratch.get());
            setIomap(inode, iomap, m);
        }
    };

    /**
     * {@code ext4_iomap_begin} with {@code IOMAP_WRITE | IOMAP_DIRECT}: allocated blocks map as they
     * are, with no handle; a hole is allocated unwritten ({@code ext4_iomap_alloc}), retried once
     * after a commit on ENOSPC ({@code ext4_should_retry_alloc}). With {@code IOMAP_ATOMIC}, the
     * seed's {@code ext4_map_blocks_aligned}.
     */
    private final IomapOps writeOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            long lblk = pos >> blockBits;
            int n = (int) blocks(pos, length);
            MapBlocks m = fs.ext4MapBlocks(null, inode, lblk, n, 0, mapScratch.get());
            if ((flags & DirectIo.IOMAP_ATOMIC) != 0) {
                m = mapAligned(inode, lblk, n, m);
            } else if (!m.isMapped() && !m.isUnwritten()) {
                m = allocate(inode, lblk, n, 0);
            }
            setIomap(inode, iomap, m);
        }
    };

    /**
     * {@code ext4_map_blocks_aligned} (seed 003): the {@code n} blocks at {@code lblk} must be one
     * extent starting at a physical block that is a multiple of {@code n}; a hole gets exactly that
     * from mballoc's aligned allocation. EINVAL for blocks allocated otherwise or a range that is
     * part hole, part allocated; ENOSPC when no aligned free extent exists.
     */
    private MapBlocks mapAligned(Inode inode, long lblk, int n, MapBlocks m) throws IOException {
        if (m.isMapped() || m.isUnwritten()) {
            if (m.len() < n || m.pblk() % n != 0) {
                throw new ErrnoException(Errno.EINVAL, "atomic write over blocks " + lblk + "+" + n + " of " + inode
                        + " that are not one naturally aligned extent (" + m + "); write it to a hole or punch it first");
            }
            return m;
        }
        if (!m.isHole() || m.len() < n) {
            throw new ErrnoException(Errno.EINVAL, "atomic write over blocks " + lblk + "+" + n + " of " + inode
                    + " that are partly allocated or delayed (" + m + ")");
        }
        return allocate(inode, lblk, n, n);
    }

    /**
     * {@code ext4_iomap_alloc}: unwritten blocks at {@code lblk} in a handle of their own,
     * {@code alignment} blocks aligned (0: any), one retry after a commit on ENOSPC.
     */
    private MapBlocks allocate(Inode inode, long lblk, int n, int alignment) throws IOException {
        int retries = 0;
        for (;;) {
            Handle h = fs.journalStart(fs.transBlocks(n) + 1);
            try {
                return alignment > 0 ? fs.ext4MapBlocksAligned(h, inode, lblk, n, alignment, true)
                        : fs.ext4MapBlocks(h, inode, lblk, n, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT, mapScratch.get());
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOSPC || retries++ >= 1) {
                    throw e;
                }
            } finally {
                h.stop();
            }
            fs.commit();
        }
    }
}
