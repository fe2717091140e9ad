package org.foliobench.pagecache;

import java.io.IOException;
import org.foliobench.Defaults;

/**
 * mm/readahead.c: on-demand readahead. A sequential stream starts with a small window
 * ({@code get_init_ra_size}) and, each time the reader reaches the folio marked
 * {@code PG_readahead}, submits the next window ramped up by {@code get_next_ra_size} until
 * {@code ra_pages}. For mappings with large folios the window is allocated in folios of
 * {@code ra->order}, which grows by 2 each window ({@code page_cache_ra_order}).
 *
 * <p>Folios are inserted locked and not uptodate, and handed to {@code ->readahead}; the path
 * completes them with {@link Folio#endRead(boolean)}.
 */
final class Readahead {
    private Readahead() {
    }

    /** {@code get_init_ra_size}. */
    static long getInitRaSize(long size, long max) {
        long newsize = size <= 1 ? 1 : Long.highestOneBit(size - 1) << 1; // roundup_pow_of_two
        if (newsize <= max / 32) {
            newsize = newsize * 4;
        } else if (newsize <= max / 4) {
            newsize = newsize * 2;
        } else {
            newsize = max;
        }
        return newsize;
    }

    /** {@code get_next_ra_size}. */
    static long getNextRaSize(FileRaState ra, long max) {
        long cur = ra.size;
        if (cur < max / 16) {
            return 4 * cur;
        }
        if (cur <= max / 2) {
            return 2 * cur;
        }
        return max;
    }

    /** {@code ractl_max_pages}: a request larger than the window may read up to io_pages. */
    static long maxPages(AddressSpace mapping, FileRaState ra, long reqSize) {
        long max = ra.raPages;
        int io = mapping.cache.ioPages();
        if (reqSize > max && io > max) {
            max = Math.min(reqSize, io);
        }
        return max;
    }

    /**
     * {@code page_cache_sync_ra}: a read of {@code reqCount} pages at {@code index} missed the
     * cache. Starts a window for a sequential stream (or the start of the file, or an oversized
     * read); reads just the request for a small random read.
     */
    static void pageCacheSyncReadahead(AddressSpace mapping, FileRaState ra, long index, long reqCount,
            long iSize) throws IOException {
        ReadaheadControl ractl = ReadaheadControl.get(mapping, ra, index);
        try {
            syncReadahead(ractl, mapping, ra, index, reqCount, iSize);
        } finally {
            ractl.release();
        }
    }

    private static void syncReadahead(ReadaheadControl ractl, AddressSpace mapping, FileRaState ra, long index,
            long reqCount, long iSize) throws IOException {
        mapping.cache.raSyncCalls.increment();
        if (ra.raPages == 0) {
            // readahead disabled: force_page_cache_ra() of the one page that missed
            doPageCacheRa(ractl, 1, 0, iSize);
            return;
        }
        long maxPages = maxPages(mapping, ra, reqCount);
        long prevIndex = ra.prevPos < 0 ? -1 : ra.prevPos >>> Defaults.PAGE_SHIFT;
        if (index == 0 || reqCount > maxPages || index - prevIndex <= 1) {
            ra.start = index;
            ra.size = (int) getInitRaSize(reqCount, maxPages);
            ra.asyncSize = (int) (ra.size > reqCount ? ra.size - reqCount : ra.size >> 1);
        } else {
            // look for the traces a sequential stream would leave behind
            long miss;
            synchronized (mapping.xaLock) {
                miss = mapping.iPages.prevMiss(index - 1, maxPages);
            }
            long contig = index - miss - 1;
            if (contig <= reqCount) {
                // standalone, small random read
                doPageCacheRa(ractl, reqCount, 0, iSize);
                return;
            }
            if (miss == -1) {
                contig *= 2; // cached from the start: a long-run stream
            }
            ra.start = index;
            ra.size = (int) Math.min(contig + reqCount, maxPages);
            ra.asyncSize = 1;
        }
        ra.order = 0;
        ractl.index = ra.start;
        pageCacheRaOrder(ractl, ra, iSize);
    }

    /**
     * {@code page_cache_async_ra}: the reader hit {@code folio}, marked {@code PG_readahead}.
     * Pushes the window forward (ramped up) and submits it without waiting.
     */
    static void pageCacheAsyncReadahead(AddressSpace mapping, FileRaState ra, Folio folio, long reqCount,
            long iSize) throws IOException {
        if (ra.raPages == 0) {
            return;
        }
        if (folio.isWriteback()) {
            return;
        }
        folio.testClearReadahead();
        mapping.cache.raAsyncCalls.increment();
        long index = folio.index();
        long maxPages = maxPages(mapping, ra, reqCount);
        long nr = folio.nrPages();
        long expected = (ra.start + ra.size - ra.asyncSize) / nr * nr;
        if (index == expected) {
            ra.start += ra.size;
            ra.size = (int) Math.max(ra.size, getNextRaSize(ra, maxPages));
            ra.asyncSize = ra.size;
        } else {
            // a marked folio without matching state (interleaved streams): ask the cache
            long start;
            synchronized (mapping.xaLock) {
                start = mapping.iPages.nextMiss(index + 1, maxPages);
            }
            if (start == 0 || start - index > maxPages) {
                return;
            }
            ra.start = start;
            ra.size = (int) (start - index);
            ra.size += (int) reqCount;
            ra.size = (int) getNextRaSize(ra, maxPages);
            ra.asyncSize = ra.size;
        }
        ra.order += 2;
        ReadaheadControl ractl = ReadaheadControl.get(mapping, ra, ra.start);
        try {
            pageCacheRaOrder(ractl, ra, iSize);
        } finally {
            ractl.release();
        }
    }

    /**
     * {@code page_cache_ra_order}: the window in folios of {@code ra->order} (clamped to the
     * mapping's max and to the window, stored back; each folio further lowered to its index's
     * alignment and so that no folio crosses EOF), the marker set on the folio holding
     * {@code start + size - async_size}. Falls back to order-0 readahead for mappings without
     * large folios, small windows and when a folio could not be allocated or inserted.
     *
     * <p>As in kernels with {@code file_ra_state.order} (6.17+): sync readahead restarts at order
     * 0 and every async window adds 2, so the order keeps growing even when the marker folio was
     * cut down by alignment (6.10 derived it from the marker folio's order and could stall).
     */
    static void pageCacheRaOrder(ReadaheadControl ractl, FileRaState ra, long iSize) throws IOException {
        int newOrder = ra.order;
        AddressSpace mapping = ractl.mapping;
        long start = ractl.index;
        long index = start;
        if (iSize <= 0) {
            return;
        }
        long limit = (iSize - 1) >>> Defaults.PAGE_SHIFT;
        long mark = index + ra.size - ra.asyncSize;
        if (!mapping.largeFolioSupport() || ra.size < 4) {
            ra.order = 0;
            doPageCacheRa(ractl, ra.size, ra.asyncSize, iSize);
            return;
        }
        limit = Math.min(limit, index + ra.size - 1);
        int max = mapping.maxFolioOrder();
        newOrder = Math.min(max, newOrder);
        newOrder = Math.min(newOrder, 63 - Long.numberOfLeadingZeros(ra.size));
        ra.order = newOrder;
        boolean err = false;
        mapping.invalidateLock().readLock().lock();
        try {
            while (index <= limit) {
                int order = newOrder;
                if ((index & ((1L << order) - 1)) != 0) {
                    order = Long.numberOfTrailingZeros(index);
                }
                while (order > 0 && index + (1L << order) - 1 > limit) {
                    order--;
                }
                if (!raAllocFolio(ractl, index, mark, order)) {
                    err = true;
                    break;
                }
                index += 1L << order;
            }
            readPages(ractl);
        } finally {
            mapping.invalidateLock().readLock().unlock();
        }
        if (!err) {
            return;
        }
        // fill the gaps around already cached folios with order-0 readahead
        doPageCacheRa(ractl, ra.size - (index - start), ra.asyncSize, iSize);
    }

    /** {@code ra_alloc_folio}. */
    private static boolean raAllocFolio(ReadaheadControl ractl, long index, long mark, int order) {
        Folio folio = ractl.mapping.cache.allocFolio(order, true);
        if (folio == null) {
            return false;
        }
        mark = mark / (1L << order) * (1L << order);
        if (index == mark) {
            folio.setReadahead();
        }
        if (!ractl.mapping.filemapAddFolio(folio, index)) {
            folio.testClearReadahead();
            folio.put();
            return false;
        }
        ractl.nrPages += 1 << order;
        ractl.mapping.cache.raPagesCounter.add(1L << order);
        return true;
    }

    /** {@code do_page_cache_ra}: clamps to EOF, then {@code page_cache_ra_unbounded}. */
    static void doPageCacheRa(ReadaheadControl ractl, long nrToRead, long lookaheadSize, long iSize)
            throws IOException {
        if (iSize <= 0) {
            return;
        }
        long endIndex = (iSize - 1) >>> Defaults.PAGE_SHIFT;
        long index = ractl.index;
        if (index > endIndex) {
            return;
        }
        if (nrToRead > endIndex - index) {
            nrToRead = endIndex - index + 1;
        }
        pageCacheRaUnbounded(ractl, nrToRead, lookaheadSize);
    }

    /**
     * {@code page_cache_ra_unbounded}: order-0 folios for {@code [index, index + nrToRead)},
     * skipping (and submitting the batch before) pages already cached; the page at
     * {@code nrToRead - lookaheadSize} gets the readahead marker.
     */
    static void pageCacheRaUnbounded(ReadaheadControl ractl, long nrToRead, long lookaheadSize) throws IOException {
        AddressSpace mapping = ractl.mapping;
        long index = ractl.index;
        long mark = nrToRead - lookaheadSize;
        mapping.invalidateLock().readLock().lock();
        try {
            for (long i = 0; i < nrToRead; i++) {
                long idx = index + i;
                Folio cached = mapping.getEntry(idx);
                if (cached != null) {
                    long next = cached.nextIndex();
                    cached.put();
                    // a cached folio ends the batch: submit what we have and skip it
                    readPages(ractl);
                    ractl.index = next;
                    i = next - index - 1;
                    continue;
                }
                Folio folio = mapping.cache.allocFolio(0, true);
                if (folio == null) {
                    break;
                }
                if (i == mark) {
                    folio.setReadahead();
                }
                if (!mapping.filemapAddFolio(folio, idx)) {
                    folio.testClearReadahead();
                    folio.put();
                    readPages(ractl);
                    ractl.index = idx + 1;
                    continue;
                }
                ractl.nrPages++;
                mapping.cache.raPagesCounter.increment();
            }
            readPages(ractl);
        } finally {
            mapping.invalidateLock().readLock().unlock();
        }
    }

    /**
     * {@code read_pages}: hands the batch to {@code ->readahead}; folios the path did not take
     * are unlocked, and dropped when they belong to the async part of the window.
     */
    static void readPages(ReadaheadControl rac) throws IOException {
        if (rac.nrPages == 0) {
            return;
        }
        rac.mapping.cache.raBatches.increment();
        IOException err = null;
        try {
            rac.mapping.aops.readahead(rac);
        } catch (IOException e) {
            err = e;
        }
        // pages the filesystem left behind
        Folio folio;
        while ((folio = rac.readaheadFolio()) != null) {
            folio.get();
            int nr = folio.nrPages();
            if (rac.ra != null) {
                rac.ra.size -= nr;
                if (rac.ra.asyncSize >= nr) {
                    rac.ra.asyncSize -= nr;
                    rac.mapping.filemapRemoveFolio(folio);
                }
            }
            folio.unlock();
            folio.put();
        }
        rac.batchCount = 0;
        rac.nrPages = 0;
        if (err != null) {
            throw err;
        }
    }
}
