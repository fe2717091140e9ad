package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * The page cache's global state, the kernel's memory node ({@code pg_data_t}) plus its one
 * backing-device writeback ({@code struct bdi_writeback}): the folio allocator over a bounded
 * {@link PageArena}, the file LRU and reclaim, the global {@code NR_FILE_DIRTY} /
 * {@code NR_WRITEBACK} page counts, the dirty thresholds and the flusher thread
 * ({@link BdiWriteback}). Mappings ({@link AddressSpace}) are created here, one per inode.
 *
 * <p>Close it to stop the flusher; dirty data not written back by then stays in memory only.
 */
public final class PageCache implements AutoCloseable {
    /** {@code SWAP_CLUSTER_MAX}: pages one reclaim pass tries to free. */
    static final int SWAP_CLUSTER_MAX = 32;

    final PageCacheOptions opts;
    final Counters counters;
    final PageArena arena;
    /** {@code radix_tree_node_cachep}: the nodes of every mapping's xarray. */
    final KmemCache<Object> xaNodes;
    final BdiWriteback wb;
    private final Set<AddressSpace> mappings = ConcurrentHashMap.newKeySet();

    // file LRU, most recent at the head (lruvec + lru_lock)
    private final Object lruLock = new Object();
    private Folio lruHead;
    private Folio lruTail;
    private long lruPages;

    // vmstat
    final AtomicLong nrFileDirty = new AtomicLong();
    final AtomicLong nrWriteback = new AtomicLong();
    final AtomicLong nrWritten = new AtomicLong();
    /** Per-cpu {@code bdp_ratelimits}, approximated by one counter. */
    final AtomicLong bdpRatelimits = new AtomicLong();
    final int ratelimitPages;
    volatile boolean dirtyExceeded;

    /**
     * {@code domain_dirty_limits()} of the global domain in pages: the dirtyable memory is the
     * arena, fixed at creation, so they are computed once ({@link #dirtyLimits}).
     */
    final long bgThresh;
    final long dirtyThresh;

    /**
     * Writeback progress: folio_end_writeback and the flusher wake throttled writers and reclaim
     * waiting on this monitor (a monitor's wait queue lives outside the Java heap, so a pause
     * allocates nothing, unlike a {@code Condition}'s node per wait).
     */
    private final Object progress = new Object();
    volatile int progressWaiters;

    final LongAdder pagesDirtied;
    final LongAdder pagesWritten;
    final LongAdder throttlePauses;
    final LongAdder throttleWaitNs;
    final LongAdder reclaimedPages;
    final LongAdder reclaimScanned;
    final LongAdder reclaimStalls;
    final LongAdder raSyncCalls;
    /** A reader found the folio it wants locked (a read in flight) and slept until the read ended. */
    final LongAdder readLockedWaits;
    /** Time readers slept in those waits ({@code folio_wait_locked} under {@code filemap_update_page}). */
    final LongAdder readLockedWaitNs;
    final LongAdder raAsyncCalls;
    final LongAdder raPagesCounter;
    final LongAdder raBatches;

    static final class DirtyTask {
        /** {@code current->nr_dirtied}. */
        long nrDirtied;
        /** {@code current->nr_dirtied_pause}: 128 KiB worth at first. */
        long nrDirtiedPause = 128 >> (Defaults.PAGE_SHIFT - 10);
        // what a pause of balance_dirty_pages or of reclaim waits for (locals on the kernel's stack)
        long startWritten;
        long pagesDirtied;
        long freerun;
        long reclaimWritten;
    }

    /** The conditions those pauses wait for, bound once; the waiting thread evaluates them on its own task. */
    private final Cond untilUnderThresh = this::underThresh;
    private final Cond untilPaced = this::paced;
    private final Cond untilWritten = this::written;

    /** Dirty and writeback pages back under the hard limit. */
    private boolean underThresh() {
        return nrFileDirty.get() + nrWriteback.get() <= dirtyThresh || flusherCannotHelp();
    }

    /** Writeback completed what this writer dirtied, or the dirty pages fell under the freerun ceiling. */
    private boolean paced() {
        DirtyTask t = task.get();
        return nrWritten.get() - t.startWritten >= t.pagesDirtied
                || nrFileDirty.get() + nrWriteback.get() <= t.freerun || flusherCannotHelp();
    }

    /** Some page was written since reclaim woke the flusher, or it can write no more. */
    private boolean written() {
        return nrWritten.get() > task.get().reclaimWritten || wb.idle() || wb.isShutdown();
    }

    final ThreadLocal<DirtyTask> task = ThreadLocal.withInitial(DirtyTask::new);

    public PageCache(PageCacheOptions opts) {
        this.opts = opts;
        this.counters = opts.counters();
        this.arena = new PageArena(opts.arenaBytes(), opts.maxFolioOrder(), counters);
        arena.setOwner(this);
        // leaf nodes for every page plus their parents, and the fixed reserve for the rest
        this.xaNodes = XArray.nodeCache((int) Math.min(Integer.MAX_VALUE - 8,
                arena.totalPages() / XArray.XA_CHUNK_SIZE * 2 + Defaults.SLAB_FREE_OBJECTS), counters);
        pagesDirtied = counters.counter("pagecache.pages_dirtied");
        pagesWritten = counters.counter(CounterNames.WRITEBACK_PAGES_WRITTEN);
        throttlePauses = counters.counter(CounterNames.WRITEBACK_THROTTLE_PAUSES);
        throttleWaitNs = counters.counter("writeback.throttle_wait_ns");
        reclaimedPages = counters.counter("pagecache.reclaimed_pages");
        reclaimScanned = counters.counter("pagecache.reclaim_scanned");
        reclaimStalls = counters.counter("pagecache.reclaim_writeback_waits");
        raSyncCalls = counters.counter("readahead.sync_calls");
        readLockedWaits = counters.counter("filemap.read_locked_waits");
        readLockedWaitNs = counters.counter("filemap.read_locked_wait_ns");
        raAsyncCalls = counters.counter("readahead.async_calls");
        raPagesCounter = counters.counter("readahead.pages");
        raBatches = counters.counter("readahead.batches");
        // writeback_set_ratelimit()
        long avail = arena.totalPages();
        long thresh;
        long bg;
        if (opts.dirtyBytes() > 0) {
            thresh = (opts.dirtyBytes() + Defaults.PAGE_SIZE - 1) / Defaults.PAGE_SIZE;
        } else {
            thresh = opts.dirtyRatio() * avail / 100;
        }
        if (opts.dirtyBackgroundBytes() > 0) {
            bg = (opts.dirtyBackgroundBytes() + Defaults.PAGE_SIZE - 1) / Defaults.PAGE_SIZE;
        } else {
            bg = opts.dirtyBackgroundRatio() * avail / 100;
        }
        if (bg >= thresh) {
            bg = thresh / 2;
        }
        this.bgThresh = bg;
        this.dirtyThresh = thresh;
        this.ratelimitPages = (int) Math.max(16, thresh / ((long) opts.nrCpus() * 32));
        this.wb = new BdiWriteback(this);
    }

    public PageCacheOptions options() {
        return opts;
    }

    public Counters counters() {
        return counters;
    }

    /** A new, empty mapping for an inode ({@code inode_init_once} + {@code address_space_init_once}). */
    public AddressSpace newMapping(Object host, AddressSpaceOperations aops) {
        AddressSpace m = new AddressSpace(this, host, aops);
        mappings.add(m);
        return m;
    }

    /** Called by {@link AddressSpace#evict()}. */
    void forget(AddressSpace m) {
        mappings.remove(m);
        wb.forget(m);
    }

    /** The bdi's {@code ra_pages}, from read_ahead_kb. */
    int raPages() {
        return opts.readAheadKb() >> (Defaults.PAGE_SHIFT - 10);
    }

    /** The bdi's {@code io_pages}, from max_sectors_kb. */
    int ioPages() {
        return opts.maxSectorsKb() >> (Defaults.PAGE_SHIFT - 10);
    }

    /** {@code file_ra_state_init}. */
    public FileRaState newRaState() {
        return new FileRaState(raPages());
    }

    public PageArena arena() {
        return arena;
    }

    /** {@code NR_FILE_DIRTY} in pages. */
    public long nrDirty() {
        return nrFileDirty.get();
    }

    /** {@code NR_WRITEBACK} in pages. */
    public long nrWriteback() {
        return nrWriteback.get();
    }

    /** {@code NR_WRITTEN}: pages whose writeback completed, cumulative. */
    long nrWritten() {
        return nrWritten.get();
    }

    /** Pages on the LRU (cached). */
    long nrCached() {
        synchronized (lruLock) {
            return lruPages;
        }
    }

    /**
     * {@code domain_dirty_limits()} of the global domain: {@code {bg_thresh, thresh}} in pages,
     * from the ratios of the dirtyable memory (the arena) or from the *_bytes forms.
     */
    public long[] dirtyLimits() {
        return new long[] {bgThresh, dirtyThresh};
    }

    /** {@code dirty_freerun_ceiling}. */
    static long freerunCeiling(long thresh, long bg) {
        return (thresh + bg) / 2;
    }

    /** {@code wb_over_bg_thresh}. */
    boolean overBgThresh() {
        return nrFileDirty.get() > bgThresh;
    }

    // ---------------------------------------------------------------- allocation and reclaim

    /**
     * {@code filemap_alloc_folio}: a folio of {@code order} (locked: no; referenced once by the
     * caller), or null. High orders ({@code __GFP_NORETRY}) try one reclaim pass; order 0 keeps
     * reclaiming, waking the flusher and waiting for writeback progress while memory is dirty,
     * and fails only when nothing can be freed.
     */
    public Folio filemapAllocFolio(int order) {
        return allocFolio(order, order > 0);
    }

    Folio allocFolio(int order, boolean noretry) {
        if (order > arena.maxOrder()) {
            order = arena.maxOrder();
        }
        long pfn = arena.alloc(order);
        if (pfn >= 0) {
            return newFolio(pfn, order);
        }
        if (noretry && order > 0 && arena.freePages() >= 2L << order) {
            // plenty of free memory, only fragmented: fall back to a lower order rather than
            // evicting cache (the kernel would compact, not reclaim, for a costly order)
            return null;
        }
        int stuck = 0;
        for (;;) {
            long reclaimed = shrink(Math.max(SWAP_CLUSTER_MAX, 1L << order) * 2);
            pfn = arena.alloc(order);
            if (pfn >= 0) {
                return newFolio(pfn, order);
            }
            if (noretry) {
                return null;
            }
            if (reclaimed > 0) {
                stuck = 0;
                continue;
            }
            if (nrFileDirty.get() + nrWriteback.get() > 0 && !wb.isFlusherThread()) {
                // wakeup_flusher_threads(WB_REASON_VMSCAN) + reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)
                reclaimStalls.increment();
                DirtyTask t = task.get();
                long before = nrWritten.get();
                t.reclaimWritten = before;
                wb.startReclaimWriteback(Math.max(SWAP_CLUSTER_MAX, 1L << order) * 4);
                waitForProgress(untilWritten);
                if (nrWritten.get() > before) {
                    stuck = 0;
                    continue;
                }
            }
            if (++stuck >= 3) {
                return null;
            }
        }
    }

    /** The head page's memmap descriptor becomes the folio: nothing is allocated. */
    private Folio newFolio(long pfn, int order) {
        Folio f = arena.pfnFolio(pfn);
        f.prepNew(order);
        return f;
    }

    /** Last reference gone: the memory returns to the buddy allocator, the descriptor to the memmap. */
    void freeFolio(Folio f) {
        if (f.mapping() != null) {
            throw new IllegalStateException("freeing " + f + " still in a mapping");
        }
        f.prepFree();
        arena.free(f.pfn(), f.order());
    }

    void lruAdd(Folio f) {
        synchronized (lruLock) {
            if (f.mapping() == null || f.testFlag(Folio.PG_LRU)) {
                return;
            }
            f.testSetFlag(Folio.PG_LRU);
            linkHead(f);
            lruPages += f.nrPages();
        }
    }

    void lruDel(Folio f) {
        synchronized (lruLock) {
            if (!f.testClearFlag(Folio.PG_LRU)) {
                return;
            }
            unlink(f);
            lruPages -= f.nrPages();
        }
    }

    private void linkHead(Folio f) {
        f.lruPrev = null;
        f.lruNext = lruHead;
        if (lruHead != null) {
            lruHead.lruPrev = f;
        } else {
            lruTail = f;
        }
        lruHead = f;
    }

    private void unlink(Folio f) {
        if (f.lruPrev != null) {
            f.lruPrev.lruNext = f.lruNext;
        } else {
            lruHead = f.lruNext;
        }
        if (f.lruNext != null) {
            f.lruNext.lruPrev = f.lruPrev;
        } else {
            lruTail = f.lruPrev;
        }
        f.lruPrev = null;
        f.lruNext = null;
    }

    /**
     * {@code shrink_folio_list} over the file LRU: scans from the oldest end, gives referenced
     * folios a second chance, evicts clean, unlocked, not-under-writeback folios that only the
     * cache references (after {@code ->release_folio}). Returns pages freed.
     */
    long shrink(long nrToReclaim) {
        long reclaimed = 0;
        long scanned = 0;
        long maxScan;
        synchronized (lruLock) {
            maxScan = 2 * lruPages + SWAP_CLUSTER_MAX;
        }
        while (reclaimed < nrToReclaim && scanned < maxScan) {
            Folio f;
            synchronized (lruLock) {
                f = lruTail;
                if (f == null) {
                    break;
                }
                unlink(f);
                linkHead(f); // rotated; eviction unlinks it for good
                scanned += f.nrPages();
                if (f.testClearFlag(Folio.PG_REFERENCED)) {
                    continue;
                }
                if (!f.tryGet()) {
                    continue;
                }
            }
            if (evictFolio(f)) {
                reclaimed += f.nrPages();
            }
            f.put();
        }
        reclaimScanned.add(scanned);
        reclaimedPages.add(reclaimed);
        return reclaimed;
    }

    /**
     * {@code mapping_evict_folio} + {@code remove_mapping}: the caller holds one reference.
     * Returns true if the folio left its mapping (its memory is freed by the caller's put).
     */
    boolean evictFolio(Folio f) {
        if (!f.tryLock()) {
            return false;
        }
        try {
            AddressSpace m = f.mapping();
            if (m == null || f.isDirty() || f.isWriteback()) {
                return false;
            }
            if (f.hasPrivate() && !m.aops.releaseFolio(f)) {
                return false;
            }
            return m.removeMapping(f);
        } finally {
            f.unlock();
        }
    }

    // ---------------------------------------------------------------- dirty / writeback accounting

    /** {@code folio_account_dirtied}. */
    void accountDirtied(Folio f, boolean forThrottle) {
        int n = f.nrPages();
        nrFileDirty.addAndGet(n);
        if (forThrottle) {
            pagesDirtied.add(n);
            task.get().nrDirtied += n;
            bdpRatelimits.addAndGet(n);
        }
    }

    /** {@code folio_account_cleaned}. */
    void accountCleaned(Folio f) {
        nrFileDirty.addAndGet(-f.nrPages());
    }

    boolean folioClearDirtyForIo(Folio f) {
        if (!f.isLocked()) {
            throw new IllegalStateException("folio_clear_dirty_for_io on unlocked " + f);
        }
        if (f.testClearFlag(Folio.PG_DIRTY)) {
            accountCleaned(f);
            return true;
        }
        return false;
    }

    void folioStartWriteback(Folio f, boolean keepWrite) {
        if (!f.isLocked()) {
            throw new IllegalStateException("folio_start_writeback on unlocked " + f);
        }
        if (f.testSetFlag(Folio.PG_WRITEBACK)) {
            throw new IllegalStateException("folio_start_writeback on " + f + " already under writeback");
        }
        AddressSpace m = f.mapping();
        if (m != null) {
            m.startWritebackMarks(f, keepWrite);
        }
        nrWriteback.addAndGet(f.nrPages());
    }

    void folioEndWriteback(Folio f) {
        AddressSpace m = f.mapping();
        if (m != null) {
            m.endWritebackMarks(f);
        }
        if (!f.testClearFlag(Folio.PG_WRITEBACK)) {
            throw new IllegalStateException("folio_end_writeback on " + f + " not under writeback");
        }
        int n = f.nrPages();
        nrWriteback.addAndGet(-n);
        nrWritten.addAndGet(n);
        pagesWritten.add(n);
        signalProgress();
    }

    /** Wakes writers and reclaimers waiting for writeback progress. */
    void signalProgress() {
        if (progressWaiters > 0) {
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    interface Cond {
        boolean done();
    }

    /** Sleeps on the progress condition until {@code cond} holds; returns nanoseconds waited. */
    long waitForProgress(Cond cond) {
        if (cond.done()) {
            return 0;
        }
        long t0 = System.nanoTime();
        boolean interrupted = false;
        synchronized (progress) {
            progressWaiters++;
            try {
                while (!cond.done()) {
                    try {
                        progress.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                progressWaiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime() - t0;
    }

    // ---------------------------------------------------------------- dirty throttling

    /**
     * {@code balance_dirty_pages_ratelimited}: called by writers after dirtying folios. Cheap
     * until this thread dirtied its ratelimit; then {@link #balanceDirtyPages}.
     */
    void balanceDirtyPagesRatelimited(AddressSpace mapping) {
        DirtyTask t = task.get();
        long ratelimit = t.nrDirtiedPause;
        if (dirtyExceeded) {
            ratelimit = Math.min(ratelimit, 32 >> (Defaults.PAGE_SHIFT - 10));
        }
        if (t.nrDirtied >= ratelimit) {
            bdpRatelimits.set(0);
        } else if (bdpRatelimits.get() >= ratelimitPages) {
            bdpRatelimits.set(0);
            ratelimit = 0;
        }
        if (t.nrDirtied >= ratelimit) {
            balanceDirtyPages(t);
        }
    }

    /** {@code dirty_poll_interval}. */
    static long dirtyPollInterval(long dirty, long thresh) {
        if (thresh > dirty) {
            return 1L << ((63 - Long.numberOfLeadingZeros(thresh - dirty)) >> 1);
        }
        return 1;
    }

    /**
     * {@code balance_dirty_pages}, IO-less: below the freerun ceiling return at once; above the
     * background threshold kick the flusher; between freerun and the hard limit wait until
     * writeback completed as many pages as this writer dirtied since its last check (pacing the
     * writer to the device); above the hard limit wait until dirty + writeback is back under it.
     */
    void balanceDirtyPages(DirtyTask t) {
        t.pagesDirtied = t.nrDirtied;
        t.startWritten = nrWritten.get();
        boolean paced = false;
        for (;;) {
            long bg = bgThresh;
            long thresh = dirtyThresh;
            long freerun = freerunCeiling(thresh, bg);
            t.freerun = freerun;
            long dirty = nrFileDirty.get() + nrWriteback.get();
            if (nrFileDirty.get() > bg) {
                wb.startBackgroundWriteback();
            }
            if (dirty <= freerun) {
                t.nrDirtiedPause = dirtyPollInterval(dirty, thresh);
                break;
            }
            if (dirty > thresh) {
                dirtyExceeded = true;
                long ns = waitForProgress(untilUnderThresh);
                countPause(ns);
                if (flusherCannotHelp()) {
                    break;
                }
                continue;
            }
            dirtyExceeded = false;
            if (paced) {
                t.nrDirtiedPause = Math.max(1, dirtyPollInterval(dirty, thresh));
                break;
            }
            long ns = waitForProgress(untilPaced);
            countPause(ns);
            paced = true;
            if (flusherCannotHelp()) {
                break;
            }
        }
        t.nrDirtied = 0;
    }

    /** Nothing is in flight and the flusher is idle: waiting would never end. */
    private boolean flusherCannotHelp() {
        return wb.isShutdown() || (nrWriteback.get() == 0 && wb.idle() && !wb.backgroundPending());
    }

    private void countPause(long ns) {
        if (ns > 0) {
            throttlePauses.increment();
            throttleWaitNs.add(ns);
        }
    }

    // ---------------------------------------------------------------- whole-cache operations

    /**
     * {@code drop_caches} (echo 1): {@code invalidate_mapping_pages} on every mapping; clean
     * folios are dropped, dirty and under-writeback ones stay. Returns pages dropped.
     */
    public long dropCaches() {
        long n = 0;
        for (AddressSpace m : mappings) {
            n += m.invalidateMappingPages(0, Long.MAX_VALUE);
        }
        return n;
    }

    /**
     * {@code sync(2)} ({@code ksys_sync} for this bdi): writes back every dirty mapping with
     * WB_SYNC_ALL and waits. Throws the first error; every mapping is still written.
     */
    public void syncAll() throws IOException {
        RuntimeException bug = wb.failure();
        if (bug != null) {
            throw new IllegalStateException("->writepages failed in the flusher thread", bug);
        }
        IOException first = null;
        List<AddressSpace> list = new ArrayList<>(mappings);
        for (AddressSpace m : list) {
            try {
                m.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Mappings currently alive. */
    int nrMappings() {
        return mappings.size();
    }

    /**
     * Stops the flusher thread (clean shutdown: a round in progress finishes first).
     *
     * @throws IllegalStateException when an IO path's {@code ->writepages} threw an unchecked
     *     exception in the flusher (a bug: the mapping got EIO and the flusher went on)
     */
    @Override
    public void close() {
        wb.shutdown();
        signalProgress();
        RuntimeException bug = wb.failure();
        if (bug != null) {
            throw new IllegalStateException("->writepages failed in the flusher thread", bug);
        }
    }

    /**
     * After {@link #close} on a clean unmount: the arena's memory goes back to the machine's RAM
     * ({@link PhysicalMemory}) for the next mount. Not after a crash, whose folios are abandoned.
     */
    public void releaseMemory() {
        arena.release();
    }

    static ErrnoException enomem(int order) {
        return new ErrnoException(Errno.ENOMEM, "page cache arena exhausted: no folio of order " + order
                + " could be allocated or reclaimed; everything is locked, referenced or dirty without progress");
    }

    static long nanos(long centisecs) {
        return TimeUnit.MILLISECONDS.toNanos(centisecs * 10L);
    }
}
