package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.foliobench.device.RamDisk;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class ReadaheadTest {
    private static List<String> sequentialRead(PageCache pc, AddressSpace m, RamAops aops, FileRaState ra, int bs,
            long size) throws Exception {
        List<String> windows = new ArrayList<>();
        ByteBuffer dst = ByteBuffer.allocateDirect(bs);
        String last = "";
        for (long pos = 0; pos < size; pos += bs) {
            dst.clear();
            int n = Filemap.filemapRead(m, ra, pos, dst, aops.iSize());
            assertEquals((int) Math.min(bs, size - pos), n);
            TestFiles.assertContent(1, pos, dst, n, "sequential read");
            String w = ra.start() + "/" + ra.size() + "/" + ra.asyncSize();
            if (!w.equals(last)) {
                windows.add(w);
                last = w;
            }
        }
        return windows;
    }

    @Test
    void sequentialWindowsRampUpAsMmReadaheadDoes() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(64L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(32L << 20).counters(c).build())) {
            RamAops aops = new RamAops(dev, 0, 16L << 20);
            TestFiles.layout(dev, aops, 1, 1L << 20);
            AddressSpace m = pc.newMapping("f1", aops);
            FileRaState ra = pc.newRaState();
            assertEquals(32, ra.raPages(), "read_ahead_kb 128 = 32 pages");
            List<String> w = sequentialRead(pc, m, aops, ra, 4096, 1L << 20);
            // get_init_ra_size(1, 32) = 4 with async 3; then get_next_ra_size: 8, 16, 32, 32...
            assertEquals(List.of("0/4/3", "4/8/8", "12/16/16", "28/32/32", "60/32/32", "92/32/32", "124/32/32",
                    "156/32/32", "188/32/32", "220/32/32", "252/32/32"), w);
            assertEquals(1, c.get("readahead.sync_calls"));
            assertEquals(10, c.get("readahead.async_calls"));
            assertEquals(256, c.get("readahead.pages"), "the whole file, nothing beyond EOF");
            assertEquals(0, aops.readBios.get() - c.get("readahead.batches"), "one bio per readahead batch");
        }
    }

    @Test
    void readAheadKbZeroReadsOnlyWhatIsAsked() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(64L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(32L << 20).readAheadKb(0)
                        .counters(c).build())) {
            RamAops aops = new RamAops(dev, 0, 16L << 20);
            TestFiles.layout(dev, aops, 1, 1L << 20);
            AddressSpace m = pc.newMapping("f1", aops);
            FileRaState ra = pc.newRaState();
            assertEquals(0, ra.raPages());
            sequentialRead(pc, m, aops, ra, 16384, 256 << 10);
            assertEquals(64, c.get("readahead.pages"), "one page per miss, nothing ahead");
            assertEquals(0, c.get("readahead.async_calls"));
            assertEquals(64, m.nrPages());
        }
    }

    @Test
    void largeReadsReadAheadUpToIoPages() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(64L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(32L << 20).counters(c).build())) {
            RamAops aops = new RamAops(dev, 0, 16L << 20);
            TestFiles.layout(dev, aops, 1, 8L << 20);
            AddressSpace m = pc.newMapping("f1", aops);
            FileRaState ra = pc.newRaState();
            List<String> w = sequentialRead(pc, m, aops, ra, 1 << 20, 8L << 20);
            // req 256 pages > ra_pages 32: max = min(256, io_pages 320) = 256; init window 256, async 0
            // req 256 pages > ra_pages 32: max_pages = min(256, io_pages 320) = 256;
            // get_init_ra_size(256, 256) = 256, async_size = size >> 1 (size == req): 0/256/128,
            // whose marker (page 128) the same read reaches: next window 256/256/256 at once
            assertEquals("256/256/256", w.get(0));
            assertEquals("512/256/256", w.get(1));
            assertEquals(1, c.get("readahead.sync_calls"));
            assertTrue(c.get("readahead.async_calls") >= 7, "each 1 MiB read hits the next marker");
        }
    }

    @Test
    void raOrderGrowsByTwoPerWindowUpToTheMax() throws Exception {
        Counters c = new Counters();
        try (RamDisk dev = new RamDisk(64L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).readAheadKb(2048)
                        .counters(c).build())) {
            RamAops aops = new RamAops(dev, 0, 32L << 20);
            TestFiles.layout(dev, aops, 1, 16L << 20);
            AddressSpace m = pc.newMapping("f1", aops);
            m.setLargeFolios();
            FileRaState ra = pc.newRaState();
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            List<Integer> orders = new ArrayList<>();
            List<String> windows = new ArrayList<>();
            String last = "";
            for (long pos = 0; pos < (16L << 20); pos += 4096) {
                dst.clear();
                assertEquals(4096, Filemap.filemapRead(m, ra, pos, dst, aops.iSize()));
                TestFiles.assertContent(1, pos, dst, 4096, "large folio read");
                String wnd = ra.start() + "/" + ra.size() + "/" + ra.asyncSize();
                if (!wnd.equals(last)) {
                    windows.add(wnd);
                    orders.add(ra.order());
                    last = wnd;
                }
            }
            System.out.println("windows " + windows + " orders " + orders);
            // ra_pages 512: windows 4, 16, 64, 128, 256, 512, 512...
            assertEquals(List.of("0/4/3", "4/16/16", "20/64/64", "84/128/128", "212/256/256", "468/512/512",
                    "980/512/512"), windows.subList(0, 7));
            // sync window order 0; +2 per async window, clamped to ilog2(size) then to order 9
            assertEquals(List.of(0, 2, 4, 6, 8, 9, 9, 9), orders.subList(0, 8));
            // windows start at 468 + k*512, so no 2 MiB-aligned range fits inside one (as in the
            // kernel); the largest folios are those alignment allows inside a window
            long large = 0;
            for (int o = 6; o <= 9; o++) {
                large += c.get("pagecache.folio_alloc_order_" + o);
            }
            assertTrue(large > 0, "large folios were used: " + c.snapshot());
        }
    }
}
