package org.foliobench;

/**
 * Every tunable of the engine, each named after the kernel tunable it mirrors and starting at the
 * kernel's default. Options builders read their defaults from here; nothing else hard-codes them.
 */
public final class Defaults {
    private Defaults() {
    }

    /** {@code PAGE_SHIFT} on x86-64: 4 KiB pages. */
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;

    /** {@code MAX_PAGECACHE_ORDER} with 4 KiB pages (PMD order): folios up to 2 MiB. */
    public static final int MAX_PAGECACHE_ORDER = 9;

    /** {@code /sys/block/<dev>/queue/read_ahead_kb} ({@code VM_READAHEAD_PAGES} = 128 KiB). */
    public static final int READ_AHEAD_KB = 128;

    /** {@code vm.dirty_ratio}: percent of available memory a writer may dirty before it is throttled. */
    public static final int DIRTY_RATIO = 20;

    /** {@code vm.dirty_background_ratio}: percent at which the flusher starts background writeback. */
    public static final int DIRTY_BACKGROUND_RATIO = 10;

    /** {@code vm.dirty_bytes} / {@code vm.dirty_background_bytes}: 0 means "use the ratio". */
    public static final long DIRTY_BYTES = 0;
    public static final long DIRTY_BACKGROUND_BYTES = 0;

    /** {@code vm.dirty_expire_centisecs}: dirty data older than this is written back (30 s). */
    public static final int DIRTY_EXPIRE_CENTISECS = 3000;

    /** {@code vm.dirty_writeback_centisecs}: the flusher's periodic wakeup (5 s). */
    public static final int DIRTY_WRITEBACK_CENTISECS = 500;

    /** ext4's default filesystem block size ({@code mke2fs -b 4096}). */
    public static final int BLOCK_SIZE = 4096;

    /**
     * ext4's {@code dioread_nolock} default (since 5.6, {@code ext4_fill_super}): on when the
     * filesystem block equals the page; {@code nodioread_nolock} otherwise.
     */
    public static boolean dioreadNolock(int blockSize) {
        return blockSize == PAGE_SIZE;
    }

    /** {@code CONFIG_HZ} (Kconfig's default, 250): the coarse clock behind file timestamps ticks this often a second. */
    public static final int HZ = 250;

    /** ext4 {@code commit=} mount option: journal commit interval in seconds. */
    public static final int JOURNAL_COMMIT_INTERVAL_SECONDS = 5;

    /** {@code BIO_MAX_VECS}. */
    public static final int BIO_MAX_VECS = 256;

    /**
     * The memory the page cache may use, the model's RAM ({@code MemTotal} as seen by the page
     * allocator): folios come from a buddy allocator over an arena of this many bytes, and the
     * dirty thresholds are ratios of it ({@code global_dirtyable_memory()}).
     */
    public static final long PAGECACHE_ARENA_BYTES = 1L << 30;

    /**
     * {@code /sys/block/<dev>/queue/max_sectors_kb} default cap ({@code BLK_DEF_MAX_SECTORS_CAP}
     * = 2560 sectors = 1280 KiB): the largest request the block layer builds by merging bios, and
     * the bdi's {@code io_pages}, how far a read larger than the readahead window may read ahead
     * ({@code ractl_max_pages()}).
     */
    public static final int MAX_SECTORS_KB = 1280;

    /**
     * The most free objects a {@link org.foliobench.mm.KmemCache} keeps when its population does
     * not scale with the page cache (extent-status entries, bios, ioends, journal handles, xarray
     * nodes beyond the page cache's own); a freed object beyond it is left to the garbage
     * collector. Not a kernel tunable: SLUB keeps freed objects in their slab pages until a
     * shrinker or {@code kmem_cache_shrink} returns the pages; this is the model's bound on that.
     * Caches of per-page objects (BufferHeads, folio states) are bounded by the page cache's size
     * instead.
     */
    public static final int SLAB_FREE_OBJECTS = 1024;

    /**
     * {@code fb_bh_partial_walk}: the buffer_head path with large folios walks every buffer of a
     * folio on a partial write, as ext4 6.16-6.18 do ({@link org.foliobench.vfs.BhPartialWalk}).
     */
    public static final org.foliobench.vfs.BhPartialWalk BH_PARTIAL_WALK = org.foliobench.vfs.BhPartialWalk.FULL;
}
