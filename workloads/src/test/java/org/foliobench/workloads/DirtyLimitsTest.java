package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DirtyLimitsTest {

    private static final long GIB = 1L << 30;

    @Test
    void ratiosOfFourGibAsTheKernelComputesThem() {
        // domain_dirty_limits(): ratio = 20 * 4096 / 100 = 819 per page, 4 GiB = 1048576 pages
        DirtyLimits l = DirtyLimits.compute(4 * GIB, 20, 10, 0, 0);
        assertEquals(819L * 1048576 / 4096, l.threshPages());
        assertEquals(209664, l.threshPages());
        assertEquals(409L * 1048576 / 4096, l.bgThreshPages());
        assertEquals(104704, l.bgThreshPages());
        assertEquals(209664L * 4096, l.threshBytes());
        assertEquals(104704L * 4096, l.bgThreshBytes());
    }

    @Test
    void bytesWinOverRatiosAndRoundUpToPages() {
        DirtyLimits l = DirtyLimits.compute(4 * GIB, 20, 10, 100 << 20, 4097);
        assertEquals(25600, l.threshPages());
        assertEquals(2, l.bgThreshPages());
    }

    @Test
    void backgroundAtOrAboveHardIsHalved() {
        DirtyLimits l = DirtyLimits.compute(4 * GIB, 10, 10, 0, 0);
        assertEquals(l.threshPages() / 2, l.bgThreshPages());
        l = DirtyLimits.compute(4 * GIB, 10, 50, 0, 0);
        assertEquals(l.threshPages() / 2, l.bgThreshPages());
        l = DirtyLimits.compute(4 * GIB, 0, 0, 0, 0);
        assertEquals(0, l.threshPages());
        assertEquals(0, l.bgThreshPages());
    }
}
