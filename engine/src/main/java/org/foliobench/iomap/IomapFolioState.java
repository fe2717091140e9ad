package org.foliobench.iomap;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.mm.KmemCache;
import org.foliobench.pagecache.Folio;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * {@code struct iomap_folio_state}: the per-block state of a folio holding more than one
 * filesystem block, attached as the folio's private data. One bitmap of {@code 2 * nrBlocks}
 * bits: uptodate bits first, then dirty bits ({@code ifs->state}); the bytes of reads and writes
 * in flight ({@code read_bytes_pending}, {@code write_bytes_pending}) decide when the folio's
 * read or writeback ends. Guarded by its own monitor ({@code state_lock}).
 *
 * <p>The kernel kzallocs the state with its bitmap inline, so its size class depends on the
 * blocks per folio; here each power of two of blocks per folio has its own {@link KmemCache}
 * ({@link Caches}, the kmalloc size classes), and a freed state goes back to its class.
 */
final class IomapFolioState {
    final int nrBlocks;
    final int blockBits;
    private final long[] state;
    private int readBytesPending;
    private int writeBytesPending;

    private IomapFolioState(int nrBlocks, int blockBits) {
        this.nrBlocks = nrBlocks;
        this.blockBits = blockBits;
        this.state = new long[(2 * nrBlocks + 63) >>> 6];
    }

    /**
     * The caches states come from, one per folio size in blocks (2, 4, ... up to the largest
     * folio's), each keeping at most as many free states as folios of that size fit in the page
     * cache; and {@code iomap.folio_state_alloc}, states handed out.
     */
    static final class Caches {
        final int blockBits;
        final LongAdder allocs;
        private final KmemCache<IomapFolioState>[] bySize;

        @SuppressWarnings("unchecked")
        Caches(int blockBits, int maxFolioOrder, long cachePages, Counters c) {
            this.blockBits = blockBits;
            this.allocs = c.counter(CounterNames.IOMAP_FOLIO_STATE_ALLOC);
            int maxBlocksShift = maxFolioOrder + Defaults.PAGE_SHIFT - blockBits;
            bySize = new KmemCache[Math.max(maxBlocksShift, 0) + 1];
            for (int shift = 1; shift <= maxBlocksShift; shift++) {
                int nr = 1 << shift;
                long folioPages = Math.max(1, ((long) nr << blockBits) >> Defaults.PAGE_SHIFT);
                int limit = (int) Math.min(Integer.MAX_VALUE - 8, cachePages / folioPages);
                bySize[shift] = KmemCache.create("iomap_folio_state_" + nr, limit,
                        () -> new IomapFolioState(nr, blockBits), c);
            }
        }

        /** {@code ifs_alloc}, see {@link IomapFolioState#alloc}. */
        IomapFolioState alloc(Folio folio) {
            return IomapFolioState.alloc(folio, this);
        }

        /**
         * {@code ifs_free}: detaches the folio's state (if any) and returns it to its cache. Its
         * reads and writes must be over: the folio is locked and not under writeback.
         */
        void free(Folio folio) {
            Object p = folio.detachPrivate();
            if (p instanceof IomapFolioState) {
                IomapFolioState ifs = (IomapFolioState) p;
                synchronized (ifs) {
                    if (ifs.readBytesPending != 0 || ifs.writeBytesPending != 0) {
                        throw new IllegalStateException("ifs_free of " + ifs + " with IO pending, " + folio);
                    }
                }
                int shift = Integer.numberOfTrailingZeros(ifs.nrBlocks);
                if (ifs.blockBits == blockBits && shift < bySize.length && bySize[shift] != null) {
                    bySize[shift].free(ifs);
                }
            }
        }

        /** The cache of states for folios of {@code nr} blocks (tests). */
        KmemCache<IomapFolioState> cache(int nr) {
            return bySize[Integer.numberOfTrailingZeros(nr)];
        }
    }

    /** {@code i_blocks_per_folio}. */
    static int blocksPerFolio(Folio folio, int blockBits) {
        return folio.size() >>> blockBits;
    }

    /** {@code folio->private} when it is our state, else null. */
    static IomapFolioState of(Folio folio) {
        Object p = folio.getPrivate();
        return p instanceof IomapFolioState ? (IomapFolioState) p : null;
    }

    /**
     * {@code ifs_alloc}: the folio's state, created (with the uptodate bits of an uptodate folio
     * set, the dirty bits of a dirty one) unless the folio holds one block only: then null.
     */
    static IomapFolioState alloc(Folio folio, Caches caches) {
        IomapFolioState ifs = of(folio);
        int nr = blocksPerFolio(folio, caches.blockBits);
        if (ifs != null || nr <= 1) {
            return ifs;
        }
        ifs = caches.bySize[Integer.numberOfTrailingZeros(nr)].alloc();
        ifs.reset();
        if (folio.isUptodate()) {
            ifs.setBits(0, nr);
        }
        if (folio.isDirty()) {
            ifs.setBits(nr, nr);
        }
        folio.attachPrivate(ifs);
        caches.allocs.increment();
        return ifs;
    }

    /** The kzalloc: no block uptodate or dirty, nothing pending. */
    private synchronized void reset() {
        java.util.Arrays.fill(state, 0);
        readBytesPending = 0;
        writeBytesPending = 0;
    }

    /** {@code bitmap_set}: a word at a time, as lib/bitmap.c does. */
    private void setBits(int first, int n) {
        for (int end = first + n, hi; first < end; first = hi) {
            hi = Math.min(end, (first | 63) + 1);
            state[first >>> 6] |= mask(first, hi - first);
        }
    }

    /** {@code bitmap_clear}. */
    private void clearBits(int first, int n) {
        for (int end = first + n, hi; first < end; first = hi) {
            hi = Math.min(end, (first | 63) + 1);
            state[first >>> 6] &= ~mask(first, hi - first);
        }
    }

    /** Bits {@code first & 63} to {@code first & 63 + len - 1} of a word, {@code 1 <= len <= 64 - (first & 63)}. */
    private static long mask(int first, int len) {
        return (len == 64 ? -1L : (1L << len) - 1) << (first & 63);
    }

    private boolean test(int i) {
        return (state[i >>> 6] & (1L << (i & 63))) != 0;
    }

    /** {@code bitmap_full} / {@code find_next_zero_bit} over the range: whole words compared. */
    private boolean allSet(int first, int n) {
        for (int end = first + n, hi; first < end; first = hi) {
            hi = Math.min(end, (first | 63) + 1);
            long m = mask(first, hi - first);
            if ((state[first >>> 6] & m) != m) {
                return false;
            }
        }
        return true;
    }

    /** {@code ifs_block_is_uptodate}. */
    synchronized boolean blockUptodate(int block) {
        return test(block);
    }

    /** {@code ifs_block_is_dirty}. */
    synchronized boolean blockDirty(int block) {
        return test(nrBlocks + block);
    }

    /** {@code ifs_is_fully_uptodate}. */
    synchronized boolean fullyUptodate() {
        return allSet(0, nrBlocks);
    }

    /** {@code ifs_set_range_uptodate}: returns whether every block is now uptodate. */
    synchronized boolean setRangeUptodate(int off, int len) {
        int first = off >>> blockBits;
        int last = (off + len - 1) >>> blockBits;
        setBits(first, last - first + 1);
        return allSet(0, nrBlocks);
    }

    /** {@code ifs_set_range_dirty}. */
    synchronized void setRangeDirty(int off, int len) {
        int first = off >>> blockBits;
        int last = (off + len - 1) >>> blockBits;
        setBits(nrBlocks + first, last - first + 1);
    }

    /** {@code ifs_clear_range_dirty}. */
    synchronized void clearRangeDirty(int off, int len) {
        int first = off >>> blockBits;
        int last = (off + len - 1) >>> blockBits;
        clearBits(nrBlocks + first, last - first + 1);
    }

    /** Blocks marked dirty (for tests and debugging). */
    synchronized int dirtyBlocks() {
        int n = 0;
        for (int i = 0; i < nrBlocks; i++) {
            if (test(nrBlocks + i)) {
                n++;
            }
        }
        return n;
    }

    /** Blocks marked uptodate (for tests and debugging). */
    synchronized int uptodateBlocks() {
        int n = 0;
        for (int i = 0; i < nrBlocks; i++) {
            if (test(i)) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@code ifs_find_dirty_range}: the first run of dirty blocks in {@code [off, end)} (byte
     * offsets in the folio) as {@code {start, length}} in bytes, or null.
     */
    synchronized int[] findDirtyRange(int off, int end) {
        int[] r = new int[2];
        return findDirtyRange(off, end, r) ? r : null;
    }

    /**
     * {@code iomap_find_dirty_range}: the first dirty run of blocks in {@code [off, end)} into
     * {@code out} as {@code {start, length}} (the kernel's {@code *range_start} and return value);
     * false when there is none.
     */
    synchronized boolean findDirtyRange(int off, int end, int[] out) {
        int first = off >>> blockBits;
        int last = (end - 1) >>> blockBits;
        int s = first;
        while (s <= last && !test(nrBlocks + s)) {
            s++;
        }
        if (s > last) {
            return false;
        }
        int e = s;
        while (e <= last && test(nrBlocks + e)) {
            e++;
        }
        out[0] = s << blockBits;
        out[1] = (e - s) << blockBits;
        return true;
    }

    synchronized void addReadPending(int bytes) {
        readBytesPending += bytes;
    }

    /**
     * {@code iomap_finish_folio_read} on our part: {@code bytes} finished (their blocks uptodate
     * unless {@code error}); returns 1 if the read is over and the folio uptodate, -1 if over and
     * not uptodate, 0 while reads are pending.
     */
    synchronized int finishRead(int off, int bytes, boolean error) {
        if (!error && bytes > 0 && off >= 0) {
            setRangeUptodate(off, bytes);
        }
        readBytesPending -= bytes;
        if (readBytesPending < 0) {
            throw new IllegalStateException("read_bytes_pending underflow");
        }
        if (readBytesPending > 0) {
            return 0;
        }
        return allSet(0, nrBlocks) ? 1 : -1;
    }

    synchronized void addWritePending(int bytes) {
        writeBytesPending += bytes;
    }

    /** {@code atomic_sub_and_test(len, &ifs->write_bytes_pending)}. */
    synchronized boolean subWritePending(int bytes) {
        writeBytesPending -= bytes;
        if (writeBytesPending < 0) {
            throw new IllegalStateException("write_bytes_pending underflow");
        }
        return writeBytesPending == 0;
    }

    synchronized int writeBytesPending() {
        return writeBytesPending;
    }

    synchronized int readBytesPending() {
        return readBytesPending;
    }

    @Override
    public synchronized String toString() {
        return "ifs[blocks=" + nrBlocks + " uptodate=" + uptodateBlocks() + " dirty=" + dirtyBlocks()
                + " rpend=" + readBytesPending + " wpend=" + writeBytesPending + "]";
    }
}
