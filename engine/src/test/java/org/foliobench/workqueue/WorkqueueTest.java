package org.foliobench.workqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

/** The worker thread, the pending bit, flush and destroy. */
class WorkqueueTest {
    @Test
    void aWorkRunsOnTheWorkerAndFlushWaitsForIt() {
        Counters c = new Counters();
        Workqueue wq = Workqueue.alloc("test", "test-worker", c);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicInteger runs = new AtomicInteger();
        WorkStruct w = new WorkStruct(() -> {
            ranOn.set(Thread.currentThread());
            runs.incrementAndGet();
        });
        assertTrue(wq.queueWork(w));
        wq.flush();
        assertEquals(1, runs.get());
        assertNotEquals(Thread.currentThread(), ranOn.get());
        assertEquals("test-worker", ranOn.get().getName());
        assertEquals(1, c.get("workqueue.test.queued"));
        assertEquals(1, c.get("workqueue.test.executed"));
        wq.destroy();
    }

    @Test
    void aPendingWorkIsQueuedOnceAndAgainOnceItRuns() throws Exception {
        Workqueue wq = Workqueue.alloc("test", "test-worker", null);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        WorkStruct blocker = new WorkStruct(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WorkStruct w = new WorkStruct(runs::incrementAndGet);
        wq.queueWork(blocker);
        started.await(); // the worker is busy: w stays pending
        assertTrue(wq.queueWork(w));
        assertFalse(wq.queueWork(w), "already pending");
        release.countDown();
        wq.flush();
        assertEquals(1, runs.get());
        assertTrue(wq.queueWork(w), "ran: queued again");
        wq.flush();
        assertEquals(2, runs.get());
        wq.destroy();
    }

    @Test
    void destroyDrainsAndLaterWorkRunsInTheCaller() {
        Workqueue wq = Workqueue.alloc("test", "test-worker", null);
        AtomicInteger runs = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            wq.queueWork(new WorkStruct(runs::incrementAndGet));
        }
        wq.destroy();
        assertEquals(100, runs.get(), "destroy_workqueue drains");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        wq.queueWork(new WorkStruct(() -> ranOn.set(Thread.currentThread())));
        assertEquals(Thread.currentThread(), ranOn.get());
    }

    @Test
    void aFailingWorkIsReportedByFlush() {
        Workqueue wq = Workqueue.alloc("test", "test-worker", null);
        wq.queueWork(new WorkStruct(() -> {
            throw new IllegalStateException("bug");
        }));
        assertThrows(IllegalStateException.class, wq::flush);
        assertThrows(IllegalStateException.class, wq::destroy);
    }
}
