package org.foliobench.vfs;

import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.DefragIomap;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.Tunable;
import org.foliobench.Tunables;
import org.foliobench.fs.FsOptions;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;

/**
 * Everything that shapes one mounted filesystem: the mkfs and mount options of the ext4-like
 * filesystem and the vm tunables of the page cache beneath it, each named after the kernel
 * tunable it mirrors and starting at its default ({@link Defaults}). Immutable; build with
 * {@link #builder()}.
 */
public final class MountOptions {
    private final FsOptions fs;
    private final PageCacheOptions pageCache;
    private final int maxFolioOrder;
    private final boolean populateMemory;
    private final BhPartialWalk bhPartialWalk;
    private final DefragIomap defragIomap;
    private final Counters counters;

    private MountOptions(Builder b) {
        this.counters = b.counters;
        this.maxFolioOrder = b.maxFolioOrder;
        this.populateMemory = b.populateMemory;
        this.bhPartialWalk = b.bhPartialWalk;
        this.defragIomap = b.defragIomap;
        this.fs = b.fs.counters(counters).build();
        this.pageCache = b.pageCache.counters(counters).maxFolioOrder(b.maxFolioOrder).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The filesystem's options (block size, journal, commit interval), counting into {@link #counters()}. */
    public FsOptions fs() {
        return fs;
    }

    /** The page cache's options (memory, dirty limits, readahead), counting into {@link #counters()}. */
    PageCacheOptions pageCache() {
        return pageCache;
    }

    /** {@code MAX_PAGECACHE_ORDER}: the largest folio the iomap path uses (0 disables large folios). */
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** {@code fb_bh_partial_walk}: the buffers a partial write into a large folio walks (bhlf path). */
    public BhPartialWalk bhPartialWalk() {
        return bhPartialWalk;
    }

    /** {@code fb_defrag_iomap}: what {@code EXT4_IOC_MOVE_EXT} does to an iomap inode. */
    public DefragIomap defragIomap() {
        return defragIomap;
    }

    /** Whether the page-cache memory is touched at mount so the first pass does not pay for it. */
    public boolean populateMemory() {
        return populateMemory;
    }

    /** The counters every layer of this mount counts into. */
    public Counters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "block_size=" + fs.blockSize() + " max_folio_order=" + maxFolioOrder + " bh_partial_walk=" + bhPartialWalk.value() + " "
                + (fs.dioreadNolock(fs.blockSize()) ? "dioread_nolock" : "nodioread_nolock") + " " + pageCache;
    }

    /** The setter of each tunable of {@link Tunables#ALL} a mount takes. */
    private static final java.util.Map<Tunable<?>, java.util.function.BiConsumer<Builder, ?>> SETTERS = new java.util.HashMap<>();

    private static <T> void setter(Tunable<T> t, java.util.function.BiConsumer<Builder, T> set) {
        SETTERS.put(t, set);
    }

    static {
        setter(Tunables.BLOCK_SIZE, Builder::blockSize);
        setter(Tunables.MAX_FOLIO_ORDER, Builder::maxFolioOrder);
        setter(Tunables.READ_AHEAD_KB, Builder::readAheadKb);
        setter(Tunables.DIRTY_RATIO, Builder::dirtyRatio);
        setter(Tunables.DIRTY_BACKGROUND_RATIO, Builder::dirtyBackgroundRatio);
        setter(Tunables.DIRTY_BYTES, Builder::dirtyBytes);
        setter(Tunables.DIRTY_BACKGROUND_BYTES, Builder::dirtyBackgroundBytes);
        setter(Tunables.DIRTY_EXPIRE_CENTISECS, Builder::dirtyExpireCentisecs);
        setter(Tunables.DIRTY_WRITEBACK_CENTISECS, Builder::dirtyWritebackCentisecs);
        setter(Tunables.MEM, Builder::memBytes);
        setter(Tunables.DIOREAD_NOLOCK, Builder::dioreadNolock);
        setter(Tunables.BH_PARTIAL_WALK, Builder::bhPartialWalk);
        setter(Tunables.DEFRAG_IOMAP, Builder::defragIomap);
        setter(Tunables.IOMAP_DIRTY_CHECK, Builder::iomapDirtyCheck);
    }

    /** Builder; every setter validates and names the kernel tunable in its error. */
    public static final class Builder {
        private final FsOptions.Builder fs = FsOptions.builder();
        private final PageCacheOptions.Builder pageCache = PageCacheOptions.builder();
        private int maxFolioOrder = Defaults.MAX_PAGECACHE_ORDER;
        private boolean populateMemory;
        private BhPartialWalk bhPartialWalk = Defaults.BH_PARTIAL_WALK;
        private DefragIomap defragIomap = Defaults.DEFRAG_IOMAP;
        private Counters counters = new Counters();

        private Builder() {
        }

        /** {@code mke2fs -b}: 1024, 2048 or 4096. */
        public Builder blockSize(int bytes) {
            fs.blockSize(bytes);
            return this;
        }

        /** The model's RAM ({@code mem=}): the page cache arena, of which dirty ratios are taken. */
        public Builder memBytes(long bytes) {
            pageCache.arenaBytes(bytes);
            return this;
        }

        /** {@code MAX_PAGECACHE_ORDER}, 0..9. */
        public Builder maxFolioOrder(int order) {
            this.maxFolioOrder = Tunables.MAX_FOLIO_ORDER.check(order);
            return this;
        }

        /** {@code fb_bh_partial_walk}: full (6.16-6.18) or range (the 2026 fix). */
        public Builder bhPartialWalk(BhPartialWalk walk) {
            this.bhPartialWalk = Tunables.BH_PARTIAL_WALK.check(java.util.Objects.requireNonNull(walk));
            return this;
        }

        /** {@code fb_defrag_iomap}: eopnotsupp (the default) or fallback. */
        public Builder defragIomap(DefragIomap d) {
            this.defragIomap = Tunables.DEFRAG_IOMAP.check(java.util.Objects.requireNonNull(d));
            return this;
        }

        /** {@code fb_iomap_dirty_check}: direct (with patch 33, the default) or all (without it). */
        public Builder iomapDirtyCheck(IomapDirtyCheck check) {
            fs.iomapDirtyCheck(check);
            return this;
        }

        /** {@code /sys/block/<dev>/queue/read_ahead_kb}. */
        public Builder readAheadKb(int kb) {
            pageCache.readAheadKb(kb);
            return this;
        }

        /** {@code vm.dirty_ratio}. */
        public Builder dirtyRatio(int percent) {
            pageCache.dirtyRatio(percent);
            return this;
        }

        /** {@code vm.dirty_background_ratio}. */
        public Builder dirtyBackgroundRatio(int percent) {
            pageCache.dirtyBackgroundRatio(percent);
            return this;
        }

        /** {@code vm.dirty_bytes} (0: use the ratio). */
        public Builder dirtyBytes(long bytes) {
            pageCache.dirtyBytes(bytes);
            return this;
        }

        /** {@code vm.dirty_background_bytes} (0: use the ratio). */
        public Builder dirtyBackgroundBytes(long bytes) {
            pageCache.dirtyBackgroundBytes(bytes);
            return this;
        }

        /** {@code vm.dirty_expire_centisecs}. */
        public Builder dirtyExpireCentisecs(int cs) {
            pageCache.dirtyExpireCentisecs(cs);
            return this;
        }

        /** {@code vm.dirty_writeback_centisecs} (0 disables periodic writeback). */
        public Builder dirtyWritebackCentisecs(int cs) {
            pageCache.dirtyWritebackCentisecs(cs);
            return this;
        }

        /** ext4 {@code commit=}: seconds between periodic journal commits (0: commit only on demand). */
        public Builder commitIntervalSeconds(int seconds) {
            fs.commitIntervalSeconds(seconds);
            return this;
        }

        /**
         * ext4 {@code dioread_nolock} (true) / {@code nodioread_nolock} (false); null keeps the
         * kernel's default for the block size ({@link Defaults#dioreadNolock}).
         */
        public Builder dioreadNolock(Boolean on) {
            fs.dioreadNolock(on);
            return this;
        }

        /** Journal size in filesystem blocks (0: the mke2fs default for the device size). */
        public Builder journalBlocks(int blocks) {
            fs.journalBlocks(blocks);
            return this;
        }

        /**
         * Sets tunable {@code t} ({@link Tunables#ALL}) by its declaration: the one setter generic code
         * (a job's {@code fb_*} options) uses; each tunable is bound to its setter here.
         */
        @SuppressWarnings("unchecked")
        public <T> Builder set(Tunable<T> t, T v) {
            java.util.function.BiConsumer<Builder, Object> s = (java.util.function.BiConsumer<Builder, Object>) SETTERS.get(t);
            if (s == null) {
                throw new IllegalArgumentException(t.name() + " is not a mount option");
            }
            s.accept(this, t.check(v));
            return this;
        }

        /** Touch all page-cache memory at mount (benchmarks do; tests need not). */
        public Builder populateMemory(boolean on) {
            this.populateMemory = on;
            return this;
        }

        /** Count into these counters instead of a fresh set. */
        public Builder counters(Counters c) {
            this.counters = java.util.Objects.requireNonNull(c);
            return this;
        }

        public MountOptions build() {
            return new MountOptions(this);
        }
    }
}
