package org.foliobench.stats;

/**
 * The names of the engine's counters ({@link Counters}) that are read outside the code that counts
 * them: by the bench's summaries and by the results' table columns. Declared once here, used where
 * the engine counts and where the counts are read; a counter read nowhere else keeps its name at its
 * one counting site.
 */
public final class CounterNames {
    private CounterNames() {
    }

    public static final String BIO_BYTES = "bio.bytes";
    public static final String BIO_SEGMENTS = "bio.segments";
    public static final String BIO_SUBMITTED = "bio.submitted";

    public static final String BUFFER_BH_ALLOC = "buffer.bh_alloc";
    public static final String BUFFER_BH_READS = "buffer.bh_reads";
    public static final String BUFFER_WALK_BHS = "buffer.walk_bhs";
    public static final String BUFFER_WALK_SKIPS = "buffer.walk_skips";
    public static final String BUFFER_WALK_WRITES = "buffer.walk_writes";

    public static final String FS_ALIGNED_ALLOC_CALLS = "fs.aligned_alloc_calls";
    public static final String FS_ATOMIC_REJECTIONS = "fs.atomic_rejections";
    public static final String FS_ATOMIC_WRITES = "fs.atomic_writes";
    public static final String FS_COW_ALLOC_BLOCKS = "fs.cow_alloc_blocks";
    public static final String FS_COW_ALLOC_CALLS = "fs.cow_alloc_calls";
    public static final String FS_COW_REMAP_BLOCKS = "fs.cow_remap_blocks";
    public static final String FS_COW_REMAPS = "fs.cow_remaps";
    public static final String FS_ES_LOOKUPS = "fs.es_lookups";

    public static final String IOMAP_DIO_ATOMIC_BIOS = "iomap.dio_atomic_bios";
    public static final String IOMAP_DIO_BIOS = "iomap.dio_bios";
    public static final String IOMAP_FOLIO_STATE_ALLOC = "iomap.folio_state_alloc";
    public static final String IOMAP_SRCMAP_READS = "iomap.srcmap_reads";
    public static final String IOMAP_STALE = "iomap.stale";

    public static final String JBD2_COMMITS = "jbd2.commits";
    public static final String JBD2_HANDLES = "jbd2.handles";
    public static final String JBD2_STATE_LOCK_COMMITTED_CHECKS = "jbd2.state_lock_committed_checks";
    public static final String JBD2_STATE_LOCK_COMMITTED_CONTENDED = "jbd2.state_lock_committed_contended";

    public static final String PATH_MAP_CALLS = "path.map_calls";

    public static final String VFS_DEFRAG_IOMAP_FALLBACKS = "vfs.defrag_iomap_fallbacks";

    public static final String WRITEBACK_PAGES_WRITTEN = "writeback.pages_written";
    public static final String WRITEBACK_THROTTLE_PAUSES = "writeback.throttle_pauses";

    public static final String XA_ERASE = "xa.erase";
    public static final String XA_LOAD = "xa.load";
    public static final String XA_MARK = "xa.mark";
    public static final String XA_STORE = "xa.store";

    /** Folio allocations of order N: {@link #folioAllocOrder(int)}; summed over N by prefix. */
    public static final String PAGECACHE_FOLIO_ALLOC_ORDER_PREFIX = "pagecache.folio_alloc_order_";

    /** {@code pagecache.folio_alloc_order_<order>}. */
    public static String folioAllocOrder(int order) {
        return PAGECACHE_FOLIO_ALLOC_ORDER_PREFIX + order;
    }
}
