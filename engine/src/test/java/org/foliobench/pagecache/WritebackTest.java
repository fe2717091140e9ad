package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class WritebackTest {
    @Test
    void writerFarOverDirtyRatioIsThrottledButCompletes() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Counters c = new Counters();
            try (SlowDisk dev = new SlowDisk(64L << 20, 40_000);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(16L << 20).counters(c)
                            .nrCpus(2).build())) {
                long[] lim = pc.dirtyLimits();
                assertEquals(409, lim[0], "dirty_background_ratio 10 of 4096 pages");
                assertEquals(819, lim[1], "dirty_ratio 20 of 4096 pages");
                assertEquals(16, pc.ratelimitPages, "max(16, thresh / (cpus * 32))");
                RamAops aops = new RamAops(dev, 0, 48L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                long size = 32L << 20;
                int bs = 64 << 10;
                long maxDirty = 0;
                ByteBuffer src = ByteBuffer.allocateDirect(bs);
                for (long pos = 0; pos < size; pos += bs) {
                    src.clear();
                    src.put(0, TestFiles.data(3, pos, bs));
                    assertEquals(bs, Filemap.genericPerformWrite(m, pos, src));
                    maxDirty = Math.max(maxDirty, pc.nrDirty() + pc.nrWriteback());
                }
                long slack = 32 + bs / 4096; // nr_dirtied_pause at most 32 pages, plus one write
                System.out.println("max dirty+writeback " + maxDirty + " thresh " + lim[1] + " pauses "
                        + c.get("writeback.throttle_pauses") + " wait ms " + c.get("writeback.throttle_wait_ns") / 1_000_000
                        + " reclaimed " + c.get("pagecache.reclaimed_pages"));
                assertTrue(maxDirty <= lim[1] + slack, "dirty " + maxDirty + " over the limit " + lim[1] + " + " + slack);
                assertTrue(c.get("writeback.throttle_pauses") > 0, "the writer was paused");
                assertTrue(c.get("writeback.throttle_wait_ns") > 0);
                assertTrue(c.get("writeback.background_runs") > 0, "the flusher ran");
                assertTrue(c.get("pagecache.reclaimed_pages") > 0, "32 MiB went through a 16 MiB cache");
                pc.syncAll();
                assertEquals(0, pc.nrDirty());
                pc.dropCaches();
                FilemapTest.readAndCheck(m, aops, pc.newRaState(), 3, size, 1 << 20);
            }
        });
    }

    @Test
    void severalWritersShareTheLimit() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Counters c = new Counters();
            try (SlowDisk dev = new SlowDisk(128L << 20, 20_000);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(16L << 20).counters(c)
                            .nrCpus(2).build())) {
                long thresh = pc.dirtyLimits()[1];
                int writers = 3;
                long size = 12L << 20;
                List<RamAops> aops = new ArrayList<>();
                List<AddressSpace> maps = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    RamAops a = new RamAops(dev, i * (32L << 20), 32L << 20);
                    aops.add(a);
                    AddressSpace m = pc.newMapping("w" + i, a);
                    if (i == 1) {
                        m.setLargeFolios();
                    }
                    maps.add(m);
                }
                AtomicLong maxDirty = new AtomicLong();
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    final int id = i;
                    threads.add(new Thread(() -> {
                        try {
                            for (long pos = 0; pos < size; pos += 32768) {
                                FilemapTest.write(maps.get(id), 20 + id, pos, 32768);
                                maxDirty.accumulateAndGet(pc.nrDirty() + pc.nrWriteback(), Math::max);
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join();
                }
                if (!errors.isEmpty()) {
                    throw new AssertionError("writer failed", errors.peek());
                }
                long slack = writers * (32 + 8);
                System.out.println("3 writers: max dirty+writeback " + maxDirty.get() + " thresh " + thresh + " pauses "
                        + c.get("writeback.throttle_pauses"));
                assertTrue(maxDirty.get() <= thresh + slack, maxDirty.get() + " > " + thresh + " + " + slack);
                assertTrue(c.get("writeback.throttle_pauses") > 0);
                pc.syncAll();
                pc.dropCaches();
                for (int i = 0; i < writers; i++) {
                    FilemapTest.readAndCheck(maps.get(i), aops.get(i), pc.newRaState(), 20 + i, size, 1 << 20);
                }
            }
        });
    }

    @Test
    void belowBackgroundThresholdNothingIsWrittenBack() throws Exception {
        Counters c = new Counters();
        try (SlowDisk dev = new SlowDisk(64L << 20, 0);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).counters(c).build())) {
            RamAops aops = new RamAops(dev, 0, 48L << 20);
            AddressSpace m = pc.newMapping("f", aops);
            for (long pos = 0; pos < (4L << 20); pos += 65536) {
                FilemapTest.write(m, 1, pos, 65536);
            }
            assertEquals(1024, pc.nrDirty(), "write cache: 4 MiB of 64 stays dirty (bg 10% = 1638 pages)");
            assertEquals(0, c.get("writeback.pages_written"));
            assertEquals(0, c.get("writeback.throttle_pauses"));
        }
    }

    @Test
    void dirtyBytesOverrideTheRatios() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).dirtyBytes(8L << 20)
                .dirtyBackgroundBytes(1L << 20).build())) {
            long[] lim = pc.dirtyLimits();
            assertEquals(256, lim[0]);
            assertEquals(2048, lim[1]);
        }
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).dirtyRatio(5)
                .dirtyBackgroundRatio(10).build())) {
            long[] lim = pc.dirtyLimits();
            assertEquals(819, lim[1]);
            assertEquals(409, lim[0], "bg >= thresh: bg = thresh / 2");
        }
    }

    @Test
    void periodicWritebackWritesExpiredMappings() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Counters c = new Counters();
            try (SlowDisk dev = new SlowDisk(64L << 20, 0);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).counters(c)
                            .dirtyExpireCentisecs(1).dirtyWritebackCentisecs(5).build())) {
                RamAops aops = new RamAops(dev, 0, 48L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                FilemapTest.write(m, 1, 0, 65536);
                // the flusher's timed wakeup (50 ms) writes back data older than 10 ms
                long before = System.nanoTime();
                while (pc.nrDirty() > 0 && System.nanoTime() - before < 15_000_000_000L) {
                    pc.waitForProgress(() -> pc.nrDirty() == 0);
                }
                assertEquals(0, pc.nrDirty());
                assertTrue(c.get("writeback.kupdate_runs") > 0);
            }
        });
    }
}
