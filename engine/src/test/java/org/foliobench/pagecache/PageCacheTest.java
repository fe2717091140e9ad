package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.foliobench.device.RamDisk;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class PageCacheTest {
    @Test
    void readingMoreThanTheArenaReclaimsCleanFolios() throws Exception {
        for (boolean large : new boolean[] {false, true}) {
            Counters c = new Counters();
            try (RamDisk dev = new RamDisk(64L << 20);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(4L << 20).counters(c).build())) {
                RamAops aops = new RamAops(dev, 0, 32L << 20);
                TestFiles.layout(dev, aops, 5, 16L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                if (large) {
                    m.setLargeFolios();
                }
                for (int pass = 0; pass < 2; pass++) {
                    FilemapTest.readAndCheck(m, aops, pc.newRaState(), 5, 16L << 20, 65536);
                }
                assertTrue(c.get("pagecache.reclaimed_pages") >= 6 * 1024, "large=" + large + " " + c.snapshot());
                assertTrue(pc.nrCached() <= 1024);
                m.evict();
                assertEquals(pc.arena().totalPages(), pc.arena().freePages());
            }
        }
    }

    @Test
    void allocationWaitsForWritebackWhenEverythingIsDirty() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Counters c = new Counters();
            // dirty limits above the arena: nothing throttles, memory itself runs out of clean pages
            try (SlowDisk dev = new SlowDisk(64L << 20, 0);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(2L << 20).counters(c)
                            .dirtyBytes(64L << 20).dirtyBackgroundBytes(32L << 20).build())) {
                RamAops aops = new RamAops(dev, 0, 32L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                long size = 8L << 20;
                for (long pos = 0; pos < size; pos += 65536) {
                    FilemapTest.write(m, 7, pos, 65536);
                }
                assertTrue(c.get("pagecache.reclaim_writeback_waits") > 0, c.snapshot().toString());
                assertEquals(0, c.get("writeback.throttle_pauses"));
                pc.syncAll();
                pc.dropCaches();
                FilemapTest.readAndCheck(m, aops, pc.newRaState(), 7, size, 65536);
            }
        });
    }

    @Test
    void dropCachesKeepsDirtyFolios() throws Exception {
        try (RamDisk dev = new RamDisk(16L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(16L << 20).build())) {
            RamAops aops = new RamAops(dev, 0, 8L << 20);
            AddressSpace m = pc.newMapping("f", aops);
            FilemapTest.write(m, 1, 0, 40960);
            m.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
            FilemapTest.write(m, 1, 0, 8192); // pages 0 and 1 dirty again
            Folio held = m.filemapGetFolio(5); // referenced: stays too
            assertEquals(7, pc.dropCaches());
            assertEquals(3, m.nrPages());
            assertNull(m.filemapGetFolio(4));
            held.put();
            FilemapTest.readAndCheck(m, aops, pc.newRaState(), 1, 40960, 4096);
        }
    }

    @Test
    void concurrentReadersAndWritersOnSeveralMappings() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Counters c = new Counters();
            try (RamDisk dev = new RamDisk(64L << 20);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20).counters(c).build())) {
                int files = 4;
                long size = 4L << 20;
                List<RamAops> aops = new ArrayList<>();
                List<AddressSpace> maps = new ArrayList<>();
                for (int i = 0; i < files; i++) {
                    RamAops a = new RamAops(dev, i * (8L << 20), 8L << 20);
                    if (i < 2) {
                        TestFiles.layout(dev, a, 10 + i, size); // read-only files
                    }
                    aops.add(a);
                    AddressSpace m = pc.newMapping("f" + i, a);
                    if (i % 2 == 1) {
                        m.setLargeFolios();
                    }
                    maps.add(m);
                }
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int id = t;
                    threads.add(new Thread(() -> {
                        try {
                            if (id < 2) {
                                // readers: files 0 and 1, sequential and random, three passes
                                Random r = new Random(id);
                                for (int pass = 0; pass < 3; pass++) {
                                    int f = (id + pass) % 2;
                                    FileRaState ra = pc.newRaState();
                                    ByteBuffer dst = ByteBuffer.allocateDirect(65536);
                                    for (int k = 0; k < 64; k++) {
                                        long pos = pass == 1 ? (long) r.nextInt((int) size - 65536) : k * 65536L;
                                        dst.clear();
                                        int n = Filemap.filemapRead(maps.get(f), ra, pos, dst, aops.get(f).iSize());
                                        assertEquals(65536, n);
                                        TestFiles.assertContent(10 + f, pos, dst, n, "reader " + id);
                                    }
                                }
                            } else {
                                // writers: files 2 and 3, then fsync
                                int f = id;
                                for (long pos = 0; pos < size; pos += 16384) {
                                    FilemapTest.write(maps.get(f), 10 + f, pos, 16384);
                                }
                                maps.get(f).filemapWriteAndWaitRange(0, Long.MAX_VALUE);
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }, "pc-test-" + t));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join();
                }
                if (!errors.isEmpty()) {
                    throw new AssertionError("thread failed", errors.peek());
                }
                pc.syncAll();
                pc.dropCaches();
                for (int f = 0; f < files; f++) {
                    FilemapTest.readAndCheck(maps.get(f), aops.get(f), pc.newRaState(), 10 + f, size, 1 << 20);
                }
                for (AddressSpace m : maps) {
                    m.evict();
                }
                assertEquals(pc.arena().totalPages(), pc.arena().freePages(), "no folio leaked");
            }
        });
    }

    @Test
    void writerReaderSyncAndDropCachesOnOneMappingLeakNothing() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (long seed : new long[] {21, 22}) {
                Counters c = new Counters();
                try (RamDisk dev = new RamDisk(32L << 20);
                        PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(4L << 20).counters(c)
                                .dirtyWritebackCentisecs(1).dirtyExpireCentisecs(1).build())) {
                    RamAops aops = new RamAops(dev, 0, 16L << 20);
                    AddressSpace m = pc.newMapping("f", aops);
                    if (seed % 2 == 0) {
                        m.setLargeFolios();
                    }
                    int size = 6 << 20;
                    byte[] model = new byte[size];
                    FilemapTest.write(m, 0, 0, 4096); // i_size > 0
                    byte[] first = TestFiles.data(0, 0, 4096);
                    System.arraycopy(first, 0, model, 0, 4096);
                    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                    AtomicBoolean done = new AtomicBoolean();
                    Thread writer = new Thread(() -> {
                        Random r = new Random(seed);
                        try {
                            for (int op = 0; op < 400; op++) {
                                int pos = r.nextInt(size - 1);
                                int len = 1 + r.nextInt(Math.min(size - pos, 100_000));
                                byte[] d = new byte[len];
                                r.nextBytes(d);
                                System.arraycopy(d, 0, model, pos, len);
                                ByteBuffer src = ByteBuffer.allocateDirect(len).put(0, d);
                                assertEquals(len, Filemap.genericPerformWrite(m, pos, src));
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        } finally {
                            done.set(true);
                        }
                    });
                    Thread reader = new Thread(() -> {
                        Random r = new Random(seed + 100);
                        ByteBuffer dst = ByteBuffer.allocateDirect(200_000);
                        try {
                            while (!done.get()) {
                                long isz = aops.iSize();
                                int pos = r.nextInt((int) isz);
                                dst.clear();
                                Filemap.filemapRead(m, pc.newRaState(), pos, dst, isz);
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    });
                    Thread churn = new Thread(() -> {
                        try {
                            while (!done.get()) {
                                pc.dropCaches();
                                pc.syncAll();
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    });
                    writer.start();
                    reader.start();
                    churn.start();
                    writer.join();
                    reader.join();
                    churn.join();
                    if (!errors.isEmpty()) {
                        throw new AssertionError("seed " + seed, errors.peek());
                    }
                    pc.syncAll();
                    pc.dropCaches();
                    int isz = (int) aops.iSize();
                    ByteBuffer dst = ByteBuffer.allocateDirect(isz);
                    assertEquals(isz, Filemap.filemapRead(m, pc.newRaState(), 0, dst, isz));
                    byte[] got = new byte[isz];
                    dst.get(0, got);
                    for (int i = 0; i < isz; i++) {
                        if (got[i] != model[i]) {
                            assertEquals(model[i], got[i], "seed " + seed + " byte " + i);
                        }
                    }
                    m.evict();
                    assertEquals(pc.arena().totalPages(), pc.arena().freePages(), "seed " + seed + ": no folio leaked");
                    assertEquals(0, pc.nrDirty());
                    assertEquals(0, pc.nrWriteback());
                }
            }
        });
    }
}
