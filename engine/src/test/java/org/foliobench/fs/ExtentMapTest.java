package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class ExtentMapTest {
    /** Random inserts and removes against a per-block array; extents stay sorted, disjoint and exact. */
    @Test
    void randomInsertRemoveAgainstArray() {
        randomAgainstArray(false);
    }

    /** The same with entries from a slab cache: freed entries come back, and never while still mapped. */
    @Test
    void randomInsertRemoveWithCachedEntries() {
        randomAgainstArray(true);
    }

    @Test
    void sequentialAppendsMergeInPlaceWithoutAllocating() {
        Counters c = new Counters();
        KmemCache<ExtentMap.Ext> cache = KmemCache.create("extent_status", 16, ExtentMap.Ext::new, c);
        ExtentMap map = new ExtentMap(Long.MAX_VALUE / 4, cache);
        for (long b = 0; b < 10_000; b++) {
            map.insert(b, 1, 0, ExtentMap.DELAYED); // ext4_es_insert_delayed_extent per written block
        }
        assertEquals(1, map.size());
        assertEquals(1, c.get("slab.extent_status.allocs"), "every later block merged into the first entry");
        assertEquals(10_000, map.find(9_999).len);
        assertEquals(null, map.nextWithStatus(1, 10_000, ExtentMap.DELAYED));
        map.remove(100, 10); // split: one more entry
        assertEquals(2, map.size());
        assertEquals(ExtentMap.DELAYED, map.nextWithStatus(1, 10_000, ExtentMap.DELAYED).status);
        assertEquals(110, map.next(101).lblk);
        assertEquals(0, map.prev(101).lblk);
        map.clear();
        assertEquals(0, cache.activeObjects());
        assertEquals(2, cache.freeObjects());
    }

    private static void randomAgainstArray(boolean cached) {
        for (long seed : new long[] {1, 2, 3, 4, 5}) {
            Random rnd = new Random(seed);
            Counters c = new Counters();
            KmemCache<ExtentMap.Ext> cache = cached ? KmemCache.create("ext", 8, ExtentMap.Ext::new, c) : null;
            ExtentMap map = new ExtentMap(64, cache);
            int n = 600;
            int[] status = new int[n];
            long[] pblk = new long[n];
            List<String> log = new ArrayList<>();
            try {
                for (int op = 0; op < 2000; op++) {
                    int lblk = rnd.nextInt(n - 70);
                    int len = 1 + rnd.nextInt(64);
                    if (rnd.nextInt(3) == 0) {
                        log.add("remove " + lblk + "+" + len);
                        map.remove(lblk, len);
                        for (int b = lblk; b < lblk + len; b++) {
                            status[b] = 0;
                        }
                    } else {
                        int st = 1 << rnd.nextInt(4);
                        long p = rnd.nextBoolean() ? 1000 + lblk : rnd.nextInt(100000);
                        log.add("insert " + lblk + "+" + len + "@" + p + " " + ExtentMap.statusName(st));
                        map.insert(lblk, len, p, st);
                        for (int b = lblk; b < lblk + len; b++) {
                            status[b] = st;
                            pblk[b] = ExtentMap.hasPblk(st) ? p + (b - lblk) : 0;
                        }
                    }
                    long prevEnd = -1;
                    int covered = 0;
                    for (ExtentMap.Ext e : map.all()) {
                        assertTrue(e.lblk >= prevEnd, "overlap at " + e);
                        assertTrue(e.len <= 64, "longer than the maximum: " + e);
                        for (long b = e.lblk; b < e.end(); b++) {
                            assertEquals(status[(int) b], e.status, "block " + b);
                            if (ExtentMap.hasPblk(e.status)) {
                                assertEquals(pblk[(int) b], e.pblk + (b - e.lblk), "pblk of " + b);
                            }
                            covered++;
                        }
                        prevEnd = e.end();
                    }
                    int want = 0;
                    for (int s : status) {
                        want += s != 0 ? 1 : 0;
                    }
                    assertEquals(want, covered);
                    int probe = rnd.nextInt(n);
                    ExtentMap.Ext f = map.find(probe);
                    assertEquals(status[probe] != 0, f != null);
                    if (cached) {
                        assertEquals(map.size(), cache.activeObjects(), "entries in use = entries mapped");
                    }
                }
            } catch (AssertionError e) {
                fail("seed " + seed + ": " + e.getMessage() + "\n  "
                        + String.join("\n  ", log.subList(Math.max(0, log.size() - 20), log.size())), e);
            }
        }
    }
}
