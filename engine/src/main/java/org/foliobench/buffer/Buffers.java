package org.foliobench.buffer;

import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;

/** The generic buffer_head helpers of fs/buffer.c the ext4 buffered path uses. */
final class Buffers {
    private Buffers() {
    }

    /** {@code folio_buffers}. */
    static BufferHead folioBuffers(Folio folio) {
        Object p = folio.getPrivate();
        return p instanceof BufferHead ? (BufferHead) p : null;
    }

    /**
     * {@code create_empty_buffers} ({@code folio_alloc_buffers} + attach): one buffer per block,
     * uptodate / dirty if the folio is, linked into a ring and attached to the folio.
     */
    static BufferHead createEmptyBuffers(BufferHeadPath p, Folio folio, int blocksize, int bState) {
        int n = folio.size() / blocksize;
        BufferHead head = null;
        BufferHead tail = null;
        for (int i = 0; i < n; i++) {
            BufferHead bh = p.bhCache.alloc().init(folio, i * blocksize, blocksize);
            bh.set(bState);
            if (head == null) {
                head = bh;
            } else {
                tail.thisPage = bh;
            }
            tail = bh;
        }
        tail.thisPage = head;
        p.bhAlloc.add(n);
        boolean up = folio.isUptodate();
        boolean dirty = folio.isDirty();
        if (up || dirty) {
            BufferHead bh = head;
            do {
                if (dirty) {
                    bh.set(BufferHead.BH_DIRTY);
                }
                if (up) {
                    bh.set(BufferHead.BH_UPTODATE);
                }
                bh = bh.thisPage;
            } while (bh != head);
        }
        folio.attachPrivate(head);
        return head;
    }

    /** {@code folio_create_buffers}: the folio's buffers, created empty if it has none. */
    static BufferHead folioCreateBuffers(BufferHeadPath p, Folio folio, int bState) {
        BufferHead head = folioBuffers(folio);
        return head != null ? head : createEmptyBuffers(p, folio, p.bs, bState);
    }

    /**
     * {@code mark_buffer_dirty}: the first dirtying of a buffer dirties the folio
     * ({@code __folio_mark_dirty}) and puts the inode on the flusher's list.
     */
    static void markBufferDirty(BufferHead bh) {
        if (bh.dirty()) {
            return;
        }
        if (!bh.testSet(BufferHead.BH_DIRTY)) {
            Folio folio = bh.folio;
            AddressSpace m = folio.mapping();
            if (m != null) {
                m.filemapDirtyFolio(folio);
            }
        }
    }

    /**
     * {@code folio_zero_new_buffers}: the new buffers of {@code [from, to)} that a short or failed
     * write did not fill are zeroed (when the folio is not uptodate), made uptodate and dirty.
     */
    static void folioZeroNewBuffers(Folio folio, int from, int to) {
        BufferHead head = folioBuffers(folio);
        if (head == null) {
            return;
        }
        BufferHead bh = head;
        int blockStart = 0;
        do {
            int blockEnd = blockStart + bh.size;
            if (bh.isNew() && blockEnd > from && blockStart < to) {
                if (!folio.isUptodate()) {
                    int start = Math.max(from, blockStart);
                    int xend = Math.min(to, blockEnd);
                    folio.zero(start, xend - start);
                    bh.set(BufferHead.BH_UPTODATE);
                }
                bh.clear(BufferHead.BH_NEW);
                markBufferDirty(bh);
            }
            blockStart = blockEnd;
            bh = bh.thisPage;
        } while (bh != head);
    }

    /** {@code get_nth_bh}: the buffer {@code n} links after {@code bh}. */
    static BufferHead getNthBh(BufferHead bh, int n) {
        while (n-- > 0) {
            bh = bh.thisPage;
        }
        return bh;
    }

    /**
     * {@code __block_commit_write}: buffers of {@code [from, to)} uptodate and dirty; every buffer
     * of the folio is looked at to learn whether the folio became uptodate. With the range walk
     * (the 2026 fix), a folio already uptodate has only the range's buffers walked.
     */
    static void blockCommitWrite(BufferHeadPath p, Folio folio, int from, int to) {
        BufferHead head = folioBuffers(folio);
        if (head == null) {
            return;
        }
        if (p.rangeWalk && folio.isUptodate()) {
            int first = from / head.size;
            BufferHead bh = getNthBh(head, first);
            p.walkSkips.add(first);
            int visited = 0;
            for (int blockStart = first * head.size; blockStart < to; blockStart += bh.size, bh = bh.thisPage) {
                bh.set(BufferHead.BH_UPTODATE);
                markBufferDirty(bh);
                bh.clear(BufferHead.BH_NEW);
                visited++;
            }
            p.walkBhs.add(visited);
            return;
        }
        p.walkBhs.add(folio.size() / head.size);
        boolean partial = false;
        BufferHead bh = head;
        int blockStart = 0;
        do {
            int blockEnd = blockStart + bh.size;
            if (blockEnd <= from || blockStart >= to) {
                if (!bh.uptodate()) {
                    partial = true;
                }
            } else {
                bh.set(BufferHead.BH_UPTODATE);
                markBufferDirty(bh);
            }
            bh.clear(BufferHead.BH_NEW);
            blockStart = blockEnd;
            bh = bh.thisPage;
        } while (bh != head);
        // a partial write that made every buffer uptodate saves a later read_folio
        if (!partial) {
            folio.markUptodate();
        }
    }

    /** {@code block_write_end}: returns the bytes committed (0 for a short copy into a non-uptodate folio). */
    static int blockWriteEnd(BufferHeadPath p, long pos, int len, int copied, Folio folio) {
        int start = (int) (pos - folio.pos());
        if (copied < len) {
            // a short copy may have filled part of a buffer: treat it as a zero-length write
            if (!folio.isUptodate()) {
                copied = 0;
            }
            folioZeroNewBuffers(folio, start + copied, start + len);
        }
        blockCommitWrite(p, folio, start, start + copied);
        return copied;
    }

    /** {@code block_dirty_folio}: every buffer dirty, then the folio. */
    static boolean blockDirtyFolio(AddressSpace mapping, Folio folio) {
        BufferHead head = folioBuffers(folio);
        if (head != null) {
            BufferHead bh = head;
            do {
                bh.set(BufferHead.BH_DIRTY);
                bh = bh.thisPage;
            } while (bh != head);
        }
        return mapping.filemapDirtyFolio(folio);
    }

    // ------------------------------------------------------------------ synchronous bh reads

    /**
     * {@code submit_bh(REQ_OP_READ)} of one locked buffer, completed by
     * {@code end_buffer_read_sync} (uptodate or not, then unlocked), when the device completes it:
     * before this returns on the RamDisk, later on a device's IO thread; {@code wait_on_buffer}
     * waits for it.
     */
    static void submitBhRead(BufferHeadPath p, BufferHead bh) {
        bh.set(BufferHead.BH_REQ);
        Bio bio = p.bioSet.alloc(Bio.Op.READ, bh.blocknr << (p.bits - Bio.SECTOR_SHIFT), 1);
        bio.addSegment(bh.folio.mem(), bh.folio.memOffset() + bh.offset, bh.size);
        bio.privateData(bh).endIo(Buffers::endBufferReadSync);
        p.bhReads.increment();
        p.submitBio(bio, null);
    }

    /** {@code ext4_read_bh_lock(bh, 0, wait)}: lock, read, and (with wait) wait for it. */
    static void readBhLock(BufferHeadPath p, BufferHead bh, boolean wait) {
        bh.lock();
        if (bh.uptodate()) {
            bh.unlock();
            return;
        }
        submitBhRead(p, bh);
        if (wait) {
            bh.waitOnBuffer();
        }
    }

    /**
     * {@code ext4_get_block} without create: maps one block for a read ({@code _ext4_get_block}
     * with {@code ext4_map_blocks(NULL, inode, map, 0)}). A hole, delayed or unwritten block leaves
     * the buffer unmapped (it reads as zeros).
     */
    static void ext4GetBlock(BufferHeadPath p, Inode inode, long iblock, BufferHead bh) throws ErrnoException {
        p.mapCalls.increment();
        MapBlocks m = p.fs.ext4MapBlocks(null, inode, iblock, 1, 0, p.mapScratch.get());
        if (m.isMapped()) {
            bh.map(m.pblk());
        }
    }

    /**
     * {@code block_read_full_folio(folio, ext4_get_block)}: reads every buffer of the folio that
     * is not uptodate, one bio per buffer ({@code submit_bh}); holes are zeroed. The folio is
     * ended ({@code folio_end_read}) when the last buffer's read completes
     * ({@code end_buffer_async_read}).
     */
    static void blockReadFullFolio(BufferHeadPath p, Folio folio, Inode inode) {
        BufferHead head = folioCreateBuffers(p, folio, 0);
        int blocksize = head.size;
        long iblock = folio.pos() / blocksize;
        long lblock = (inode.size() + blocksize - 1) / blocksize;
        boolean pageError = false;
        BufferHead bh = head;
        BufferHead prev = null;
        do {
            if (bh.uptodate()) {
                continue;
            }
            if (!bh.mapped() || bh.unwritten()) {
                boolean err = false;
                if (!bh.mapped() && iblock < lblock) {
                    try {
                        ext4GetBlock(p, inode, iblock, bh);
                    } catch (ErrnoException e) {
                        err = true;
                        pageError = true;
                    }
                }
                if (!bh.mapped() || bh.unwritten()) {
                    folio.zero(bh.offset, blocksize);
                    if (!err) {
                        bh.set(BufferHead.BH_UPTODATE);
                    }
                    continue;
                }
            }
            bh.lock();
            if (bh.uptodate()) {
                bh.unlock();
                continue;
            }
            bh.set(BufferHead.BH_ASYNC_READ); // mark_buffer_async_read
            if (prev != null) {
                submitBhAsyncRead(p, prev);
            }
            prev = bh;
        } while (iblock++ >= 0 && (bh = bh.thisPage) != head);
        // every buffer uptodate or unmappable: no completion will end the folio, do it here
        if (prev != null) {
            submitBhAsyncRead(p, prev);
        } else {
            folio.endRead(!pageError);
        }
    }

    private static void submitBhAsyncRead(BufferHeadPath p, BufferHead bh) {
        bh.set(BufferHead.BH_REQ);
        Bio bio = p.bioSet.alloc(Bio.Op.READ, bh.blocknr << (p.bits - Bio.SECTOR_SHIFT), 1);
        bio.addSegment(bh.folio.mem(), bh.folio.memOffset() + bh.offset, bh.size);
        bio.privateData(bh).endIo(Buffers::endBioBhAsyncRead);
        p.bhReads.increment();
        p.submitBio(bio, null);
    }

    /** {@code end_bio_bh_io_sync} + {@code end_buffer_read_sync}: the buffer uptodate or not, unlocked; then {@code bio_put}. */
    private static void endBufferReadSync(Bio b) {
        BufferHead bh = (BufferHead) b.privateData();
        boolean ok = b.status() == null;
        b.put();
        if (ok) {
            bh.set(BufferHead.BH_UPTODATE);
        } else {
            bh.clear(BufferHead.BH_UPTODATE);
        }
        bh.unlock();
    }

    /** {@code end_bio_bh_io_sync} for {@code end_buffer_async_read}. */
    private static void endBioBhAsyncRead(Bio b) {
        BufferHead bh = (BufferHead) b.privateData();
        boolean ok = b.status() == null;
        b.put();
        endBufferAsyncRead(bh, ok);
    }

    /** {@code end_buffer_async_read}: the folio ends with the last buffer read into it. */
    static void endBufferAsyncRead(BufferHead bh, boolean uptodate) {
        if (uptodate) {
            bh.set(BufferHead.BH_UPTODATE);
        } else {
            bh.clear(BufferHead.BH_UPTODATE);
        }
        Folio folio = bh.folio;
        BufferHead head = folioBuffers(folio);
        boolean folioUptodate = true;
        synchronized (head) { // b_uptodate_lock
            bh.clear(BufferHead.BH_ASYNC_READ);
            bh.unlock();
            BufferHead t = bh;
            do {
                if (!t.uptodate()) {
                    folioUptodate = false;
                }
                if (t.test(BufferHead.BH_ASYNC_READ)) {
                    return; // still reading another buffer of this folio
                }
                t = t.thisPage;
            } while (t != bh);
        }
        folio.endRead(folioUptodate);
    }

    // ------------------------------------------------------------------ release / invalidate

    /**
     * {@code try_to_free_buffers}: drops the buffers unless one is dirty, locked or under IO (or
     * the folio is under writeback). Counts the frees.
     */
    static boolean tryToFreeBuffers(BufferHeadPath p, Folio folio) {
        if (folio.isWriteback()) {
            return false;
        }
        BufferHead head = folioBuffers(folio);
        if (head == null) {
            return true;
        }
        BufferHead bh = head;
        int n = 0;
        do {
            if (bh.busy()) {
                return false;
            }
            n++;
            bh = bh.thisPage;
        } while (bh != head);
        folio.detachPrivate();
        // free_buffer_head for each buffer of the ring
        bh = head;
        do {
            BufferHead next = bh.thisPage;
            bh.release();
            p.bhCache.free(bh);
            bh = next;
        } while (bh != head);
        p.bhFree.add(n);
        return true;
    }

    /** {@code discard_buffer}. */
    static void discardBuffer(BufferHead bh) {
        bh.lock();
        bh.clear(BufferHead.BH_DIRTY);
        bh.clear(BufferHead.BUFFER_FLAGS_DISCARD);
        bh.unlock();
    }

    /**
     * {@code block_invalidate_folio}: buffers entirely inside {@code [offset, offset + length)}
     * are discarded; when the whole folio goes, the buffers are released. The delalloc
     * reservation of a discarded delayed buffer is given back ({@code
     * ext4_da_page_release_reservation}: the extent-status removal is idempotent, so truncate's
     * own release of the same range finds nothing left).
     */
    static void blockInvalidateFolio(BufferHeadPath p, Folio folio, int offset, int length) {
        BufferHead head = folioBuffers(folio);
        if (head == null) {
            return;
        }
        int stop = offset + length;
        if (stop > folio.size() || length < 0) {
            throw new IllegalArgumentException("invalidate " + offset + "+" + length + " of " + folio);
        }
        AddressSpace m = folio.mapping();
        Inode inode = m != null && m.host() instanceof Inode ? (Inode) m.host() : null;
        long firstLblk = folio.pos() >> p.bits;
        long relStart = -1;
        long relEnd = -1;
        int curr = 0;
        BufferHead bh = head;
        int i = 0;
        boolean whole = true;
        do {
            int next = curr + bh.size;
            if (next > stop) {
                whole = false;
                break;
            }
            if (offset <= curr) {
                if (bh.delay()) {
                    if (relStart < 0) {
                        relStart = firstLblk + i;
                    }
                    relEnd = firstLblk + i + 1;
                }
                discardBuffer(bh);
            }
            curr = next;
            bh = bh.thisPage;
            i++;
        } while (bh != head);
        if (inode != null && relStart >= 0) {
            try {
                p.fs.releaseDelayedBlocks(inode, relStart, relEnd - relStart);
            } catch (ErrnoException e) {
                throw new IllegalStateException("releasing delalloc blocks " + relStart + ".." + relEnd
                        + " of " + inode + ": " + e.getMessage(), e);
            }
        }
        if (whole && length == folio.size()) {
            tryToFreeBuffers(p, folio); // filemap_release_folio
        }
    }
}
