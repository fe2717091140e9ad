package org.foliobench.buffer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BlkPlug;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.mm.OnStack;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.WritebackControl;
import org.foliobench.pagecache.XArray;

/**
 * {@code struct mpage_da_data} and ext4's delalloc writeback (fs/ext4/inode.c
 * {@code ext4_do_writepages} and the {@code mpage_*} helpers, fs/ext4/page-io.c
 * {@code ext4_bio_write_folio}, {@code io_submit_add_bh}, {@code ext4_io_submit},
 * {@code ext4_end_bio}). The kernel's {@code mpd} lives on the stack of {@code ext4_writepages};
 * here each thread reuses one ({@link #writepages}), set up at the start of a call and emptied at
 * its end, so that the thread's free one refers to no filesystem.
 *
 * <p>The folios of the extent being gathered stay locked (the kernel finds them again with
 * {@code filemap_get_folios}; here they are kept in {@link #locked}, each with a reference).
 * Every place the kernel may sleep while this thread's plug holds bios (a contended folio lock,
 * {@code folio_wait_writeback}, starting a handle, a forced commit) first flushes the plug, as
 * {@code schedule()} does ({@code blk_flush_plug} from {@code sched_submit_work}).
 *
 * <p>With {@code dioread_nolock} ({@link Ext4#dioreadNolock}) extents are allocated unwritten
 * ({@code EXT4_GET_BLOCKS_IO_CREATE_EXT}), the inode never joins the transaction's ordered list,
 * and the round's {@link Ext4IoEnd} converts them when its bios have completed, in a handle of
 * its own, before their folios end writeback: the last reference dropped queues it to the
 * {@code ext4-rsv-conversion} workqueue ({@link Ext4IoEnd#putDefer}). The round does not wait.
 */
final class Ext4Writepages {
    /** {@code MAX_WRITEPAGES_EXTENT_LEN}: mballoc gives at most this many blocks. */
    static final int MAX_WRITEPAGES_EXTENT_LEN = 2048;
    /** {@code BH_FLAGS}: the buffer states an extent to map must share. */
    static final int BH_FLAGS = BufferHead.BH_UNWRITTEN | BufferHead.BH_DELAY;

    private BufferHeadPath p;
    private Ext4 fs;
    private Inode inode;
    private AddressSpace mapping;
    private WritebackControl wbc;
    /** {@code can_map}: 0 for the data=ordered writer (only already mapped buffers are written). */
    private boolean canMap;
    private int bits;
    private boolean doMap;
    private long startPos;
    private long endPos;
    private long nextPos;
    private boolean scannedUntilEnd;
    // mpd->map
    private long mLblk;
    private int mLen;
    private int mFlags;
    private long mPblk;
    /** What {@code ext4_map_blocks} answers for the extent ({@code mpd->map}). */
    private final MapBlocks map = new MapBlocks();
    /** A fatal allocation error: the extent's folios are invalidated ({@code give_up_on_write}). */
    private boolean giveUp;
    /** Folios locked for the current extent, {@code [startPos, nextPos)}, in order, each referenced. */
    private final ArrayDeque<Folio> locked = new ArrayDeque<>();
    /** {@code mpage_prepare_extent_to_map}'s {@code folio_batch}. */
    private final ArrayList<Folio> batch = new ArrayList<>(31);
    /** {@link #processFolio}'s logical and physical block cursor. */
    private final long[] lblkPblk = new long[2];
    // struct ext4_io_submit
    private BlkPlug plug;
    private Bio ioBio;
    private BioPrivate ioBhs;
    private long ioNextBlock;
    /** {@code mpd->io_submit.io_end}: this round's, from the {@code ext4_io_end} cache; null between rounds. */
    private Ext4IoEnd ioEnd;

    /** The threads' free {@code mpd}s. */
    private static final OnStack<Ext4Writepages> MPD = new OnStack<>();

    /**
     * {@code ext4_do_writepages} of {@code inode} with the thread's {@code mpd}; {@code canMap}
     * false for the data=ordered writer.
     */
    static void writepages(BufferHeadPath p, Inode inode, AddressSpace mapping, WritebackControl wbc, boolean canMap)
            throws IOException {
        Ext4Writepages mpd = MPD.take();
        if (mpd == null) {
            mpd = new Ext4Writepages();
        }
        try {
            mpd.init(p, inode, mapping, wbc, canMap).doWritepages();
        } finally {
            mpd.release();
            MPD.put(mpd);
        }
    }

    /** The start of an {@code ->writepages} call ({@code mpd} initialised on the stack). */
    private Ext4Writepages init(BufferHeadPath p, Inode inode, AddressSpace mapping, WritebackControl wbc,
            boolean canMap) {
        this.p = p;
        this.fs = p.fs;
        this.bits = p.bits;
        this.inode = inode;
        this.mapping = mapping;
        this.wbc = wbc;
        this.canMap = canMap;
        doMap = false;
        startPos = endPos = nextPos = 0;
        scannedUntilEnd = false;
        mLblk = mPblk = 0;
        mLen = mFlags = 0;
        giveUp = false;
        ioNextBlock = 0;
        return this;
    }

    /** The call is over: forget the path, inode, mapping and control (its folios, bios and plug are already let go). */
    private void release() {
        if (!locked.isEmpty() || ioBio != null || plug != null || ioEnd != null) {
            throw new IllegalStateException("ext4 writepages of " + inode + " ended with folios locked or a bio unsubmitted");
        }
        p = null;
        fs = null;
        inode = null;
        mapping = null;
        wbc = null;
    }

    private long lblkToPg(long lblk) {
        return lblk >> (Defaults.PAGE_SHIFT - bits);
    }

    private long pgToLblk(long index) {
        return index << (Defaults.PAGE_SHIFT - bits);
    }

    // ------------------------------------------------------------------ sleeping with a plug

    /** Flushes the bio being built and the plug: what {@code schedule()} does before sleeping. */
    private void flushPlug() {
        ioSubmit();
        if (plug != null) {
            plug.flush();
        }
    }

    private void lockFolio(Folio folio) {
        if (!folio.tryLock()) {
            flushPlug();
            folio.lock();
        }
    }

    private void waitWriteback(Folio folio) {
        if (folio.isWriteback()) {
            flushPlug();
            folio.waitWriteback();
        }
    }

    // ------------------------------------------------------------------ ext4_do_writepages

    /** {@code ext4_do_writepages}. */
    void doWritepages() throws IOException {
        if (mapping.nrPages() == 0 || !mapping.tagged(XArray.DIRTY)) {
            return;
        }
        long writebackIndex = 0;
        boolean cycled = true;
        boolean rangeWhole = wbc.rangeStart == 0 && wbc.rangeEnd == Long.MAX_VALUE;
        if (wbc.rangeCyclic) {
            writebackIndex = mapping.writebackIndex();
            if (writebackIndex != 0) {
                cycled = false;
            }
            startPos = writebackIndex << Defaults.PAGE_SHIFT;
            endPos = Long.MAX_VALUE;
        } else {
            startPos = wbc.rangeStart;
            endPos = wbc.rangeEnd;
        }
        int tag = wbc.isSyncAll() || wbc.taggedWritepages ? XArray.TOWRITE : XArray.DIRTY;
        IOException ret = null;
        for (;;) { // retry:
            if (tag == XArray.TOWRITE) {
                mapping.tagPagesForWriteback(startPos >> Defaults.PAGE_SHIFT, pgIndex(endPos));
            }
            plug = BlkPlug.start(fs.device());
            try {
                // first write back folios that need no mapping, without a transaction
                doMap = false;
                scannedUntilEnd = false;
                ioEnd = p.rsv.alloc(inode, mapping);
                try {
                    prepareExtentToMap(tag);
                } catch (IOException e) {
                    ret = e;
                }
                releaseUnusedPages(false);
                ioSubmit();
                putIoEnd();
                int enospcRetries = 0;
                while (ret == null && !scannedUntilEnd && wbc.nrToWrite > 0) {
                    giveUp = false;
                    flushPlug(); // journal start may sleep (or commit in this thread)
                    Handle h;
                    try {
                        // with dioread_nolock, a reserved handle for the conversion at IO completion
                        h = fs.dioreadNolock()
                                ? fs.journalStartWithReserve(fs.transBlocks(MAX_WRITEPAGES_EXTENT_LEN),
                                        1 + fs.transBlocks(MAX_WRITEPAGES_EXTENT_LEN))
                                : fs.journalStart(fs.transBlocks(MAX_WRITEPAGES_EXTENT_LEN));
                    } catch (ErrnoException e) {
                        ret = e;
                        break;
                    }
                    doMap = true;
                    ioEnd = p.rsv.alloc(inode, mapping);
                    IOException err = null;
                    try {
                        prepareExtentToMap(tag);
                        if (mLen > 0) {
                            mapAndSubmitExtent(h);
                        }
                    } catch (IOException e) {
                        err = e;
                    } finally {
                        h.stop();
                        doMap = false;
                    }
                    releaseUnusedPages(giveUp);
                    ioSubmit();
                    putIoEnd();
                    if (err instanceof ErrnoException && ((ErrnoException) err).errno() == Errno.ENOSPC && !giveUp
                            && ++enospcRetries <= Ext4.WRITEBACK_ENOSPC_RETRIES) {
                        // commit the transaction, which frees blocks released in it, and retry
                        flushPlug();
                        fs.commit();
                        continue;
                    }
                    if (err != null) {
                        ret = err;
                        break;
                    }
                }
            } finally {
                releaseUnusedPages(false);
                ioSubmit();
                plug.finish();
                plug = null;
                if (ioEnd != null) {
                    putIoEnd();
                }
            }
            if (ret == null && !cycled && wbc.nrToWrite > 0) {
                cycled = true;
                endPos = (writebackIndex << Defaults.PAGE_SHIFT) - 1;
                startPos = 0;
                continue;
            }
            break;
        }
        if (wbc.rangeCyclic || (rangeWhole && wbc.nrToWrite > 0)) {
            mapping.setWritebackIndex(startPos >> Defaults.PAGE_SHIFT);
        }
        if (ret != null) {
            throw ret;
        }
    }

    private static long pgIndex(long pos) {
        return pos == Long.MAX_VALUE ? Long.MAX_VALUE : pos >> Defaults.PAGE_SHIFT;
    }

    /**
     * {@code mpage_prepare_extent_to_map}: walks the tagged folios from {@code startPos}, submits
     * the ones fully mapped, locks the ones whose dirty buffers need mapping and gathers those
     * buffers into one extent ({@code mLblk}, {@code mLen}).
     */
    private void prepareExtentToMap(int tag) throws IOException {
        long index = startPos >> Defaults.PAGE_SHIFT;
        long end = pgIndex(endPos);
        mLen = 0;
        nextPos = startPos;
        ArrayList<Folio> batch = this.batch;
        while (index <= end) {
            index = mapping.filemapGetFoliosTag(index, end, tag, 31, batch);
            if (batch.isEmpty()) {
                break;
            }
            int i = 0;
            try {
                for (; i < batch.size(); i++) {
                    Folio folio = batch.get(i);
                    // accumulated enough? (not for integrity sync: keep going)
                    if (!wbc.isSyncAll() && wbc.nrToWrite <= lblkToPg(mLen)) {
                        return;
                    }
                    if (mLen > 0 && nextPos != folio.pos()) {
                        return; // cannot merge this folio
                    }
                    lockFolio(folio);
                    if (!folio.isDirty() || (folio.isWriteback() && !wbc.isSyncAll()) || folio.mapping() != mapping) {
                        folio.unlock();
                        continue;
                    }
                    waitWriteback(folio);
                    BufferHead head = Buffers.folioBuffers(folio);
                    if (head == null) {
                        // dirtied without buffers: nothing we can write
                        folio.clearDirtyForIo();
                        folio.unlock();
                        continue;
                    }
                    if (mLen == 0) {
                        startPos = folio.pos();
                    }
                    nextPos = folio.pos() + folio.size();
                    locked.addLast(folio);
                    batch.set(i, null); // the reference moves to locked
                    if (!canMap) {
                        submitFolio(folio);
                        folioDone(folio);
                    } else {
                        int r = processPageBufs(head, head, pgToLblk(folio.index()));
                        if (r <= 0) {
                            return;
                        }
                    }
                }
            } finally {
                for (int k = 0; k < batch.size(); k++) {
                    if (batch.get(k) != null) {
                        batch.get(k).put();
                    }
                }
                batch.clear();
            }
        }
        scannedUntilEnd = true;
    }

    /** {@code mpage_folio_done}. */
    private void folioDone(Folio folio) {
        Folio first = locked.pollFirst();
        if (first != folio) {
            throw new IllegalStateException("writeback done with " + folio + " but " + first + " is first");
        }
        startPos = folio.pos() + folio.size();
        wbc.nrToWrite -= folio.nrPages();
        folio.unlock();
        folio.put();
    }

    /**
     * {@code mpage_release_unused_pages}: unlocks the folios still locked for an extent that was
     * not (completely) written; with {@code invalidate} (a fatal allocation error) their dirty
     * data is dropped and the delalloc reservation of the range released.
     */
    private void releaseUnusedPages(boolean invalidate) {
        if (locked.isEmpty()) {
            return;
        }
        scannedUntilEnd = false;
        if (invalidate && startPos < nextPos) {
            long start = startPos >> bits;
            long last = nextPos >> bits;
            try {
                fs.releaseDelayedBlocks(inode, start, last - start);
            } catch (ErrnoException e) {
                // range within the file: cannot happen
            }
        }
        Folio f;
        while ((f = locked.pollFirst()) != null) {
            if (invalidate) {
                f.clearDirtyForIo();
                Buffers.blockInvalidateFolio(p, f, 0, f.size());
                f.clearUptodate();
            }
            f.unlock();
            f.put();
        }
    }

    /**
     * {@code mpage_add_bh_to_extent}: true if the buffer was added to the extent, or needs no
     * mapping and no extent was started (the caller may write it right away).
     */
    private boolean addBhToExtent(long lblk, BufferHead bh) {
        int st = bh.state();
        if ((st & BufferHead.BH_DIRTY) == 0 || (st & BufferHead.BH_MAPPED) == 0 || (st & BH_FLAGS) == 0) {
            return mLen == 0;
        }
        if (mLen == 0) {
            if (!doMap) {
                return false; // we cannot map unless a handle is started
            }
            mLblk = lblk;
            mLen = 1;
            mFlags = st & BH_FLAGS;
            return true;
        }
        if (mLen >= MAX_WRITEPAGES_EXTENT_LEN) {
            return false;
        }
        if (lblk == mLblk + mLen && (st & BH_FLAGS) == mFlags) {
            mLen++;
            return true;
        }
        return false;
    }

    /**
     * {@code mpage_process_page_bufs}: from {@code bh} to the end of the folio, add the buffers
     * to the extent, or submit the folio if everything is mapped and no extent is pending.
     * Returns 1 to go on with the next folio, 0 to stop gathering.
     */
    private int processPageBufs(BufferHead head, BufferHead bh, long lblk) throws IOException {
        long blocks = (inode.size() + p.bs - 1) >> bits;
        do {
            if (lblk >= blocks || !addBhToExtent(lblk, bh)) {
                if (mLen > 0) {
                    return 0; // found an extent to map
                }
                if (!doMap) {
                    return 0; // the buffer needs mapping and no handle is started
                }
                break; // everything mapped so far and we hit EOF
            }
            lblk++;
            bh = bh.thisPage;
        } while (bh != head);
        if (mLen == 0) {
            submitFolio(head.folio);
            folioDone(head.folio);
        }
        if (lblk >= blocks) {
            scannedUntilEnd = true;
            return 0;
        }
        return 1;
    }

    /**
     * {@code mpage_process_folio}: the buffers of the mapped extent in this folio get their block
     * numbers; returns true when the folio has buffers past the extent (then handled by
     * {@link #processPageBufs}: a next extent, or the folio was submitted).
     */
    private boolean processFolio(Folio folio, long[] lblkPblk) throws IOException {
        BufferHead head = Buffers.folioBuffers(folio);
        BufferHead bh = head;
        long lblk = lblkPblk[0];
        long pblock = lblkPblk[1];
        long ioEndSize = 0;
        try {
            do {
                if (lblk < mLblk) {
                    continue;
                }
                if (lblk >= mLblk + mLen) {
                    // buffer after the end of the mapped extent: find the next one to map
                    mLen = 0;
                    mFlags = 0;
                    ioEnd.growLastVec(ioEndSize);
                    processPageBufs(head, bh, lblk);
                    if (mLen > 0 && mLblk > lblk) {
                        ioEnd.addVec(mLblk << bits);
                    }
                    return true;
                }
                if (bh.delay()) {
                    bh.blocknr = pblock;
                    bh.clear(BufferHead.BH_DELAY);
                }
                pblock++;
                bh.clear(BufferHead.BH_UNWRITTEN);
                ioEndSize += bh.size;
            } while (lblk++ >= 0 && (bh = bh.thisPage) != head);
            ioEnd.growLastVec(ioEndSize);
            return false;
        } finally {
            lblkPblk[0] = lblk;
            lblkPblk[1] = pblock;
        }
    }

    /** {@code mpage_map_and_submit_buffers}: number the mapped buffers, submit the fully mapped folios. */
    private void mapAndSubmitBuffers() throws IOException {
        long end = lblkToPg(mLblk + mLen - 1);
        long[] lp = lblkPblk;
        lp[1] = mPblk;
        while (!locked.isEmpty()) {
            Folio folio = locked.peekFirst();
            if (folio.index() > end) {
                break;
            }
            lp[0] = pgToLblk(folio.index());
            if (processFolio(folio, lp)) {
                return; // the folio needs more mapping, or was submitted
            }
            submitFolio(folio);
            folioDone(folio);
        }
        mLen = 0;
        mFlags = 0;
    }

    /**
     * {@code mpage_map_and_submit_extent}: allocates the extent (ext4_map_blocks may return
     * less: loop), numbers the buffers, submits the folios, then moves i_disksize up to the end
     * of what was submitted (clamped to i_size) in the same handle.
     */
    private void mapAndSubmitExtent(Handle h) throws IOException {
        boolean progress = false;
        IOException err = null;
        ioEnd.addVec(mLblk << bits);
        do {
            try {
                mapOneExtent(h);
            } catch (ErrnoException e) {
                if ((e.errno() == Errno.ENOSPC && fs.freeBlocks() > 0) || e.errno() == Errno.ENOMEM
                        || e.errno() == Errno.EAGAIN) {
                    if (progress) {
                        submitPartialFolio();
                        err = e;
                        break; // update_disksize
                    }
                    throw e;
                }
                giveUp = true;
                throw e;
            }
            progress = true;
            mapAndSubmitBuffers();
        } while (mLen > 0);
        long disksize = startPos;
        if (disksize > inode.diskSize()) {
            long iSize = inode.size();
            if (disksize > iSize) {
                disksize = iSize;
            }
            fs.updateDiskSize(h, inode, disksize);
        }
        if (err != null) {
            throw err;
        }
    }

    /**
     * {@code mpage_map_one_extent}: one allocation call for the gathered extent; with
     * dioread_nolock unwritten ({@code EXT4_GET_BLOCKS_IO_CREATE_EXT}) and the round's io_end
     * flagged for conversion, else written and the inode put on the ordered list
     * ({@code ext4_map_blocks}' {@code ext4_jbd2_inode_add_write} for a new written extent).
     */
    private void mapOneExtent(Handle h) throws ErrnoException {
        p.wbMapCalls.increment();
        boolean dioreadNolock = fs.dioreadNolock();
        MapBlocks m = fs.ext4MapBlocks(h, inode, mLblk, mLen,
                dioreadNolock ? Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT : Ext4.GET_BLOCKS_CREATE, map);
        mPblk = m.pblk();
        mLen = m.len();
        if (dioreadNolock && m.isUnwritten()) {
            ioEnd.takeHandle(h); // io_end->handle = handle->h_rsv_handle, if it has none yet
            ioEnd.setUnwritten();
        } else if (m.isNew() && m.isMapped()) {
            h.addInodeWrite(inode); // data=ordered: the data reaches disk before this commit
        }
        p.wbExtents.increment();
    }

    /** {@code mpage_submit_partial_folio}: write the mapped part of the folio being mapped. */
    private void submitPartialFolio() throws IOException {
        Folio folio = locked.peekFirst();
        if (folio == null) {
            return;
        }
        long pos = mLblk << bits;
        if (folio.pos() == pos || !folio.contains(pos >> Defaults.PAGE_SHIFT)) {
            return;
        }
        submitFolio(folio);
        locked.pollFirst();
        startPos = pos;
        folio.unlock();
        folio.put();
    }

    // ------------------------------------------------------------------ page-io.c

    /** {@code mpage_submit_folio}: clean it for IO and write its mapped dirty buffers up to i_size. */
    private void submitFolio(Folio folio) {
        folio.clearDirtyForIo();
        long size = inode.size();
        int len = folio.size();
        if (folio.pos() + len > size) {
            len = size <= folio.pos() ? 0 : (int) (size - folio.pos());
        }
        bioWriteFolio(folio, len);
    }

    /**
     * {@code ext4_bio_write_folio}: zero the tail past i_size, pick the dirty mapped buffers,
     * start writeback and add each to the bio ({@code io_submit_add_bh}). Buffers that stay
     * dirty (delayed, when the folio cannot be mapped now) redirty the folio, keeping TOWRITE.
     */
    private void bioWriteFolio(Folio folio, int len) {
        if (len < folio.size()) {
            folio.zero(len, folio.size() - len);
        }
        BufferHead head = Buffers.folioBuffers(folio);
        boolean keepTowrite = false;
        int nrToSubmit = 0;
        BufferHead bh = head;
        do {
            if (bh.offset >= len) {
                bh.clear(BufferHead.BH_DIRTY);
                bh.set(BufferHead.BH_UPTODATE);
                continue;
            }
            if (!bh.dirty() || bh.delay() || !bh.mapped() || bh.unwritten()) {
                if (!bh.mapped()) {
                    bh.clear(BufferHead.BH_DIRTY); // a hole: nothing to write
                }
                if (bh.dirty()) {
                    if (!folio.isDirty()) {
                        folio.redirtyForWritepage(wbc);
                    }
                    keepTowrite = true;
                }
                continue;
            }
            bh.clear(BufferHead.BH_NEW);
            bh.set(BufferHead.BH_ASYNC_WRITE);
            bh.clear(BufferHead.BH_DIRTY);
            nrToSubmit++;
        } while ((bh = bh.thisPage) != head);
        if (nrToSubmit == 0) {
            return;
        }
        if (keepTowrite) {
            folio.startWritebackKeepWrite();
        } else {
            folio.startWriteback();
        }
        bh = head;
        do {
            if (bh.test(BufferHead.BH_ASYNC_WRITE)) {
                ioSubmitAddBh(bh);
            }
        } while ((bh = bh.thisPage) != head);
    }

    /** {@code io_submit_add_bh}: extend the bio if the block is disk-contiguous, else start a new one. */
    private void ioSubmitAddBh(BufferHead bh) {
        if (ioBio != null && bh.blocknr != ioNextBlock) {
            ioSubmit();
        }
        for (;;) {
            if (ioBio == null) {
                ioBio = p.bioSet.alloc(Bio.Op.WRITE, bh.blocknr << (bits - Bio.SECTOR_SHIFT));
                ioBhs = p.allocBioPrivate();
                ioBhs.mapping = mapping;
                ioBhs.ioEnd = ioEnd;
                ioEnd.get();
            }
            if (ioBio.addSegment(bh.folio.mem(), bh.folio.memOffset() + bh.offset, bh.size)) {
                break;
            }
            ioSubmit(); // bio full
        }
        ioBhs.items.add(bh);
        ioNextBlock = bh.blocknr + 1;
    }

    /** {@code ext4_io_submit}: submit the bio being built (into the plug). */
    private void ioSubmit() {
        if (ioBio == null) {
            return;
        }
        Bio bio = ioBio;
        BioPrivate bhs = ioBhs;
        ioBio = null;
        ioBhs = null;
        bio.privateData(bhs).endIo(p.ext4EndBio);
        p.submitBio(bio, plug);
    }

    /**
     * {@code ext4_end_bio}: {@code bio_put}, then {@link #endBio} over the bio's buffers now, or,
     * when its io_end converts unwritten extents, after the conversion; then the bio's reference
     * on the io_end is dropped ({@link Ext4IoEnd#putDefer}). Runs on whichever thread ended the bio.
     */
    static void ext4EndBio(BufferHeadPath p, Bio done) {
        boolean ok = done.status() == null;
        BioPrivate bhs = (BioPrivate) done.privateData();
        done.put();
        if (!ok) {
            bhs.mapping.mappingSetError(Errno.EIO);
        }
        Ext4IoEnd io = bhs.ioEnd;
        if (!io.bioDone(bhs, ok)) {
            endBio(bhs.mapping, bhs.items, ok);
            p.freeBioPrivate(bhs);
        }
        Ext4IoEnd.putDefer(io);
    }

    /**
     * The end of a round: its bios are submitted, and the submitter's reference on the io_end is
     * dropped ({@code ext4_put_io_end_defer}); the last bio to complete, or this, queues the
     * conversion.
     */
    private void putIoEnd() {
        flushPlug();
        Ext4IoEnd io = ioEnd;
        ioEnd = null;
        Ext4IoEnd.putDefer(io);
    }

    /**
     * {@code ext4_end_bio} / {@code ext4_finish_bio}: a failed write is recorded on the mapping
     * ({@code mapping_set_error}, for fsync) and on each buffer; a folio's writeback ends when
     * the last of its buffers in flight completes.
     */
    static void endBio(AddressSpace mapping, List<?> bhs, boolean ok) {
        for (int i = 0; i < bhs.size(); i++) {
            BufferHead bh = (BufferHead) bhs.get(i);
            Folio folio = bh.folio;
            BufferHead head = Buffers.folioBuffers(folio);
            boolean underIo = false;
            synchronized (head != null ? head : folio) { // b_uptodate_lock
                bh.clear(BufferHead.BH_ASYNC_WRITE);
                if (!ok) {
                    bh.set(BufferHead.BH_WRITE_EIO);
                }
                BufferHead t = bh.thisPage;
                while (t != bh) {
                    if (t.test(BufferHead.BH_ASYNC_WRITE)) {
                        underIo = true;
                        break;
                    }
                    t = t.thisPage;
                }
            }
            if (!underIo) {
                folio.endWriteback();
            }
        }
    }
}
