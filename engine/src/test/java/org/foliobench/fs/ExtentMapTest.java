package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtentMapTest {
    /** Random inserts and removes against a per-block array; extents stay sorted, disjoint and exact. */
    @Test
    void randomInsertRemoveAgainstArray() {
        for (long seed : new long[] {1, 2, 3, 4, 5}) {
            Random rnd = new Random(seed);
            ExtentMap map = new ExtentMap(64);
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
                }
            } catch (AssertionError e) {
                fail("seed " + seed + ": " + e.getMessage() + "\n  "
                        + String.join("\n  ", log.subList(Math.max(0, log.size() - 20), log.size())), e);
            }
        }
    }
}
