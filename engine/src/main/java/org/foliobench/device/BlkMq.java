package org.foliobench.device;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.stats.Counters;

/**
 * The multi-queue block layer of one device (block/blk-mq.c): {@code nr_hw_queues} hardware
 * queues ({@code struct blk_mq_hw_ctx}), each with {@code nr_requests} tags and one IO thread that
 * plays the device's side of that queue: it takes the queue's requests in order
 * ({@code blk_mq_dispatch_rq_list} -> {@code ->queue_rq}), performs each with the device's own
 * system call, then completes it ({@code blk_mq_complete_request} -> {@code blk_mq_end_request}:
 * the bios end with the request's status, on the IO thread, as they end in the completion
 * interrupt), and frees its tag.
 *
 * <p>A submitter maps to a hardware queue as a CPU does ({@code blk_mq_map_queue}; here the
 * thread's id stands for its CPU) and takes a tag ({@code blk_mq_get_tag}); when all
 * {@code nr_requests} tags of its queue are in use it sleeps until a completion frees one
 * ({@code sbitmap_queue} wait, {@code io_schedule}), counted in {@code blk.tag_waits} and
 * {@code blk.tag_wait_ns}. A cache flush ({@code REQ_PREFLUSH} without data) is a request too;
 * it covers the writes completed before it, not the ones still in flight, as
 * {@code blkdev_issue_flush} does: callers wait for the writes they need first.
 *
 * <p>Counters in the device's {@link BlockDevice#counters()}: {@code blk.requests},
 * {@code blk.tag_waits}, {@code blk.tag_wait_ns}, {@code blk.hctx<i>.dispatched},
 * {@code blk.inflight_sum} (requests in flight, queued or at the device, summed at each dispatch:
 * divided by {@code blk.requests} it is the average queue depth a request met) and
 * {@code blk.inflight_max}.
 */
final class BlkMq {
    /**
     * {@code struct request}: a bio (or a cache flush) holding a tag of its hardware queue. Each
     * queue keeps the requests of its freed tags for reuse ({@code tags->static_rqs}).
     */
    static final class Request {
        Bio bio;
        /** The parent of a split bio ({@code bio_chain}), or null. */
        Split parent;
        boolean flush;
        /** For a flush: its status once done; the submitter waits on the request. */
        IOException flushStatus;
        boolean flushDone;

        Request init(Bio bio, Split parent, boolean flush) {
            this.bio = bio;
            this.parent = parent;
            this.flush = flush;
            this.flushStatus = null;
            this.flushDone = false;
            return this;
        }
    }

    /** {@code bio_chain}: the parent bio ends once every part has, with the first error. */
    static final class Split {
        final Bio parent;
        final AtomicInteger remaining = new AtomicInteger(1); // the submitter's bias
        volatile IOException first;

        Split(Bio parent) {
            this.parent = parent;
        }

        void partDone(IOException e) {
            if (e != null && first == null) {
                synchronized (this) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (remaining.decrementAndGet() == 0) {
                parent.complete(first);
            }
        }
    }

    /** {@code struct blk_mq_hw_ctx}: tags, the dispatch list, its IO thread. */
    final class HwCtx implements Runnable {
        final int index;
        private final ReentrantLock lock = new ReentrantLock();
        /** A tag was freed ({@code bt->ws} wait queues). */
        private final Condition tagFreed = lock.newCondition();
        /** Work arrived for the IO thread ({@code blk_mq_run_hw_queue}). */
        private final Condition work = lock.newCondition();
        private final ArrayDeque<Request> dispatch = new ArrayDeque<>();
        /** Requests of free tags, for reuse. */
        private final ArrayDeque<Request> freeRqs = new ArrayDeque<>();
        /** Tags in use: requests queued or at the device. */
        private int busy;
        private boolean stopped;
        private final Thread thread;
        private final LongAdder dispatched;

        HwCtx(int index, String name) {
            this.index = index;
            this.dispatched = counters.counter("blk.hctx" + index + ".dispatched");
            this.thread = new Thread(this, name + "-hctx" + index);
            this.thread.setDaemon(true);
        }

        /**
         * {@code blk_mq_get_tag} + {@code blk_mq_insert_request} + {@code blk_mq_run_hw_queue}; null
         * when the queue is dead (the device was closed: {@code blk_queue_enter} fails).
         */
        Request queue(Bio bio, Split parent, boolean flush) {
            lock.lock();
            try {
                if (stopped) {
                    return null;
                }
                if (busy >= nrRequests) {
                    long t0 = System.nanoTime();
                    tagWaits.increment();
                    boolean interrupted = false;
                    while (busy >= nrRequests && !stopped) {
                        try {
                            tagFreed.await();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    tagWaitNs.add(System.nanoTime() - t0);
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    if (stopped) {
                        return null;
                    }
                }
                busy++;
                Request rq = freeRqs.pollFirst();
                rq = (rq != null ? rq : new Request()).init(bio, parent, flush);
                int depth = inflight.incrementAndGet();
                inflightSum.add(depth);
                if (depth > inflightMax.get()) {
                    inflightMax.accumulateAndGet(depth, Math::max);
                }
                requests.increment();
                dispatch.addLast(rq);
                work.signal();
                return rq;
            } finally {
                lock.unlock();
            }
        }

        /** The IO thread: {@code ->queue_rq} each request in order, complete it, free its tag. */
        @Override
        public void run() {
            while (true) {
                Request rq;
                lock.lock();
                try {
                    while (dispatch.isEmpty() && !stopped) {
                        work.awaitUninterruptibly();
                    }
                    if (dispatch.isEmpty()) {
                        return; // stopped and drained
                    }
                    rq = dispatch.pollFirst();
                } finally {
                    lock.unlock();
                }
                dispatched.increment();
                try {
                    execute(rq);
                } catch (Throwable t) { // a bug in an end_io handler: keep serving, report at close
                    completionErrors.increment();
                    if (firstCompletionError == null) {
                        firstCompletionError = t;
                    }
                } finally {
                    freeTag(rq);
                }
            }
        }

        /** {@code __blk_mq_free_request}: the tag goes back, a waiter for one wakes. */
        private void freeTag(Request rq) {
            boolean idleNow;
            lock.lock();
            try {
                // with the tag, under the lock that took it: a waiter's request never counts beside this one
                idleNow = inflight.decrementAndGet() == 0;
                busy--;
                if (!rq.flush) { // a flush request is freed by its waiter
                    rq.bio = null;
                    rq.parent = null;
                    freeRqs.addFirst(rq);
                }
                tagFreed.signal();
            } finally {
                lock.unlock();
            }
            if (idleNow) {
                idleLock.lock();
                try {
                    idle.signalAll();
                } finally {
                    idleLock.unlock();
                }
            }
        }

        void stop() {
            lock.lock();
            try {
                stopped = true;
                work.signal();
                tagFreed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final BlockDevice device;
    private final int nrRequests;
    private final HwCtx[] hctxs;
    private final Counters counters;
    private final LongAdder requests;
    private final LongAdder tagWaits;
    private final LongAdder tagWaitNs;
    private final LongAdder inflightSum;
    private final LongAdder completionErrors;
    private final java.util.concurrent.atomic.AtomicLong inflightMax = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger inflight = new AtomicInteger();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private volatile Throwable firstCompletionError;
    private boolean started;

    BlkMq(BlockDevice device, int nrHwQueues, int nrRequests, Counters counters) {
        if (nrHwQueues < 1) {
            throw new IllegalArgumentException("nr_hw_queues " + nrHwQueues + " must be at least 1");
        }
        if (nrRequests < 1) {
            throw new IllegalArgumentException("nr_requests " + nrRequests + " must be at least 1");
        }
        this.device = device;
        this.nrRequests = nrRequests;
        this.counters = counters;
        this.requests = counters.counter("blk.requests");
        this.tagWaits = counters.counter("blk.tag_waits");
        this.tagWaitNs = counters.counter("blk.tag_wait_ns");
        this.inflightSum = counters.counter("blk.inflight_sum");
        this.completionErrors = counters.counter("blk.completion_errors");
        this.hctxs = new HwCtx[nrHwQueues];
        String name = "blk-mq-" + Integer.toHexString(System.identityHashCode(device));
        for (int i = 0; i < nrHwQueues; i++) {
            hctxs[i] = new HwCtx(i, name);
        }
    }

    /** Starts the IO threads ({@code blk_mq_alloc_disk} done, the queue is live). */
    synchronized void start() {
        if (!started) {
            started = true;
            for (HwCtx h : hctxs) {
                h.thread.start();
            }
        }
    }

    int nrRequests() {
        return nrRequests;
    }

    int nrHwQueues() {
        return hctxs.length;
    }

    /** Requests holding a tag now (queued or at the device). */
    int inflight() {
        return inflight.get();
    }

    long inflightMax() {
        return inflightMax.get();
    }

    /** {@code blk_mq_map_queue}: the submitting thread's hardware queue. */
    private HwCtx map() {
        return hctxs[(int) (Thread.currentThread().getId() % hctxs.length)];
    }

    /**
     * {@code blk_mq_submit_bio} of one request-sized bio (a part of a split one has {@code parent}).
     * On a dead queue the bio fails at once ({@code bio_io_error}).
     */
    void queue(Bio bio, Split parent) {
        if (map().queue(bio, parent, false) == null) {
            device.stats().accountError(bio.op());
            IOException e = new IOException(device.describe() + ": request queue is dead (the device was closed)");
            if (parent != null) {
                bio.put();
                parent.partDone(e);
            } else {
                bio.complete(e);
            }
        }
    }

    /** {@code blkdev_issue_flush}: an empty {@code REQ_PREFLUSH} request, waited for. */
    void flush() throws IOException {
        Request rq = map().queue(null, null, true);
        if (rq == null) {
            throw new IOException(device.describe() + ": request queue is dead (the device was closed)");
        }
        synchronized (rq) {
            boolean interrupted = false;
            while (!rq.flushDone) {
                try {
                    rq.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (rq.flushStatus != null) {
            throw rq.flushStatus;
        }
    }

    /** {@code ->queue_rq} and the completion, on the IO thread. */
    private void execute(Request rq) {
        if (rq.flush) {
            IOException e = device.flushRequest();
            synchronized (rq) {
                rq.flushStatus = e;
                rq.flushDone = true;
                rq.notifyAll();
            }
            return;
        }
        IOException e = device.dispatch(rq.bio);
        if (rq.parent != null) {
            rq.bio.put(); // the part; the parent ends with the last part
            rq.parent.partDone(e);
        } else {
            rq.bio.complete(e);
        }
    }

    /**
     * {@code blk_mq_freeze_queue_wait}: returns once no request holds a tag (every queued request
     * completed). New requests may still come from other threads.
     */
    void drain() {
        idleLock.lock();
        try {
            while (inflight.get() > 0) {
                idle.awaitUninterruptibly();
            }
        } finally {
            idleLock.unlock();
        }
    }

    /** {@code blk_mq_destroy_queue}: drain, stop the IO threads and wait for them to exit. */
    void shutdown() {
        drain();
        for (HwCtx h : hctxs) {
            h.stop();
        }
        boolean interrupted = false;
        for (HwCtx h : hctxs) {
            while (h.thread.isAlive()) {
                try {
                    h.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = firstCompletionError;
        if (t != null) {
            throw new IllegalStateException("an end_io handler failed on " + device.describe() + "'s IO thread: " + t, t);
        }
    }
}
