package org.foliobench.pagecache;

import java.io.IOException;
import org.foliobench.Defaults;

/**
 * The generic writeback helpers of mm/page-writeback.c that both IO paths use:
 * {@link #writebackIter} / {@link #writeCachePages} (the tagged walk over dirty folios) and
 * {@link #balanceDirtyPagesRatelimited} (dirty throttling).
 */
public final class Writeback {
    /** {@code FOLIO_BATCH_SIZE}. */
    static final int FOLIO_BATCH_SIZE = 31;

    private Writeback() {
    }

    /** A path's per-folio writeback callback for {@link #writeCachePages}. */
    @FunctionalInterface
    interface WritepageFn {
        /**
         * Writes one locked folio whose dirty bit was cleared for io: call
         * {@link Folio#startWriteback()}, unlock it, and submit (or queue) its IO. The folio must
         * be unlocked on return, also when throwing (redirty it first if its data was not written).
         */
        void writeFolio(Folio folio, WritebackControl wbc) throws IOException;
    }

    /**
     * {@code writeback_iter}: iterate the folios to write back. Call first with
     * {@code folio == null}; then with the folio just handled and the error its write returned
     * (null on success). Returns the next folio, locked, dirty bit cleared for io
     * ({@code folio_prepare_writeback}), or null when done; the first error is then
     * {@link WritebackControl#error()}.
     *
     * <p>Walks DIRTY-marked folios for WB_SYNC_NONE, or TOWRITE after tagging the range first for
     * WB_SYNC_ALL (so new dirtying cannot livelock fsync). WB_SYNC_NONE skips folios under
     * writeback and stops at {@code nr_to_write} or the first error; WB_SYNC_ALL waits for
     * writeback and goes on to the end of the range.
     */
    public static Folio writebackIter(AddressSpace mapping, WritebackControl wbc, Folio folio, IOException error) {
        if (folio == null) {
            wbc.savedErr = null;
            wbc.iterDone = false;
            wbc.fbatch.clear();
            wbc.fbatchPos = 0;
            if (wbc.rangeCyclic) {
                wbc.iterIndex = mapping.writebackIndex;
                wbc.iterEnd = Long.MAX_VALUE;
            } else {
                wbc.iterIndex = wbc.rangeStart >>> Defaults.PAGE_SHIFT;
                wbc.iterEnd = wbc.rangeEnd == Long.MAX_VALUE ? Long.MAX_VALUE : wbc.rangeEnd >>> Defaults.PAGE_SHIFT;
            }
            if (wbc.isSyncAll() || wbc.taggedWritepages) {
                mapping.tagPagesForWriteback(wbc.iterIndex, wbc.iterEnd);
                wbc.iterTag = XArray.TOWRITE;
            } else {
                wbc.iterTag = XArray.DIRTY;
            }
            wbc.iterStarted = true;
        } else {
            wbc.nrToWrite -= folio.nrPages();
            if (error != null && wbc.savedErr == null) {
                wbc.savedErr = error;
            }
            if (!wbc.isSyncAll() && (wbc.savedErr != null || wbc.nrToWrite <= 0)) {
                if (wbc.rangeCyclic) {
                    mapping.writebackIndex = folio.nextIndex();
                }
                finish(wbc);
                return null;
            }
        }
        Folio next = getFolio(mapping, wbc);
        if (next == null) {
            if (wbc.rangeCyclic) {
                mapping.writebackIndex = 0;
            }
            finish(wbc);
        }
        return next;
    }

    static void finish(WritebackControl wbc) {
        // release the batch: the folio handed out last and those never handed out
        for (int i = Math.max(0, wbc.fbatchPos - 1); i < wbc.fbatch.size(); i++) {
            wbc.fbatch.get(i).put();
        }
        wbc.fbatch.clear();
        wbc.fbatchPos = 0;
        wbc.iterDone = true;
        wbc.iterStarted = false;
    }

    /** {@code writeback_get_folio}. */
    private static Folio getFolio(AddressSpace mapping, WritebackControl wbc) {
        for (;;) {
            if (wbc.fbatchPos > 0) {
                wbc.fbatch.get(wbc.fbatchPos - 1).put(); // the previous folio's batch reference
                wbc.fbatch.set(wbc.fbatchPos - 1, null);
            }
            if (wbc.fbatchPos >= wbc.fbatch.size()) {
                wbc.fbatch.clear();
                wbc.fbatchPos = 0;
                if (wbc.iterIndex > wbc.iterEnd || wbc.iterIndex < 0) {
                    return null;
                }
                wbc.iterIndex = mapping.getFoliosTag(wbc.iterIndex, wbc.iterEnd, wbc.iterTag, FOLIO_BATCH_SIZE,
                        wbc.fbatch);
                if (wbc.fbatch.isEmpty()) {
                    return null;
                }
            }
            Folio f = wbc.fbatch.get(wbc.fbatchPos++);
            f.lock();
            if (prepareWriteback(mapping, wbc, f)) {
                return f;
            }
            f.unlock();
        }
    }

    /** {@code folio_prepare_writeback}. */
    private static boolean prepareWriteback(AddressSpace mapping, WritebackControl wbc, Folio f) {
        if (f.mapping() != mapping) {
            return false;
        }
        if (!f.isDirty()) {
            return false;
        }
        if (f.isWriteback()) {
            if (!wbc.isSyncAll()) {
                return false;
            }
            f.waitWriteback();
        }
        return f.clearDirtyForIo();
    }

    /**
     * {@code write_cache_pages}: {@link #writebackIter} with a per-folio callback; throws the
     * first error once the walk is over (WB_SYNC_ALL) or at once (WB_SYNC_NONE).
     */
    static void writeCachePages(AddressSpace mapping, WritebackControl wbc, WritepageFn fn) throws IOException {
        Folio folio = null;
        IOException err = null;
        while ((folio = writebackIter(mapping, wbc, folio, err)) != null) {
            try {
                fn.writeFolio(folio, wbc);
                err = null;
            } catch (IOException e) {
                err = e; // the callback unlocked the folio, as ->writepage must even on error
            }
        }
        if (wbc.error() != null) {
            throw wbc.error();
        }
    }

    /**
     * {@code balance_dirty_pages_ratelimited}: every writer calls this after dirtying folios. It
     * returns at once until the thread dirtied its ratelimit; then it may pause the writer until
     * the flusher's writeback made progress ({@code writeback.throttle_pauses}).
     */
    public static void balanceDirtyPagesRatelimited(AddressSpace mapping) {
        mapping.cache.balanceDirtyPagesRatelimited(mapping);
    }
}
