package org.foliobench.pagecache;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * The page cache index ({@code struct xarray}, lib/xarray.c): a radix tree of 64-slot nodes keyed
 * by page index, with multi-order entries and three search marks.
 *
 * <p>An entry of order {@code n} is stored once, in the node whose shift is {@code n} rounded
 * down to a multiple of {@link #XA_CHUNK_SHIFT}, in its first ("canonical") slot; the following
 * {@code 2^(n - shift) - 1} slots hold sibling entries pointing back at it
 * ({@code xa_mk_sibling}), so a lookup of any index inside the entry finds it. Marks live on the
 * canonical slot and are propagated up the tree (a node's slot in its parent is marked when any
 * slot below is), which is what makes tagged iteration ({@code xa_for_each_marked},
 * {@code tag_pages_for_writeback}) skip clean subtrees.
 *
 * <p>Not thread-safe by itself: the owner serializes modifications and lookups with its
 * {@code xa_lock} ({@link AddressSpace} does). Every operation is counted ({@code xa.*}), so a
 * run shows that one order-9 folio costs one store of eight slots where 512 order-0 folios cost
 * 512 stores spread over eight leaf nodes.
 */
public final class XArray<E> {
    /** {@code XA_CHUNK_SHIFT}: 64 slots per node. */
    static final int XA_CHUNK_SHIFT = 6;
    static final int XA_CHUNK_SIZE = 1 << XA_CHUNK_SHIFT;
    static final int XA_CHUNK_MASK = XA_CHUNK_SIZE - 1;
    /** {@code XA_MAX_MARKS}. */
    static final int XA_MAX_MARKS = 3;
    /** {@code PAGECACHE_TAG_DIRTY} ({@code XA_MARK_0}). */
    public static final int DIRTY = 0;
    /** {@code PAGECACHE_TAG_WRITEBACK} ({@code XA_MARK_1}). */
    static final int WRITEBACK = 1;
    /** {@code PAGECACHE_TAG_TOWRITE} ({@code XA_MARK_2}). */
    public static final int TOWRITE = 2;
    /** Indices are page indices of files up to 2^63 bytes. */
    static final long MAX_INDEX = Long.MAX_VALUE >>> 12;

    /** {@code struct xa_node}. */
    static final class Node {
        int shift;
        Node parent;
        int offset; // slot in the parent
        int count; // non-null slots, siblings included
        final Object[] slots = new Object[XA_CHUNK_SIZE];
        final long[] marks = new long[XA_MAX_MARKS];

        /** A free node, as {@code radix_tree_node_ctor} leaves it: empty. */
        Node() {
        }

        Node(int shift) {
            this.shift = shift;
        }
    }

    /**
     * {@code radix_tree_node_cachep} ("radix_tree_node" in /proc/slabinfo): the nodes of every
     * xarray sharing it; at most {@code limit} free ones are kept.
     */
    static KmemCache<Object> nodeCache(int limit, Counters counters) {
        return KmemCache.create("radix_tree_node", limit, Node::new, counters);
    }

    /** {@code xa_mk_sibling(offset)}: points at the canonical slot of a multi-order entry. */
    static final class Sibling {
        final int offset;

        private Sibling(int offset) {
            this.offset = offset;
        }
    }

    private static final Sibling[] SIBLINGS = new Sibling[XA_CHUNK_SIZE];

    static {
        for (int i = 0; i < XA_CHUNK_SIZE; i++) {
            SIBLINGS[i] = new Sibling(i);
        }
    }

    /** Visitor for {@link #forEach}: return false to stop. */
    @FunctionalInterface
    interface Visitor<E> {
        boolean visit(long index, E entry);
    }

    private Node root;
    private long nrEntries;
    /** Where nodes come from and go back to; null: plain allocation. */
    private final KmemCache<Object> nodes;
    /** The canonical offset {@link #locate} found (the xarray is used under its owner's lock). */
    private int locOff;
    private final LongAdder stores;
    private final LongAdder loads;
    private final LongAdder erases;
    private final LongAdder markOps;
    private final LongAdder nodeAllocs;
    private final LongAdder nodeFrees;
    private final LongAdder slotWrites;

    public XArray(Counters counters) {
        this(counters, null);
    }

    /** An xarray whose nodes come from {@code nodeCache} ({@link #nodeCache}). */
    public XArray(Counters counters, KmemCache<Object> nodeCache) {
        this.nodes = nodeCache;
        Counters c = counters != null ? counters : new Counters();
        stores = c.counter(CounterNames.XA_STORE);
        loads = c.counter(CounterNames.XA_LOAD);
        erases = c.counter(CounterNames.XA_ERASE);
        markOps = c.counter(CounterNames.XA_MARK);
        nodeAllocs = c.counter("xa.node_alloc");
        nodeFrees = c.counter("xa.node_free");
        slotWrites = c.counter("xa.slot_write");
    }

    /** Number of entries (not slots) stored. */
    public long size() {
        return nrEntries;
    }

    public boolean isEmpty() {
        return root == null;
    }

    private static long maxIndexOf(Node n) {
        int top = n.shift + XA_CHUNK_SHIFT;
        return top >= 63 ? Long.MAX_VALUE : (1L << top) - 1;
    }

    private static int offsetOf(Node n, long index) {
        return (int) ((index >>> n.shift) & XA_CHUNK_MASK);
    }

    /** {@code xa_load}: the entry covering {@code index}, or null. */
    public E load(long index) {
        loads.increment();
        return lookup(index);
    }

    /** The entry covering {@code index}, not counted as a load (the walk's {@link #find} was). */
    @SuppressWarnings("unchecked")
    E lookup(long index) {
        Node n = root;
        if (n == null || index < 0 || index > maxIndexOf(n)) {
            return null;
        }
        for (;;) {
            int off = offsetOf(n, index);
            Object e = n.slots[off];
            if (e instanceof Sibling) {
                e = n.slots[((Sibling) e).offset];
            }
            if (e instanceof Node) {
                n = (Node) e;
                continue;
            }
            return (E) e;
        }
    }

    /**
     * The canonical index of the entry covering {@code index} (its first index), or -1. A
     * multi-order entry is naturally aligned, so this is {@code index} rounded down to its order.
     */
    long entryIndex(long index) {
        int order = entryOrder(index);
        return order < 0 ? -1 : index & -(1L << order);
    }

    /** {@code xas_get_order}: the order of the entry covering {@code index}, or -1 if none. */
    int entryOrder(long index) {
        Node n = root;
        if (n == null || index < 0 || index > maxIndexOf(n)) {
            return -1;
        }
        for (;;) {
            int off = offsetOf(n, index);
            Object e = n.slots[off];
            if (e instanceof Sibling) {
                off = ((Sibling) e).offset;
                e = n.slots[off];
            }
            if (e instanceof Node) {
                n = (Node) e;
                continue;
            }
            if (e == null) {
                return -1;
            }
            int sib = 0;
            while (off + sib + 1 < XA_CHUNK_SIZE && n.slots[off + sib + 1] instanceof Sibling
                    && ((Sibling) n.slots[off + sib + 1]).offset == off) {
                sib++;
            }
            return n.shift + Integer.numberOfTrailingZeros(sib + 1);
        }
    }

    /** Grows the tree until its root covers {@code index} and has at least {@code minShift}. */
    private void expand(long index, int minShift) {
        if (root == null) {
            int shift = 0;
            while (shift < minShift || (shift + XA_CHUNK_SHIFT < 63 && (index >>> (shift + XA_CHUNK_SHIFT)) != 0)) {
                shift += XA_CHUNK_SHIFT;
            }
            root = newNode(shift, null, 0);
            return;
        }
        while (root.shift < minShift || index > maxIndexOf(root)) {
            Node n = newNode(root.shift + XA_CHUNK_SHIFT, null, 0);
            Node old = root;
            n.slots[0] = old;
            n.count = 1;
            for (int m = 0; m < XA_MAX_MARKS; m++) {
                if (old.marks[m] != 0) {
                    n.marks[m] |= 1L;
                }
            }
            old.parent = n;
            old.offset = 0;
            root = n;
        }
    }

    private Node newNode(int shift, Node parent, int offset) {
        nodeAllocs.increment();
        Node n = nodes != null ? (Node) nodes.alloc() : new Node();
        n.shift = shift;
        n.parent = parent;
        n.offset = offset;
        return n;
    }

    /** {@code xa_node_free}: the node is unlinked; emptied, it goes back to the cache. */
    private void freeNode(Node n) {
        nodeFrees.increment();
        if (nodes != null) {
            java.util.Arrays.fill(n.slots, null);
            java.util.Arrays.fill(n.marks, 0);
            n.count = 0;
            n.parent = null;
            n.offset = 0;
            n.shift = 0;
            nodes.free(n);
        }
    }

    /**
     * {@code xa_store_range} of one multi-order entry: stores {@code entry} (non-null) covering
     * {@code [index, index + 2^order)}; {@code index} must be aligned to the order. Entries
     * entirely inside the range are replaced (their marks dropped); an existing entry that covers
     * part of the range and extends beyond it would have to be split, which the page cache never
     * asks for: {@link IllegalStateException}.
     */
    public void store(long index, int order, E entry) {
        if (entry == null) {
            throw new IllegalArgumentException("store of a null entry; use erase");
        }
        if (order < 0 || order > 60 || (index & ((1L << order) - 1)) != 0 || index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("xarray store at index " + index + " order " + order
                    + ": index must be aligned to the order");
        }
        stores.increment();
        int targetShift = order - order % XA_CHUNK_SHIFT;
        expand(index, targetShift);
        Node n = root;
        while (n.shift > targetShift) {
            int off = offsetOf(n, index);
            Object e = n.slots[off];
            if (e instanceof Sibling || (e != null && !(e instanceof Node))) {
                throw new IllegalStateException("xarray store at index " + index + " order " + order
                        + " would split a larger entry");
            }
            if (e == null) {
                Node c = newNode(n.shift - XA_CHUNK_SHIFT, n, off);
                n.slots[off] = c;
                n.count++;
                e = c;
            }
            n = (Node) e;
        }
        int first = offsetOf(n, index);
        int nslots = 1 << (order - targetShift);
        // conflicts: a larger entry covering the start, or extending past the end
        if (n.slots[first] instanceof Sibling && ((Sibling) n.slots[first]).offset < first) {
            throw new IllegalStateException("xarray store at index " + index + " order " + order
                    + " would split a larger entry");
        }
        int end = first + nslots;
        if (end < XA_CHUNK_SIZE && n.slots[end] instanceof Sibling && ((Sibling) n.slots[end]).offset < end) {
            throw new IllegalStateException("xarray store at index " + index + " order " + order
                    + " would split a larger entry");
        }
        for (int i = first; i < end; i++) {
            Object old = n.slots[i];
            if (old instanceof Node) {
                nrEntries -= freeSubtree((Node) old);
            } else if (old != null && !(old instanceof Sibling)) {
                nrEntries--;
            }
            if (old == null) {
                n.count++;
            }
            n.slots[i] = i == first ? entry : SIBLINGS[first];
            slotWrites.increment();
            for (int m = 0; m < XA_MAX_MARKS; m++) {
                n.marks[m] &= ~(1L << i);
            }
        }
        nrEntries++;
        for (int m = 0; m < XA_MAX_MARKS; m++) {
            propagateMark(n, m);
        }
    }

    /** Frees a detached subtree; returns the number of entries it held. */
    private long freeSubtree(Node n) {
        long entries = 0;
        for (Object e : n.slots) {
            if (e instanceof Node) {
                entries += freeSubtree((Node) e);
            } else if (e != null && !(e instanceof Sibling)) {
                entries++;
            }
        }
        freeNode(n);
        return entries;
    }

    /** Walks to the node and canonical offset of the entry covering index; null when absent. */
    private Node locate(long index) {
        Node n = root;
        if (n == null || index < 0 || index > maxIndexOf(n)) {
            return null;
        }
        for (;;) {
            int off = offsetOf(n, index);
            Object e = n.slots[off];
            if (e instanceof Sibling) {
                off = ((Sibling) e).offset;
                e = n.slots[off];
            }
            if (e instanceof Node) {
                n = (Node) e;
                continue;
            }
            if (e == null) {
                return null;
            }
            locOff = off;
            return n;
        }
    }

    /** {@code xa_erase}: removes the whole entry covering {@code index}; returns it or null. */
    @SuppressWarnings("unchecked")
    public E erase(long index) {
        erases.increment();
        Node n = locate(index);
        if (n == null) {
            return null;
        }
        int off = locOff;
        E entry = (E) n.slots[off];
        n.slots[off] = null;
        n.count--;
        slotWrites.increment();
        for (int i = off + 1; i < XA_CHUNK_SIZE && n.slots[i] instanceof Sibling
                && ((Sibling) n.slots[i]).offset == off; i++) {
            n.slots[i] = null;
            n.count--;
            slotWrites.increment();
        }
        nrEntries--;
        boolean marked = false;
        for (int m = 0; m < XA_MAX_MARKS; m++) {
            if ((n.marks[m] & (1L << off)) != 0) {
                n.marks[m] &= ~(1L << off);
                marked = true;
            }
        }
        deleteEmpty(n);
        if (marked && n.count > 0) {
            for (int m = 0; m < XA_MAX_MARKS; m++) {
                propagateMark(n, m);
            }
        }
        shrink();
        return entry;
    }

    /** {@code xas_delete_node}: frees empty nodes upwards. */
    private void deleteEmpty(Node n) {
        while (n != null && n.count == 0) {
            Node p = n.parent;
            int off = n.offset;
            freeNode(n);
            if (p == null) {
                root = null;
                return;
            }
            p.slots[off] = null;
            p.count--;
            for (int m = 0; m < XA_MAX_MARKS; m++) {
                p.marks[m] &= ~(1L << off);
            }
            if (p.count > 0) {
                for (int m = 0; m < XA_MAX_MARKS; m++) {
                    propagateMark(p, m);
                }
            }
            n = p;
        }
    }

    /** {@code xas_shrink}: drops root nodes whose only child is slot 0. */
    private void shrink() {
        while (root != null && root.count == 1 && root.slots[0] instanceof Node) {
            Node c = (Node) root.slots[0];
            c.parent = null;
            c.offset = 0;
            Node old = root;
            root = c;
            freeNode(old);
        }
    }

    /** Re-derives the parent's mark bit of {@code n} and continues up while it changes. */
    private static void propagateMark(Node n, int m) {
        while (n.parent != null) {
            Node p = n.parent;
            long bit = 1L << n.offset;
            boolean any = n.marks[m] != 0;
            boolean had = (p.marks[m] & bit) != 0;
            if (any == had) {
                return;
            }
            if (any) {
                p.marks[m] |= bit;
            } else {
                p.marks[m] &= ~bit;
            }
            n = p;
        }
    }

    /** {@code xa_set_mark} on the entry covering {@code index}; no-op when absent. */
    void setMark(long index, int mark) {
        markOps.increment();
        Node n = locate(index);
        if (n == null) {
            return;
        }
        long bit = 1L << locOff;
        if ((n.marks[mark] & bit) == 0) {
            n.marks[mark] |= bit;
            propagateMark(n, mark);
        }
    }

    /** {@code xa_clear_mark} on the entry covering {@code index}. */
    void clearMark(long index, int mark) {
        markOps.increment();
        Node n = locate(index);
        if (n == null) {
            return;
        }
        long bit = 1L << locOff;
        if ((n.marks[mark] & bit) != 0) {
            n.marks[mark] &= ~bit;
            propagateMark(n, mark);
        }
    }

    /** {@code xa_get_mark}. */
    boolean getMark(long index, int mark) {
        Node n = locate(index);
        return n != null && (n.marks[mark] & (1L << locOff)) != 0;
    }

    /** {@code xa_marked}: any entry carries the mark ({@code mapping_tagged}). */
    boolean anyMarked(int mark) {
        Node r = root;
        if (r == null) {
            return false;
        }
        return r.marks[mark] != 0;
    }

    /**
     * {@code xa_find}: the canonical index of the first entry covering an index in
     * {@code [start, max]} (with {@code mark} set when {@code mark >= 0}), or -1. An entry that
     * covers {@code start} but begins before it is found, with its own (lower) index.
     */
    public long find(long start, long max, int mark) {
        loads.increment();
        if (root == null || start > max || start > maxIndexOf(root)) {
            return -1;
        }
        return findIn(root, 0, Math.max(start, 0), max, mark);
    }

    private long findIn(Node n, long base, long start, long max, int mark) {
        int off = start <= base ? 0 : (int) ((start - base) >>> n.shift);
        boolean first = true;
        for (; off < XA_CHUNK_SIZE; off++, first = false) {
            long idx = base + ((long) off << n.shift);
            if (idx > max || idx < 0) {
                return -1;
            }
            Object e = n.slots[off];
            if (e == null) {
                continue;
            }
            int canon = off;
            if (e instanceof Sibling) {
                if (!first) {
                    continue; // its canonical slot was already considered
                }
                canon = ((Sibling) e).offset;
                e = n.slots[canon];
            }
            if (mark >= 0 && (n.marks[mark] & (1L << canon)) == 0) {
                continue;
            }
            if (e instanceof Node) {
                long r = findIn((Node) e, idx, start, max, mark);
                if (r >= 0) {
                    return r;
                }
                continue;
            }
            return base + ((long) canon << n.shift);
        }
        return -1;
    }

    /**
     * {@code xa_for_each_range} / {@code xa_for_each_marked}: visits each entry covering an index
     * in {@code [start, max]} once, in index order, with its canonical index.
     */
    public void forEach(long start, long max, int mark, Visitor<E> v) {
        long idx = start;
        while (idx <= max) {
            long found = find(idx, max, mark);
            if (found < 0) {
                return;
            }
            E e = lookup(found);
            if (!v.visit(found, e)) {
                return;
            }
            int order = entryOrder(found);
            long next = found + (1L << order);
            if (next <= idx) {
                return;
            }
            idx = next;
        }
    }

    /**
     * {@code page_cache_next_miss}: the first index in {@code [index, index + maxScan)} with no
     * entry, or {@code index + maxScan} when none is missing.
     */
    long nextMiss(long index, long maxScan) {
        long i = index;
        long end = index + maxScan;
        while (i < end) {
            long e = entryIndex(i);
            if (e < 0) {
                return i;
            }
            i = e + (1L << entryOrder(e));
        }
        return end;
    }

    /**
     * {@code page_cache_prev_miss}: the last index in {@code (index - maxScan, index]} with no
     * entry, or {@code index - maxScan} when none is missing (-1 means "cached from index 0").
     */
    long prevMiss(long index, long maxScan) {
        long i = index;
        long end = index - maxScan;
        while (i > end) {
            if (i < 0) {
                return -1;
            }
            long e = entryIndex(i);
            if (e < 0) {
                return i;
            }
            i = e - 1;
        }
        return end;
    }

    /** Nodes currently allocated (for tests). */
    long nodeCount() {
        return root == null ? 0 : countNodes(root);
    }

    private static long countNodes(Node n) {
        long c = 1;
        for (Object e : n.slots) {
            if (e instanceof Node) {
                c += countNodes((Node) e);
            }
        }
        return c;
    }
}
