package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FolioTest {
    @Test
    void lockSleepsUntilAnotherThreadUnlocks() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(2L << 20).build())) {
                Folio f = pc.filemapAllocFolio(2);
                assertEquals(4, f.nrPages());
                assertEquals(16384, f.size());
                assertEquals(0, f.memOffset() % 4096);
                assertTrue(f.tryLock());
                assertFalse(f.tryLock());
                AtomicBoolean got = new AtomicBoolean();
                CountDownLatch started = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    started.countDown();
                    f.lock();
                    got.set(true);
                    f.unlock();
                });
                t.start();
                started.await();
                assertFalse(got.get());
                f.endRead(true); // read completion unlocks (any thread may)
                t.join();
                assertTrue(got.get());
                assertTrue(f.isUptodate());
                assertThrows(IllegalStateException.class, f::unlock);
                long free = pc.arena().freePages();
                f.put();
                assertEquals(free + 4, pc.arena().freePages(), "last put frees the memory");
            }
        });
    }

    @Test
    void privateDataAttachAndDetach() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(2L << 20).build())) {
            Folio f = pc.filemapAllocFolio(0);
            assertFalse(f.hasPrivate());
            Object bh = new Object();
            f.attachPrivate(bh);
            assertTrue(f.hasPrivate());
            assertEquals(bh, f.detachPrivate());
            assertFalse(f.hasPrivate());
            f.put();
        }
    }
}
