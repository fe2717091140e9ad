package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IomapPathTest {
    static void apply(byte[] model, long pos, byte[] d) {
        System.arraycopy(d, 0, model, (int) pos, d.length);
    }

    static void assertFsckClean(IomapHarness h) throws IOException {
        List<String> p = h.fsck();
        assertTrue(p.isEmpty(), "fsck: " + p);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void writeReadBackUnalignedAcrossDropCachesAndRemount(int bs) throws Exception {
        try (IomapHarness h = new IomapHarness(bs)) {
            IomapHarness.OpenFile f = h.open("a");
            int size = 3 << 20;
            byte[] model = new byte[size];
            long end = 0;
            long[][] writes = {{0, 100}, {5000, 7000}, {4095, 2}, {65536 * 3 + 17, 300000}, {1 << 20, 1 << 20},
                    {(1 << 20) - 1, 3}, {2_500_000, 1000}, {777, 1}, {2 << 20, 65536}, {123456, 4096}};
            int seed = 1;
            for (long[] w : writes) {
                byte[] d = IomapHarness.data(seed++, w[0], (int) w[1]);
                assertEquals(d.length, h.write(f, w[0], d));
                apply(model, w[0], d);
                end = Math.max(end, w[0] + w[1]);
            }
            assertEquals(end, f.inode.size());
            byte[] expect = Arrays.copyOf(model, (int) end);
            assertArrayEquals(expect, h.read(f, 0, (int) end), "from the page cache");
            assertArrayEquals(Arrays.copyOfRange(model, 4000, 9000), h.read(f, 4000, 5000));
            h.fsync(f);
            assertTrue(h.dropCaches() > 0);
            assertArrayEquals(expect, h.read(f, 0, (int) end), "after writeback and drop_caches");
            h.remount();
            f = h.open("a");
            assertEquals(end, f.inode.size());
            assertEquals(end, f.inode.diskSize());
            assertArrayEquals(expect, h.read(f, 0, (int) end), "after remount");
            // overwrite after remount: partial blocks are read from the disk first
            h.dropCaches();
            byte[] d = IomapHarness.data(99, 3000, 5000);
            long readsBefore = h.count("iomap.write_begin_reads");
            h.write(f, 3000, d);
            apply(expect, 3000, d);
            assertTrue(h.count("iomap.write_begin_reads") > readsBefore, "partial block read before the write");
            assertArrayEquals(expect, h.read(f, 0, (int) end));
            h.fsync(f);
            h.dropCaches();
            assertArrayEquals(expect, h.read(f, 0, (int) end));
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            assertFsckClean(h);
        }
    }

    @Test
    void largeFolioOrdersFromTheWriteLength() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 0, new byte[2 << 20]);
            assertEquals(1, h.count("pagecache.folio_alloc_order_9"), "2 MiB aligned write: one PMD folio");
            h.write(f, 2 << 20, new byte[1 << 20]);
            assertEquals(1, h.count("pagecache.folio_alloc_order_8"), "1 MiB write: one order-8 folio");
            h.write(f, 3 << 20, new byte[65536]);
            assertEquals(1, h.count("pagecache.folio_alloc_order_4"));
            // unaligned index clamps the order to the index alignment
            h.write(f, (4L << 20) + 8192, new byte[65536]);
            assertEquals(2, h.count("pagecache.folio_alloc_order_1"), "index 1026: orders 1, 2, 3, then 1 for the tail");
            assertEquals(0, h.count("iomap.folio_state_alloc"), "whole-folio writes need no per-block state");
        }
    }

    @Test
    void maxFolioOrderIsHonoured() throws Exception {
        try (IomapHarness h = new IomapHarness(new org.foliobench.device.RamDisk(64L << 20), 4096, 2,
                PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 0, new byte[1 << 20]);
            assertEquals(64, h.count("pagecache.folio_alloc_order_2"));
            assertEquals(0, h.count("pagecache.folio_alloc_order_3"));
        }
    }

    @Test
    void allocatorFallbackToLowerOrders() throws Exception {
        try (IomapHarness h = new IomapHarness(new org.foliobench.device.RamDisk(64L << 20), 4096, 9,
                PageCacheOptions.builder().arenaBytes(8L << 20))) {
            // fragment the arena: take every page, give back every other one
            List<Folio> held = new ArrayList<>();
            Folio x;
            while ((x = h.cache.filemapAllocFolio(0)) != null) {
                held.add(x);
                if (held.size() > 4096) {
                    break;
                }
            }
            for (int i = 0; i < held.size(); i += 2) {
                held.get(i).put();
            }
            IomapHarness.OpenFile f = h.open("a");
            long order0 = h.count("pagecache.folio_alloc_order_0");
            byte[] d = IomapHarness.data(3, 0, 256 << 10);
            assertEquals(d.length, h.write(f, 0, d));
            assertTrue(h.count("pagecache.alloc_fail_order_6") > 0, "order 6 failed");
            assertEquals(64, h.count("pagecache.folio_alloc_order_0") - order0, "fell back to order 0");
            assertArrayEquals(d, h.read(f, 0, d.length));
            for (int i = 1; i < held.size(); i += 2) {
                held.get(i).put();
            }
            h.fsync(f);
        }
    }

    @Test
    void holesReadAsZerosWithoutDeviceIo() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("sparse");
            h.truncate(f, 8L << 20);
            long reads = h.dev.stats().ios(Bio.Op.READ);
            byte[] got = h.read(f, 0, 8 << 20);
            assertEquals(8 << 20, got.length);
            for (byte b : got) {
                assertEquals(0, b);
            }
            assertEquals(reads, h.dev.stats().ios(Bio.Op.READ), "no device IO for a hole");
            assertEquals(0, h.count("bio.submitted"));
            assertTrue(h.count("iomap.read_zeroed_bytes") >= 8 << 20);
            assertTrue(h.count("pagecache.folio_alloc_order_2") + h.count("pagecache.folio_alloc_order_4") > 0,
                    "readahead grew into large folios: " + h.counters.snapshot());
        }
    }

    @Test
    void unwrittenAtWritebackConvertedAtCompletion() throws Exception {
        HookDisk disk = new HookDisk(64L << 20);
        try (IomapHarness h = new IomapHarness(disk, 4096, 9, PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile f = h.open("a");
            byte[] d = IomapHarness.data(5, 0, (1 << 20) + 1234);
            h.write(f, 0, d);
            assertEquals(0, f.inode.diskSize(), "no i_disksize update at write time");
            assertEquals(257, f.inode.reservedBlocks());
            List<String> seen = new ArrayList<>();
            long[] disksizeAtIo = {-1};
            disk.beforeWrite = bio -> {
                if (disksizeAtIo[0] < 0) {
                    seen.add(h.fs.dumpExtents(f.inode));
                    disksizeAtIo[0] = f.inode.diskSize();
                }
            };
            h.fsync(f);
            disk.beforeWrite = null;
            assertTrue(seen.get(0).contains("U"), "allocated unwritten before the data IO: " + seen);
            assertEquals(0, disksizeAtIo[0], "i_disksize only after the IO");
            assertFalse(h.fs.dumpExtents(f.inode).contains("U"), h.fs.dumpExtents(f.inode));
            assertEquals(d.length, f.inode.diskSize());
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            assertEquals(1, h.count("iomap.delalloc_alloc_calls"), "the delalloc extent allocated once");
            assertFsckClean(h);
            h.dropCaches();
            assertArrayEquals(d, h.read(f, 0, d.length));
        }
    }

    @Test
    void sequentialDirtyDataMergesIntoFewBios() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            for (int i = 0; i < 256; i++) {
                h.write(f, i * 4096L, IomapHarness.data(7, i * 4096L, 4096));
            }
            Map<String, Long> before = h.counters.snapshot();
            h.fsync(f);
            Map<String, Long> d = Counters.delta(before, h.counters.snapshot());
            assertEquals(1, d.get("iomap.ioends"), d.toString());
            assertEquals(255, d.get("iomap.ioend_merges"), d.toString());
            assertEquals(1, d.get("bio.submitted"), d.toString());
            assertEquals(1 << 20, d.get("bio.bytes"));
            assertTrue(d.get("bio.segments") <= 256, d.toString());
            // the same MiB written as one write: one folio, one segment
            IomapHarness.OpenFile g = h.open("b");
            h.write(g, 0, new byte[1 << 20]);
            before = h.counters.snapshot();
            h.fsync(g);
            d = Counters.delta(before, h.counters.snapshot());
            assertEquals(1, d.get("bio.submitted"));
            assertEquals(1, d.get("bio.segments"));
        }
    }

    @Test
    void mapCallsPerMiBForMiBWrites() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            long before = h.count("path.map_calls");
            for (int i = 0; i < 16; i++) {
                h.write(f, (long) i << 20, new byte[1 << 20]);
            }
            assertEquals(16, h.count("path.map_calls") - before, "one iomap_begin per 1 MiB write");
            h.fsync(f);
            // overwrite: mapped blocks
            before = h.count("path.map_calls");
            for (int i = 0; i < 16; i++) {
                h.write(f, (long) i << 20, new byte[1 << 20]);
            }
            assertEquals(16, h.count("path.map_calls") - before);
            assertEquals(0, h.count("iomap.stale"));
        }
    }

    @Test
    void enospcFromTheReservation() throws Exception {
        try (IomapHarness h = new IomapHarness(new org.foliobench.device.RamDisk(8L << 20), 4096, 9,
                PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile f = h.open("a");
            long free = h.fs.freeBlocks();
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> h.write(f, 0, new byte[(int) (free + 16) * 4096]));
            assertEquals(Errno.ENOSPC, e.errno());
            assertEquals(0, f.inode.size());
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            // a write that fits still works, and a later one fails after progress only by its own extent
            assertEquals(65536, h.write(f, 0, new byte[65536]));
            h.fsync(f);
            assertFsckClean(h);
        }
    }

    @Test
    void eioAtWritebackThroughErrseq() throws Exception {
        HookDisk disk = new HookDisk(64L << 20);
        try (IomapHarness h = new IomapHarness(disk, 4096, 9, PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile f = h.open("a");
            byte[] d = IomapHarness.data(9, 0, 300000);
            h.write(f, 0, d);
            disk.failWrites = true;
            ErrnoException e = assertThrows(ErrnoException.class, () -> f.mapping.fileWriteAndWaitRange(f.since, 0,
                    Long.MAX_VALUE));
            assertEquals(Errno.EIO, e.errno());
            disk.failWrites = false;
            // reported once per opener
            f.mapping.fileWriteAndWaitRange(f.since, 0, Long.MAX_VALUE);
            assertEquals(0, f.mapping.cache().nrWriteback());
            assertTrue(h.fs.dumpExtents(f.inode).contains("U"), "failed IO leaves the extent unwritten");
            assertEquals(0, f.inode.diskSize());
            h.fs.fsyncCommit(f.inode, false);
            assertFsckClean(h);
            h.dropCaches();
            byte[] got = h.read(f, 0, d.length);
            for (byte b : got) {
                assertEquals(0, b, "unwritten blocks read as zeros");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void forcedShortCopyReleasesOnlyUnusedDelalloc(int bs) throws Exception {
        try (IomapHarness h = new IomapHarness(bs)) {
            IomapHarness.OpenFile f = h.open("a");
            // an earlier clean delalloc-free file part and a dirty delalloc block beyond the short write
            byte[] tail = IomapHarness.data(2, 200_000, 100);
            h.write(f, 200_000, tail);
            long tailBlocks = 1 + (200_099 / bs - 200_000 / bs);
            assertEquals(tailBlocks, f.inode.reservedBlocks());
            long resvBefore = h.fs.dirtyClusters();
            h.path.faultSourceAfter(10_000);
            byte[] d = IomapHarness.data(1, 0, 150_000);
            long n = h.write(f, 0, d);
            h.path.faultSourceAfter(-1);
            assertEquals(10_000, n, "short write up to the fault");
            assertTrue(h.count("iomap.short_copies") > 0);
            long kept = (10_000 + bs - 1) / bs;
            assertEquals(kept + tailBlocks, f.inode.reservedBlocks(), "reservation exact: written blocks + the tail");
            assertEquals(resvBefore + kept, h.fs.dirtyClusters());
            assertEquals(200_100, f.inode.size());
            byte[] got = h.read(f, 0, 10_000);
            assertArrayEquals(Arrays.copyOf(d, 10_000), got);
            h.fsync(f);
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            h.dropCaches();
            assertArrayEquals(Arrays.copyOf(d, 10_000), h.read(f, 0, 10_000));
            assertArrayEquals(tail, h.read(f, 200_000, 100));
            assertFsckClean(h);
        }
    }

    @Test
    void shortCopyIntoAnUptodateFolioIsAccepted() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 0, new byte[65536]);
            h.path.faultSourceAfter(5000);
            long n = h.write(f, 0, IomapHarness.data(1, 0, 65536));
            h.path.faultSourceAfter(-1);
            assertEquals(5000, n);
            byte[] got = h.read(f, 0, 65536);
            assertArrayEquals(Arrays.copyOf(IomapHarness.data(1, 0, 5000), 5000), Arrays.copyOf(got, 5000));
            assertEquals(0, got[5000]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void zeroPartialBlocksAndTruncatePage(int bs) throws Exception {
        try (IomapHarness h = new IomapHarness(bs)) {
            IomapHarness.OpenFile f = h.open("a");
            int size = 64 * bs;
            byte[] model = IomapHarness.data(4, 0, size);
            h.write(f, 0, model);
            // dirty data over allocated, unwritten blocks: written back first (patch 28), then zeroed
            long pos = 3 * bs + 100;
            long len = 10L * bs;
            h.path.zeroPartialBlocks(f.inode, f.mapping, pos, len);
            Arrays.fill(model, (int) pos, 4 * bs, (byte) 0);
            Arrays.fill(model, (int) (pos + len) & ~(bs - 1), (int) (pos + len), (byte) 0);
            assertArrayEquals(model, h.read(f, 0, size));
            h.fsync(f);
            h.dropCaches();
            assertArrayEquals(model, h.read(f, 0, size), "zeroes reached the disk");
            // within one block
            h.path.zeroPartialBlocks(f.inode, f.mapping, 20L * bs + 10, 20);
            Arrays.fill(model, 20 * bs + 10, 20 * bs + 30, (byte) 0);
            assertArrayEquals(model, h.read(f, 0, size));
            // holes are skipped: no folio instantiated
            IomapHarness.OpenFile g = h.open("hole");
            h.truncate(g, 1 << 20);
            h.path.zeroPartialBlocks(g.inode, g.mapping, 5000, 10000);
            assertEquals(0, g.mapping.nrPages());
            // truncate down zeroes the tail of the last block
            h.truncate(f, 10L * bs + 7);
            h.truncate(f, 12L * bs);
            byte[] got = h.read(f, 0, 12 * bs);
            byte[] expect = Arrays.copyOf(Arrays.copyOf(model, 10 * bs + 7), 12 * bs);
            assertArrayEquals(expect, got);
            h.fsync(f);
            h.dropCaches();
            assertArrayEquals(expect, h.read(f, 0, 12 * bs));
            assertEquals(0, f.inode.reservedBlocks());
            assertFsckClean(h);
        }
    }

    @Test
    void readaheadIntoLargeFoliosFromTheDevice() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            byte[] d = IomapHarness.data(8, 0, 8 << 20);
            h.write(f, 0, d);
            h.fsync(f);
            h.dropCaches();
            Map<String, Long> before = h.counters.snapshot();
            byte[] got = new byte[d.length];
            for (int off = 0; off < d.length; off += 65536) {
                System.arraycopy(h.read(f, off, 65536), 0, got, off, 65536);
            }
            assertArrayEquals(d, got);
            Map<String, Long> dl = Counters.delta(before, h.counters.snapshot());
            long big = 0;
            for (int o = 2; o <= 9; o++) {
                big += dl.getOrDefault("pagecache.folio_alloc_order_" + o, 0L);
            }
            assertTrue(big > 0, "ra.order growth gives large folios: " + dl);
            assertTrue(dl.get("bio.submitted") <= dl.get("readahead.batches") + 1, "one bio per readahead batch: " + dl);
            assertTrue(dl.get("path.map_calls") <= dl.get("readahead.batches") + 1, "one iomap_begin per readahead batch over one extent: " + dl);
        }
    }

    @Test
    void partiallyUptodateFolioServesReadsOfItsUptodateBlocks() throws Exception {
        try (IomapHarness h = new IomapHarness(1024)) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 0, IomapHarness.data(1, 0, 4096));
            h.fsync(f);
            h.dropCaches();
            // a partial overwrite of block 1 of a new order-0 folio: block 1 uptodate only
            h.write(f, 1024, IomapHarness.data(2, 1024, 1024));
            Folio folio = f.mapping.filemapGetFolio(0);
            try {
                assertFalse(folio.isUptodate());
                IomapFolioState ifs = IomapFolioState.of(folio);
                assertEquals(1, ifs.uptodateBlocks());
                assertEquals(1, ifs.dirtyBlocks());
                assertTrue(h.path.aops().isPartiallyUptodate(folio, 1024, 1024));
                assertFalse(h.path.aops().isPartiallyUptodate(folio, 0, 2048));
            } finally {
                folio.put();
            }
            long reads = h.dev.stats().ios(Bio.Op.READ);
            assertArrayEquals(IomapHarness.data(2, 1024, 1024), h.read(f, 1024, 1024));
            assertEquals(reads, h.dev.stats().ios(Bio.Op.READ), "served from the uptodate block");
            byte[] all = h.read(f, 0, 4096);
            assertArrayEquals(IomapHarness.data(1, 0, 1024), Arrays.copyOf(all, 1024));
            assertArrayEquals(IomapHarness.data(2, 1024, 1024), Arrays.copyOfRange(all, 1024, 2048));
            assertArrayEquals(IomapHarness.data(1, 2048, 2048), Arrays.copyOfRange(all, 2048, 4096));
            // writeback writes only the dirty block
            long bytes = h.count("bio.bytes");
            h.fsync(f);
            assertEquals(1024, h.count("bio.bytes") - bytes);
        }
    }

    @Test
    void releaseAndInvalidate() throws Exception {
        try (IomapHarness h = new IomapHarness(1024)) {
            IomapHarness.OpenFile f = h.open("a");
            h.write(f, 100, new byte[200]);
            Folio folio = f.mapping.filemapGetFolio(0);
            try {
                assertTrue(folio.getPrivate() instanceof IomapFolioState);
                folio.lock();
                assertFalse(h.path.aops().releaseFolio(folio), "dirty: keep the state");
                h.path.aops().invalidateFolio(folio, 0, 1024);
                assertTrue(folio.hasPrivate(), "partial invalidation keeps the state");
                folio.unlock();
            } finally {
                folio.put();
            }
            h.fsync(f);
            folio = f.mapping.filemapGetFolio(0);
            try {
                folio.lock();
                assertTrue(h.path.aops().releaseFolio(folio));
                assertFalse(folio.hasPrivate());
                // dirty_folio on a folio without state marks every block dirty
                assertTrue(h.path.aops().dirtyFolio(f.mapping, folio));
                assertEquals(4, IomapFolioState.of(folio).dirtyBlocks());
                folio.unlock();
            } finally {
                folio.put();
            }
            h.fsync(f);
        }
    }

    @Test
    void staleMappingIsLookedUpAgainAfterTheFolioLock() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            AtomicReference<Boolean> once = new AtomicReference<>(true);
            IomapOps ops = new IomapOps() {
                @Override
                public void iomapBegin(org.foliobench.fs.Inode inode, long pos, long length, int flags, Iomap iomap,
                        Iomap srcmap) throws IOException {
                    h.path.daWriteOps.iomapBegin(inode, pos, length, flags, iomap, srcmap);
                    if (once.getAndSet(false)) {
                        // an extent status change between iomap_begin and the folio lock
                        h.fs.insertDelayedBlocks(inode, 10_000, 1);
                        h.fs.releaseDelayedBlocks(inode, 10_000, 1);
                    }
                }

                @Override
                public void iomapEnd(org.foliobench.fs.Inode inode, long pos, long length, long written, int flags,
                        Iomap iomap) throws IOException {
                    h.path.daWriteOps.iomapEnd(inode, pos, length, written, flags, iomap);
                }

                @Override
                public boolean iomapValid(org.foliobench.fs.Inode inode, Iomap iomap) {
                    return h.path.daWriteOps.iomapValid(inode, iomap);
                }
            };
            byte[] d = IomapHarness.data(3, 0, 100_000);
            java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(d.length).put(0, d);
            f.inode.iRwsem().writeLock().lock();
            try {
                assertEquals(d.length, h.path.io.fileBufferedWrite(f.inode, f.mapping, src, 0, ops));
            } finally {
                f.inode.iRwsem().writeLock().unlock();
            }
            assertEquals(1, h.count("iomap.stale"));
            assertEquals(2, h.count("path.map_calls"), "looked up again after the stale mapping");
            assertArrayEquals(d, h.read(f, 0, d.length));
            assertEquals(25, f.inode.reservedBlocks(), "stale punch and re-reserve keep the count exact");
            h.fsync(f);
            assertEquals(0, h.fs.dirtyClusters());
            assertFsckClean(h);
        }
    }

    @Test
    void readErrorsReportEioAndLeaveNoFolioLocked() throws Exception {
        HookDisk disk = new HookDisk(64L << 20);
        try (IomapHarness h = new IomapHarness(disk, 4096, 9, PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile f = h.open("a");
            byte[] d = IomapHarness.data(6, 0, 1 << 20);
            h.write(f, 0, d);
            h.fsync(f);
            h.dropCaches();
            disk.failReads = true;
            ErrnoException e = assertThrows(ErrnoException.class, () -> h.read(f, 0, 65536));
            assertEquals(Errno.EIO, e.errno());
            disk.failReads = false;
            assertArrayEquals(d, h.read(f, 0, d.length), "read again once the device recovered");
        }
    }

    @Test
    void crashAfterUncommittedWritebackKeepsSyncedDataAndSize() throws Exception {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile f = h.open("a");
            byte[] a = IomapHarness.data(1, 0, 1 << 20);
            h.write(f, 0, a);
            h.fsync(f);
            // appended and written back (allocation, conversion and i_disksize in a running transaction) but not committed
            h.write(f, 1 << 20, IomapHarness.data(2, 1 << 20, 1 << 20));
            f.mapping.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
            assertEquals(2 << 20, f.inode.diskSize());
            h.crash();
            f = h.open("a");
            assertEquals(1 << 20, f.inode.size(), "the uncommitted size update is lost with its transaction");
            assertArrayEquals(a, h.read(f, 0, 1 << 20));
            assertFsckClean(h);
        }
    }

    @Test
    void nearlyFullFilesystemSwitchesToNodelalloc() throws Exception {
        try (IomapHarness h = new IomapHarness(new org.foliobench.device.RamDisk(8L << 20), 4096, 9,
                PageCacheOptions.builder().arenaBytes(64L << 20))) {
            IomapHarness.OpenFile big = h.open("big");
            long fill = h.fs.freeBlocks() - 100;
            h.write(big, 0, new byte[(int) fill * 4096]);
            h.fsync(big);
            assertEquals(0, h.count("iomap.nodelalloc_writes"));
            IomapHarness.OpenFile f = h.open("a");
            byte[] d = IomapHarness.data(3, 1000, 100_000);
            assertEquals(d.length, h.write(f, 1000, d));
            assertTrue(h.count("iomap.nodelalloc_writes") > 0, "free blocks under the watermark");
            assertEquals(0, f.inode.reservedBlocks(), "allocated at write time, nothing reserved");
            assertTrue(h.fs.dumpExtents(f.inode).contains("U"), "allocated unwritten");
            assertArrayEquals(d, Arrays.copyOfRange(h.read(f, 0, 101_000), 1000, 101_000));
            // more than is free: a short write, nothing allocated past the new EOF
            byte[] e = IomapHarness.data(4, 101_000, 2 << 20);
            long n;
            try {
                n = h.write(f, 101_000, e);
            } catch (ErrnoException x) {
                assertEquals(Errno.ENOSPC, x.errno());
                n = 0;
            }
            assertTrue(n < e.length);
            assertEquals(101_000 + n, f.inode.size());
            h.fsync(f);
            h.dropCaches();
            byte[] got = h.read(f, 0, (int) f.inode.size());
            assertArrayEquals(d, Arrays.copyOfRange(got, 1000, 101_000));
            assertArrayEquals(Arrays.copyOf(e, (int) n), Arrays.copyOfRange(got, 101_000, got.length));
            assertFsckClean(h);
        }
    }

    /** 64 KiB of {@code seed}'s data written to {@code a} and fsync'd, then all 16 blocks reflinked into {@code b}; returns the data. */
    private static byte[] cloneInto(IomapHarness h, IomapHarness.OpenFile a, IomapHarness.OpenFile b, int seed) throws IOException {
        byte[] orig = IomapHarness.data(seed, 0, 64 << 10);
        h.write(a, 0, orig);
        h.fsync(a);
        h.fs.reflink().remapRange(a.inode, 0, b.inode, 0, 16, 64 << 10);
        return orig;
    }

    /**
     * A short write into shared blocks: the CoW fork's range it reserved ({@code IOMAP_F_NEW}) and
     * left clean is punched at once ({@code xfs_buffered_write_delalloc_punch} on the CoW fork), so
     * only the blocks holding the copied bytes stay reserved; writeback then moves those and
     * nothing is left. Both write ops (delalloc and nodelalloc) do it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aShortWriteIntoSharedBlocksPunchesTheCowReservationItLeftUnused(boolean delalloc) throws IOException {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile a = h.open("a");
            IomapHarness.OpenFile b = h.open("b");
            byte[] orig = cloneInto(h, a, b, 5);
            long resv = h.fs.dirtyClusters();
            long cancelled = h.count("fs.cow_cancel_blocks");
            h.path.faultSourceAfter(10_000);
            byte[] w = IomapHarness.data(6, 0, 64 << 10);
            long n;
            if (delalloc) {
                n = h.write(b, 0, w);
            } else { // ext4_nonda_switch's choice near a full filesystem, made here directly
                ByteBuffer src = ByteBuffer.allocateDirect(w.length).put(0, w);
                b.inode.iRwsem().writeLock().lock();
                try {
                    n = h.path.io.fileBufferedWrite(b.inode, b.mapping, src, 0, h.path.writeOps);
                } finally {
                    b.inode.iRwsem().writeLock().unlock();
                }
            }
            h.path.faultSourceAfter(-1);
            assertEquals(10_000, n, "short write up to the fault");
            long kept = (10_000 + 4095) / 4096;
            assertEquals(resv + kept, h.fs.dirtyClusters(), "the blocks with copied bytes stay reserved, the rest is punched");
            assertEquals(16 - kept, h.count("fs.cow_cancel_blocks") - cancelled);
            h.fsync(b);
            assertEquals(resv, h.fs.dirtyClusters(), "nothing reserved once written back");
            h.dropCaches();
            byte[] model = orig.clone();
            System.arraycopy(w, 0, model, 0, 10_000);
            assertArrayEquals(model, h.read(b, 0, model.length));
            assertArrayEquals(orig, h.read(a, 0, orig.length), "the source never changes");
            assertEquals(List.of(), h.fsck());
        }
    }

    /**
     * A write into blocks shared with another file ({@code IOMAP_F_SHARED}): {@code ->iomap_begin}
     * answers with a CoW fork reservation as the iomap and the old blocks as the srcmap;
     * {@code __iomap_write_begin} reads the partial block from the srcmap; writeback writes new
     * blocks and remaps them at completion; the other file's blocks and data never change.
     */
    @Test
    void aWriteIntoSharedBlocksMapsTheCowForkWithTheOldBlocksAsSrcmap() throws IOException {
        try (IomapHarness h = new IomapHarness(4096)) {
            IomapHarness.OpenFile a = h.open("a");
            IomapHarness.OpenFile b = h.open("b");
            byte[] orig = cloneInto(h, a, b, 3);
            long old1 = h.fs.ext4MapBlocks(null, a.inode, 1, 1, 0).pblk();
            assertEquals(old1, h.fs.ext4MapBlocks(null, b.inode, 1, 1, 0).pblk(), "b maps a's blocks");
            assertEquals(2, h.fs.reflink().refs(old1));

            Iomap iomap = new Iomap();
            Iomap srcmap = new Iomap();
            h.path.daWriteOps.iomapBegin(b.inode, 4096 + 100, 8192, IomapOps.IOMAP_WRITE, iomap, srcmap);
            assertEquals(Iomap.Type.DELALLOC, iomap.type, iomap.toString());
            assertTrue((iomap.flags & Iomap.F_SHARED) != 0, iomap.toString());
            assertEquals(4096, iomap.offset);
            assertEquals(3 * 4096, iomap.length, "the blocks of the write, all shared");
            assertEquals(Iomap.Type.MAPPED, srcmap.type, srcmap.toString());
            assertEquals(old1 << 12, srcmap.addr, "the srcmap is the old blocks");
            assertEquals(iomap.offset, srcmap.offset);

            h.dropCaches();
            long reads = h.count("iomap.srcmap_reads");
            byte[] w = IomapHarness.data(4, 4196, 5000);
            h.write(b, 4196, w);
            assertTrue(h.count("iomap.srcmap_reads") > reads, "the partial blocks came from the srcmap");
            h.fsync(b);
            assertTrue(h.count("fs.cow_remaps") > 0, "remapped at ioend completion");
            long new1 = h.fs.ext4MapBlocks(null, b.inode, 1, 1, 0).pblk();
            assertTrue(new1 != old1, "b's block 1 moved to " + new1);
            assertEquals(old1, h.fs.ext4MapBlocks(null, a.inode, 1, 1, 0).pblk(), "a keeps its block");
            assertEquals(1, h.fs.reflink().refs(old1), "one owner left");
            h.dropCaches();
            assertArrayEquals(orig, h.read(a, 0, orig.length), "the source never changes");
            byte[] model = orig.clone();
            System.arraycopy(w, 0, model, 4196, w.length);
            assertArrayEquals(model, h.read(b, 0, model.length));
            assertEquals(List.of(), h.fsck());
        }
    }
}
