package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.foliobench.device.RamDisk;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class FilemapTest {
    static void write(AddressSpace m, int id, long pos, int len) throws Exception {
        ByteBuffer src = ByteBuffer.allocateDirect(len);
        src.put(0, TestFiles.data(id, pos, len));
        assertEquals(len, Filemap.genericPerformWrite(m, pos, src));
        assertEquals(len, src.position());
    }

    static void readAndCheck(AddressSpace m, RamAops aops, FileRaState ra, int id, long size, int bs) throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect(bs);
        for (long pos = 0; pos < size; pos += bs) {
            dst.clear();
            int n = Filemap.filemapRead(m, ra, pos, dst, aops.iSize());
            assertEquals((int) Math.min(bs, size - pos), n, "read at " + pos);
            TestFiles.assertContent(id, pos, dst, n, "read back");
        }
        dst.clear();
        assertEquals(0, Filemap.filemapRead(m, ra, size, dst, aops.iSize()), "EOF");
    }

    @Test
    void aLargeFolioIsCopiedToTheReaderPageByPage() throws Exception {
        try (RamDisk dev = new RamDisk(16L << 20);
                PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(16L << 20).counters(new Counters())
                        .dirtyWritebackCentisecs(0).build())) {
            RamAops aops = new RamAops(dev, 0, 8L << 20);
            AddressSpace m = pc.newMapping("f", aops);
            m.setLargeFolios();
            write(m, 3, 0, 64 << 10);
            Folio folio = m.filemapGetFolio(0);
            try {
                assertTrue(folio.nrPages() > 2, "a large folio: " + folio);
                ByteBuffer dst = ByteBuffer.allocateDirect(3 * 4096);
                int offset = 4096 - 100;
                int bytes = 2 * 4096 + 200; // 100 bytes of page 0, pages 1 and 2, 100 bytes of page 3
                assertEquals(4, Filemap.copyPageToIter(folio, offset, bytes, dst), "copy_page_to_iter: one copy per page");
                assertEquals(bytes, dst.position());
                TestFiles.assertContent(3, offset, dst, bytes, "copied");
                dst.clear();
                assertEquals(1, Filemap.copyPageToIter(folio, 8192, 4096, dst), "an aligned page is one copy");
            } finally {
                folio.put();
            }
        }
    }

    @Test
    void writeWritebackDropCachesReadBackBothFolioSizes() throws Exception {
        for (boolean large : new boolean[] {false, true}) {
            for (int bs : new int[] {4096, 65536, 1 << 20, 5000}) {
                Counters c = new Counters();
                try (RamDisk dev = new RamDisk(64L << 20);
                        PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(64L << 20).counters(c)
                                .dirtyWritebackCentisecs(0).build())) {
                    RamAops aops = new RamAops(dev, 0, 32L << 20);
                    AddressSpace m = pc.newMapping("f", aops);
                    if (large) {
                        m.setLargeFolios();
                    }
                    long size = 6L << 20;
                    for (long pos = 0; pos < size; pos += bs) {
                        write(m, 1, pos, (int) Math.min(bs, size - pos));
                    }
                    String what = "large=" + large + " bs=" + bs;
                    assertEquals(size, aops.iSize(), what);
                    assertEquals(1536, pc.nrDirty(), what + ": every page dirty, counted per page");
                    // read from the cache before writeback
                    readAndCheck(m, aops, pc.newRaState(), 1, size, 65536);
                    m.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
                    assertEquals(0, pc.nrDirty(), what);
                    assertEquals(0, pc.nrWriteback(), what);
                    assertTrue(!m.tagged(XArray.DIRTY) && !m.tagged(XArray.TOWRITE) && !m.tagged(XArray.WRITEBACK), what);
                    assertEquals(1536, c.get("writeback.pages_written"), what);
                    long dropped = pc.dropCaches();
                    assertEquals(1536, dropped, what);
                    assertEquals(0, m.nrPages(), what);
                    assertEquals(pc.arena().totalPages(), pc.arena().freePages(), what + ": all memory back");
                    readAndCheck(m, aops, pc.newRaState(), 1, size, bs);
                    if (large && bs >= 65536) {
                        assertTrue(c.get("pagecache.folio_alloc_order_4") > 0, what + ": " + c.snapshot());
                        assertTrue(c.get("xa.store") < 1536 + 1536, what + ": fewer xarray stores than pages");
                    }
                    m.evict();
                    assertEquals(pc.arena().totalPages(), pc.arena().freePages(), what);
                }
            }
        }
    }

    @Test
    void randomOverwritesMatchAModel() throws Exception {
        for (long seed : new long[] {11, 12, 13}) {
            Random r = new Random(seed);
            try (RamDisk dev = new RamDisk(32L << 20);
                    PageCache pc = new PageCache(PageCacheOptions.builder().arenaBytes(8L << 20)
                            .dirtyWritebackCentisecs(0).build())) {
                RamAops aops = new RamAops(dev, 0, 16L << 20);
                AddressSpace m = pc.newMapping("f", aops);
                if (r.nextBoolean()) {
                    m.setLargeFolios();
                }
                int size = 3 << 20;
                byte[] model = new byte[size];
                StringBuilder log = new StringBuilder();
                for (int op = 0; op < 300; op++) {
                    int k = r.nextInt(10);
                    if (k < 6) {
                        int pos = r.nextInt(size - 1);
                        int len = 1 + r.nextInt(Math.min(size - pos, 200_000));
                        byte[] d = new byte[len];
                        r.nextBytes(d);
                        System.arraycopy(d, 0, model, pos, len);
                        ByteBuffer src = ByteBuffer.allocateDirect(len).put(0, d);
                        log.append("w").append(pos).append('+').append(len).append(' ');
                        assertEquals(len, Filemap.genericPerformWrite(m, pos, src));
                    } else if (k < 7) {
                        log.append("sync ");
                        pc.syncAll();
                    } else if (k < 8) {
                        log.append("drop ");
                        pc.dropCaches();
                    } else {
                        long isz = aops.iSize();
                        if (isz == 0) {
                            continue;
                        }
                        int pos = r.nextInt((int) isz);
                        int len = 1 + r.nextInt(300_000);
                        ByteBuffer dst = ByteBuffer.allocateDirect(len);
                        int n = Filemap.filemapRead(m, pc.newRaState(), pos, dst, isz);
                        assertEquals(Math.min(len, isz - pos), n, "seed " + seed + " " + log);
                        byte[] got = new byte[n];
                        dst.get(0, got);
                        for (int i = 0; i < n; i++) {
                            if (got[i] != model[pos + i]) {
                                assertEquals(model[pos + i], got[i], "seed " + seed + " byte " + (pos + i) + " ops " + log);
                            }
                        }
                    }
                }
            }
        }
    }
}
