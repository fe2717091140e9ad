package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.Tunables;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.fs.Reflink;
import org.foliobench.iopath.IoPath;
import org.foliobench.iopath.IoPathOps;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.AddressSpaceOperations;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.ReadaheadControl;
import org.foliobench.pagecache.WritebackControl;
import org.foliobench.stats.Counters;
import org.foliobench.workqueue.WorkStruct;

/**
 * ext4's buffered IO path over iomap with large folios, as the series "ext4: use iomap for
 * regular file's buffered IO path and enable large folio" (v4) builds it: {@code ext4_iomap_aops},
 * the buffered read, delalloc write and zero iomap ops, and the writeback
 * {@code map_blocks}/{@code prepare_ioend}/end_io. The filesystem-independent half is
 * {@link BufferedIo} and {@link Writepages} (fs/iomap/buffered-io.c).
 *
 * <p>What differs from the buffer_head path, as the cover letter lists it: new blocks are always
 * allocated unwritten at writeback, once per delalloc extent; there is no data=ordered (the
 * inode is never added to the transaction's data list); the unwritten to written conversion and
 * the i_disksize update happen at IO completion, in one handle.
 *
 * <p>Locking: {@link #bufferedWrite}, {@link #truncatePage} and {@link #zeroPartialBlocks} run
 * under the inode's i_rwsem (taken by the vfs). Writeback allocates a delayed extent in
 * {@code ->map_blocks}, with the folio being written locked and under writeback, in a handle of
 * its own ({@code ext4_iomap_map_one_extent}): that cannot deadlock with a commit because an
 * iomap inode never joins a transaction's ordered-data list, so no commit writes or waits on its
 * folios. Ioends that convert extents or move i_disksize complete on ext4's
 * {@code ext4-rsv-conversion} worker ({@code ext4_iomap_end_bio} queues them as their bios end),
 * outside any folio lock; their folios end writeback after the conversion.
 */
public final class IomapPath implements IoPathOps {
    private final Ext4 fs;
    private final int maxFolioOrder;
    /** {@code fb_iomap_dirty_check=all}: every buffered mapping checks the datasync state (no patch 33). */
    private final boolean dirtyCheckAll;
    private final int blockBits;
    private final int blockSize;
    final BufferedIo io;
    private final Writepages wp;
    private final Aops aops = new Aops();
    private final LongAdder delallocAllocs;
    private final LongAdder delallocPunchedBlocks;
    private final LongAdder completionMerges;
    private final LongAdder endIoHandles;
    private final LongAdder wbMapCalls;
    private final LongAdder nodelallocWrites;
    private final LongAdder enospcRetries;
    private final LongAdder writepagesCalls;
    /** Ioends queued to the completion worker, the pending count each found (itself included), their bio-end-to-done time. */
    private final LongAdder endIoQueued;
    private final LongAdder endIoQueueDepth;
    private final LongAdder endIoLatency;
    /** Ioends queued and not finished yet (the queue depth). */
    private final java.util.concurrent.atomic.AtomicLong endIoPending = new java.util.concurrent.atomic.AtomicLong();
    /** {@link #endIo}'s list, the completion worker's own. */
    private final ArrayList<IomapIoend> endIoList = new ArrayList<>();
    /**
     * {@code EXT4_FREECLUSTERS_WATERMARK}: {@code 4 * percpu_counter_batch * nr_cpu_ids}, where
     * {@code percpu_counter_batch = max(32, 2 * num_online_cpus())}; fixed at boot in the kernel, so
     * computed once here, not on every write.
     */
    private final long freeClustersWatermark;

    /** One instance per mounted filesystem, with the default max folio order. */
    public IomapPath(Ext4 fs) {
        this(fs, Defaults.MAX_PAGECACHE_ORDER);
    }

    /** {@code maxFolioOrder}: the largest page cache folio order of this path's mappings (0..9). */
    public IomapPath(Ext4 fs, int maxFolioOrder) {
        this(fs, maxFolioOrder, Defaults.PAGECACHE_ARENA_BYTES >> Defaults.PAGE_SHIFT);
    }

    /**
     * {@code maxFolioOrder} as above; {@code cachePages}: the pages of the page cache, which bound
     * the free lists of the path's object caches.
     */
    public IomapPath(Ext4 fs, int maxFolioOrder, long cachePages) {
        Tunables.MAX_FOLIO_ORDER.check(maxFolioOrder);
        this.fs = fs;
        this.maxFolioOrder = maxFolioOrder;
        this.dirtyCheckAll = fs.iomapDirtyCheck() == IomapDirtyCheck.ALL;
        this.blockBits = fs.blockBits();
        this.blockSize = fs.blockSize();
        Counters c = fs.counters();
        this.io = new BufferedIo(fs.device(), blockBits, maxFolioOrder, cachePages, c, fs.bioSet());
        this.wp = new Writepages(io, c);
        this.delallocAllocs = c.counter("iomap.delalloc_alloc_calls");
        this.delallocPunchedBlocks = c.counter("iomap.delalloc_punched_blocks");
        this.completionMerges = c.counter("iomap.ioend_completion_merges");
        this.endIoHandles = c.counter("iomap.end_io_handles");
        this.wbMapCalls = io.writeMapCalls;
        this.nodelallocWrites = c.counter("iomap.nodelalloc_writes");
        this.enospcRetries = c.counter("iomap.writeback_enospc_retries");
        this.writepagesCalls = c.counter("iomap.writepages_calls");
        this.endIoQueued = c.counter("iomap.end_io_queued");
        this.endIoQueueDepth = c.counter("iomap.end_io_queue_depth_sum");
        this.endIoLatency = c.counter("iomap.end_io_latency_ns_sum");
        int cpus = Runtime.getRuntime().availableProcessors();
        this.freeClustersWatermark = 4L * Math.max(32, 2 * cpus) * cpus;
    }

    @Override
    public IoPath path() {
        return IoPath.IOMAP;
    }

    @Override
    public AddressSpaceOperations aops() {
        return aops;
    }

    @Override
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** Test hook: the source of the next writes faults after {@code bytes} per call (-1: never). */
    void faultSourceAfter(long bytes) {
        io.faultSourceAfter = bytes;
    }

    // ================================================================ ext4_set_iomap

    /**
     * {@code ext4_set_iomap} for buffered IO, cookie = i_es_seq. With patch 33 (the default) no
     * IOMAP_F_DIRTY; with {@code fb_iomap_dirty_check=all} (before it) every mapping asks
     * {@code ext4_inode_datasync_dirty}, which takes the journal's state lock.
     */
    private void setIomap(Inode inode, Iomap iomap, MapBlocks m) {
        iomap.setFrom(m, blockBits, inode.esSeq());
        if (dirtyCheckAll && (fs.inodeDatasyncDirty(inode) || iomap.offset + iomap.length > inode.size())) {
            iomap.flags |= Iomap.F_DIRTY;
        }
    }

    /** The first logical block of {@code offset} (EFBIG beyond the largest file). */
    private long firstBlock(long offset) throws ErrnoException {
        long lblk = offset >> blockBits;
        if (lblk >= Ext4.EXT_MAX_BLOCKS) {
            throw new ErrnoException(Errno.EFBIG, "file offset " + offset + " is beyond the largest ext4 file");
        }
        return lblk;
    }

    /** Blocks of {@code [offset, offset + length)}, clamped to EXT_MAX_BLOCKS and to an int. */
    private long blockCount(long offset, long length) {
        long lblk = offset >> blockBits;
        long last = Math.min((offset + length - 1) >> blockBits, Ext4.EXT_MAX_BLOCKS - 1);
        return Math.min(last - lblk + 1, Integer.MAX_VALUE);
    }

    /**
     * The {@code struct ext4_map_blocks} an {@code ->iomap_begin} or the delalloc allocation before
     * writeback fills (on the kernel's stack): one per thread, read before the next mapping call.
     */
    private final ThreadLocal<MapBlocks> mapScratch = ThreadLocal.withInitial(MapBlocks::new);
    /** The CoW fork's punch of a short write into shared blocks ({@link #punchCowDelalloc}), bound once. */
    private final BufferedIo.Punch cowPunchFn = this::punchCowDelalloc;

    /** {@code xfs_buffered_write_delalloc_punch} for {@code XFS_COW_FORK}: {@link Reflink#punchCowDelalloc} of the bytes' blocks. */
    private void punchCowDelalloc(Inode inode, long offset, long length) {
        fs.reflink().punchCowDelalloc(inode, offset >> blockBits, (length + blockSize - 1) >> blockBits);
    }

    /**
     * {@code xfs_buffered_write_iomap_end} for a mapping of the CoW fork ({@link Iomap#F_SHARED}):
     * {@code iomap_file_buffered_write_punch_delalloc} with the CoW fork's punch. Returns false for
     * any other mapping.
     */
    private boolean cowEnd(Inode inode, long pos, long length, long written, Iomap iomap) throws IOException {
        if ((iomap.flags & Iomap.F_SHARED) == 0) {
            return false;
        }
        io.punchDelalloc(inode, (AddressSpace) inode.mapping(), iomap, pos, length, written, cowPunchFn);
        return true;
    }

    /** {@code ext4_iomap_punch_delalloc}, bound once rather than per short write. */
    private final BufferedIo.Punch punchFn = this::punchDelalloc;

    /** {@code ext4_iomap_valid}. */
    private static boolean iomapValid(Inode inode, Iomap iomap) {
        return iomap.validityCookie == inode.esSeq();
    }

    /** {@code ext4_iomap_buffered_read_ops}: {@code ext4_map_blocks} without create. */
    final IomapOps readOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            MapBlocks m = fs.ext4MapBlocks(null, inode, firstBlock(pos), (int) blockCount(pos, length), 0,
                    mapScratch.get());
            setIomap(inode, iomap, m);
        }

        @Override
        public boolean iomapValid(Inode inode, Iomap iomap) {
            return IomapPath.iomapValid(inode, iomap);
        }
    };

    /** {@link Reflink.CowMap} scratch of {@link #cowBegin} and writeback's CoW allocation, one per thread. */
    private final ThreadLocal<Reflink.CowMap> cowScratch = ThreadLocal.withInitial(Reflink.CowMap::new);

    /**
     * The CoW half of {@code xfs_buffered_write_iomap_begin}, for writes into an inode that may
     * share blocks ({@link Reflink#cowBegin}): when the blocks at {@code lblk} are shared (or the
     * CoW fork already covers them), {@code iomap} becomes the CoW fork's range (DELALLOC while
     * reserved, UNWRITTEN once writeback gave it staging blocks) with {@link Iomap#F_SHARED}, and
     * {@code srcmap} the data fork's blocks that {@code __iomap_write_begin} reads partial blocks
     * from; returns 0. Otherwise returns how many blocks from {@code lblk} are not shared, to
     * map as usual (all {@code nblocks} of an inode that never shared a block).
     */
    private int cowBegin(Inode inode, long lblk, int nblocks, Iomap iomap, Iomap srcmap) throws IOException {
        if (!fs.reflink().active(inode)) {
            return nblocks;
        }
        Reflink.CowMap c = fs.reflink().cowBegin(inode, lblk, nblocks, cowScratch.get());
        if (!c.shared()) {
            return c.len();
        }
        iomap.offset = lblk << blockBits;
        iomap.length = (long) c.len() << blockBits;
        iomap.flags = Iomap.F_SHARED;
        if (c.cowPblk() >= 0) {
            iomap.type = Iomap.Type.UNWRITTEN;
            iomap.addr = c.cowPblk() << blockBits;
        } else {
            iomap.type = Iomap.Type.DELALLOC;
            iomap.addr = Iomap.NULL_ADDR;
            if (c.reservedNow()) {
                iomap.flags |= Iomap.F_NEW; // a short write punches what it left unused
            }
        }
        srcmap.offset = iomap.offset;
        srcmap.length = iomap.length;
        srcmap.flags = 0;
        if (c.dataPblk() >= 0) {
            srcmap.type = c.dataUnwritten() ? Iomap.Type.UNWRITTEN : Iomap.Type.MAPPED;
            srcmap.addr = c.dataPblk() << blockBits;
        } else {
            srcmap.type = Iomap.Type.HOLE;
            srcmap.addr = Iomap.NULL_ADDR;
        }
        iomap.validityCookie = inode.esSeq();
        srcmap.validityCookie = iomap.validityCookie;
        return 0;
    }

    /**
     * The zeroing ops of truncate and punch ({@code xfs_buffered_write_iomap_ops} as
     * {@code iomap_zero_range} uses them): {@link #readOps}, except that shared blocks map to
     * the CoW fork, so zeroing part of a shared block never writes the shared block in place.
     */
    final IomapOps zeroOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            long lblk = firstBlock(pos);
            int nblocks = cowBegin(inode, lblk, (int) blockCount(pos, length), iomap, srcmap);
            if (nblocks == 0) {
                return; // the CoW fork's range
            }
            MapBlocks m = fs.ext4MapBlocks(null, inode, lblk, nblocks, 0, mapScratch.get());
            setIomap(inode, iomap, m);
        }

        @Override
        public boolean iomapValid(Inode inode, Iomap iomap) {
            return IomapPath.iomapValid(inode, iomap);
        }
    };

    /** {@code ext4_iomap_buffered_da_write_ops}: {@code ext4_da_map_blocks} / delalloc punch on a short write. */
    final IomapOps daWriteOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            long lblk = firstBlock(pos);
            int nblocks = cowBegin(inode, lblk, (int) blockCount(pos, length), iomap, srcmap);
            if (nblocks == 0) {
                return; // the CoW fork's range
            }
            MapBlocks m;
            int retries = 0;
            for (;;) {
                try {
                    m = fs.ext4MapBlocks(null, inode, lblk, nblocks, Ext4.GET_BLOCKS_DELALLOC_RESERVE, mapScratch.get());
                    break;
                } catch (ErrnoException e) {
                    // ext4_should_retry_alloc: a commit may free blocks released by earlier transactions
                    if (e.errno() != Errno.ENOSPC || retries++ >= 1) {
                        throw e;
                    }
                    fs.commit();
                }
            }
            setIomap(inode, iomap, m);
            iomap.flags |= Iomap.F_EXT4_DELALLOC;
        }

        @Override
        public void iomapEnd(Inode inode, long pos, long length, long written, int flags, Iomap iomap)
                throws IOException {
            if (cowEnd(inode, pos, length, written, iomap)) {
                return;
            }
            if ((iomap.flags & Iomap.F_EXT4_DELALLOC) != 0) {
                AddressSpace mapping = (AddressSpace) inode.mapping();
                io.punchDelalloc(inode, mapping, iomap, pos, length, written, punchFn);
            }
        }

        @Override
        public boolean iomapValid(Inode inode, Iomap iomap) {
            return IomapPath.iomapValid(inode, iomap);
        }
    };

    /**
     * {@code ext4_iomap_buffered_write_ops} (nodelalloc): {@code ext4_iomap_get_blocks} allocates
     * unwritten blocks at once in a handle; {@code ext4_iomap_buffered_write_end} moves
     * i_disksize with i_size and truncates blocks a short write left past EOF.
     */
    final IomapOps writeOps = new IomapOps() {
        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap)
                throws IOException {
            long lblk = firstBlock(pos);
            int len = cowBegin(inode, lblk, (int) Math.min(blockCount(pos, length), Ext4.EXT_UNWRITTEN_MAX_LEN), iomap, srcmap);
            if (len == 0) {
                return; // the CoW fork's range
            }
            MapBlocks m;
            int retries = 0;
            for (;;) {
                Handle h = fs.journalStart(fs.transBlocks(len) + 1);
                try {
                    m = fs.ext4MapBlocks(h, inode, lblk, len, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT, mapScratch.get());
                    break;
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOSPC || retries++ >= 1) {
                        throw e;
                    }
                } finally {
                    // stopped before the folio work: balance_dirty_pages may wait on writeback
                    h.stop();
                }
                fs.commit();
            }
            setIomap(inode, iomap, m);
        }

        @Override
        public void iomapEnd(Inode inode, long pos, long length, long written, int flags, Iomap iomap)
                throws IOException {
            boolean cow = cowEnd(inode, pos, length, written, iomap);
            long end = pos + length;
            long isize = inode.size();
            if ((iomap.flags & Iomap.F_SIZE_CHANGED) == 0 && end <= isize) {
                return;
            }
            if ((iomap.flags & Iomap.F_SIZE_CHANGED) != 0) {
                Handle h = fs.journalStart(2);
                try {
                    fs.updateDiskSize(h, inode, isize);
                } finally {
                    h.stop();
                }
            }
            if (end > isize && !cow && (iomap.flags & Iomap.F_NEW) != 0) {
                // ext4_truncate_failed_write: blocks allocated past EOF by a short write
                fs.truncate(inode, isize);
            }
        }

        @Override
        public boolean iomapValid(Inode inode, Iomap iomap) {
            return IomapPath.iomapValid(inode, iomap);
        }
    };

    /**
     * {@code ext4_nonda_switch}: leave delalloc when free space runs low (free clusters under 150%
     * of the dirty ones, or under {@code EXT4_FREECLUSTERS_WATERMARK}).
     */
    private boolean nondaSwitch() {
        long free = fs.freeBlocks();
        long dirty = fs.dirtyClusters();
        return 2 * free < 3 * dirty || free < dirty + freeClustersWatermark;
    }

    /** {@code ext4_iomap_punch_delalloc}: {@code ext4_es_remove_extent} of the delayed blocks, releasing their reservation. */
    private void punchDelalloc(Inode inode, long offset, long length) throws IOException {
        long lblk = offset >> blockBits;
        long n = (length + blockSize - 1) >> blockBits;
        delallocPunchedBlocks.add(fs.releaseDelayedBlocks(inode, lblk, n));
    }

    // ================================================================ IoPathOps

    /** {@code ext4_iomap_buffered_write} → {@code iomap_file_buffered_write} with the delalloc ops. */
    @Override
    public long bufferedWrite(Inode inode, AddressSpace mapping, ByteBuffer src, long pos) throws IOException {
        if (pos < 0) {
            throw new ErrnoException(Errno.EINVAL, "negative write offset " + pos);
        }
        if (nondaSwitch()) {
            nodelallocWrites.increment();
            return io.fileBufferedWrite(inode, mapping, src, pos, writeOps);
        }
        return io.fileBufferedWrite(inode, mapping, src, pos, daWriteOps);
    }

    /**
     * {@code ext4_block_truncate_page} with iomap: {@code iomap_truncate_page}, through
     * {@link #zeroPartialBlocks} so the partial block is written back first (patch 28). Without
     * that, a block the flusher has just allocated as unwritten and is still writing is skipped
     * by {@code iomap_zero_iter}, and the old bytes past the new EOF reach the disk (FsxTest on a
     * FileDevice found it: stale data read back after truncate, reclaim and a later extension).
     */
    @Override
    public void truncatePage(Inode inode, AddressSpace mapping, long from) throws IOException {
        int off = (int) (from & (blockSize - 1));
        if (off == 0) {
            return;
        }
        zeroPartialBlocks(inode, mapping, from, blockSize - off);
    }

    /**
     * {@code ext4_zero_partial_blocks} with iomap ({@code ext4_iomap_zero_range}), after writing
     * back the partial edge blocks first (patch 28: an unwritten extent may hold dirty data in
     * the cache, which {@code iomap_zero_iter} would skip).
     */
    @Override
    public void zeroPartialBlocks(Inode inode, AddressSpace mapping, long pos, long len) throws IOException {
        if (len <= 0) {
            return;
        }
        long mask = blockSize - 1;
        long end = pos + len;
        if ((pos & mask) != 0) {
            mapping.filemapWriteAndWaitRange(pos & ~mask, pos);
        }
        if ((end & mask) != 0) {
            mapping.filemapWriteAndWaitRange(end, ((end + mask) & ~mask) - 1);
        }
        long startBlk = pos >> blockBits;
        long endBlk = (end - 1) >> blockBits;
        if (startBlk == endBlk) {
            if ((pos & mask) != 0 || (end & mask) != 0) {
                io.zeroRange(inode, mapping, pos, len, zeroOps);
            }
            return;
        }
        if ((pos & mask) != 0) {
            io.zeroRange(inode, mapping, pos, blockSize - (pos & mask), zeroOps);
        }
        if ((end & mask) != 0) {
            io.zeroRange(inode, mapping, end & ~mask, end & mask, zeroOps);
        }
    }

    // ================================================================ writeback

    /**
     * {@code ext4_iomap_map_one_extent}: the delayed extent at {@code map.lblk()} (its length at
     * most {@code map.len()}) allocated unwritten in a handle of its own, with i_data_sem held
     * across the lookup and the allocation (a racing truncate or punch may have removed it
     * since the unlocked lookup). Called with the folio being written locked and under writeback;
     * the handle cannot wait on that folio: iomap inodes never join a transaction's ordered list
     * (patch 25: writeback journal mode), so no commit writes or waits on their folios.
     */
    private void mapOneExtent(Inode inode, MapBlocks map) throws IOException {
        long lblk = map.lblk();
        int len = map.len();
        Handle h = fs.journalStart(fs.transBlocks(len));
        try {
            inode.iDataSem().writeLock().lock();
            try {
                MapBlocks got = fs.ext4MapBlocks(null, inode, lblk, len, 0, map);
                if (got.isDelayed()) { // else truncated, punched or allocated meanwhile: as found
                    delallocAllocs.increment();
                    fs.ext4MapBlocks(h, inode, lblk, got.len(), Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT, map);
                }
            } finally {
                inode.iDataSem().writeLock().unlock();
            }
        } finally {
            h.stop();
        }
    }

    /**
     * {@code xfs_map_blocks}'s CoW fork lookup: if the blocks at {@code index} are shared or in
     * the CoW fork, the writeback mapping becomes the CoW fork's staging blocks (allocated now
     * from a reservation, {@link Reflink#cowAllocate}) with {@link Iomap#F_SHARED}, so the ioend
     * writes only the new blocks and remaps them at completion; returns 0. Else returns how many
     * blocks from {@code index} are not shared.
     */
    private int cowMapBlocks(WritepageCtx wpc, Inode inode, long index, int len) throws IOException {
        Reflink.CowMap c;
        try {
            c = fs.reflink().cowAllocate(inode, index, len, cowScratch.get());
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOSPC) {
                throw e;
            }
            enospcRetries.increment();
            fs.commit(); // blocks freed by the running transaction
            c = fs.reflink().cowAllocate(inode, index, len, cowScratch.get());
        }
        if (!c.shared()) {
            return c.len();
        }
        Iomap iomap = wpc.iomap;
        iomap.type = Iomap.Type.MAPPED;
        iomap.flags = Iomap.F_SHARED;
        iomap.offset = index << blockBits;
        iomap.length = (long) c.len() << blockBits;
        iomap.addr = c.cowPblk() << blockBits;
        wpc.dataSeq = inode.esSeq();
        iomap.validityCookie = wpc.dataSeq;
        return 0;
    }

    /** ext4's {@code iomap_writeback_ops}. */
    private final WritebackOps writebackOps = new WritebackOps() {
        /**
         * {@code ext4_iomap_map_blocks}: reuse the cached mapping while the extent-status sequence
         * is unchanged; else look the offset up (one extent, as far as the writeback range goes)
         * and allocate it if delayed ({@link #mapOneExtent}), with the folio locked. An ENOSPC
         * forces a commit, which releases blocks freed by the running transaction, and retries
         * ({@link Ext4#WRITEBACK_ENOSPC_RETRIES} times; the kernel retries while free clusters
         * remain). The sequence is read after the allocation, so the cached mapping is stale
         * only if the extent status changed since.
         */
        @Override
        public void mapBlocks(WritepageCtx wpc, Inode inode, long offset, int dirtyLen) throws IOException {
            if (wpc.iomap.length != 0 && wpc.iomap.contains(offset) && wpc.dataSeq == inode.esSeq()) {
                return;
            }
            long index = offset >> blockBits;
            long end = Math.min(wpc.wbc.rangeEnd >> blockBits, 0xFFFFFFFEL);
            long dirtyBlocks = (dirtyLen + blockSize - 1) >> blockBits;
            long len = end > index + dirtyBlocks ? end - index + 1 : dirtyBlocks;
            len = Math.min(Math.min(len, Ext4.EXT_UNWRITTEN_MAX_LEN), Ext4.EXT_MAX_BLOCKS - index);
            if (fs.reflink().active(inode)) {
                len = cowMapBlocks(wpc, inode, index, (int) len);
                if (len == 0) {
                    return;
                }
            }
            int retries = 0;
            for (;;) {
                MapBlocks m = fs.ext4MapBlocks(null, inode, index, (int) len, 0, wpc.map);
                wbMapCalls.increment();
                if (!m.isDelayed()) {
                    break; // a hole, or allocated already
                }
                try {
                    mapOneExtent(inode, wpc.map);
                    break;
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOSPC || retries++ >= Ext4.WRITEBACK_ENOSPC_RETRIES) {
                        // "Delayed block allocation failed ... Data will be lost": the caller
                        // discards the folio's delalloc and fails the IO with the mapping error
                        throw e;
                    }
                    enospcRetries.increment();
                    fs.commit(); // jbd2_journal_force_commit_nested
                }
            }
            wpc.dataSeq = inode.esSeq();
            setIomap(inode, wpc.iomap, wpc.map);
        }

        /** {@code ext4_iomap_prepare_ioend}; a CoW ioend completes on the worker too ({@code xfs_prepare_ioend}). */
        @Override
        public void prepareIoend(IomapIoend ioend) {
            ioend.deferEndIo = ioend.type == Iomap.Type.UNWRITTEN
                    || ioend.offset + ioend.size > ioend.inode.diskSize()
                    || (ioend.flags & Iomap.F_SHARED) != 0;
        }

        /** {@code ext4_iomap_discard_folio}. */
        @Override
        public void discardFolio(Folio folio, long pos) {
            try {
                punchDelalloc((Inode) folio.mapping().host(), pos, folio.pos() + folio.size() - pos);
            } catch (IOException e) {
                // the mapping error is already being reported
            }
        }

        /**
         * {@code ext4_iomap_end_bio}: the ioend's bios completed (on whatever thread ended the
         * last one); add it to the inode's {@code i_iomap_ioend_list} and queue the inode's work
         * to {@code ext4-rsv-conversion} if the list was empty.
         */
        @Override
        public void endBio(IomapIoend ioend) {
            IoendWork w = ioend.inode.iomapIoend(newIoendWork);
            ioend.queuedNanos = System.nanoTime();
            endIoQueued.increment();
            endIoQueueDepth.add(endIoPending.incrementAndGet());
            synchronized (w) { // i_completed_io_lock
                if (w.head == null) {
                    w.head = ioend;
                    fs.rsvConversionWq().queueWork(w.work);
                } else {
                    w.tail.ioNext = ioend;
                }
                w.tail = ioend;
            }
        }
    };

    /** {@code ext4_inode_info}'s {@code i_iomap_ioend_list} and {@code i_iomap_ioend_work}; the list is threaded through the ioends. */
    private final class IoendWork {
        IomapIoend head;
        IomapIoend tail;
        final WorkStruct work = new WorkStruct(this::endIo);

        /** {@code ext4_iomap_end_io}. */
        private void endIo() {
            IomapIoend first;
            synchronized (this) { // list_replace_init under i_completed_io_lock
                first = head;
                head = null;
                tail = null;
            }
            IomapPath.this.endIo(first);
        }
    }

    /** {@code INIT_WORK(&ei->i_iomap_ioend_work, ext4_iomap_end_io)}, bound once. */
    private final java.util.function.Function<Inode, IoendWork> newIoendWork = inode -> new IoendWork();

    /**
     * {@code ext4_iomap_end_io} on the worker: sort the inode's completed ioends by offset, merge
     * the contiguous ones ({@code iomap_ioend_try_merge}), then convert and update i_disksize per
     * merged ioend ({@link #finishIoend}). {@link #endIoList} is the worker's: the workqueue runs
     * one work at a time.
     */
    private void endIo(IomapIoend first) {
        ArrayList<IomapIoend> list = endIoList;
        for (IomapIoend x = first; x != null;) {
            IomapIoend next = x.ioNext;
            x.ioNext = null;
            list.add(x);
            x = next;
        }
        try {
            sortByOffset(list);
            for (int i = 0; i < list.size(); i++) {
                IomapIoend ioend = list.get(i);
                long endOff = ioend.offset + ioend.size;
                long endSector = ioend.endSector();
                long queuedSum = ioend.queuedNanos;
                while (i + 1 < list.size()) {
                    IomapIoend next = list.get(i + 1);
                    // iomap_ioend_can_merge
                    if (next.type != ioend.type || next.flags != ioend.flags || next.offset != endOff
                            || next.sector != endSector || (next.status == null) != (ioend.status == null)) {
                        break;
                    }
                    ioend.merged.add(next);
                    endOff += next.size;
                    endSector = next.endSector();
                    queuedSum += next.queuedNanos;
                    completionMerges.increment();
                    i++;
                }
                int n = 1 + ioend.merged.size();
                finishIoend(ioend, endOff - ioend.offset); // frees ioend and those merged into it
                endIoLatency.add(n * System.nanoTime() - queuedSum);
                endIoPending.addAndGet(-n);
            }
        } finally {
            list.clear();
        }
    }

    /**
     * {@code list_sort(NULL, &ioend_list, iomap_ioend_compare)}: by file offset, in place (an
     * insertion sort: completions arrive nearly in order; no comparator or merge buffer allocated).
     */
    private static void sortByOffset(List<IomapIoend> list) {
        for (int i = 1; i < list.size(); i++) {
            IomapIoend x = list.get(i);
            int j = i - 1;
            while (j >= 0 && list.get(j).offset > x.offset) {
                list.set(j + 1, list.get(j));
                j--;
            }
            list.set(j + 1, x);
        }
    }

    /** {@code ext4_iomap_finish_ioend}: one handle converts the range and moves i_disksize. */
    private void finishIoend(IomapIoend ioend, long size) {
        Inode inode = ioend.inode;
        IOException ret = ioend.status;
        if (ret == null) {
            try {
                long lblk = ioend.offset >> blockBits;
                long nblocks = ((ioend.offset + size + blockSize - 1) >> blockBits) - lblk;
                boolean shared = (ioend.flags & Iomap.F_SHARED) != 0;
                int credits = fs.transBlocks((int) Math.min(nblocks, Integer.MAX_VALUE));
                if (shared) {
                    credits += fs.reflink().credits((int) Math.min(nblocks, Integer.MAX_VALUE));
                }
                Handle h = fs.journalStart(credits);
                endIoHandles.increment();
                try {
                    if (shared) {
                        // xfs_reflink_end_cow: the written staging blocks replace the old ones
                        fs.reflink().endCow(h, inode, lblk, nblocks);
                    }
                    if (ioend.type == Iomap.Type.UNWRITTEN) {
                        fs.convertUnwritten(h, inode, lblk, nblocks);
                    }
                    long newDisksize = ioend.offset + size;
                    if (newDisksize > inode.diskSize()) {
                        // races with truncate are avoided by checking i_size under i_data_sem
                        inode.iDataSem().writeLock().lock();
                        try {
                            newDisksize = Math.min(newDisksize, inode.size());
                            if (newDisksize > inode.diskSize()) {
                                fs.updateDiskSize(h, inode, newDisksize);
                            }
                        } finally {
                            inode.iDataSem().writeLock().unlock();
                        }
                    }
                } finally {
                    h.stop();
                }
            } catch (IOException e) {
                ret = e;
            } catch (RuntimeException e) {
                // never leave folios under writeback: fail the IO instead
                ret = new ErrnoException(Errno.EIO, "unwritten extent conversion of " + inode + " failed: " + e, e);
            }
        }
        if (ret != null && (ioend.flags & Iomap.F_SHARED) != 0) {
            // xfs_end_ioend: a failed CoW write gives its staging blocks back
            long lblk = ioend.offset >> blockBits;
            fs.reflink().cancelCow(inode, lblk, ((ioend.offset + size + blockSize - 1) >> blockBits) - lblk);
        }
        wp.finishIoend(ioend.mapping, ioend, ret);
    }

    /** {@code ext4_iomap_writepages}. */
    private void writepages(AddressSpace mapping, WritebackControl wbc) throws IOException {
        writepagesCalls.increment();
        wp.writepages(mapping, wbc, writebackOps);
    }

    // ================================================================ aops

    /** {@code ext4_iomap_aops}. */
    private final class Aops implements AddressSpaceOperations {
        @Override
        public void readFolio(Folio folio) {
            io.readFolio(folio, readOps);
        }

        @Override
        public void readahead(ReadaheadControl rac) {
            io.readahead(rac, readOps);
        }

        @Override
        public boolean isPartiallyUptodate(Folio folio, int from, int count) {
            return io.isPartiallyUptodate(folio, from, count);
        }

        @Override
        public void writepages(AddressSpace mapping, WritebackControl wbc) throws IOException {
            IomapPath.this.writepages(mapping, wbc);
        }

        /** {@code iomap_dirty_folio}: every block of the folio becomes dirty. */
        @Override
        public boolean dirtyFolio(AddressSpace mapping, Folio folio) {
            IomapFolioState ifs = io.ifsCache.alloc(folio);
            if (ifs != null) {
                ifs.setRangeDirty(0, folio.size());
            }
            return mapping.filemapDirtyFolio(folio);
        }

        /** {@code iomap_release_folio}: a dirty folio keeps its per-block state. */
        @Override
        public boolean releaseFolio(Folio folio) {
            if (folio.isDirty()) {
                return false;
            }
            io.ifsCache.free(folio);
            return true;
        }

        /**
         * {@code iomap_invalidate_folio}: only a whole-folio invalidation drops the state. The
         * delalloc reservation of the invalidated blocks is not given back here: ext4's truncate
         * and punch ({@link Ext4#truncate}, {@link Ext4#punchHole}) remove the delayed extents and
         * release exactly their reservation ({@code ext4_es_remove_extent}, patch 15), so releasing
         * here too would count it twice.
         */
        @Override
        public void invalidateFolio(Folio folio, int offset, int length) {
            if (offset == 0 && length == folio.size()) {
                io.ifsCache.free(folio);
            }
        }
    }
}
