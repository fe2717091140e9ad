package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

/** The bio pool: a put bio is reused, handed out as new, bounded, and never handed out twice. */
class BioSetTest {
    @Test
    void putBioIsReusedAndResetLikeANewOne() {
        Counters c = new Counters();
        BioSet bs = BioSet.create("bio", 4, c);
        ByteBuffer mem = ByteBuffer.allocateDirect(8192);
        Bio a = bs.alloc(Bio.Op.WRITE, 8, 2);
        assertTrue(a.addSegment(mem, 0, 512));
        assertTrue(a.addSegment(mem, 1024, 512));
        assertFalse(a.addSegment(mem, 4096, 512), "nr_vecs limits the pooled bio's 256 vectors");
        a.fua(true).privateData("owner").endIo(b -> { });
        a.complete(new IOException("EIO"));
        a.put();
        assertEquals(1, bs.freeObjects());

        Bio b = bs.alloc(Bio.Op.READ, 16, 1);
        assertSame(a, b, "the freed bio comes back");
        assertEquals(Bio.Op.READ, b.op());
        assertEquals(16, b.sector());
        assertEquals(0, b.size());
        assertEquals(0, b.segments());
        assertFalse(b.isFua());
        assertFalse(b.isDone());
        assertNull(b.status());
        assertNull(b.privateData());
        assertTrue(b.addSegment(mem, 0, 512));
        assertFalse(b.addSegment(mem, 2048, 512), "the new nr_vecs applies");
        AtomicInteger ended = new AtomicInteger();
        b.endIo(x -> ended.incrementAndGet());
        b.complete(null);
        assertEquals(1, ended.get(), "only the new end_io runs");
        b.put();
        assertEquals(2, c.get("slab.bio.allocs"));
        assertEquals(1, c.get("slab.bio.grows"));
        assertEquals(2, c.get("slab.bio.frees"));
        assertEquals(0, c.get("slab.bio.active"));
    }

    @Test
    void useAfterPutAndDoublePutThrow() {
        BioSet bs = BioSet.create("bio", 4, new Counters());
        ByteBuffer mem = ByteBuffer.allocateDirect(4096);
        Bio a = bs.alloc(Bio.Op.WRITE, 0);
        a.put();
        assertThrows(IllegalStateException.class, a::put, "double bio_put");
        assertThrows(IllegalStateException.class, () -> a.addSegment(mem, 0, 512));
        assertThrows(IllegalStateException.class, () -> a.complete(null));
        assertThrows(IllegalStateException.class, a::sector);
        assertThrows(IllegalStateException.class, a::size);
        assertThrows(IllegalStateException.class, () -> a.endIo(b -> { }));
        assertThrows(IllegalStateException.class, () -> a.privateData(this));
        assertThrows(IllegalStateException.class, () -> a.segmentMemory(0));
    }

    @Test
    void freeListIsBounded() {
        Counters c = new Counters();
        BioSet bs = BioSet.create("bio", 2, c);
        Bio[] bios = new Bio[5];
        for (int i = 0; i < bios.length; i++) {
            bios[i] = bs.alloc(Bio.Op.READ, i);
        }
        for (Bio b : bios) {
            b.put();
        }
        assertEquals(2, bs.freeObjects());
        assertEquals(3, c.get("slab.bio.drops"));
        assertEquals(0, bs.activeObjects());
    }

    @Test
    void aBioMadeWithNewIsNotPooled() {
        Bio b = new Bio(Bio.Op.READ, 0);
        b.put(); // kfree: left to the garbage collector
        assertEquals(0, b.sector(), "still usable: it never was on a free list");
    }

    @Test
    void concurrentAllocAndPutNeverHandOutOneBioTwice() throws Exception {
        BioSet bs = BioSet.create("bio", 8, new Counters());
        int threads = 4;
        int rounds = 20_000;
        ConcurrentHashMap<Bio, Thread> owner = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ByteBuffer mem = ByteBuffer.allocateDirect(4096);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final long sector = t;
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                    Bio[] held = new Bio[3];
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < held.length; i++) {
                            Bio b = bs.alloc(Bio.Op.WRITE, sector);
                            Thread prev = owner.putIfAbsent(b, Thread.currentThread());
                            if (prev != null) {
                                throw new AssertionError(b + " handed to " + Thread.currentThread() + " while " + prev + " holds it");
                            }
                            b.addSegment(mem, 0, 512);
                            b.privateData(Thread.currentThread());
                            held[i] = b;
                        }
                        for (int i = 0; i < held.length; i++) {
                            Bio b = held[i];
                            if (b.sector() != sector || b.privateData() != Thread.currentThread() || b.segments() != 1) {
                                throw new AssertionError(b + " changed under its owner");
                            }
                            owner.remove(b);
                            b.put();
                            held[i] = null;
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, bs.activeObjects());
    }
}
