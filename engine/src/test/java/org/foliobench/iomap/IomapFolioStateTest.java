package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.PageCache;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class IomapFolioStateTest {
    /** Caches for {@code blockBits}, up to order-9 folios, for a 2048-page cache, counting in {@code c}. */
    private static IomapFolioState.Caches caches(int blockBits, Counters c) {
        return new IomapFolioState.Caches(blockBits, 9, 2048, c);
    }

    @Test
    void bitmapsAndPendingCounters() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20).build())) {
            Folio folio = pc.filemapAllocFolio(2); // 16 KiB
            IomapFolioState.Caches c10 = caches(10, new Counters());
            LongAdder allocs = c10.allocs;
            IomapFolioState ifs = IomapFolioState.alloc(folio, c10);
            assertEquals(16, ifs.nrBlocks);
            assertEquals(1, allocs.sum());
            assertEquals(ifs, IomapFolioState.alloc(folio, c10), "one per folio");
            assertEquals(1, allocs.sum());
            assertFalse(ifs.setRangeUptodate(1024, 2048));
            assertTrue(ifs.blockUptodate(1) && ifs.blockUptodate(2) && !ifs.blockUptodate(0) && !ifs.blockUptodate(3));
            ifs.setRangeDirty(3000, 2000); // blocks 2..4
            assertEquals(3, ifs.dirtyBlocks());
            assertArrayEquals(new int[] {2048, 3072}, ifs.findDirtyRange(0, 16384));
            assertArrayEquals(new int[] {3072, 2048}, ifs.findDirtyRange(3072, 16384));
            assertNull(ifs.findDirtyRange(5120, 16384));
            ifs.clearRangeDirty(0, 16384);
            assertEquals(0, ifs.dirtyBlocks());
            assertTrue(ifs.setRangeUptodate(0, 16384));
            assertTrue(ifs.fullyUptodate());
            ifs.addWritePending(1);
            ifs.addWritePending(4096);
            assertFalse(ifs.subWritePending(4096));
            assertTrue(ifs.subWritePending(1));
            ifs.addReadPending(100);
            assertEquals(0, ifs.finishRead(-1, 50, false));
            assertEquals(1, ifs.finishRead(-1, 50, false));
            c10.free(folio);
            assertEquals(0, c10.cache(16).activeObjects());
            assertEquals(1, c10.cache(16).freeObjects());
            folio.put();
        }
    }

    /** The word-at-a-time bitmap operations against a bit-by-bit model, across word boundaries. */
    @Test
    void rangesAcrossWordsMatchABitByBitModel() {
        java.util.Random rnd = new java.util.Random(7);
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20).build())) {
            for (int order : new int[] {2, 5, 9}) {
                Folio folio = pc.filemapAllocFolio(order);
                IomapFolioState.Caches c = caches(10, new Counters()); // 1K blocks: 16, 128, 2048 per folio
                IomapFolioState ifs = IomapFolioState.alloc(folio, c);
                int nr = ifs.nrBlocks;
                boolean[] up = new boolean[nr];
                boolean[] dirty = new boolean[nr];
                for (int op = 0; op < 2000; op++) {
                    int off = rnd.nextInt(folio.size());
                    int len = 1 + rnd.nextInt(Math.min(folio.size() - off, rnd.nextBoolean() ? 2048 : folio.size()));
                    int first = off >> 10;
                    int last = (off + len - 1) >> 10;
                    switch (rnd.nextInt(3)) {
                        case 0 -> {
                            boolean full = ifs.setRangeUptodate(off, len);
                            java.util.Arrays.fill(up, first, last + 1, true);
                            boolean all = true;
                            for (boolean b : up) {
                                all &= b;
                            }
                            assertEquals(all, full, "setRangeUptodate(" + off + ", " + len + ") on " + nr + " blocks");
                        }
                        case 1 -> {
                            ifs.setRangeDirty(off, len);
                            java.util.Arrays.fill(dirty, first, last + 1, true);
                        }
                        default -> {
                            ifs.clearRangeDirty(off, len);
                            java.util.Arrays.fill(dirty, first, last + 1, false);
                        }
                    }
                    int b = rnd.nextInt(nr);
                    assertEquals(up[b], ifs.blockUptodate(b));
                    assertEquals(dirty[b], ifs.blockDirty(b));
                }
                int ndirty = 0;
                for (boolean d : dirty) {
                    ndirty += d ? 1 : 0;
                }
                assertEquals(ndirty, ifs.dirtyBlocks());
                c.free(folio);
                folio.put();
            }
        }
    }

    @Test
    void neverForASingleBlockFolio() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20).build())) {
            Counters c = new Counters();
            LongAdder allocs = c.counter("iomap.folio_state_alloc");
            Folio small = pc.filemapAllocFolio(0);
            assertNull(IomapFolioState.alloc(small, caches(12, c)), "4 KiB folio, 4 KiB blocks");
            assertEquals(0, allocs.sum());
            IomapFolioState ifs = IomapFolioState.alloc(small, caches(10, c));
            assertEquals(4, ifs.nrBlocks, "4 KiB folio, 1 KiB blocks");
            small.detachPrivate();
            small.put();
        }
    }

    @Test
    void stateOfAnUptodateDirtyFolioStartsFull() {
        try (PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20).build())) {
            Folio folio = pc.filemapAllocFolio(1);
            folio.markUptodate();
            IomapFolioState ifs = IomapFolioState.alloc(folio, caches(12, new Counters()));
            assertTrue(ifs.fullyUptodate());
            assertEquals(0, ifs.dirtyBlocks());
            folio.detachPrivate();
            folio.put();
        }
    }

    @Test
    void writePathCreatesStateOnlyWhereTheKernelDoes() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 0, new byte[100]); // order-0 folio, one 4 KiB block
            assertEquals(0, h.count("iomap.folio_state_alloc"));
            h.write(f, 1 << 20, new byte[1 << 20]); // whole large folio overwritten
            assertEquals(0, h.count("iomap.folio_state_alloc"));
            h.write(f, 4L << 20, new byte[65536 - 100]); // folios sized down to the tail: all covered
            assertEquals(0, h.count("iomap.folio_state_alloc"));
            h.write(f, 8L << 20, new byte[65536]);
            h.write(f, (8L << 20) + 100, new byte[1000]); // partial write into a cached 64 KiB folio
            assertEquals(1, h.count("iomap.folio_state_alloc"));
        }
    }
}
