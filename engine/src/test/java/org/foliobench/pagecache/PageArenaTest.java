package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class PageArenaTest {
    @Test
    void splitsAndMergesBuddies() {
        Counters c = new Counters();
        PageArena a = new PageArena(4L << 20, 9, c); // two order-9 blocks
        assertEquals(1024, a.totalPages());
        assertEquals(2, a.freeBlocks(9));
        long p0 = a.alloc(0);
        assertEquals(0, p0);
        // splitting block 0 leaves one free block of each order 0..8
        for (int o = 0; o < 9; o++) {
            assertEquals(1, a.freeBlocks(o), "order " + o);
        }
        assertEquals(1, a.freeBlocks(9));
        long p1 = a.alloc(0);
        assertEquals(1, p1, "the buddy of page 0");
        a.free(p0, 0);
        a.free(p1, 0);
        assertEquals(2, a.freeBlocks(9), "everything merged back");
        assertEquals(1024, a.freePages());
        assertEquals(2, c.get("pagecache.folio_alloc_order_0"));
    }

    @Test
    void fragmentationMakesHighOrdersFailWhileLowOrdersSucceed() {
        Counters c = new Counters();
        PageArena a = new PageArena(2L << 20, 9, c);
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            pages.add(a.alloc(0));
        }
        assertEquals(-1, a.alloc(0));
        // free every other page: 256 free pages, none of them buddies
        for (int i = 0; i < 512; i += 2) {
            a.free(pages.get(i), 0);
        }
        assertEquals(256, a.freePages());
        assertEquals(-1, a.alloc(1), "no two adjacent free pages");
        assertEquals(1, c.get("pagecache.alloc_fail_order_1"));
        assertTrue(a.alloc(0) >= 0, "order 0 still works");
    }

    @Test
    void memoryIsPageAlignedAndDisjoint() {
        PageArena a = new PageArena(8L << 20, 9, null);
        long p = a.alloc(9);
        long q = a.alloc(3);
        assertEquals(0, a.memoryOffset(p) % 4096);
        assertEquals(a.memory(p), a.memory(q));
        assertTrue(Math.abs(a.memoryOffset(p) - a.memoryOffset(q)) >= 4096 * 8);
        assertTrue(a.memory(p).isDirect());
        assertEquals(8L << 20, a.populate());
        assertEquals(a.memory(p), a.memory(a.alloc(9)), "one 8 MiB chunk");
    }

    @Test
    void randomAllocFreeKeepsAccounting() {
        for (long seed : new long[] {5, 6, 7}) {
            Random r = new Random(seed);
            PageArena a = new PageArena(6L << 20, 9, null);
            List<long[]> held = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                if (r.nextInt(3) > 0 || held.isEmpty()) {
                    int o = r.nextInt(10);
                    long p = a.alloc(o);
                    if (p >= 0) {
                        assertEquals(0, p % (1L << o), "seed " + seed + ": block aligned to its order");
                        held.add(new long[] {p, o});
                    }
                } else {
                    long[] b = held.remove(r.nextInt(held.size()));
                    a.free(b[0], (int) b[1]);
                }
            }
            long used = 0;
            boolean[] taken = new boolean[(int) a.totalPages()];
            for (long[] b : held) {
                for (long i = b[0]; i < b[0] + (1L << b[1]); i++) {
                    assertTrue(!taken[(int) i], "seed " + seed + ": page " + i + " handed out twice");
                    taken[(int) i] = true;
                }
                used += 1L << b[1];
            }
            assertEquals(a.totalPages() - used, a.freePages(), "seed " + seed);
            for (long[] b : held) {
                a.free(b[0], (int) b[1]);
            }
            assertEquals(3, a.freeBlocks(9), "seed " + seed + ": fully merged");
        }
    }
}
