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

    @Test
    void descriptorsAreTheMemmapReusedAcrossAllocations() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(2L << 20).build())) {
            Folio f = pc.filemapAllocFolio(2);
            long pfn = f.pfn();
            f.markUptodate();
            f.setReadahead();
            f.put();
            // the buddy allocator hands the same block out again: the same descriptor, cleared
            Folio g = pc.filemapAllocFolio(2);
            assertEquals(pfn, g.pfn());
            org.junit.jupiter.api.Assertions.assertSame(f, g, "struct folio lives in the memmap");
            assertEquals(0, g.flags(), "flags cleared when freed");
            assertEquals(1, g.refCount());
            assertEquals(2, g.order());
            g.put();
            // a large folio's head page descriptor serves an order-0 folio later
            Folio h = pc.filemapAllocFolio(0);
            assertEquals(0, h.order());
            assertEquals(4096, h.size());
            h.put();
        }
    }

    @Test
    void freeingAFolioWithPrivateDataIsABadPageState() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(2L << 20).build())) {
            Folio f = pc.filemapAllocFolio(0);
            f.attachPrivate(new Object());
            assertThrows(IllegalStateException.class, f::put);
            assertThrows(IllegalStateException.class, f::get, "a freed folio cannot be referenced again");
        }
    }
}
