package org.foliobench.workqueue;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.stats.Counters;

/**
 * {@code struct workqueue_struct} with {@code max_active} 1 ({@code alloc_workqueue(name,
 * WQ_MEM_RECLAIM | WQ_UNBOUND, 1)}, as ext4's {@code ext4-rsv-conversion}): one worker thread runs
 * the queued works one at a time, in queuing order. The worker sleeps on a condition until
 * {@link #queueWork} wakes it; {@link #flush} waits until every work queued before the call has
 * run ({@code flush_workqueue}); {@link #destroy} drains the queue and stops the thread
 * ({@code destroy_workqueue}). Queuing allocates nothing: the list is threaded through the works,
 * and the queue's lock is its monitor (a contended {@code ReentrantLock} or a {@code Condition}
 * wait would allocate a queue node per sleep; the worker sleeps once per burst of completions).
 *
 * <p>Counters: {@code workqueue.<name>.queued} (works queued), {@code .executed} (works run).
 */
public final class Workqueue {
    private final String name;
    /** Guarded by {@code this} ({@code pool->lock}). */
    private WorkStruct head;
    private WorkStruct tail;
    /** Works queued and works finished since creation: a flush waits for {@code done} to reach {@code queued}. */
    private long queued;
    private long done;
    private boolean stopping;
    /** The worker has drained the queue after {@link #destroy} and exited. */
    private boolean exited;
    /** Threads waiting in {@link #flush}. */
    private int flushers;
    private final Thread worker;
    private final LongAdder queuedCount;
    private final LongAdder executedCount;
    /** The first exception a work function threw (a bug): rethrown by {@link #flush} and {@link #destroy}. */
    private volatile RuntimeException failure;

    private Workqueue(String name, String threadName, Counters counters) {
        this.name = name;
        Counters c = counters != null ? counters : new Counters();
        this.queuedCount = c.counter("workqueue." + name + ".queued");
        this.executedCount = c.counter("workqueue." + name + ".executed");
        this.worker = new Thread(this::workerThread, threadName);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * {@code alloc_workqueue(name, WQ_MEM_RECLAIM | WQ_UNBOUND, 1)}: a queue with its worker thread
     * (named {@code threadName}) already running; {@code name} is the counters' infix.
     */
    public static Workqueue alloc(String name, String threadName, Counters counters) {
        return new Workqueue(name, threadName, counters);
    }

    public String name() {
        return name;
    }

    /**
     * {@code queue_work}: queues {@code work} unless it is pending already; returns whether it was
     * queued. Callable from any thread, including a device's completion thread and the worker.
     * After {@link #destroy} (a bio ending after a forced shutdown) the work runs in the calling
     * thread, so that what it completes is not left waiting forever.
     */
    public boolean queueWork(WorkStruct work) {
        synchronized (this) {
            if (work.pending) {
                return false;
            }
            if (!exited) {
                work.pending = true;
                work.next = null;
                if (tail == null) {
                    head = work;
                    notifyAll(); // the worker sleeps only on an empty queue
                } else {
                    tail.next = work;
                }
                tail = work;
                queued++;
                queuedCount.increment();
                return true;
            }
        }
        work.func.run();
        return true;
    }

    /** The worker ({@code worker_thread} / {@code process_one_work}). */
    private void workerThread() {
        for (;;) {
            WorkStruct w;
            synchronized (this) {
                while (head == null && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // a kernel worker is not interruptible: keep serving the queue
                    }
                }
                if (head == null) {
                    exited = true; // stopping and drained: later works run in their callers
                    notifyAll();
                    return;
                }
                w = head;
                head = w.next;
                if (head == null) {
                    tail = null;
                }
                w.next = null;
                w.pending = false; // cleared before the function runs: it may be queued again meanwhile
            }
            try {
                w.func.run();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException ? (RuntimeException) e
                            : new IllegalStateException("work on " + name + " failed", e);
                }
            } finally {
                synchronized (this) {
                    done++;
                    executedCount.increment();
                    if (flushers > 0) {
                        notifyAll();
                    }
                }
            }
        }
    }

    /** {@code flush_workqueue}: returns once every work queued before this call has run. */
    public void flush() {
        if (Thread.currentThread() == worker) {
            throw new IllegalStateException("flush_workqueue of " + name + " from its own worker would wait forever");
        }
        boolean interrupted = false;
        synchronized (this) {
            long target = queued;
            flushers++;
            try {
                while (done < target && !exited) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                flushers--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrow();
    }

    /** {@code destroy_workqueue}: drains the queue, then the worker exits. Idempotent. */
    public void destroy() {
        if (Thread.currentThread() == worker) {
            throw new IllegalStateException("destroy_workqueue of " + name + " from its own worker");
        }
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        boolean interrupted = false;
        for (;;) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrow();
    }

    /** Whether the calling thread is this queue's worker. */
    boolean isWorker() {
        return Thread.currentThread() == worker;
    }

    private void rethrow() {
        RuntimeException f = failure;
        if (f != null) {
            throw new IllegalStateException("a work on " + name + " failed", f);
        }
    }
}
