package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedTest {
    static final long OPS = 1000;

    /** A measured pass of {@code ops} calls taking {@code nanosPerCall} each. */
    static PassLog.Pass pass(int fork, int block, int slot, String path, double nanosPerCall) {
        return new PassLog.Pass("write/cache/N/N/N/64K", fork, 1, 0, false, block, slot, path, 1, OPS, OPS * 65536,
                Math.round(nanosPerCall * OPS), 0, 0, 0, 0, 0, 1, List.of(), Map.of(), Map.of());
    }

    /**
     * Passes of {@code forks} forks of {@code blocks} ABBA blocks each, bh at {@code bhNanos} per call,
     * iomap at {@code bhNanos / speedup}, the machine slowing down linearly by {@code drift} per pass
     * (a pass later in the fork takes 1 + drift * k times as long), with multiplicative noise.
     */
    static List<PassLog.Pass> abba(int forks, int blocks, double bhNanos, double speedup, double drift, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PassLog.Pass> l = new ArrayList<>();
        String[] paths = {"bh", "iomap"};
        for (int f = 0; f < forks; f++) {
            double forkFactor = Math.exp(noise * r.nextGaussian()); // this JVM's placement, JIT
            for (int k = 0; k < 4 * blocks; k++) {
                String p = paths[Paired.pathIndex(f, k)];
                double base = p.equals("bh") ? bhNanos : bhNanos / speedup;
                double t = base * forkFactor * (1 + drift * k) * Math.exp(noise * r.nextGaussian());
                l.add(pass(f, k / 4, k % 4, p, t));
            }
        }
        return l;
    }

    @Test
    void abbaSchedulesAlternateTheFirstPathPerFork() {
        assertEquals(List.of(0, 1, 1, 0), List.of(Paired.pathIndex(0, 0), Paired.pathIndex(0, 1), Paired.pathIndex(0, 2),
                Paired.pathIndex(0, 3)));
        assertEquals(List.of(1, 0, 0, 1), List.of(Paired.pathIndex(1, 0), Paired.pathIndex(1, 1), Paired.pathIndex(1, 2),
                Paired.pathIndex(1, 3)));
        assertEquals(0, Paired.pathIndex(2, 4));
    }

    @Test
    void threePathsRunAbcCbaAndTheTwoPathScheduleIsAbba() {
        List<Integer> even = new ArrayList<>();
        List<Integer> odd = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            even.add(Paired.pathIndex(0, k, 3));
            odd.add(Paired.pathIndex(1, k, 3));
        }
        assertEquals(List.of(0, 1, 2, 2, 1, 0), even);
        assertEquals(List.of(2, 1, 0, 0, 1, 2), odd);
        for (int f = 0; f < 2; f++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(Paired.pathIndex(f, k), Paired.pathIndex(f, k, 2), "fork " + f + " slot " + k);
            }
        }
    }

    @Test
    void everyPairOfThreeInterleavedPathsIsUnbiasedUnderLinearDrift() {
        String[] paths = {"bh", "iomap", "bhlf"};
        double[] nanos = {1000, 500, 600};
        List<PassLog.Pass> l = new ArrayList<>();
        for (int f = 0; f < 4; f++) {
            for (int k = 0; k < 6 * 3; k++) {
                int i = Paired.pathIndex(f, k, 3);
                l.add(pass(f, k / 6, k % 6, paths[i], nanos[i] * (1 + 0.02 * k)));
            }
        }
        assertEquals(2.0, Paired.speedup(l, "bh", "iomap").value(), 1e-9);
        assertEquals(1000.0 / 600, Paired.speedup(l, "bh", "bhlf").value(), 1e-9);
        assertEquals(500.0 / 600, Paired.speedup(l, "iomap", "bhlf").value(), 1e-9);
    }

    @Test
    void abbaRatioIsUnbiasedUnderLinearDriftWhereBhThenIomapIsNot() {
        double drift = 0.02; // each pass 2% slower than the one before: a machine warming, a neighbour waking up
        List<PassLog.Pass> passes = abba(4, 4, 1000, 2.0, drift, 0, 1);
        Paired.Estimate e = Paired.speedup(passes, "bh", "iomap");
        assertEquals(2.0, e.value(), 2.0 * 1e-9, "ABBA cancels linear drift exactly");

        // the old design: all bh passes (one fork), then all iomap passes (a later fork), same drift
        List<PassLog.Pass> sequential = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < 8; i++, k++) {
            sequential.add(pass(0, 0, i, "bh", 1000 * (1 + drift * k)));
        }
        for (int i = 0; i < 8; i++, k++) {
            sequential.add(pass(1, 0, i, "iomap", 500 * (1 + drift * k)));
        }
        double oldRatio = Paired.iops(sequential, "iomap").value() / Paired.iops(sequential, "bh").value();
        assertTrue(oldRatio < 2.0 * 0.9, "bh-then-iomap under the same drift: " + oldRatio + ", more than 10% low");
    }

    @Test
    void aPlaceInTheBlockEffectCancelsBetweenEvenAndOddForks() {
        // the second and third pass of every block run 10% slow (a device backlog, say): in ABBA forks
        // that hurts iomap, in BAAB forks bh; stratified by parity the estimate stays on the truth
        List<PassLog.Pass> l = new ArrayList<>();
        String[] paths = {"bh", "iomap"};
        for (int f = 0; f < 5; f++) {
            for (int k = 0; k < 4; k++) {
                String p = paths[Paired.pathIndex(f, k)];
                double t = (p.equals("bh") ? 1000 : 500) * (k == 1 || k == 2 ? 1.1 : 1.0);
                l.add(pass(f, 0, k, p, t));
            }
        }
        Paired.Estimate e = Paired.speedup(l, "bh", "iomap");
        assertEquals(2.0, e.value(), 1e-9, "3 ABBA and 2 BAAB forks, weighted by parity");
        assertEquals(3, e.df());
        assertEquals(0, e.high() - e.low(), 1e-9, "no variance is left within parities");
    }

    @Test
    void intervalCoversTheTruthAtAboutItsLevel() {
        int covered = 0;
        int trials = 200;
        for (int t = 0; t < trials; t++) {
            Paired.Estimate e = Paired.speedup(abba(4, 2, 1000, 1.3, 0.005, 0.05, 100 + t), "bh", "iomap");
            covered += e.contains(1.3) ? 1 : 0;
        }
        // 95% nominal; the bootstrap with t at forks - 1 df should not fall far below it
        assertTrue(covered >= 0.88 * trials, "covered " + covered + " of " + trials);
    }

    @Test
    void iopsAreEstimatedPerPathAndTheirRatioIsCloseToTheSpeedup() {
        List<PassLog.Pass> passes = abba(3, 2, 2000, 1.5, 0, 0.01, 7);
        Paired.Estimate bh = Paired.iops(passes, "bh");
        Paired.Estimate io = Paired.iops(passes, "iomap");
        assertEquals(1e9 / 2000, bh.value(), 1e9 / 2000 * 0.05);
        assertEquals(3, bh.forks());
        assertEquals(6, bh.samples()); // one value per block
        assertEquals(Paired.speedup(passes, "bh", "iomap").value(), io.value() / bh.value(), 0.02);
        assertTrue(bh.hasInterval() && bh.halfWidthPct() > 0);
    }

    @Test
    void oneForkHasNoIntervalAndWarmupPassesDoNotCount() {
        List<PassLog.Pass> passes = new ArrayList<>(abba(1, 2, 1000, 2, 0, 0.01, 3));
        passes.add(new PassLog.Pass("write/cache/N/N/N/64K", 0, 1, 0, true, 0, 0, "bh", 1, OPS, OPS, 1, 0, 0, 0, 0, 0, 1,
                List.of(), Map.of(), Map.of()));
        Paired.Estimate e = Paired.speedup(passes, "bh", "iomap");
        assertFalse(e.hasInterval());
        assertEquals(2.0, e.value(), 0.1);
        assertNull(Paired.difference(e, e));
        assertNull(Paired.speedup(List.of(), "bh", "iomap"));
    }

    @Test
    void differenceOfIdenticalRunsIsNotSignificantAndOfAShiftedOneIs() {
        Paired.Estimate a = Paired.speedup(abba(4, 2, 1000, 1.3, 0, 0.02, 11), "bh", "iomap");
        Paired.Estimate b = Paired.speedup(abba(4, 2, 1000, 1.3, 0, 0.02, 12), "bh", "iomap");
        Paired.Estimate c = Paired.speedup(abba(4, 2, 1000, 1.6, 0, 0.02, 13), "bh", "iomap");
        Paired.Difference same = Paired.difference(a, b);
        assertNotNull(same);
        assertTrue(same.lo() < 0 && same.hi() > 0, "A/A interval contains 0: " + same);
        assertFalse(same.significant());
        Paired.Difference shifted = Paired.difference(a, c);
        assertTrue(shifted.lo() > 0 && shifted.significant(), "a 23% change in speedup is seen: " + shifted);
        assertTrue(shifted.p() < 0.05);
        Paired.Difference beyond = shifted.beyond(shifted.log(), shifted.se());
        assertEquals(0, beyond.log(), 1e-12);
        assertEquals(Math.sqrt(2) * shifted.se(), beyond.se(), 1e-12);
        assertFalse(beyond.significant());
    }
}
