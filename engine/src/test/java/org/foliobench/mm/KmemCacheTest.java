package org.foliobench.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class KmemCacheTest {
    static final class Obj {
        long value;
    }

    @Test
    void reusesFreedObjectsAndCountsLikeSlabinfo() {
        Counters c = new Counters();
        KmemCache<Obj> cache = KmemCache.create("obj", 4, Obj::new, c);
        Obj a = cache.alloc();
        Obj b = cache.alloc();
        assertNotSame(a, b);
        assertEquals(2, c.get("slab.obj.allocs"));
        assertEquals(2, c.get("slab.obj.grows"));
        assertEquals(2, c.get("slab.obj.active"));
        cache.free(a);
        assertEquals(1, cache.freeObjects());
        assertSame(a, cache.alloc(), "the free list hands the last freed object out first (LIFO, cache-hot)");
        assertEquals(2, c.get("slab.obj.grows"), "reuse constructs nothing");
        assertEquals(3, c.get("slab.obj.allocs"));
        assertEquals(1, c.get("slab.obj.frees"));
        assertEquals(2, cache.activeObjects());
    }

    @Test
    void aFullFreeListDropsToTheGarbageCollector() {
        Counters c = new Counters();
        KmemCache<Obj> cache = KmemCache.create("obj", 2, Obj::new, c);
        List<Obj> objs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            objs.add(cache.alloc());
        }
        objs.forEach(cache::free);
        assertEquals(2, cache.freeObjects());
        assertEquals(3, c.get("slab.obj.drops"));
        assertEquals(0, cache.activeObjects());
        cache.shrink();
        assertEquals(0, cache.freeObjects());
        KmemCache<Obj> none = KmemCache.create("none", 0, Obj::new, c);
        none.free(none.alloc());
        assertEquals(0, none.freeObjects());
        assertEquals(1, c.get("slab.none.drops"));
        assertThrows(IllegalArgumentException.class, () -> cache.free(null));
    }

    @Test
    void concurrentAllocAndFreeNeverHandOutOneObjectTwice() throws Exception {
        Counters c = new Counters();
        KmemCache<Obj> cache = KmemCache.create("obj", 64, Obj::new, c);
        Set<Obj> live = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    List<Obj> mine = new ArrayList<>();
                    for (int i = 0; i < 50_000; i++) {
                        Obj o = cache.alloc();
                        if (!live.add(o)) {
                            throw new AssertionError("object handed out while in use");
                        }
                        mine.add(o);
                        if (mine.size() > 8 || (i & 1) == 0) {
                            Obj f = mine.remove(mine.size() - 1);
                            live.remove(f);
                            cache.free(f);
                        }
                    }
                    for (Obj o : mine) {
                        live.remove(o);
                        cache.free(o);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> errors.peek().toString());
        assertEquals(0, cache.activeObjects());
        assertEquals(c.get("slab.obj.allocs"), c.get("slab.obj.frees"));
        assertTrue(c.get("slab.obj.grows") < 1000, "objects are reused: " + c.get("slab.obj.grows") + " grown");
    }
}
