package org.foliobench.device;

import org.foliobench.mm.KmemCache;
import org.foliobench.stats.Counters;

/**
 * {@code struct bio_set} (block/bio.c): the pool bios are allocated from, so that the IO paths
 * reuse bios instead of leaving one to the garbage collector per IO. {@link #alloc}
 * ({@code bio_alloc_bioset}) hands out a bio initialised as a new one; the bio's owner returns it
 * with {@link Bio#put} ({@code bio_put}), normally from its end_io handler once the completion has
 * been processed, as {@code mpage_end_io} and {@code iomap_finish_ioend} do. A put bio is reset and
 * must not be used again; every accessor of a bio on the free list throws.
 *
 * <p>Each pooled bio carries vectors for {@link Bio#BIO_MAX_VECS} segments (the kernel's bio_set
 * keeps a {@code bvec_pool} beside the bio slab); {@code nr_vecs} only limits how many it takes.
 * The objects come from a {@link KmemCache}, so the counters are {@code slab.<name>.allocs},
 * {@code .frees}, {@code .active}, {@code .grows}, {@code .drops}. The kernel's bio_set is a mempool
 * that guarantees forward progress with reserved bios; here allocation never fails, and the free list
 * is bounded by the limit given at creation. Thread-safe: the writer, the flusher and readers
 * allocate and put concurrently.
 */
public final class BioSet {
    private final KmemCache<Bio> cache;

    private BioSet(String name, int limit, Counters counters) {
        this.cache = KmemCache.create(name, limit, () -> new Bio(this), counters);
    }

    /** {@code bioset_init}: a pool named {@code name} (the slab counters' infix) keeping at most {@code limit} free bios. */
    public static BioSet create(String name, int limit, Counters counters) {
        return new BioSet(name, limit, counters);
    }

    /** {@code bio_alloc_bioset(bdev, nr_vecs, opf, GFP_NOIO, bs)}. */
    public Bio alloc(Bio.Op op, long sector, int nrVecs) {
        return cache.alloc().init(op, sector, nrVecs);
    }

    /** {@link #alloc} with room for {@link Bio#BIO_MAX_VECS} segments. */
    public Bio alloc(Bio.Op op, long sector) {
        return alloc(op, sector, Bio.BIO_MAX_VECS);
    }

    /** Called by {@link Bio#put} once the bio is reset. */
    void free(Bio bio) {
        cache.free(bio);
    }

    public String name() {
        return cache.name();
    }

    /** Bios handed out and not put back. */
    public long activeObjects() {
        return cache.activeObjects();
    }

    /** Bios on the free list now. */
    public int freeObjects() {
        return cache.freeObjects();
    }

    public int limit() {
        return cache.limit();
    }

    @Override
    public String toString() {
        return "bio_set[" + cache + "]";
    }
}
