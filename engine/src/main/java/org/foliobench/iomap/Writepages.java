package org.foliobench.iomap;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BlkPlug;
import org.foliobench.fs.Inode;
import org.foliobench.mm.KmemCache;
import org.foliobench.mm.OnStack;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.Writeback;
import org.foliobench.pagecache.WritebackControl;

/**
 * {@code iomap_writepages} and its helpers (fs/iomap/buffered-io.c, fs/iomap/ioend.c): walk the
 * dirty folios, map their dirty block ranges, and pack file- and disk-contiguous ranges of one
 * type into ioends.
 *
 * <p>One difference from the kernel, forced by synchronous devices (the RamDisk, like brd,
 * completes a bio inside {@code submit}; a device with a request queue completes it later, on its
 * IO thread): bios are built with the folio locked but submitted only after
 * {@code iomap_writepage_map} unlocked it. Completion is the kernel's: an ioend ends when its
 * last bio did (on whichever thread ended it), either at once ({@code iomap_finish_ioends}) or,
 * when the filesystem asked for it in {@code ->prepare_ioend}, through the filesystem's
 * {@code endBio}, which queues it to a completion worker. {@code ->writepages} does not wait for
 * its ioends: data integrity callers wait on folio writeback, which ends only after completion.
 */
final class Writepages {
    private final BufferedIo io;
    /** {@code iomap_ioend_bioset}: every ioend, freed by {@link #finishIoend}. */
    final KmemCache<IomapIoend> ioendCache;
    /** The writepage context on the caller's stack: the thread's (it refers to no mapping between calls). */
    private static final OnStack<WritepageCtx> CTX = new OnStack<>();

    Writepages(BufferedIo io, org.foliobench.stats.Counters c) {
        this.io = io;
        this.ioendCache = KmemCache.create("iomap_ioend", Defaults.SLAB_FREE_OBJECTS, IomapIoend::new, c);
    }

    /** {@code iomap_writepages}, with the thread's writepage context. */
    void writepages(AddressSpace mapping, WritebackControl wbc, WritebackOps ops) throws IOException {
        WritepageCtx wpc = CTX.take();
        if (wpc == null) {
            wpc = new WritepageCtx();
        }
        BlkPlug plug = BlkPlug.start(io.dev, mapping.cache().options().maxSectorsKb());
        try {
            writepages(wpc.init(mapping, wbc, ops, plug), wbc);
        } finally {
            wpc.release();
            CTX.put(wpc);
        }
    }

    private void writepages(WritepageCtx wpc, WritebackControl wbc) throws IOException {
        AddressSpace mapping = wpc.mapping;
        BlkPlug plug = wpc.plug;
        Folio folio = null;
        IOException err = null;
        try {
            while ((folio = Writeback.writebackIter(mapping, wbc, folio, err)) != null) {
                err = writepageMap(wpc, wbc, folio);
                flushSubmissions(wpc);
            }
            sealIoend(wpc, err);
            flushSubmissions(wpc);
        } finally {
            try {
                sealIoend(wpc, null);
                flushSubmissions(wpc);
            } finally {
                plug.finish();
            }
        }
        if (wbc.error() != null) {
            throw wbc.error();
        }
    }

    /** {@code iomap_writepage_handle_eof}: false when the folio lies wholly beyond i_size. */
    private long handleEof(Folio folio, Inode inode, long endPos) {
        long isize = inode.size();
        if (endPos > isize) {
            if (folio.pos() >= isize) {
                return -1;
            }
            int poff = (int) (isize - folio.pos());
            folio.zero(poff, folio.size() - poff);
            endPos = (isize + io.blockSize - 1) & ~(long) (io.blockSize - 1);
        }
        return endPos;
    }

    /**
     * {@code iomap_writepage_map}: the folio is locked and cleaned for IO; start writeback, add its
     * dirty block ranges to ioends, unlock. Returns the mapping error, if any.
     */
    private IOException writepageMap(WritepageCtx wpc, WritebackControl wbc, Folio folio) {
        AddressSpace mapping = wpc.mapping;
        Inode inode = (Inode) mapping.host();
        long pos = folio.pos();
        long endPos = handleEof(folio, inode, pos + folio.size());
        if (endPos < 0) {
            folio.unlock();
            return null;
        }
        IomapFolioState ifs = IomapFolioState.of(folio);
        if (IomapFolioState.blocksPerFolio(folio, io.blockBits) > 1) {
            if (ifs == null) {
                ifs = io.ifsCache.alloc(folio);
                ifs.setRangeDirty(0, (int) (endPos - pos));
            }
            ifs.addWritePending(1); // bias: no completion ends writeback before we are done
        }
        folio.startWriteback();
        int[] count = wpc.count;
        count[0] = 0;
        IOException error = null;
        int off = 0;
        int end = (int) (endPos - pos);
        int[] r = wpc.range;
        try {
            while (off < end) {
                if (ifs != null) {
                    if (!ifs.findDirtyRange(off, end, r)) {
                        break;
                    }
                } else {
                    r[0] = off;
                    r[1] = end - off;
                }
                error = mapBlocks(wpc, folio, inode, pos + r[0], r[1], count);
                if (error != null) {
                    break;
                }
                off = r[0] + r[1];
            }
        } catch (RuntimeException e) {
            error = new ErrnoException(Errno.EIO, "writeback of " + folio + " failed: " + e);
        }
        if (count[0] > 0) {
            wpc.nrFolios++;
        }
        if (ifs != null) {
            ifs.clearRangeDirty(0, folio.size());
        }
        folio.unlock();
        if (ifs != null) {
            if (ifs.subWritePending(1)) {
                folio.endWriteback();
            }
        } else if (count[0] == 0) {
            folio.endWriteback();
        }
        if (error != null) {
            mapping.mappingSetError(error instanceof ErrnoException ? ((ErrnoException) error).errno() : Errno.EIO);
        }
        return error;
    }

    /** {@code iomap_writepage_map_blocks}. */
    private IOException mapBlocks(WritepageCtx wpc, Folio folio, Inode inode, long pos, int dirtyLen, int[] count) {
        try {
            do {
                wpc.ops.mapBlocks(wpc, inode, pos, dirtyLen);
                int mapLen = (int) Math.min(dirtyLen, wpc.iomap.end() - pos);
                switch (wpc.iomap.type) {
                    case HOLE:
                        break;
                    case DELALLOC:
                        // ->map_blocks allocates delalloc under the folio lock: one left is a bug
                        throw new ErrnoException(Errno.EIO, "->map_blocks left delalloc at " + pos + " of "
                                + inode + " unallocated");
                    default:
                        addToIoend(wpc, folio, inode, pos, mapLen);
                        count[0]++;
                        break;
                }
                dirtyLen -= mapLen;
                pos += mapLen;
            } while (dirtyLen > 0);
            return null;
        } catch (IOException e) {
            wpc.ops.discardFolio(folio, pos);
            return e;
        }
    }

    /** {@code iomap_can_add_to_ioend}. */
    private static boolean canAddToIoend(WritepageCtx wpc, long pos) {
        IomapIoend ioend = wpc.ioend;
        if ((wpc.iomap.flags & Iomap.F_SHARED) != (ioend.flags & Iomap.F_SHARED)) {
            return false;
        }
        if (wpc.iomap.type != ioend.type) {
            return false;
        }
        if (pos != ioend.offset + ioend.size) {
            return false;
        }
        if (wpc.iomap.sector(pos) != ioend.endSector()) {
            return false;
        }
        return wpc.nrFolios < BufferedIo.IOEND_BATCH_SIZE;
    }

    /** {@code iomap_add_to_ioend}: {@code len} bytes of the folio at {@code pos}. */
    private void addToIoend(WritepageCtx wpc, Folio folio, Inode inode, long pos, int len) {
        if (wpc.ioend == null || !canAddToIoend(wpc, pos)) {
            sealIoend(wpc, null);
            IomapIoend ioend = ioendCache.alloc().init(inode, wpc.mapping, wpc.iomap.type,
                    wpc.iomap.flags & Iomap.F_SHARED, pos, wpc.iomap.sector(pos));
            io.ioends.increment();
            wpc.ioend = ioend;
            wpc.nrFolios = 0;
        } else {
            io.ioendMerges.increment();
        }
        IomapIoend ioend = wpc.ioend;
        long maxBio = BufferedIo.MAX_BIO_BYTES;
        int off = (int) (pos - folio.pos());
        int done = 0;
        while (done < len) {
            if (ioend.bio == null || ioend.bio.size() >= maxBio) {
                chainBio(wpc, ioend);
            }
            int n = (int) Math.min(len - done, maxBio - ioend.bio.size());
            if (!ioend.bio.addSegment(folio.mem(), folio.memOffset() + off + done, n)) {
                chainBio(wpc, ioend);
                continue;
            }
            done += n;
        }
        IomapFolioState ifs = IomapFolioState.of(folio);
        if (ifs != null) {
            ifs.addWritePending(len);
        }
        ioend.size += len;
        ioend.addFolio(folio, len);
    }

    /** Start the ioend's next bio (the previous one is queued for submission): a bio chain. */
    private void chainBio(WritepageCtx wpc, IomapIoend ioend) {
        long sector = ioend.bio != null ? ioend.bio.endSector() : ioend.endSector();
        if (ioend.bio != null) {
            queueBio(wpc, ioend);
        }
        Bio bio = io.bioSet.alloc(Bio.Op.WRITE, sector);
        ioend.remaining.incrementAndGet();
        bio.privateData(ioend).endIo(writeEndBio);
        ioend.bio = bio;
    }

    /** {@code iomap_writepage_end_bio}: one bio of the ioend's chain ended; the last ends the ioend. Then {@code bio_put}. */
    private void writeEndBio(Bio b) {
        IomapIoend ioend = (IomapIoend) b.privateData();
        IOException status = b.status();
        b.put();
        if (status != null && ioend.status == null) {
            ioend.status = status;
        }
        if (ioend.remaining.decrementAndGet() == 0) {
            ioendDone(ioend);
        }
    }

    /** {@link #writeEndBio}, bound once. */
    private final java.util.function.Consumer<Bio> writeEndBio = this::writeEndBio;

    private static void queueBio(WritepageCtx wpc, IomapIoend ioend) {
        wpc.toSubmit.add(ioend.bio);
        wpc.toSubmitOwner.add(ioend);
        ioend.bio = null;
    }

    /** {@code iomap_submit_ioend}: the current ioend is complete; submit it (after the folio unlock). */
    private void sealIoend(WritepageCtx wpc, IOException error) {
        IomapIoend ioend = wpc.ioend;
        if (ioend == null) {
            return;
        }
        wpc.ioend = null;
        if (error != null) {
            ioend.status = error;
        }
        wpc.ops.prepareIoend(ioend);
        ioend.ops = wpc.ops;
        if (ioend.bio != null) {
            queueBio(wpc, ioend);
        }
        wpc.sealed.add(ioend);
    }

    /** Submit the queued bios through the plug, then drop the bias of the sealed ioends. */
    private void flushSubmissions(WritepageCtx wpc) {
        for (int i = 0; i < wpc.toSubmit.size(); i++) {
            Bio bio = wpc.toSubmit.get(i);
            IomapIoend owner = wpc.toSubmitOwner.get(i);
            if (owner.status != null && bio.segments() > 0) {
                bio.complete(owner.status); // a failed ioend's bios end with its error, unsubmitted
            } else {
                io.accountBio(bio);
                try {
                    wpc.plug.submit(bio);
                } catch (RuntimeException e) {
                    // a bio the device refuses (a bug): fail it rather than leave folios under writeback
                    if (!bio.isDone()) {
                        bio.complete(new java.io.IOException("bio refused by the block layer: " + e.getMessage(), e));
                    }
                }
            }
        }
        wpc.toSubmit.clear();
        wpc.toSubmitOwner.clear();
        for (int i = 0; i < wpc.sealed.size(); i++) {
            IomapIoend ioend = wpc.sealed.get(i);
            if (ioend.remaining.decrementAndGet() == 0) {
                ioendDone(ioend);
            }
        }
        wpc.sealed.clear();
    }

    /**
     * The ioend's bio chain completed and it was submitted ({@code iomap_writepage_end_bio}, or
     * ext4's {@code ext4_iomap_end_bio} when {@code ->prepare_ioend} deferred it): finish it now in
     * this thread, or hand it to the filesystem's completion worker.
     */
    private void ioendDone(IomapIoend ioend) {
        if (ioend.deferEndIo) {
            ioend.ops.endBio(ioend);
            return;
        }
        finishIoend(ioend.mapping, ioend, ioend.status);
    }

    /**
     * {@code iomap_finish_ioends}: {@code iomap_finish_ioend} of the ioend and of those merged into
     * it (per folio, drop its pending write bytes and end its writeback with the last; an error goes
     * to the mapping's errseq), then each goes back to the ioend cache.
     */
    void finishIoend(AddressSpace mapping, IomapIoend ioend, IOException error) {
        finishOne(mapping, ioend, error);
        for (int i = 0; i < ioend.merged.size(); i++) {
            IomapIoend m = ioend.merged.get(i);
            finishOne(mapping, m, error != null ? error : m.status);
            m.free();
            ioendCache.free(m);
        }
        ioend.free();
        ioendCache.free(ioend);
    }

    private static void finishOne(AddressSpace mapping, IomapIoend ioend, IOException error) {
        ioend.live();
        if (error != null) {
            mapping.mappingSetError(error instanceof ErrnoException ? ((ErrnoException) error).errno() : Errno.EIO);
        }
        for (int i = 0; i < ioend.folios.size(); i++) {
            Folio folio = ioend.folios.get(i);
            IomapFolioState ifs = IomapFolioState.of(folio);
            if (ifs == null || ifs.subWritePending(ioend.lens[i])) {
                folio.endWriteback();
            }
        }
    }
}
