package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;

/**
 * {@code struct bdi_writeback} and its flusher ({@code wb_workfn}, fs/fs-writeback.c): the dirty
 * mapping lists {@code b_dirty} (in {@code dirtied_when} order), {@code b_io} and
 * {@code b_more_io}, and one thread that sleeps on a condition until there is work.
 *
 * <p>Work: background writeback while {@code NR_FILE_DIRTY} is over the background threshold
 * (kicked by {@link PageCache#balanceDirtyPages}), writeback for reclaim (kicked when memory is
 * all dirty), and the periodic kupdate-style writeback of mappings dirtied more than
 * {@code dirty_expire_centisecs} ago, every {@code dirty_writeback_centisecs} (a timed wait on
 * the condition; 0 disables it). Each mapping gets {@code ->writepages} with WB_SYNC_NONE and a
 * chunk of {@code nr_to_write} ({@code writeback_chunk_size}) and is requeued while still dirty.
 */
final class BdiWriteback implements Runnable {
    /** {@code MIN_WRITEBACK_PAGES}: 4 MiB. */
    static final long MIN_WRITEBACK_PAGES = 4096L >> (Defaults.PAGE_SHIFT - 10);
    /** {@code DIRTY_SCOPE}. */
    static final int DIRTY_SCOPE = 8;
    static final int B_NONE = 0;
    static final int B_DIRTY = 1;
    static final int B_IO = 2;
    static final int B_MORE_IO = 3;

    private final PageCache cache;
    final ReentrantLock listLock = new ReentrantLock();
    private final Condition wake = listLock.newCondition();
    private final ArrayDeque<AddressSpace> bDirty = new ArrayDeque<>();
    private final ArrayDeque<AddressSpace> bIo = new ArrayDeque<>();
    private final ArrayDeque<AddressSpace> bMoreIo = new ArrayDeque<>();
    private volatile boolean bgPending;
    private volatile long reclaimPages;
    private volatile boolean running;
    private volatile boolean shutdown;
    private long lastOldFlush = System.nanoTime();
    private final Thread thread;
    private final LongAdder bgRuns;
    private final LongAdder kupdateRuns;
    private final LongAdder writepagesCalls;

    BdiWriteback(PageCache cache) {
        this.cache = cache;
        this.bgRuns = cache.counters.counter("writeback.background_runs");
        this.kupdateRuns = cache.counters.counter("writeback.kupdate_runs");
        this.writepagesCalls = cache.counters.counter("writeback.writepages_calls");
        this.thread = new Thread(this, "flush-pagecache");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code __mark_inode_dirty(I_DIRTY_PAGES)}: first dirtying puts the mapping on b_dirty. */
    void markInodeDirty(AddressSpace m) {
        if (m.inodeDirty) { // racy fast path; rechecked under the lock
            return;
        }
        listLock.lock();
        try {
            if (!m.inodeDirty) {
                m.inodeDirty = true;
                m.dirtiedWhen = System.nanoTime();
                if (m.wbList == B_NONE) {
                    m.wbList = B_DIRTY;
                    bDirty.addLast(m);
                }
            }
        } finally {
            listLock.unlock();
        }
    }

    void forget(AddressSpace m) {
        listLock.lock();
        try {
            bDirty.remove(m);
            bIo.remove(m);
            bMoreIo.remove(m);
            m.wbList = B_NONE;
            m.inodeDirty = false;
        } finally {
            listLock.unlock();
        }
    }

    /** {@code wb_start_background_writeback}. */
    void startBackgroundWriteback() {
        if (bgPending || running) {
            return;
        }
        listLock.lock();
        try {
            bgPending = true;
            wake.signal();
        } finally {
            listLock.unlock();
        }
    }

    /** {@code wakeup_flusher_threads(WB_REASON_VMSCAN)}. */
    void startReclaimWriteback(long pages) {
        listLock.lock();
        try {
            reclaimPages = Math.max(reclaimPages, pages);
            wake.signal();
        } finally {
            listLock.unlock();
        }
    }

    boolean backgroundPending() {
        return bgPending;
    }

    /** Not writing and nothing queued ({@code !writeback_in_progress}). */
    boolean idle() {
        return !running && !bgPending && reclaimPages == 0;
    }

    /** The flusher must never wait for its own progress. */
    boolean isFlusherThread() {
        return Thread.currentThread() == thread;
    }

    boolean isShutdown() {
        return shutdown;
    }

    void shutdown() {
        listLock.lock();
        try {
            shutdown = true;
            wake.signal();
        } finally {
            listLock.unlock();
        }
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            for (;;) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code wb_workfn} / {@code wb_do_writeback}. */
    @Override
    public void run() {
        long interval = PageCache.nanos(cache.opts.dirtyWritebackCentisecs());
        for (;;) {
            boolean bg;
            long reclaim;
            boolean kupdate = false;
            listLock.lock();
            try {
                for (;;) {
                    if (shutdown) {
                        return;
                    }
                    if (bgPending || reclaimPages > 0) {
                        break;
                    }
                    if (interval > 0) {
                        long left = lastOldFlush + interval - System.nanoTime();
                        if (left <= 0) {
                            kupdate = true;
                            break;
                        }
                        try {
                            wake.awaitNanos(left);
                        } catch (InterruptedException e) {
                            // flusher threads are not interrupted; shutdown is the stop signal
                        }
                    } else {
                        try {
                            wake.await();
                        } catch (InterruptedException e) {
                            // as above
                        }
                    }
                }
                running = true; // before the pending flags clear: idle() never sees a gap
                bg = bgPending;
                reclaim = reclaimPages;
                reclaimPages = 0;
                bgPending = false;
            } finally {
                listLock.unlock();
            }
            if (shutdown) {
                running = false;
                return;
            }
            try {
                if (reclaim > 0) {
                    wbWriteback(reclaim, false, false);
                }
                if (bg || cache.overBgThresh()) {
                    bgRuns.increment();
                    wbWriteback(Long.MAX_VALUE, true, false);
                }
                if (kupdate || (interval > 0 && System.nanoTime() - lastOldFlush >= interval)) {
                    // wb_check_old_data_flush
                    lastOldFlush = System.nanoTime();
                    if (cache.nrDirty() > 0) {
                        kupdateRuns.increment();
                        wbWriteback(cache.nrDirty(), false, true);
                    }
                }
            } finally {
                running = false;
                cache.signalProgress();
            }
        }
    }

    /** {@code writeback_chunk_size} for WB_SYNC_NONE (without the bandwidth estimate). */
    long chunkSize(long workPages) {
        long pages = cache.dirtyThresh / DIRTY_SCOPE;
        pages = Math.min(pages, workPages);
        return (pages + MIN_WRITEBACK_PAGES) / MIN_WRITEBACK_PAGES * MIN_WRITEBACK_PAGES;
    }

    /**
     * {@code wb_writeback}: writes up to {@code nrPages} pages from the dirty mappings. Background
     * work stops once under the background threshold; kupdate work takes only expired mappings.
     * Stops when a whole pass over the queued mappings wrote nothing.
     */
    private void wbWriteback(long nrPages, boolean background, boolean kupdate) {
        long left = nrPages;
        long passWritten = 0;
        while (left > 0 && !shutdown) {
            if (background && !cache.overBgThresh()) {
                break;
            }
            AddressSpace m;
            listLock.lock();
            try {
                if (bIo.isEmpty()) {
                    if (passWritten == 0 && !bMoreIo.isEmpty() && queuedOnce) {
                        // a whole pass made no progress: give up until kicked again
                        queuedOnce = false;
                        break;
                    }
                    queueIo(kupdate);
                    queuedOnce = true;
                    passWritten = 0;
                    if (bIo.isEmpty()) {
                        queuedOnce = false;
                        break;
                    }
                }
                m = bIo.pollFirst();
                m.wbList = B_NONE;
                m.inodeDirty = false;
            } finally {
                listLock.unlock();
            }
            WritebackControl wbc = WritebackControl.background(chunkSize(left));
            wbc.forBackground = background;
            wbc.forKupdate = kupdate;
            wbc.forReclaim = !background && !kupdate;
            long before = wbc.nrToWrite;
            writepagesCalls.increment();
            try {
                m.doWritepages(wbc);
            } catch (ErrnoException e) {
                m.mappingSetError(e.errno());
            } catch (IOException e) {
                m.mappingSetError(Errno.EIO);
            } catch (RuntimeException e) {
                // a bug in the IO path: keep the flusher alive (writers wait on it), report it
                // as EIO to the file and as the cause of PageCache.close() / syncAll()
                m.mappingSetError(Errno.EIO);
                synchronized (this) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            long written = before - wbc.nrToWrite;
            left -= written;
            passWritten += written;
            requeue(m, wbc);
            wbc.release();
        }
        queuedOnce = false;
    }

    private boolean queuedOnce;
    private RuntimeException failure;

    synchronized RuntimeException failure() {
        return failure;
    }

    /** {@code requeue_inode}: still dirty → b_more_io (slice used up) or back to b_dirty. */
    private void requeue(AddressSpace m, WritebackControl wbc) {
        boolean dirty = m.tagged(XArray.DIRTY);
        listLock.lock();
        try {
            if (!dirty || m.wbList != B_NONE) {
                return;
            }
            if (!m.inodeDirty) {
                m.inodeDirty = true; // keeps its dirtied_when
            }
            m.wbList = B_MORE_IO;
            bMoreIo.addLast(m);
        } finally {
            listLock.unlock();
        }
    }

    /** {@code queue_io}: b_more_io, then (expired, for kupdate) b_dirty, onto b_io. */
    private void queueIo(boolean kupdate) {
        while (!bMoreIo.isEmpty()) {
            AddressSpace m = bMoreIo.pollFirst();
            m.wbList = B_IO;
            bIo.addLast(m);
        }
        long expire = PageCache.nanos(cache.opts.dirtyExpireCentisecs());
        long now = System.nanoTime();
        while (!bDirty.isEmpty()) {
            AddressSpace m = bDirty.peekFirst();
            if (kupdate && now - m.dirtiedWhen < expire) {
                break;
            }
            bDirty.pollFirst();
            m.wbList = B_IO;
            bIo.addLast(m);
        }
    }
}
