package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Test;

class XArrayTest {
    /** An entry of the model: its canonical index and order, and marks. */
    static final class E {
        final long index;
        final int order;
        final boolean[] marks = new boolean[XArray.XA_MAX_MARKS];

        E(long index, int order) {
            this.index = index;
            this.order = order;
        }

        long end() {
            return index + (1L << order);
        }

        @Override
        public String toString() {
            return "E[" + index + "/" + order + "]";
        }
    }

    @Test
    void multiOrderEntryIsStoredOnceAndFoundFromEveryIndex() {
        Counters c = new Counters();
        XArray<String> xa = new XArray<>(c);
        xa.store(512, 9, "big");
        assertEquals(1, c.get("xa.store"));
        assertEquals(8, c.get("xa.slot_write"), "order 9 = 8 slots of a shift-6 node");
        for (long i = 512; i < 1024; i++) {
            assertEquals("big", xa.load(i));
            assertEquals(512, xa.entryIndex(i));
            assertEquals(9, xa.entryOrder(i));
        }
        assertNull(xa.load(511));
        assertNull(xa.load(1024));
        assertEquals(1, xa.size());
        // the same range in order-0 entries
        Counters c0 = new Counters();
        XArray<String> xa0 = new XArray<>(c0);
        for (long i = 512; i < 1024; i++) {
            xa0.store(i, 0, "p" + i);
        }
        assertEquals(512, c0.get("xa.store"));
        assertTrue(c0.get("xa.node_alloc") > c.get("xa.node_alloc"),
                "512 order-0 entries need leaf nodes a single order-9 entry does not");
        assertThrows(IllegalStateException.class, () -> xa.store(520, 0, "split"));
        assertThrows(IllegalArgumentException.class, () -> xa.store(3, 2, "unaligned"));
        assertEquals("big", xa.erase(700));
        assertTrue(xa.isEmpty());
        assertEquals(0, xa.nodeCount());
    }

    @Test
    void marksPropagateAndTaggedIterationSkipsCleanEntries() {
        XArray<String> xa = new XArray<>(null);
        for (long i = 0; i < 10_000; i += 7) {
            xa.store(i, 0, "e" + i);
        }
        xa.setMark(700, XArray.DIRTY);
        xa.setMark(9996, XArray.DIRTY);
        assertTrue(xa.anyMarked(XArray.DIRTY));
        assertFalse(xa.anyMarked(XArray.TOWRITE));
        List<Long> seen = new ArrayList<>();
        xa.forEach(0, Long.MAX_VALUE, XArray.DIRTY, (i, e) -> seen.add(i));
        assertEquals(List.of(700L, 9996L), seen);
        xa.clearMark(700, XArray.DIRTY);
        xa.erase(9996);
        assertFalse(xa.anyMarked(XArray.DIRTY));
    }

    @Test
    void randomAgainstTreeMapModel() {
        for (long seed : new long[] {1, 2, 3, 42, 4711}) {
            runModel(seed, 4000, null);
        }
    }

    /** The same with nodes from a slab cache shared by two xarrays: a freed node is never still linked. */
    @Test
    void randomAgainstTreeMapModelWithCachedNodes() {
        Counters c = new Counters();
        org.foliobench.mm.KmemCache<Object> nodes = XArray.nodeCache(64, c);
        XArray<String> other = new XArray<>(c, nodes);
        for (long seed : new long[] {1, 2, 3, 42, 4711}) {
            for (long i = 0; i < 300; i++) {
                other.store(i * 37, 0, "x" + i);
            }
            runModel(seed, 4000, nodes);
            for (long i = 0; i < 300; i++) {
                assertEquals("x" + i, other.load(i * 37), "the other xarray's nodes were not handed out");
                other.erase(i * 37);
            }
            assertTrue(other.isEmpty());
        }
        assertEquals(0, nodes.activeObjects(), "every node back in the cache or dropped");
        assertTrue(c.get("slab.radix_tree_node.grows") < c.get("slab.radix_tree_node.allocs") / 2,
                "nodes are reused");
    }

    private void runModel(long seed, int ops, org.foliobench.mm.KmemCache<Object> nodes) {
        Random r = new Random(seed);
        XArray<E> xa = new XArray<>(null, nodes);
        TreeMap<Long, E> model = new TreeMap<>();
        List<String> log = new ArrayList<>();
        try {
            for (int op = 0; op < ops; op++) {
                int kind = r.nextInt(10);
                int order = r.nextInt(4) == 0 ? r.nextInt(13) : r.nextInt(3);
                long space = 1L << (6 + r.nextInt(14));
                long index = (r.nextLong() & Long.MAX_VALUE) % space >> order << order;
                if (kind < 4) {
                    // store: only if no larger entry straddles the range
                    E covering = covering(model, index);
                    boolean straddles = covering != null && covering.order > order;
                    Map.Entry<Long, E> after = model.lowerEntry(index + (1L << order));
                    if (after != null && after.getValue().end() > index + (1L << order) && after.getKey() >= index) {
                        straddles = true;
                    }
                    E e = new E(index, order);
                    log.add("store " + index + "/" + order + (straddles ? " (straddles)" : ""));
                    if (straddles) {
                        assertThrows(IllegalStateException.class, () -> xa.store(index, order, e));
                        continue;
                    }
                    xa.store(index, order, e);
                    model.subMap(index, true, index + (1L << order) - 1, true).clear();
                    model.put(index, e);
                } else if (kind < 6 && !model.isEmpty()) {
                    E victim = pick(model, r);
                    long at = victim.index + (r.nextLong() & Long.MAX_VALUE) % (1L << victim.order);
                    log.add("erase " + at);
                    assertSame(victim, xa.erase(at));
                    model.remove(victim.index);
                } else if (kind < 8 && !model.isEmpty()) {
                    E e = pick(model, r);
                    int m = r.nextInt(XArray.XA_MAX_MARKS);
                    long at = e.index + (r.nextLong() & Long.MAX_VALUE) % (1L << e.order);
                    boolean set = r.nextBoolean();
                    log.add((set ? "mark " : "clear ") + at + " m" + m);
                    if (set) {
                        xa.setMark(at, m);
                    } else {
                        xa.clearMark(at, m);
                    }
                    e.marks[m] = set;
                } else {
                    long at = (r.nextLong() & Long.MAX_VALUE) % space;
                    E exp = covering(model, at);
                    assertSame(exp, xa.load(at), "load " + at);
                }
                if (op % 97 == 0) {
                    check(xa, model, r);
                }
            }
            check(xa, model, r);
            for (E e : new ArrayList<>(model.values())) {
                assertSame(e, xa.erase(e.index));
            }
            assertTrue(xa.isEmpty(), "all erased");
            assertEquals(0, xa.nodeCount(), "no node left behind");
        } catch (AssertionError | RuntimeException ex) {
            int from = Math.max(0, log.size() - 20);
            fail("seed " + seed + " failed after " + log.size() + " ops; last ops: " + log.subList(from, log.size()), ex);
        }
    }

    private static E covering(TreeMap<Long, E> model, long index) {
        Map.Entry<Long, E> f = model.floorEntry(index);
        if (f != null && f.getValue().end() > index) {
            return f.getValue();
        }
        return null;
    }

    private static E pick(TreeMap<Long, E> model, Random r) {
        Long k = model.ceilingKey((r.nextLong() & Long.MAX_VALUE) % (model.lastKey() + 1));
        return model.get(k != null ? k : model.firstKey());
    }

    private static void check(XArray<E> xa, TreeMap<Long, E> model, Random r) {
        assertEquals(model.size(), xa.size(), "entry count");
        List<E> all = new ArrayList<>();
        xa.forEach(0, Long.MAX_VALUE, -1, (i, e) -> {
            assertEquals(e.index, i, "canonical index");
            all.add(e);
            return true;
        });
        assertEquals(new ArrayList<>(model.values()), all, "iteration order");
        for (int m = 0; m < XArray.XA_MAX_MARKS; m++) {
            final int mark = m;
            List<E> marked = new ArrayList<>();
            xa.forEach(0, Long.MAX_VALUE, m, (i, e) -> marked.add(e));
            List<E> exp = new ArrayList<>();
            for (E e : model.values()) {
                if (e.marks[m]) {
                    exp.add(e);
                }
            }
            assertEquals(exp, marked, "mark " + mark);
            assertEquals(!exp.isEmpty(), xa.anyMarked(m), "mark " + m + " at the root");
        }
        for (E e : model.values()) {
            long mid = e.index + (1L << e.order) / 2;
            assertSame(e, xa.load(mid));
            assertEquals(e.order, xa.entryOrder(mid));
            assertEquals(e.index, xa.entryIndex(mid));
            long miss = xa.nextMiss(e.index, 1L << 20);
            assertTrue(miss >= e.end(), "next miss after " + e);
        }
    }
}
