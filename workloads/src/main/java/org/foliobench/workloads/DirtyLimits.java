package org.foliobench.workloads;

import org.foliobench.Defaults;

/**
 * The global dirty thresholds a job's {@code fb_} tunables give, computed as the kernel does in
 * {@code mm/page-writeback.c:domain_dirty_limits()} with the model's page-cache memory
 * ({@code fb_mem}) as the dirtyable memory. Values are in pages and bytes.
 *
 * @param threshPages   the hard threshold: a writer above it is throttled by {@code balance_dirty_pages()}
 * @param bgThreshPages the background threshold: above it the flusher starts background writeback
 */
public record DirtyLimits(long threshPages, long bgThreshPages) {

    /**
     * {@code domain_dirty_limits()}: ratios are converted to per-PAGE_SIZE units first (the kernel's
     * "higher precision" integer arithmetic), {@code *_bytes} win over ratios when non-zero, and a
     * background threshold at or above the hard one is halved.
     */
    public static DirtyLimits compute(long availableBytes, int dirtyRatio, int dirtyBackgroundRatio,
                                      long dirtyBytes, long dirtyBackgroundBytes) {
        long page = Defaults.PAGE_SIZE;
        long available = availableBytes / page;
        long ratio = (dirtyRatio * page) / 100;
        long bgRatio = (dirtyBackgroundRatio * page) / 100;
        long thresh = dirtyBytes != 0 ? (dirtyBytes + page - 1) / page : (ratio * available) / page;
        long bgThresh = dirtyBackgroundBytes != 0 ? (dirtyBackgroundBytes + page - 1) / page
                : (bgRatio * available) / page;
        if (thresh > 0xffff_ffffL) {
            thresh = 0xffff_ffffL;
        }
        if (bgThresh >= thresh) {
            bgThresh = thresh / 2;
        }
        return new DirtyLimits(thresh, bgThresh);
    }

    public long threshBytes() {
        return threshPages * Defaults.PAGE_SIZE;
    }

    public long bgThreshBytes() {
        return bgThreshPages * Defaults.PAGE_SIZE;
    }
}
