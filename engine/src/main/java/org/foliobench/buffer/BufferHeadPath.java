package org.foliobench.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.Tunables;
import org.foliobench.device.Bio;
import org.foliobench.device.BioSet;
import org.foliobench.device.BlkPlug;
import org.foliobench.device.BlockDevice;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.iopath.IoPath;
import org.foliobench.iopath.IoPathOps;
import org.foliobench.mm.KmemCache;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.AddressSpaceOperations;
import org.foliobench.pagecache.Filemap;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.ReadaheadControl;
import org.foliobench.pagecache.WritebackControl;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * The legacy buffer_head buffered IO path of ext4 ({@code ext4_da_aops}): order-0 folios, a ring
 * of {@link BufferHead}s per folio, the delalloc {@code get_block} ({@code ext4_da_get_block_prep})
 * asked once per block by {@code write_begin}, {@code ext4_mpage_readpages} for reads, and
 * {@code ext4_do_writepages} gathering delayed extents of up to 2048 blocks from dirty buffers,
 * allocating each once and submitting buffer by buffer. data=ordered: the journal commit writes
 * the inode's already mapped dirty buffers first ({@code ext4_normal_submit_inode_data_buffers}).
 *
 * <p>With large folios ({@link IoPath#BUFFER_HEAD_LARGE_FOLIO}, ext4 since 6.16: Zhang Yi's
 * "ext4: enable large folio for regular files"), the vfs calls {@code mapping_set_large_folios}
 * up to {@link #maxFolioOrder()}; {@code ext4_da_write_begin} asks for a folio of
 * {@code fgf_set_order(len)} like iomap, readahead grows its folios as on iomap, and each large
 * folio gets a BufferHead for every block ({@code folio_create_empty_buffers}), each still mapped
 * by its own get_block call. A partial write walks every buffer of the folio in
 * {@code ext4_block_write_begin} and {@code __block_commit_write} (6.16-6.18) or only the buffers
 * of the written range ({@link BhPartialWalk#RANGE}, the June 2026 fix).
 *
 * <p>One instance per path per mounted filesystem. The vfs sets {@code mapping.setHost(inode)} and
 * {@code inode.setMapping(mapping)} for every inode using {@link #aops()}, and calls
 * {@link #bufferedWrite}, {@link #truncatePage} and {@link #zeroPartialBlocks} with the inode's
 * i_rwsem held exclusive.
 *
 * <p>Counters (in the filesystem's {@link Counters}): {@code path.map_calls} (get_block and
 * read mapping calls, shared with iomap's iomap_begin count), {@code path.wb_map_calls}
 * (allocation calls of writeback), {@code buffer.bh_alloc} / {@code buffer.bh_free},
 * {@code buffer.bh_reads} (single-buffer read bios), {@code buffer.read_fallback_folios} (folios
 * read by {@code block_read_full_folio} instead of whole-folio bios), {@code buffer.wb_extents}
 * (extents mapped by writeback), {@code buffer.ordered_writes} (data=ordered flushes run by a
 * commit), {@code bio.submitted} / {@code bio.segments} / {@code bio.bytes} (reads and writes, as
 * submitted before plug merging), {@code buffer.walk_writes} (write_begin calls),
 * {@code buffer.walk_bhs} (buffers whose state write_begin and commit_write examined: per write,
 * {@code walk_bhs / walk_writes}) and {@code buffer.walk_skips} (links followed without looking at
 * the buffer to reach the first one of a range, {@code get_nth_bh}).
 */
public final class BufferHeadPath implements IoPathOps {
    /** {@code ext4_da_get_block_prep}'s {@code invalid_block}: b_blocknr of a delayed buffer. */
    static final long INVALID_BLOCK = ~0xffffL;
    /** {@code ext4_should_retry_alloc}: at most three retries after a commit. */
    static final int ALLOC_RETRIES = 3;

    final Ext4 fs;
    final BlockDevice dev;
    final int bs;
    final int bits;
    final LongAdder mapCalls;
    final LongAdder wbMapCalls;
    final LongAdder wbExtents;
    final LongAdder bhAlloc;
    final LongAdder bhFree;
    final LongAdder bhReads;
    final LongAdder readFallback;
    final LongAdder orderedWrites;
    final LongAdder endIoHandles;
    final LongAdder bioSubmitted;
    final LongAdder bioSegments;
    final LongAdder bioBytes;
    final LongAdder walkWrites;
    final LongAdder walkBhs;
    final LongAdder walkSkips;
    /** Which path this is: buffer_head with order-0 folios, or with large folios. */
    private final IoPath ioPath;
    /** The largest folio order of this path's mappings: 0 for bh. */
    private final int maxFolioOrder;
    /** {@code fb_bh_partial_walk=range}: partial writes walk only the buffers they touch. */
    final boolean rangeWalk;
    private final Aops aops = new Aops();
    /** {@code bh_cachep}: keeps at most one free buffer head per block of page-cache memory. */
    final KmemCache<BufferHead> bhCache;
    /**
     * The {@code struct ext4_map_blocks} a get_block fills (on the kernel's stack): one per
     * thread, used only within one get_block call.
     */
    final ThreadLocal<MapBlocks> mapScratch = ThreadLocal.withInitial(MapBlocks::new);

    /** A path for a page cache of the default size ({@link Defaults#PAGECACHE_ARENA_BYTES}). */
    public BufferHeadPath(Ext4 fs) {
        this(fs, Defaults.PAGECACHE_ARENA_BYTES >> Defaults.PAGE_SHIFT);
    }

    /** A path whose page cache holds {@code cachePages} pages (it sizes the caches' free lists). */
    public BufferHeadPath(Ext4 fs, long cachePages) {
        this(fs, cachePages, IoPath.BUFFER_HEAD, 0, Defaults.BH_PARTIAL_WALK);
    }

    /**
     * The buffer_head path with large folios ({@link IoPath#BUFFER_HEAD_LARGE_FOLIO}): folios up to
     * {@code maxFolioOrder} (0..9), partial writes walking the buffers as {@code walk} says.
     */
    public BufferHeadPath(Ext4 fs, long cachePages, int maxFolioOrder, BhPartialWalk walk) {
        this(fs, cachePages, IoPath.BUFFER_HEAD_LARGE_FOLIO, maxFolioOrder, walk);
    }

    private BufferHeadPath(Ext4 fs, long cachePages, IoPath ioPath, int maxFolioOrder, BhPartialWalk walk) {
        Tunables.MAX_FOLIO_ORDER.check(maxFolioOrder);
        this.ioPath = ioPath;
        this.maxFolioOrder = maxFolioOrder;
        this.rangeWalk = walk == BhPartialWalk.RANGE;
        this.fs = fs;
        this.dev = fs.device();
        this.bs = fs.blockSize();
        this.bits = fs.blockBits();
        Counters c = fs.counters();
        this.mapCalls = c.counter(CounterNames.PATH_MAP_CALLS);
        this.wbMapCalls = c.counter("path.wb_map_calls");
        this.wbExtents = c.counter("buffer.wb_extents");
        this.bhAlloc = c.counter(CounterNames.BUFFER_BH_ALLOC);
        this.bhFree = c.counter("buffer.bh_free");
        this.bhReads = c.counter(CounterNames.BUFFER_BH_READS);
        this.readFallback = c.counter("buffer.read_fallback_folios");
        this.orderedWrites = c.counter("buffer.ordered_writes");
        this.endIoHandles = c.counter("buffer.end_io_handles");
        this.bioSubmitted = c.counter(CounterNames.BIO_SUBMITTED);
        this.bioSegments = c.counter(CounterNames.BIO_SEGMENTS);
        this.bioBytes = c.counter(CounterNames.BIO_BYTES);
        this.walkWrites = c.counter(CounterNames.BUFFER_WALK_WRITES);
        this.walkBhs = c.counter(CounterNames.BUFFER_WALK_BHS);
        this.walkSkips = c.counter(CounterNames.BUFFER_WALK_SKIPS);
        long bhLimit = cachePages * (Defaults.PAGE_SIZE / bs);
        this.bhCache = KmemCache.create("buffer_head", (int) Math.min(Integer.MAX_VALUE - 8, bhLimit), BufferHead::new, c);
        this.bioSet = fs.bioSet();
        this.bioPrivateCache = KmemCache.create("buffer_bio_private", Defaults.SLAB_FREE_OBJECTS, BioPrivate::new, c);
        this.rsv = new Ext4IoEnd.Rsv(this, c);
        fs.setOrderedDataWriter(this::submitInodeDataBuffersAndWait);
    }

    /** {@code fs_bio_set}: every bio of this path. */
    final BioSet bioSet;
    /** Folio and BufferHead lists of bios in flight ({@link BioPrivate}). */
    final KmemCache<BioPrivate> bioPrivateCache;
    /** The {@code ext4_io_end} cache and the unwritten-conversion completion work. */
    final Ext4IoEnd.Rsv rsv;

    /** {@code mpage_end_io} and {@code ext4_end_bio}, bound once. */
    final java.util.function.Consumer<Bio> mpageEndIo = b -> Ext4Readpage.mpageEndIo(this, b);
    final java.util.function.Consumer<Bio> ext4EndBio = b -> Ext4Writepages.ext4EndBio(this, b);

    /** A cleared {@link BioPrivate} for a bio being built. */
    BioPrivate allocBioPrivate() {
        return bioPrivateCache.alloc();
    }

    /** Back to its cache once the completion has walked it. */
    void freeBioPrivate(BioPrivate bp) {
        bp.clear();
        bioPrivateCache.free(bp);
    }

    @Override
    public IoPath path() {
        return ioPath;
    }

    @Override
    public AddressSpaceOperations aops() {
        return aops;
    }

    @Override
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** {@code submit_bio}, accounted; into {@code plug} when one is active. */
    void submitBio(Bio bio, BlkPlug plug) {
        bioSubmitted.increment();
        bioSegments.add(bio.segments());
        bioBytes.add(bio.size());
        if (plug != null) {
            plug.submit(bio);
        } else {
            dev.submit(bio);
        }
    }

    private static Inode host(AddressSpace mapping) {
        Object h = mapping.host();
        if (!(h instanceof Inode)) {
            throw new IllegalStateException(mapping + " has no inode as host: the vfs must call mapping.setHost(inode)");
        }
        return (Inode) h;
    }

    // ------------------------------------------------------------------ write

    /** {@code ext4_buffered_write_iter}'s core: {@code generic_perform_write} with the da aops. */
    @Override
    public long bufferedWrite(Inode inode, AddressSpace mapping, ByteBuffer src, long pos) throws IOException {
        if (mapping.host() != inode) {
            throw new IllegalArgumentException(mapping + " does not belong to " + inode);
        }
        return Filemap.genericPerformWrite(mapping, pos, src);
    }

    /**
     * {@code ext4_da_get_block_prep}: maps one block for a buffered write, reserving a delayed
     * block over a hole ({@code ext4_da_map_blocks}); the buffer becomes mapped (to an invalid
     * block) + new + delay, or mapped to its block (new too if unwritten).
     */
    private void daGetBlockPrep(Inode inode, long iblock, BufferHead bh) throws ErrnoException {
        mapCalls.increment();
        MapBlocks m = fs.ext4MapBlocks(null, inode, iblock, 1, Ext4.GET_BLOCKS_DELALLOC_RESERVE, mapScratch.get());
        if (m.isDelayed()) {
            bh.map(INVALID_BLOCK);
            bh.set(BufferHead.BH_NEW | BufferHead.BH_DELAY);
            return;
        }
        bh.map(m.pblk());
        if (m.isUnwritten()) {
            // mapped so get_block is not asked again, new so a partial write zeroes the rest
            bh.set(BufferHead.BH_UNWRITTEN | BufferHead.BH_NEW);
        }
        if (m.isNew()) {
            bh.set(BufferHead.BH_NEW);
        }
    }

    /**
     * {@code ext4_block_write_begin(NULL, folio, pos, len, ext4_da_get_block_prep)}: walks every
     * buffer of the folio; those in {@code [from, to)} are mapped (get_block per unmapped
     * block); a new block's part outside the write is zeroed; a partial, mapped, not-uptodate
     * block is read before the copy. On error the new buffers are zeroed and dirtied. With
     * {@link #rangeWalk} the walk starts at the first buffer of the range ({@code get_nth_bh})
     * and stops after its last: the buffers outside are not looked at.
     */
    private void blockWriteBegin(Inode inode, Folio folio, long pos, int len) throws IOException {
        int from = (int) (pos - folio.pos());
        int to = from + len;
        BufferHead head = Buffers.folioBuffers(folio);
        if (head == null) {
            head = Buffers.createEmptyBuffers(this, folio, bs, 0);
        }
        long block = folio.pos() >> bits;
        walkWrites.increment();
        if (rangeWalk) {
            rangeWriteBegin(inode, folio, head, block, from, to);
            return;
        }
        walkBhs.add(folio.size() >> bits);
        // struct buffer_head *wait[2]: the partial first and last blocks read (two locals, no array per call)
        BufferHead wait0 = null;
        BufferHead wait1 = null;
        IOException err = null;
        BufferHead bh = head;
        int blockStart = 0;
        do {
            int blockEnd = blockStart + bs;
            if (blockEnd <= from || blockStart >= to) {
                if (folio.isUptodate()) {
                    bh.set(BufferHead.BH_UPTODATE);
                }
                continue;
            }
            bh.clear(BufferHead.BH_NEW);
            if (!bh.mapped()) {
                try {
                    daGetBlockPrep(inode, block, bh);
                } catch (ErrnoException e) {
                    err = e;
                    break;
                }
                if (bh.isNew()) {
                    if (folio.isUptodate()) {
                        // unlike __block_write_begin, dirtying is left to write_end
                        bh.set(BufferHead.BH_UPTODATE);
                        continue;
                    }
                    if (blockEnd > to || blockStart < from) {
                        // folio_zero_segments(folio, to, block_end, block_start, from)
                        if (blockEnd > to) {
                            folio.zero(to, blockEnd - to);
                        }
                        if (blockStart < from) {
                            folio.zero(blockStart, from - blockStart);
                        }
                    }
                    continue;
                }
            }
            if (folio.isUptodate()) {
                bh.set(BufferHead.BH_UPTODATE);
                continue;
            }
            if (!bh.uptodate() && !bh.delay() && !bh.unwritten() && (blockStart < from || blockEnd > to)) {
                Buffers.readBhLock(this, bh, false);
                if (wait0 == null) {
                    wait0 = bh;
                } else {
                    wait1 = bh;
                }
            }
        } while (block++ >= 0 && (blockStart += bs) >= 0 && (bh = bh.thisPage) != head);
        err = waitOnRead(wait0, inode, err);
        err = waitOnRead(wait1, inode, err);
        if (err != null) {
            Buffers.folioZeroNewBuffers(folio, from, to);
            throw err;
        }
    }

    /**
     * The 2026 fix's {@code ext4_block_write_begin}: the same per-buffer work as
     * {@link #blockWriteBegin} for the buffers of {@code [from, to)} only, reached by following
     * {@code b_this_page} links from the head without examining the buffers on the way.
     *
     * <p>A folio's buffers are a singly linked ring whose head is the folio's private data: the
     * kernel has no index from a block of the folio to its {@code buffer_head}, and
     * {@code get_nth_bh} (include/linux/buffer_head.h) follows {@code n} links. So the range walk
     * still does one dependent load per buffer before the range, here and again in
     * {@code __block_commit_write} ({@code buffer.walk_skips}: half the folio's buffers per call on
     * average for writes spread over it), where order-0 bh follows none; that, not the buffers
     * examined ({@code buffer.walk_bhs}, the same as bh's) or allocation (none per call), is what
     * keeps a small write on bhlf with the range walk above bh.
     */
    private void rangeWriteBegin(Inode inode, Folio folio, BufferHead head, long block, int from, int to)
            throws IOException {
        int first = from >> bits;
        BufferHead bh = Buffers.getNthBh(head, first);
        walkSkips.add(first);
        block += first;
        int blockStart = first << bits;
        BufferHead wait0 = null;
        BufferHead wait1 = null;
        IOException err = null;
        boolean uptodate = folio.isUptodate();
        int visited = 0;
        for (; blockStart < to; blockStart += bs, block++, bh = bh.thisPage) {
            visited++;
            int blockEnd = blockStart + bs;
            bh.clear(BufferHead.BH_NEW);
            if (!bh.mapped()) {
                try {
                    daGetBlockPrep(inode, block, bh);
                } catch (ErrnoException e) {
                    err = e;
                    break;
                }
                if (bh.isNew()) {
                    if (uptodate) {
                        bh.set(BufferHead.BH_UPTODATE);
                        continue;
                    }
                    if (blockEnd > to) {
                        folio.zero(to, blockEnd - to);
                    }
                    if (blockStart < from) {
                        folio.zero(blockStart, from - blockStart);
                    }
                    continue;
                }
            }
            if (uptodate) {
                bh.set(BufferHead.BH_UPTODATE);
                continue;
            }
            if (!bh.uptodate() && !bh.delay() && !bh.unwritten() && (blockStart < from || blockEnd > to)) {
                Buffers.readBhLock(this, bh, false);
                if (wait0 == null) {
                    wait0 = bh;
                } else {
                    wait1 = bh;
                }
            }
        }
        walkBhs.add(visited);
        err = waitOnRead(wait0, inode, err);
        err = waitOnRead(wait1, inode, err);
        if (err != null) {
            Buffers.folioZeroNewBuffers(folio, from, to);
            throw err;
        }
    }

    /** Waits for the read of {@code bh} (null: none) started by write_begin; the first failure becomes the error. */
    private static IOException waitOnRead(BufferHead bh, Inode inode, IOException err) {
        if (bh == null) {
            return err;
        }
        bh.waitOnBuffer();
        if (!bh.uptodate() && err == null) {
            return new ErrnoException(Errno.EIO, "reading block " + bh.blocknr + " of " + inode
                    + " before a partial write failed on the device");
        }
        return err;
    }

    /**
     * {@code ext4_da_write_begin}: the locked folio at {@code pos}, its buffers prepared. On a
     * mapping with large folios the folio is created of {@code fgf_set_order(len)}
     * ({@code write_begin_get_folio}), as iomap does; an existing folio is used whatever its order.
     */
    Folio daWriteBegin(AddressSpace mapping, long pos, int len) throws IOException {
        Inode inode = host(mapping);
        int retries = 0;
        int order = mapping.largeFolioSupport() ? AddressSpace.fgfSetOrder(len) : 0;
        for (;;) {
            Folio folio = mapping.getFolio(pos >> Defaults.PAGE_SHIFT, AddressSpace.FGP_WRITEBEGIN, order);
            if (len > folio.pos() + folio.size() - pos) {
                len = (int) (folio.pos() + folio.size() - pos);
            }
            try {
                blockWriteBegin(inode, folio, pos, len);
                return folio;
            } catch (IOException e) {
                folio.unlock();
                folio.put();
                // write_begin may have instantiated blocks past i_size: trim them off again
                if (pos + len > inode.size()) {
                    truncateFailedWrite(inode, mapping);
                }
                if (e instanceof ErrnoException && ((ErrnoException) e).errno() == Errno.ENOSPC
                        && shouldRetryAlloc(++retries)) {
                    continue;
                }
                throw e;
            }
        }
    }

    /** {@code ext4_should_retry_alloc}: blocks freed by the running transaction come back at its commit. */
    private boolean shouldRetryAlloc(int retries) throws ErrnoException {
        if (fs.freeBlocks() == 0 || retries > ALLOC_RETRIES) {
            return false;
        }
        fs.commit();
        return true;
    }

    /**
     * {@code ext4_truncate_failed_write}: drop the cache past i_size and the delayed blocks a
     * failed write_begin reserved there.
     */
    private void truncateFailedWrite(Inode inode, AddressSpace mapping) throws ErrnoException {
        long size = inode.size();
        mapping.truncateInodePages(size);
        long from = (size + bs - 1) >> bits;
        if (from < Ext4.EXT_MAX_BLOCKS) {
            fs.releaseDelayedBlocks(inode, from, Ext4.EXT_MAX_BLOCKS - from);
        }
    }

    /** {@code ext4_da_should_update_i_disksize}: the write ends in an allocated, written block. */
    private boolean daShouldUpdateDiskSize(Folio folio, int offset) {
        BufferHead bh = Buffers.folioBuffers(folio);
        for (int i = 0; i < offset >> bits; i++) {
            bh = bh.thisPage;
        }
        return bh.mapped() && !bh.delay() && !bh.unwritten();
    }

    /**
     * {@code ext4_da_write_end} + {@code ext4_da_do_write_end}: commit the buffers, raise i_size
     * under the folio lock, and i_disksize (in a handle, after unlocking) when the write ends
     * inside an allocated block that writeback will not allocate.
     */
    int daWriteEnd(AddressSpace mapping, long pos, int len, int copied, Folio folio) throws IOException {
        Inode inode = host(mapping);
        if (copied < len && !folio.isUptodate()) {
            copied = 0;
        }
        if (Buffers.folioBuffers(folio) == null) {
            folio.unlock();
            folio.put();
            throw new ErrnoException(Errno.EIO, "folio " + folio.index() + " of " + inode + " lost its buffers");
        }
        copied = Buffers.blockWriteEnd(this, pos, len, copied, folio);
        long newISize = pos + copied;
        boolean disksizeChanged = false;
        if (newISize > inode.size()) {
            inode.setSize(newISize);
            int end = (int) (newISize - 1 - folio.pos());
            if (copied > 0 && daShouldUpdateDiskSize(folio, end)) {
                disksizeChanged = true;
            }
        }
        folio.unlock();
        folio.put();
        if (disksizeChanged) {
            Handle h = fs.journalStart(1);
            try {
                fs.updateDiskSize(h, inode, newISize);
            } finally {
                h.stop();
            }
        }
        return copied;
    }

    // ------------------------------------------------------------------ data=ordered

    /**
     * {@code ext4_normal_submit_inode_data_buffers} + {@code jbd2_journal_finish_inode_data_buffers}:
     * the commit writes the inode's dirty, already mapped buffers (WB_SYNC_ALL, {@code can_map = 0}:
     * nothing is allocated, no handle started) and waits for that writeback. Device errors stay
     * recorded on the mapping for fsync, as {@code filemap_fdatawait_range_keep_errors}.
     */
    void submitInodeDataBuffersAndWait(Inode inode) throws IOException {
        Object m = inode.mapping();
        if (!(m instanceof AddressSpace) || !(((AddressSpace) m).aops() instanceof Aops)) {
            return;
        }
        AddressSpace mapping = (AddressSpace) m;
        // the journal has one ordered writer per filesystem: the inode's own buffer_head path writes it
        BufferHeadPath owner = ((Aops) mapping.aops()).path();
        if (owner != this) {
            owner.submitInodeDataBuffersAndWait(inode);
            return;
        }
        orderedWrites.increment();
        WritebackControl wbc = WritebackControl.syncAll(0, Long.MAX_VALUE);
        try {
            Ext4Writepages.writepages(this, inode, mapping, wbc, false);
        } finally {
            wbc.release();
        }
        mapping.filemapFdatawaitRange(0, Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------ truncate / zero

    @Override
    public void truncatePage(Inode inode, AddressSpace mapping, long from) throws IOException {
        int offset = (int) (from & (bs - 1));
        if (offset == 0) {
            return;
        }
        blockZeroPageRange(inode, mapping, from, bs - offset);
    }

    @Override
    public void zeroPartialBlocks(Inode inode, AddressSpace mapping, long lstart, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        long byteEnd = lstart + length - 1;
        int partialStart = (int) (lstart & (bs - 1));
        int partialEnd = (int) (byteEnd & (bs - 1));
        long start = lstart >> bits;
        long end = byteEnd >> bits;
        if (start == end && (partialStart != 0 || partialEnd != bs - 1)) {
            blockZeroPageRange(inode, mapping, lstart, length);
            return;
        }
        if (partialStart != 0) {
            blockZeroPageRange(inode, mapping, lstart, bs);
        }
        if (partialEnd != bs - 1) {
            blockZeroPageRange(inode, mapping, byteEnd - partialEnd, partialEnd + 1);
        }
    }

    /**
     * {@code ext4_block_zero_page_range} / {@code __ext4_block_zero_page_range}: zero
     * {@code [from, from + length)} (clamped to its block) in the cache, reading the block first
     * if it is mapped and not uptodate; a hole has nothing to zero. The buffer is dirtied and,
     * for data=ordered, the inode joins the running transaction's ordered list (the handle is
     * started before the folio is locked).
     */
    private void blockZeroPageRange(Inode inode, AddressSpace mapping, long from, long length) throws IOException {
        int inBlock = (int) (from & (bs - 1));
        int max = bs - inBlock;
        if (length > max || length < 0) {
            length = max;
        }
        Handle h = fs.journalStart(1);
        try {
            Folio folio = mapping.getFolio(from >> Defaults.PAGE_SHIFT,
                    AddressSpace.FGP_LOCK | AddressSpace.FGP_ACCESSED | AddressSpace.FGP_CREAT, 0);
            boolean ordered = false;
            try {
                BufferHead bh = Buffers.folioBuffers(folio);
                if (bh == null) {
                    bh = Buffers.createEmptyBuffers(this, folio, bs, 0);
                }
                int offset = (int) (from - folio.pos());
                long iblock = folio.pos() >> bits;
                int pos = bs;
                while (offset >= pos) {
                    bh = bh.thisPage;
                    iblock++;
                    pos += bs;
                }
                if (!bh.mapped()) {
                    Buffers.ext4GetBlock(this, inode, iblock, bh);
                    if (!bh.mapped()) {
                        return; // a hole: nothing to do
                    }
                }
                if (folio.isUptodate()) {
                    bh.set(BufferHead.BH_UPTODATE);
                }
                if (!bh.uptodate()) {
                    if (bh.delay() || bh.unwritten()) {
                        folio.zero(bh.offset, bh.size); // nothing on disk yet
                        bh.set(BufferHead.BH_UPTODATE);
                    } else {
                        Buffers.readBhLock(this, bh, true);
                        if (!bh.uptodate()) {
                            throw new ErrnoException(Errno.EIO, "reading block " + bh.blocknr + " of " + inode
                                    + " to zero part of it failed on the device");
                        }
                    }
                }
                folio.zero(offset, (int) length);
                Buffers.markBufferDirty(bh);
                ordered = !bh.delay() && !bh.unwritten();
            } finally {
                folio.unlock();
                folio.put();
            }
            if (ordered) {
                h.addInodeWrite(inode);
            }
        } finally {
            h.stop();
        }
    }

    // ------------------------------------------------------------------ address_space_operations

    /** {@code ext4_da_aops}. */
    private final class Aops implements AddressSpaceOperations {
        BufferHeadPath path() {
            return BufferHeadPath.this;
        }

        /** {@code ext4_read_folio}. */
        @Override
        public void readFolio(Folio folio) {
            AddressSpace m = folio.mapping();
            if (m == null) {
                folio.unlock();
                return;
            }
            Ext4Readpage.readpages(BufferHeadPath.this, host(m), null, null, folio);
        }

        /** {@code ext4_readahead}, inside read_pages()' plug. */
        @Override
        public void readahead(ReadaheadControl rac) {
            BlkPlug plug = BlkPlug.start(dev);
            try {
                Ext4Readpage.readpages(BufferHeadPath.this, host(rac.mapping()), plug, rac, null);
            } finally {
                plug.finish();
            }
        }

        /** {@code ext4_writepages}. */
        @Override
        public void writepages(AddressSpace mapping, WritebackControl wbc) throws IOException {
            Ext4Writepages.writepages(BufferHeadPath.this, host(mapping), mapping, wbc, true);
        }

        @Override
        public Folio writeBegin(AddressSpace mapping, long pos, int len) throws IOException {
            return daWriteBegin(mapping, pos, len);
        }

        @Override
        public int writeEnd(AddressSpace mapping, long pos, int len, int copied, Folio folio) throws IOException {
            return daWriteEnd(mapping, pos, len, copied, folio);
        }

        /** {@code ext4_dirty_folio} = {@code block_dirty_folio}. */
        @Override
        public boolean dirtyFolio(AddressSpace mapping, Folio folio) {
            return Buffers.blockDirtyFolio(mapping, folio);
        }

        /** {@code ext4_release_folio} = {@code try_to_free_buffers}. */
        @Override
        public boolean releaseFolio(Folio folio) {
            return Buffers.tryToFreeBuffers(BufferHeadPath.this, folio);
        }

        /** {@code ext4_invalidate_folio} = {@code block_invalidate_folio}. */
        @Override
        public void invalidateFolio(Folio folio, int offset, int length) {
            Buffers.blockInvalidateFolio(BufferHeadPath.this, folio, offset, length);
        }
    }
}
