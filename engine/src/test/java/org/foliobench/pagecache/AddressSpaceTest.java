package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class AddressSpaceTest {
    private static PageCache cache(long arena, Counters c) {
        return new PageCache(PageCacheOptions.builder().arenaBytes(arena).counters(c).dirtyWritebackCentisecs(0).build());
    }

    @Test
    void getFolioOrderIsClampedToMaxAlignmentAndNeighbours() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(16L << 20); PageCache pc = cache(16L << 20, c)) {
            AddressSpace small = pc.newMapping("bh", new RamAops(dev, 0, 1 << 20));
            Folio f = small.getFolio(0, AddressSpace.FGP_WRITEBEGIN, 9);
            assertEquals(0, f.order(), "no large folios unless the mapping enables them");
            f.unlock();
            f.put();

            AddressSpace m = pc.newMapping("iomap", new RamAops(dev, 8L << 20, 8L << 20));
            m.setLargeFolios();
            Folio a = m.getFolio(3, AddressSpace.FGP_WRITEBEGIN, 9);
            assertEquals(0, a.order(), "index 3 only allows order 0");
            Folio b = m.getFolio(8, AddressSpace.FGP_WRITEBEGIN, 9);
            assertEquals(3, b.order(), "index 8 allows order 3");
            assertEquals(8, b.index());
            Folio d = m.getFolio(0, AddressSpace.FGP_WRITEBEGIN, 9);
            assertEquals(1, d.order(), "order lowered until [0, 2^n) misses the folio at 3");
            ErrnoException again = assertThrows(ErrnoException.class,
                    () -> m.getFolio(10, AddressSpace.FGP_LOCK | AddressSpace.FGP_NOWAIT, 0));
            assertEquals(Errno.EAGAIN, again.errno(), "index 10 is inside the locked folio at 8");
            for (Folio x : List.of(a, b, d)) {
                x.unlock();
                x.put();
            }
            m.evict();
            small.evict();
            assertEquals(pc.arena().totalPages(), pc.arena().freePages());
        }
    }

    @Test
    void allocatorFailureFallsBackToLowerOrders() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(16L << 20); PageCache pc = cache(2L << 20, c)) {
            AddressSpace m = pc.newMapping("f", new RamAops(dev, 0, 8L << 20));
            m.setLargeFolios();
            Folio pinned = pc.filemapAllocFolio(0); // the arena's only 2 MiB block is now split
            Folio f = m.getFolio(512, AddressSpace.FGP_WRITEBEGIN, 9);
            assertEquals(8, f.order());
            assertEquals(512, f.index());
            assertTrue(c.get("pagecache.alloc_fail_order_9") >= 1);
            assertEquals(1, c.get("pagecache.folio_alloc_order_8"));
            f.unlock();
            f.put();
            pinned.put();
        }
    }

    @Test
    void errseqReportsOneErrorOnceToEachOpener() throws Exception {
        try (RamDisk dev = new RamDisk(16L << 20); PageCache pc = cache(16L << 20, null)) {
            RamAops aops = new RamAops(dev, 0, 8L << 20);
            AddressSpace m = pc.newMapping("f", aops);
            Errseq.Since a = m.errseqSample();
            Errseq.Since b = m.errseqSample();
            FilemapTest.write(m, 1, 0, 65536);
            aops.failWrites = true;
            ErrnoException ea = assertThrows(ErrnoException.class, () -> m.fileWriteAndWaitRange(a, 0, Long.MAX_VALUE));
            assertEquals(Errno.EIO, ea.errno());
            m.fileWriteAndWaitRange(a, 0, Long.MAX_VALUE); // seen: not reported again
            Errseq.Since late = m.errseqSample(); // opened after a saw it: never reported
            ErrnoException eb = assertThrows(ErrnoException.class, () -> m.fileWriteAndWaitRange(b, 0, Long.MAX_VALUE));
            assertEquals(Errno.EIO, eb.errno());
            m.fileWriteAndWaitRange(b, 0, Long.MAX_VALUE);
            m.fileWriteAndWaitRange(late, 0, Long.MAX_VALUE);
            // a new error after the samples is reported to all three, once
            FilemapTest.write(m, 1, 0, 4096);
            m.filemapFdatawriteRange(0, Long.MAX_VALUE);
            for (Errseq.Since s : List.of(a, b, late)) {
                assertThrows(ErrnoException.class, () -> m.fileCheckAndAdvanceWbErr(s));
                m.fileCheckAndAdvanceWbErr(s);
            }
            // file_check_and_advance_wb_err also clears the legacy AS_EIO flag, as the kernel does
            assertNull(m.filemapCheckErrors(), "AS_EIO cleared by the errseq check");
            FilemapTest.write(m, 1, 0, 4096);
            m.filemapFdatawriteRange(0, Long.MAX_VALUE);
            assertEquals(Errno.EIO, m.filemapCheckErrors(), "AS_EIO for filemap_check_errors");
            assertNull(m.filemapCheckErrors(), "test-and-clear");
        }
    }

    @Test
    void truncateRemovesWholeFoliosAndZeroesPartialOnes() throws Exception {
        for (boolean large : new boolean[] {false, true}) {
            Counters c = new Counters();
            try (RamDisk dev = new RamDisk(16L << 20); PageCache pc = cache(16L << 20, c)) {
                RamAops aops = new RamAops(dev, 0, 8L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                if (large) {
                    m.setLargeFolios();
                }
                FilemapTest.write(m, 1, 0, 1 << 20);
                m.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
                FilemapTest.write(m, 1, 0, 1 << 20); // dirty again
                long dirty = pc.nrDirty();
                assertEquals(256, dirty);
                m.truncateInodePagesRange(10_000, -1);
                // page 2 holds byte 10000: bytes from 10000 on are zero in the cache, page 3.. gone
                Folio f = m.filemapGetFolio(2);
                assertNotNull(f);
                byte[] tail = new byte[4096 - (10_000 - 8192)];
                f.mem().get(f.memOffset() + (int) (10_000 - f.pos()), tail);
                assertTrue(allZero(tail), "large=" + large);
                f.put();
                if (!large) {
                    assertNull(m.filemapGetFolio(3));
                    assertEquals(3, m.nrPages());
                    assertEquals(3, pc.nrDirty(), "truncated dirty pages are cancelled");
                } else {
                    // one dirty 1 MiB folio straddles the new EOF: never split, so it stays, zeroed
                    assertEquals(256, m.nrPages());
                    Folio big = m.filemapGetFolio(0);
                    assertEquals(8, big.order());
                    big.put();
                }
                m.truncateInodePages(0);
                assertEquals(0, m.nrPages());
                assertEquals(0, pc.nrDirty());
                assertEquals(pc.arena().totalPages(), pc.arena().freePages(), "all memory back, large=" + large);
            }
        }
    }

    @Test
    void writebackIterTagsForSyncAndStopsAtNrToWriteForBackground() throws Exception {
        try (RamDisk dev = new RamDisk(16L << 20); PageCache pc = cache(16L << 20, null)) {
            RamAops aops = new RamAops(dev, 0, 8L << 20);
            AddressSpace m = pc.newMapping("f", aops);
            FilemapTest.write(m, 1, 0, 100 * 4096);
            WritebackControl wbc = WritebackControl.background(10);
            List<Long> seen = new ArrayList<>();
            Folio f = null;
            while ((f = Writeback.writebackIter(m, wbc, f, null)) != null) {
                seen.add(f.index());
                assertFalse(f.isDirty(), "cleared for io");
                f.startWriteback();
                f.unlock();
                f.endWriteback();
            }
            assertEquals(10, seen.size(), "nr_to_write");
            assertEquals(10, m.writebackIndex, "cyclic writeback resumes after the last folio");
            assertEquals(90, pc.nrDirty());
            wbc = WritebackControl.syncAll(0, Long.MAX_VALUE);
            f = null;
            int n = 0;
            while ((f = Writeback.writebackIter(m, wbc, f, null)) != null) {
                if (n++ == 0) {
                    // dirtying behind the walk does not extend a WB_SYNC_ALL pass (TOWRITE tags)
                    FilemapTest.write(m, 1, 0, 4096);
                }
                f.startWriteback();
                f.unlock();
                f.endWriteback();
            }
            assertEquals(90, n);
            assertEquals(1, pc.nrDirty());
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
