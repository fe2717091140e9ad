package org.foliobench.mm;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.foliobench.stats.Counters;

/**
 * {@code struct kmem_cache} (mm/slub.c): a cache of one object type with a free list, so that
 * objects the IO paths allocate per page, per block or per IO (BufferHeads, folio states, bios,
 * ioends, xarray nodes, extent-status entries, journal handles) are reused instead of becoming
 * garbage, as the kernel's slab caches reuse them.
 *
 * <p>{@link #alloc} ({@code kmem_cache_alloc}) pops a free object, or constructs a new one when
 * the free list is empty (the slab grows: counted as {@code grows}, the only time the JVM
 * allocates). {@link #free} ({@code kmem_cache_free}) pushes the object back, unless the free list
 * already holds {@link #limit()} objects: then the object is dropped to the garbage collector
 * (counted as {@code drops}), which bounds what a cache keeps, like a shrinker would. The caller
 * initialises every field after {@link #alloc} and clears its references before {@link #free}: an
 * object on the free list must not be reachable from anything live.
 *
 * <p>Thread-safe: one lock per cache (the writer and the flusher thread allocate and free
 * concurrently); its critical section is a push or a pop.
 *
 * <p>Counters, as {@code /proc/slabinfo}: {@code slab.<name>.allocs} and {@code .frees} (objects
 * handed out and given back), {@code .active} (allocs - frees: objects in use),
 * {@code .grows} (objects constructed) and {@code .drops} (frees beyond the limit).
 */
public final class KmemCache<T> {
    private final String name;
    private final int limit;
    private final Supplier<? extends T> ctor;
    private Object[] free;
    private int nfree;
    private final LongAdder allocs;
    private final LongAdder frees;
    private final LongAdder active;
    private final LongAdder grows;
    private final LongAdder drops;

    private KmemCache(String name, int limit, Supplier<? extends T> ctor, Counters counters) {
        if (limit < 0) {
            throw new IllegalArgumentException("kmem_cache " + name + ": negative limit " + limit);
        }
        this.name = name;
        this.limit = limit;
        this.ctor = ctor;
        this.free = new Object[Math.min(limit, 16)];
        Counters c = counters != null ? counters : new Counters();
        allocs = c.counter("slab." + name + ".allocs");
        frees = c.counter("slab." + name + ".frees");
        active = c.counter("slab." + name + ".active");
        grows = c.counter("slab." + name + ".grows");
        drops = c.counter("slab." + name + ".drops");
    }

    /**
     * {@code kmem_cache_create}: a cache named {@code name} (the counters' infix) keeping at most
     * {@code limit} free objects, constructing new ones with {@code ctor}.
     */
    public static <T> KmemCache<T> create(String name, int limit, Supplier<? extends T> ctor, Counters counters) {
        return new KmemCache<>(name, limit, ctor, counters);
    }

    /** {@code kmem_cache_alloc}: a free object, or a new one when none is free. */
    @SuppressWarnings("unchecked")
    public T alloc() {
        T obj = null;
        synchronized (this) {
            if (nfree > 0) {
                obj = (T) free[--nfree];
                free[nfree] = null;
            }
        }
        allocs.increment();
        active.increment();
        if (obj == null) {
            grows.increment();
            obj = ctor.get();
        }
        return obj;
    }

    /** {@code kmem_cache_free}: back on the free list, or to the garbage collector when it is full. */
    public void free(T obj) {
        if (obj == null) {
            throw new IllegalArgumentException("kmem_cache_free(" + name + ", NULL)");
        }
        frees.increment();
        active.decrement();
        synchronized (this) {
            if (nfree < limit) {
                if (nfree == free.length) {
                    free = java.util.Arrays.copyOf(free, (int) Math.min(limit, Math.max(16L, 2L * free.length)));
                }
                free[nfree++] = obj;
                return;
            }
        }
        drops.increment();
    }

    public String name() {
        return name;
    }

    /** The most free objects the cache keeps. */
    public int limit() {
        return limit;
    }

    /** Objects on the free list now. */
    public synchronized int freeObjects() {
        return nfree;
    }

    /** Objects handed out and not given back ({@code active_objs}). */
    public long activeObjects() {
        return active.sum();
    }

    /** {@code kmem_cache_shrink}: drops every free object to the garbage collector. */
    synchronized void shrink() {
        java.util.Arrays.fill(free, 0, nfree, null);
        nfree = 0;
    }

    @Override
    public String toString() {
        return "kmem_cache[" + name + " active=" + activeObjects() + " free=" + freeObjects() + " limit=" + limit + "]";
    }
}
