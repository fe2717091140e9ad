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
     * {@code BLKDEV_DEFAULT_RQ} (include/linux/blkdev.h, 128): with an I/O scheduler the queue's
     * {@code nr_requests} is {@code 2 * min(queue_depth, BLKDEV_DEFAULT_RQ)} per hardware queue
     * ({@code blk_mq_init_sched}, block/blk-mq-sched.c); without one ({@code none}) it is the tag
     * set's {@code queue_depth} ({@code blk_mq_init_allocated_queue}, block/blk-mq.c). The default
     * scheduler is mq-deadline for a single hardware queue and none for several
     * ({@code elevator_get_default}, block/elevator.c).
     */
    public static final int BLKDEV_DEFAULT_RQ = 128;

    /**
     * A {@code FileDevice} is a loop device on a regular file (drivers/block/loop.c): one hardware
     * queue of {@code hw_queue_depth} = {@code LOOP_DEFAULT_HW_Q_DEPTH} = 128 tags; one queue, so
     * mq-deadline, so {@code nr_requests} = 2 * min(128, {@link #BLKDEV_DEFAULT_RQ}) = 256.
     */
    public static final int LOOP_HW_QUEUE_DEPTH = 128;
    public static final int LOOP_NR_HW_QUEUES = 1;

    /**
     * A {@code DirectDevice} on a regular file stands for an NVMe namespace (drivers/nvme/host/pci.c):
     * {@code io_queue_depth} = 1024 entries, of which the tag set uses {@code q_depth - 1} = 1023;
     * one I/O queue per CPU ({@code nvme_max_io_queues}), so scheduler none and {@code nr_requests}
     * = 1023 (mq-deadline and 256 on a one-CPU machine). A block device reports its own values in
     * sysfs ({@code queue/nr_requests}, {@code mq/*}), which are used instead.
     */
    public static final int NVME_QUEUE_DEPTH = 1023;

    /** {@code nr_requests} the kernel gives a queue of {@code queueDepth} tags over {@code nrHwQueues} hardware queues. */
    public static int defaultNrRequests(int queueDepth, int nrHwQueues) {
        boolean scheduler = nrHwQueues == 1; // elevator_get_default: mq-deadline for one queue, else none
        return scheduler ? 2 * Math.min(queueDepth, BLKDEV_DEFAULT_RQ) : queueDepth;
    }

    /**
     * {@code fb_bh_partial_walk}: the buffer_head path with large folios walks every buffer of a
     * folio on a partial write, as ext4 6.16-6.18 do ({@link BhPartialWalk}).
     */
    public static final BhPartialWalk BH_PARTIAL_WALK = BhPartialWalk.FULL;

    /**
     * {@code fb_defrag_iomap}: {@code EXT4_IOC_MOVE_EXT} on an iomap inode fails with EOPNOTSUPP
     * (Dave Chinner's answer to the series' fallback patch), unless set to {@code fallback}
     * ({@link DefragIomap}).
     */
    public static final DefragIomap DEFRAG_IOMAP = DefragIomap.EOPNOTSUPP;

    /**
     * {@code fb_iomap_dirty_check}: buffered iomap mappings do not call
     * {@code ext4_inode_datasync_dirty} (patch 33 of the series), unless set to {@code all}
     * ({@link IomapDirtyCheck}).
     */
    public static final IomapDirtyCheck IOMAP_DIRTY_CHECK = IomapDirtyCheck.DIRECT;
}
