package org.foliobench.pagecache;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * The page allocator the page cache draws folios from: a buddy allocator (mm/page_alloc.c) over a
 * bounded arena of 4096-aligned direct memory, orders {@code 0..maxOrder}. The arena is cut into
 * chunks (at most {@link #MAX_CHUNK_BYTES}, a whole number of max-order blocks); a chunk's memory
 * is allocated from the JVM the first time a block inside it is handed out.
 *
 * <p>{@link #alloc} takes the smallest free block of at least the requested order, splitting it
 * ({@code expand()}); {@link #free} merges a block with its free buddy as long as it can
 * ({@code __free_one_page}). An allocation fails (returns -1) when no block of that order is
 * free: the caller falls back to a lower order or reclaims. Free lists are intrusive doubly
 * linked lists over page frame numbers, under one lock ({@code zone->lock}).
 *
 * <p>The arena of a {@link PageCache} also holds the memmap ({@code mem_map}): one {@link Folio}
 * descriptor per page, created with its chunk's memory, so handing out a folio allocates nothing.
 */
public final class PageArena {
    /** Largest chunk of direct memory: 256 MiB. */
    static final long MAX_CHUNK_BYTES = 256L << 20;

    private final int maxOrder;
    private final long totalPages;
    private final int chunkPagesShift;
    private final ByteBuffer[] chunks;
    /** {@code mem_map}, per chunk: the descriptor of every page, created with the chunk's memory. */
    private final Folio[][] memmap;
    private PageCache owner;
    private final long chunkBytes;
    // per pfn: order of the free block headed here, or -1
    private final byte[] freeOrder;
    private final int[] next;
    private final int[] prev;
    private final int[] head;
    private final long[] nrFree;
    private long freePages;
    private final LongAdder[] allocByOrder;
    private final LongAdder[] failByOrder;

    PageArena(long bytes, int maxOrder, Counters counters) {
        if (maxOrder < 0 || maxOrder > 12) {
            throw new IllegalArgumentException("max folio order " + maxOrder + " must be 0..12");
        }
        long block = (long) Defaults.PAGE_SIZE << maxOrder;
        long chunk = Math.min(MAX_CHUNK_BYTES, Math.max(block, Long.highestOneBit(Math.max(bytes, block))));
        chunk = Math.max(chunk, block);
        long nchunks = (bytes + chunk - 1) / chunk;
        if (bytes < block || nchunks * chunk / Defaults.PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("page cache arena of " + bytes + " bytes must hold at least one "
                    + block + "-byte block of order " + maxOrder + " and at most 2^31 pages");
        }
        // the last chunk may be partial: a whole number of max-order blocks
        this.maxOrder = maxOrder;
        this.chunkBytes = chunk;
        this.chunkPagesShift = Long.numberOfTrailingZeros(chunk) - Defaults.PAGE_SHIFT;
        this.chunks = new ByteBuffer[(int) nchunks];
        this.memmap = new Folio[(int) nchunks][];
        long usable = bytes / block * block;
        this.totalPages = usable / Defaults.PAGE_SIZE;
        int span = (int) (nchunks * chunk / Defaults.PAGE_SIZE);
        this.freeOrder = new byte[span];
        this.next = new int[span];
        this.prev = new int[span];
        this.head = new int[maxOrder + 1];
        this.nrFree = new long[maxOrder + 1];
        java.util.Arrays.fill(freeOrder, (byte) -1);
        java.util.Arrays.fill(head, -1);
        int blockPages = 1 << maxOrder;
        // push in reverse so the lowest addresses are handed out first
        for (long pfn = totalPages - blockPages; pfn >= 0; pfn -= blockPages) {
            pushFree((int) pfn, maxOrder);
        }
        freePages = totalPages;
        Counters c = counters != null ? counters : new Counters();
        allocByOrder = new LongAdder[maxOrder + 1];
        failByOrder = new LongAdder[maxOrder + 1];
        for (int o = 0; o <= maxOrder; o++) {
            allocByOrder[o] = c.counter(CounterNames.folioAllocOrder(o));
            failByOrder[o] = c.counter("pagecache.alloc_fail_order_" + o);
        }
    }

    int maxOrder() {
        return maxOrder;
    }

    /** Pages the arena holds. */
    public long totalPages() {
        return totalPages;
    }

    /** {@code NR_FREE_PAGES}. */
    synchronized long freePages() {
        return freePages;
    }

    /** Free blocks of exactly {@code order} (for tests: /proc/buddyinfo). */
    synchronized long freeBlocks(int order) {
        return nrFree[order];
    }

    private void pushFree(int pfn, int order) {
        freeOrder[pfn] = (byte) order;
        int h = head[order];
        next[pfn] = h;
        prev[pfn] = -1;
        if (h >= 0) {
            prev[h] = pfn;
        }
        head[order] = pfn;
        nrFree[order]++;
    }

    private void unlinkFree(int pfn, int order) {
        int n = next[pfn];
        int p = prev[pfn];
        if (p >= 0) {
            next[p] = n;
        } else {
            head[order] = n;
        }
        if (n >= 0) {
            prev[n] = p;
        }
        freeOrder[pfn] = -1;
        nrFree[order]--;
    }

    /**
     * {@code __rmqueue_smallest}: a block of {@code 2^order} pages, as its first page frame
     * number, or -1 when none is free.
     */
    long alloc(int order) {
        if (order < 0 || order > maxOrder) {
            throw new IllegalArgumentException("order " + order + " outside 0.." + maxOrder);
        }
        int pfn;
        synchronized (this) {
            int o = order;
            while (o <= maxOrder && head[o] < 0) {
                o++;
            }
            if (o > maxOrder) {
                failByOrder[order].increment();
                return -1;
            }
            pfn = head[o];
            unlinkFree(pfn, o);
            // expand(): give back the upper halves
            while (o > order) {
                o--;
                pushFree(pfn + (1 << o), o);
            }
            freePages -= 1L << order;
        }
        allocByOrder[order].increment();
        return pfn;
    }

    /** {@code __free_one_page}: returns a block and merges it with its free buddies. */
    void free(long pfnL, int order) {
        int pfn = (int) pfnL;
        synchronized (this) {
            if (freeOrder[pfn] >= 0) {
                throw new IllegalStateException("double free of page frame " + pfn);
            }
            freePages += 1L << order;
            while (order < maxOrder) {
                int buddy = pfn ^ (1 << order);
                if (buddy >= totalPages || freeOrder[buddy] != order) {
                    break;
                }
                unlinkFree(buddy, order);
                pfn = Math.min(pfn, buddy);
                order++;
            }
            pushFree(pfn, order);
        }
    }

    /** The page cache whose folios the memmap holds (set once, by the page cache). */
    void setOwner(PageCache cache) {
        synchronized (chunks) {
            if (owner != null) {
                throw new IllegalStateException("arena already serves a page cache");
            }
            owner = cache;
            for (int ci = 0; ci < chunks.length; ci++) {
                if (chunks[ci] != null) {
                    memmap[ci] = newMemmap(ci, chunks[ci]);
                }
            }
        }
    }

    /** The direct buffer holding page frame {@code pfn} (absolute addressing). */
    ByteBuffer memory(long pfn) {
        int ci = (int) (pfn >>> chunkPagesShift);
        synchronized (chunks) {
            return chunk(ci);
        }
    }

    /** Under the chunks lock: chunk {@code ci}'s memory (and memmap), created on first use. */
    private ByteBuffer chunk(int ci) {
        ByteBuffer c = chunks[ci];
        if (c == null) {
            if (released) {
                throw new IllegalStateException("page cache arena used after it was released");
            }
            long len = Math.min(chunkBytes, totalPages * Defaults.PAGE_SIZE - (long) ci * chunkBytes);
            c = PhysicalMemory.take((int) len);
            chunks[ci] = c;
            if (owner != null) {
                memmap[ci] = newMemmap(ci, c);
            }
        }
        return c;
    }

    /** The descriptors of chunk {@code ci}'s pages ({@code memmap_init_range}). */
    private Folio[] newMemmap(int ci, ByteBuffer c) {
        long first = (long) ci << chunkPagesShift;
        int n = (int) Math.min(1L << chunkPagesShift, totalPages - first);
        Folio[] map = new Folio[n];
        for (int i = 0; i < n; i++) {
            map[i] = new Folio(owner, first + i, c, i << Defaults.PAGE_SHIFT);
        }
        return map;
    }

    /** {@code pfn_folio}: the descriptor of page frame {@code pfn} (its memory created if needed). */
    Folio pfnFolio(long pfn) {
        int ci = (int) (pfn >>> chunkPagesShift);
        synchronized (chunks) {
            Folio[] map = memmap[ci];
            if (map == null) {
                chunk(ci);
                map = memmap[ci];
                if (map == null) {
                    throw new IllegalStateException("arena has no page cache: no memmap");
                }
            }
            return map[(int) (pfn & ((1L << chunkPagesShift) - 1))];
        }
    }

    /**
     * Allocates every chunk's memory now instead of on first use, so that a benchmark does not
     * measure the JVM zeroing hundreds of MiB inside its first iteration (RAM simply exists in
     * the kernel). Returns the bytes the arena holds.
     */
    public long populate() {
        for (long pfn = 0; pfn < totalPages; pfn += 1L << chunkPagesShift) {
            memory(pfn);
        }
        return totalPages * Defaults.PAGE_SIZE;
    }

    private boolean released;

    /**
     * Gives the arena's memory back to {@link PhysicalMemory} for the next mount (after a clean
     * unmount: every folio written back and evicted, the flusher stopped). The arena's chunks and
     * memmap are dropped, so a stale use fails loudly instead of writing into another mount's pages.
     */
    void release() {
        synchronized (chunks) {
            if (released) {
                return;
            }
            released = true;
            for (int ci = 0; ci < chunks.length; ci++) {
                ByteBuffer c = chunks[ci];
                if (c != null) {
                    PhysicalMemory.give((int) Math.min(chunkBytes, totalPages * Defaults.PAGE_SIZE - (long) ci * chunkBytes), c);
                    chunks[ci] = null;
                    memmap[ci] = null;
                }
            }
        }
    }

    /** Byte offset of page frame {@code pfn} inside {@link #memory}. */
    int memoryOffset(long pfn) {
        return (int) ((pfn & ((1L << chunkPagesShift) - 1)) << Defaults.PAGE_SHIFT);
    }
}
