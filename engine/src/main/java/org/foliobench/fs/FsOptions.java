package org.foliobench.fs;

import org.foliobench.Defaults;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.Tunables;
import org.foliobench.stats.Counters;

/**
 * Format and mount options: the mke2fs ({@code -b}, {@code -J size=}, {@code -N}) and mount
 * ({@code commit=}, {@code dioread_nolock}) knobs the model has. Immutable; build with
 * {@link #builder()}. At mount the geometry comes from the superblock and only {@link #counters()}
 * and the mount options apply.
 */
public final class FsOptions {
    private final int blockSize;
    private final int journalBlocks;
    private final int inodeCount;
    private final Counters counters;
    private final int commitIntervalSeconds;
    private final Boolean dioreadNolock;
    private final IomapDirtyCheck iomapDirtyCheck;

    private FsOptions(Builder b) {
        this.blockSize = b.blockSize;
        this.journalBlocks = b.journalBlocks;
        this.inodeCount = b.inodeCount;
        this.counters = b.counters;
        this.commitIntervalSeconds = b.commitIntervalSeconds;
        this.dioreadNolock = b.dioreadNolock;
        this.iomapDirtyCheck = b.iomapDirtyCheck;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.blockSize = blockSize;
        b.journalBlocks = journalBlocks;
        b.inodeCount = inodeCount;
        b.counters = counters;
        b.commitIntervalSeconds = commitIntervalSeconds;
        b.dioreadNolock = dioreadNolock;
        b.iomapDirtyCheck = iomapDirtyCheck;
        return b;
    }

    /** {@code mke2fs -b}: 1024, 2048 or 4096. */
    public int blockSize() {
        return blockSize;
    }

    /** {@code mke2fs -J size=} in filesystem blocks; 0 picks mke2fs's default for the size. */
    public int journalBlocks() {
        return journalBlocks;
    }

    /** {@code mke2fs -N}; 0 picks one inode per {@link Ext4#INODE_RATIO} bytes. */
    public int inodeCount() {
        return inodeCount;
    }

    /** {@code fb_iomap_dirty_check}: which iomap mappings check {@code ext4_inode_datasync_dirty} (patch 33). */
    public IomapDirtyCheck iomapDirtyCheck() {
        return iomapDirtyCheck;
    }

    public Counters counters() {
        return counters;
    }

    /**
     * {@code commit=}: seconds between periodic commits by the journal thread; 0 disables the
     * thread (commits then happen on fsync, syncfs, a full transaction and unmount).
     */
    public int commitIntervalSeconds() {
        return commitIntervalSeconds;
    }

    /**
     * {@code dioread_nolock} / {@code nodioread_nolock} on a filesystem of {@code blockSize}:
     * as given, or the kernel's default ({@link Defaults#dioreadNolock}) when not given.
     */
    public boolean dioreadNolock(int blockSize) {
        return dioreadNolock != null ? dioreadNolock : Defaults.dioreadNolock(blockSize);
    }

    /** {@code dioread_nolock} as given; null when the mount leaves it to the default. */
    Boolean dioreadNolockOption() {
        return dioreadNolock;
    }

    public static final class Builder {
        private int blockSize = Defaults.BLOCK_SIZE;
        private int journalBlocks;
        private int inodeCount;
        private Counters counters = new Counters();
        private int commitIntervalSeconds = Defaults.JOURNAL_COMMIT_INTERVAL_SECONDS;
        private Boolean dioreadNolock;
        private IomapDirtyCheck iomapDirtyCheck = Defaults.IOMAP_DIRTY_CHECK;

        /** {@link FsOptions#builder()}. */
        Builder() {
        }

        /** {@link Tunables#BLOCK_SIZE}. */
        public Builder blockSize(int blockSize) {
            this.blockSize = Tunables.BLOCK_SIZE.check(blockSize);
            return this;
        }

        public Builder journalBlocks(int journalBlocks) {
            if (journalBlocks != 0 && journalBlocks < Ext4.JOURNAL_MIN_BLOCKS) {
                throw new IllegalArgumentException("journal of " + journalBlocks + " blocks is below the minimum of "
                        + Ext4.JOURNAL_MIN_BLOCKS);
            }
            this.journalBlocks = journalBlocks;
            return this;
        }

        public Builder inodeCount(int inodeCount) {
            if (inodeCount < 0) {
                throw new IllegalArgumentException("inode count " + inodeCount);
            }
            this.inodeCount = inodeCount;
            return this;
        }

        public Builder counters(Counters counters) {
            this.counters = java.util.Objects.requireNonNull(counters);
            return this;
        }

        public Builder commitIntervalSeconds(int seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("commit interval " + seconds);
            }
            this.commitIntervalSeconds = seconds;
            return this;
        }

        /**
         * {@code dioread_nolock} (true) or {@code nodioread_nolock} (false); null for the
         * kernel's default ({@link Defaults#dioreadNolock}).
         */
        public Builder dioreadNolock(Boolean on) {
            this.dioreadNolock = on;
            return this;
        }

        /** {@code fb_iomap_dirty_check}: direct (with patch 33, the default) or all (without it). */
        public Builder iomapDirtyCheck(IomapDirtyCheck check) {
            this.iomapDirtyCheck = Tunables.IOMAP_DIRTY_CHECK.check(java.util.Objects.requireNonNull(check));
            return this;
        }

        public FsOptions build() {
            return new FsOptions(this);
        }
    }
}
