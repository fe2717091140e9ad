package org.foliobench.pagecache;

import org.foliobench.Defaults;
import org.foliobench.Tunables;
import org.foliobench.stats.Counters;

/**
 * The page cache's tunables (the vm.* sysctls and the bdi's read_ahead_kb), immutable; build with
 * {@link #builder()}. Every default is the kernel's, from {@link Defaults}.
 */
public final class PageCacheOptions {
    private final long arenaBytes;
    private final int dirtyRatio;
    private final int dirtyBackgroundRatio;
    private final long dirtyBytes;
    private final long dirtyBackgroundBytes;
    private final int dirtyExpireCentisecs;
    private final int dirtyWritebackCentisecs;
    private final int readAheadKb;
    private final int maxSectorsKb;
    private final int maxFolioOrder;
    private final int nrCpus;
    private final Counters counters;

    private PageCacheOptions(Builder b) {
        this.arenaBytes = b.arenaBytes;
        this.dirtyRatio = b.dirtyRatio;
        this.dirtyBackgroundRatio = b.dirtyBackgroundRatio;
        this.dirtyBytes = b.dirtyBytes;
        this.dirtyBackgroundBytes = b.dirtyBackgroundBytes;
        this.dirtyExpireCentisecs = b.dirtyExpireCentisecs;
        this.dirtyWritebackCentisecs = b.dirtyWritebackCentisecs;
        this.readAheadKb = b.readAheadKb;
        this.maxSectorsKb = b.maxSectorsKb;
        this.maxFolioOrder = b.maxFolioOrder;
        this.nrCpus = b.nrCpus;
        this.counters = b.counters != null ? b.counters : new Counters();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.arenaBytes = arenaBytes;
        b.dirtyRatio = dirtyRatio;
        b.dirtyBackgroundRatio = dirtyBackgroundRatio;
        b.dirtyBytes = dirtyBytes;
        b.dirtyBackgroundBytes = dirtyBackgroundBytes;
        b.dirtyExpireCentisecs = dirtyExpireCentisecs;
        b.dirtyWritebackCentisecs = dirtyWritebackCentisecs;
        b.readAheadKb = readAheadKb;
        b.maxSectorsKb = maxSectorsKb;
        b.maxFolioOrder = maxFolioOrder;
        b.nrCpus = nrCpus;
        b.counters = counters;
        return b;
    }

    /** Bytes of folio memory (the model's RAM). */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** {@code vm.dirty_ratio}. */
    public int dirtyRatio() {
        return dirtyRatio;
    }

    /** {@code vm.dirty_background_ratio}. */
    public int dirtyBackgroundRatio() {
        return dirtyBackgroundRatio;
    }

    /** {@code vm.dirty_bytes} (0: use the ratio). */
    public long dirtyBytes() {
        return dirtyBytes;
    }

    /** {@code vm.dirty_background_bytes} (0: use the ratio). */
    public long dirtyBackgroundBytes() {
        return dirtyBackgroundBytes;
    }

    /** {@code vm.dirty_expire_centisecs}. */
    public int dirtyExpireCentisecs() {
        return dirtyExpireCentisecs;
    }

    /** {@code vm.dirty_writeback_centisecs} (0: no periodic writeback). */
    public int dirtyWritebackCentisecs() {
        return dirtyWritebackCentisecs;
    }

    /** {@code read_ahead_kb}. */
    public int readAheadKb() {
        return readAheadKb;
    }

    /** {@code max_sectors_kb}: the bdi's {@code io_pages}. */
    public int maxSectorsKb() {
        return maxSectorsKb;
    }

    /** {@code MAX_PAGECACHE_ORDER}. */
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** {@code num_online_cpus()} for {@code ratelimit_pages}. */
    int nrCpus() {
        return nrCpus;
    }

    public Counters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "arena=" + arenaBytes + " dirty_ratio=" + dirtyRatio + " dirty_background_ratio=" + dirtyBackgroundRatio
                + " dirty_bytes=" + dirtyBytes + " dirty_background_bytes=" + dirtyBackgroundBytes
                + " dirty_expire_centisecs=" + dirtyExpireCentisecs + " dirty_writeback_centisecs="
                + dirtyWritebackCentisecs + " read_ahead_kb=" + readAheadKb + " max_folio_order=" + maxFolioOrder;
    }

    public static final class Builder {
        private long arenaBytes = Defaults.PAGECACHE_ARENA_BYTES;
        private int dirtyRatio = Defaults.DIRTY_RATIO;
        private int dirtyBackgroundRatio = Defaults.DIRTY_BACKGROUND_RATIO;
        private long dirtyBytes = Defaults.DIRTY_BYTES;
        private long dirtyBackgroundBytes = Defaults.DIRTY_BACKGROUND_BYTES;
        private int dirtyExpireCentisecs = Defaults.DIRTY_EXPIRE_CENTISECS;
        private int dirtyWritebackCentisecs = Defaults.DIRTY_WRITEBACK_CENTISECS;
        private int readAheadKb = Defaults.READ_AHEAD_KB;
        private int maxSectorsKb = Defaults.MAX_SECTORS_KB;
        private int maxFolioOrder = Defaults.MAX_PAGECACHE_ORDER;
        private int nrCpus = Runtime.getRuntime().availableProcessors();
        private Counters counters;

        private Builder() {
        }

        public Builder arenaBytes(long v) {
            if (v < Defaults.PAGE_SIZE) {
                throw new IllegalArgumentException("page cache arena of " + v + " bytes is smaller than a page");
            }
            arenaBytes = v;
            return this;
        }

        public Builder dirtyRatio(int v) {
            dirtyRatio = Tunables.DIRTY_RATIO.check(v);
            return this;
        }

        public Builder dirtyBackgroundRatio(int v) {
            dirtyBackgroundRatio = Tunables.DIRTY_BACKGROUND_RATIO.check(v);
            return this;
        }

        /** Setting dirty_bytes overrides dirty_ratio, as the sysctl does (0 restores the ratio). */
        public Builder dirtyBytes(long v) {
            dirtyBytes = Tunables.DIRTY_BYTES.check(v);
            return this;
        }

        public Builder dirtyBackgroundBytes(long v) {
            dirtyBackgroundBytes = Tunables.DIRTY_BACKGROUND_BYTES.check(v);
            return this;
        }

        public Builder dirtyExpireCentisecs(int v) {
            dirtyExpireCentisecs = Tunables.DIRTY_EXPIRE_CENTISECS.check(v);
            return this;
        }

        public Builder dirtyWritebackCentisecs(int v) {
            dirtyWritebackCentisecs = Tunables.DIRTY_WRITEBACK_CENTISECS.check(v);
            return this;
        }

        public Builder readAheadKb(int v) {
            readAheadKb = Tunables.READ_AHEAD_KB.check(v);
            return this;
        }

        public Builder maxSectorsKb(int v) {
            if (v < 4) {
                throw new IllegalArgumentException("max_sectors_kb " + v + " must be at least one page");
            }
            maxSectorsKb = v;
            return this;
        }

        public Builder maxFolioOrder(int v) {
            if (v < 0 || v > 12) {
                throw new IllegalArgumentException("max folio order " + v + " must be 0..12");
            }
            maxFolioOrder = v;
            return this;
        }

        Builder nrCpus(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("nr_cpus " + v + " must be positive");
            }
            nrCpus = v;
            return this;
        }

        public Builder counters(Counters c) {
            counters = c;
            return this;
        }

        public PageCacheOptions build() {
            return new PageCacheOptions(this);
        }
    }
}
