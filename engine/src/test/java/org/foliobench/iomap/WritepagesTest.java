package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.device.RamDisk;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writeback through the flusher and dirty throttling, with writers and fsync running concurrently. */
class WritepagesTest {
    private static IomapHarness throttled() throws Exception {
        return new IomapHarness(new RamDisk(128L << 20), 4096, 9, PageCacheOptions.builder().arenaBytes(64L << 20)
                .dirtyBytes(4L << 20).dirtyBackgroundBytes(1L << 20));
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 65536, 1 << 20})
    void appendWithBackgroundWritebackAndThrottling(int bs) throws Exception {
        try (IomapHarness h = throttled()) {
            IomapHarness.OpenFile f = h.open("a");
            int total = 24 << 20;
            for (long pos = 0; pos < total; pos += bs) {
                assertEquals(bs, h.write(f, pos, IomapHarness.data(1, pos, bs)));
            }
            assertTrue(h.count("writeback.pages_written") > 0, "the flusher wrote back during the writes");
            h.fsync(f);
            assertEquals(total, f.inode.diskSize());
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            h.dropCaches();
            for (long pos = 0; pos < total; pos += 1 << 20) {
                assertArrayEquals(IomapHarness.data(1, pos, 1 << 20), h.read(f, pos, 1 << 20), "at " + pos);
            }
            assertEquals(List.of(), h.fsck());
        }
    }

    @Test
    void concurrentWritersAndFsync() throws Exception {
        try (IomapHarness h = throttled()) {
            int files = 2;
            int total = 8 << 20;
            List<IomapHarness.OpenFile> fs = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                fs.add(h.open("f" + i));
            }
            AtomicReference<Throwable> err = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                IomapHarness.OpenFile f = fs.get(i);
                int id = i;
                threads.add(new Thread(() -> {
                    try {
                        for (long pos = 0; pos < total; pos += 40_000) {
                            int n = (int) Math.min(40_000, total - pos);
                            h.write(f, pos, IomapHarness.data(id, pos, n));
                            if ((pos / 40_000) % 37 == 0) {
                                h.fsync(f);
                            }
                        }
                    } catch (Throwable t) {
                        err.compareAndSet(null, t);
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try {
                    for (int k = 0; k < 20; k++) {
                        for (IomapHarness.OpenFile f : fs) {
                            f.mapping.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
                        }
                    }
                } catch (Throwable t) {
                    err.compareAndSet(null, t);
                }
            }));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            if (err.get() != null) {
                throw new AssertionError(err.get());
            }
            for (int i = 0; i < files; i++) {
                IomapHarness.OpenFile f = fs.get(i);
                h.fsync(f);
                assertEquals(total, f.inode.diskSize());
                h.dropCaches();
                assertArrayEquals(IomapHarness.data(i, 0, total), h.read(f, 0, total));
            }
            assertEquals(0, h.fs.dirtyClusters());
            assertEquals(List.of(), h.fsck());
        }
    }

    @Test
    void ioendsGoBackToTheirCacheOnceCompleted() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            for (int round = 0; round < 4; round++) {
                // round 0 appends (unwritten extents: ext4's deferred end_io work converts them),
                // then overwrites of written blocks below i_disksize (completed at once)
                for (long pos = 0; pos < 8 << 20; pos += 256 << 10) {
                    h.write(f, pos, IomapHarness.data(round, pos, 256 << 10));
                }
                h.fsync(f);
                // fsync returns once the folios' writeback ended; the worker frees the ioend after
                // that, so wait for the work itself (flush_workqueue) before counting
                h.fs.rsvConversionWq().flush();
                assertEquals(0, h.count("slab.iomap_ioend.active"), "round " + round);
            }
            assertEquals(h.count("iomap.ioends"), h.count("slab.iomap_ioend.allocs"));
            assertTrue(h.count("slab.iomap_ioend.grows") <= 2, "the same ioends serve every fsync: "
                    + h.count("slab.iomap_ioend.grows") + " constructed");
            h.dropCaches();
            assertArrayEquals(IomapHarness.data(3, 0, 8 << 20), h.read(f, 0, 8 << 20));
        }
    }

    @Test
    void countersOfOneMiBWritesOnFourKiBBlocks() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            Map<String, Long> before = h.counters.snapshot();
            int mib = 32;
            for (int i = 0; i < mib; i++) {
                h.write(f, (long) i << 20, new byte[1 << 20]);
            }
            h.fsync(f);
            Map<String, Long> d = Counters.delta(before, h.counters.snapshot());
            System.out.println("iomap counters for " + mib + " x 1 MiB appends + fsync (4K blocks): " + d);
            assertEquals(mib, d.get("path.map_calls"), "one iomap_begin per MiB");
            assertEquals(mib, d.get("pagecache.folio_alloc_order_8"), "one order-8 folio per MiB");
            assertEquals(mib, d.get("iomap.folio_state_alloc"), "none at write time; iomap_writepage_map attaches one per multi-block folio");
            assertEquals(1, d.get("iomap.ioends"), "one ioend for the contiguous file");
            assertTrue(d.get("bio.submitted") <= 2L * mib, d.toString());
        }
    }

    @Test
    void ioendsSplitAtTheBatchSizeAndCompleteOnTheWorker() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            int folios = BufferedIo.IOEND_BATCH_SIZE + 100;
            for (int i = 0; i < folios; i++) {
                h.write(f, i * 4096L, IomapHarness.data(1, i * 4096L, 4096)); // order-0 folios
            }
            Map<String, Long> before = h.counters.snapshot();
            h.fsync(f);
            // fsync returns once the folios' writeback ended; the worker frees the ioends after
            // that, so wait for the work itself (flush_workqueue) before counting
            h.fs.rsvConversionWq().flush();
            Map<String, Long> d = Counters.delta(before, h.counters.snapshot());
            assertEquals(2, d.get("iomap.ioends"), "IOEND_BATCH_SIZE folios per ioend: " + d);
            // the completion worker merges them when both are on the inode's list when it runs
            // (the second completed before the worker took the first): one conversion, else two
            long merges = d.getOrDefault("iomap.ioend_completion_merges", 0L);
            assertTrue(merges <= 1, d.toString());
            assertEquals(2, merges + d.get("iomap.end_io_handles"), "one conversion per merged ioend: " + d);
            assertEquals(2, d.get("iomap.end_io_queued"), "both went to the completion worker: " + d);
            assertEquals(2, d.get("slab.iomap_ioend.frees"), "a merged ioend goes back to the cache too");
            assertEquals(0, h.count("slab.iomap_ioend.active"));
            assertEquals(folios * 4096L, f.inode.diskSize());
            h.dropCaches();
            assertArrayEquals(IomapHarness.data(1, 0, folios * 4096), h.read(f, 0, folios * 4096));
        }
    }

    /**
     * {@code ->map_blocks} lookups per {@code ->writepages} call, printed for the figures of
     * docs/fidelity.md: a 4K append + fsync (each fsync one call, mapping the one new block), and
     * 64K / 1M sequential writes with the flusher writing back behind a throttled writer, then an
     * fsync. Counted as {@code iomap.writeback_map_calls} over the flusher's
     * {@code writeback.writepages_calls} plus the fsyncs (both counters exist before this change).
     */
    @ParameterizedTest
    @ValueSource(ints = {4096, 65536, 1 << 20})
    void mapCallsPerWritepagesCall(int bs) throws Exception {
        boolean appendFsync = bs == 4096;
        try (IomapHarness h = appendFsync ? new IomapHarness(4096) : throttled()) {
            IomapHarness.OpenFile f = h.open("a");
            long total = appendFsync ? 256L * 4096 : 32L << 20;
            Map<String, Long> before = h.counters.snapshot();
            long fsyncs = 0;
            for (long pos = 0; pos < total; pos += bs) {
                h.write(f, pos, IomapHarness.data(7, pos, bs));
                if (appendFsync) {
                    h.fsync(f);
                    fsyncs++;
                }
            }
            if (!appendFsync) {
                h.fsync(f);
                fsyncs++;
            }
            Map<String, Long> d = Counters.delta(before, h.counters.snapshot());
            long calls = d.getOrDefault("writeback.writepages_calls", 0L) + fsyncs;
            long maps = d.getOrDefault("iomap.writeback_map_calls", 0L);
            System.out.printf("iomap map calls per writepages, %s: %d map calls / %d writepages calls = %.2f"
                    + " (flusher calls %d, fsyncs %d, delalloc allocations %d)%n",
                    appendFsync ? "4K append+fsync x" + fsyncs : (bs >> 10) + "K sequential write of "
                    + (total >> 20) + " MiB + writeback", maps, calls, (double) maps / calls,
                    d.getOrDefault("writeback.writepages_calls", 0L), fsyncs,
                    d.getOrDefault("iomap.delalloc_alloc_calls", 0L));
            long queued = d.getOrDefault("iomap.end_io_queued", 0L);
            if (queued > 0) {
                System.out.printf("  completion worker: %d ioends queued, mean depth %.2f, mean latency %.1f us%n",
                        queued, (double) d.get("iomap.end_io_queue_depth_sum") / queued,
                        d.get("iomap.end_io_latency_ns_sum") / 1e3 / queued);
            }
            if (appendFsync) {
                assertEquals(fsyncs, maps, "one lookup (and allocation) of the new block per fsync: " + d);
                assertEquals(fsyncs, d.get("iomap.writepages_calls"), d.toString());
            }
            assertEquals(total, f.inode.diskSize());
            h.dropCaches();
            assertArrayEquals(IomapHarness.data(7, 0, (int) Math.min(total, 1 << 20)),
                    h.read(f, 0, (int) Math.min(total, 1 << 20)));
        }
    }
}
