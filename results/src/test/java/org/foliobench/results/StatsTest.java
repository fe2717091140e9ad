package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void tQuantilesMatchTheTables() {
        // two-sided 95%: t(0.975, df)
        assertEquals(12.7062, Stats.studentQuantile(0.975, 1), 1e-4);
        assertEquals(4.3027, Stats.studentQuantile(0.975, 2), 1e-4);
        assertEquals(2.5706, Stats.studentQuantile(0.975, 5), 1e-4);
        assertEquals(2.2622, Stats.studentQuantile(0.975, 9), 1e-4);
        assertEquals(2.2281, Stats.studentQuantile(0.975, 10), 1e-4);
        assertEquals(2.0423, Stats.studentQuantile(0.975, 30), 1e-4);
        assertEquals(1.9840, Stats.studentQuantile(0.975, 100), 1e-4);
        // JMH's 99.9% interval uses t(0.9995, n-1)
        assertEquals(4.7809, Stats.studentQuantile(0.9995, 9), 1e-4);
        assertEquals(-2.2281, Stats.studentQuantile(0.025, 10), 1e-4);
        assertEquals(0.5, Stats.studentCdf(0, 3), 1e-15);
        assertEquals(0.975, Stats.normalCdf(1.959964), 1e-6);
    }

    @Test
    void ranksAverageTies() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Stats.ranks(new double[] {1, 5, 5, 9}));
        assertArrayEquals(new double[] {3, 1, 3, 3}, Stats.ranks(new double[] {7, 2, 7, 7}));
    }

    @Test
    void spearmanWithTiesByHand() {
        // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4
        // mean 2.5; sxy = (-1.5)(-1.5) + 0 + 0 + 1.5*1.5 = 4.5; sxx = 4.5; syy = 5
        assertEquals(4.5 / Math.sqrt(4.5 * 5), Stats.spearman(new double[] {1, 2, 2, 3}, new double[] {10, 20, 30, 40}), 1e-12);
        assertEquals(1.0, Stats.spearman(new double[] {1, 2, 3}, new double[] {1, 4, 9}), 1e-12);
        assertEquals(-1.0, Stats.spearman(new double[] {1, 2, 3}, new double[] {9, 4, 1}), 1e-12);
        assertTrue(Double.isNaN(Stats.spearman(new double[] {1, 1}, new double[] {1, 2})));
    }

    @Test
    void geomean() {
        assertEquals(2.0, Stats.geomean(new double[] {1, 4}), 1e-12);
        assertEquals(1.0, Stats.geomean(new double[] {0.5, 2}), 1e-12);
        assertTrue(Double.isNaN(Stats.geomean(new double[] {})));
        assertTrue(Double.isNaN(Stats.geomean(new double[] {1, 0})));
    }

    @Test
    void welchByHand() {
        double[] a = {10, 12, 14};
        double[] b = {20, 22, 24};
        // means 12, 22; variances 4, 4; se = sqrt(4/3 + 4/3); df = 4
        double[] w = Stats.welch(a, b, 0.95);
        assertEquals(10, w[0], 1e-12);
        assertEquals(4, w[2], 1e-9);
        assertEquals(2.7764 * Math.sqrt(8.0 / 3), w[1], 1e-3);
        assertTrue(w[3] < 0.01 && w[3] > 0.001, "p = " + w[3]); // t = 6.12, df 4: p ~ 0.0036
        double[] same = Stats.welch(a, a.clone(), 0.95);
        assertEquals(0, same[0]);
        assertEquals(1.0, same[3], 1e-12);
    }
}
