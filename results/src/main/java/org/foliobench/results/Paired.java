package org.foliobench.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The paired estimator: a speedup measured as a paired comparison, and per-path IOPS, from the
 * passes of a row ({@link PassLog}).
 *
 * <p>Within a fork the passes run in ABBA blocks (A B B A, then again; forks alternate which path is
 * A). A block's log ratio is {@code ln(mean time per call of base) - ln(mean time per call of
 * test)} over its two passes of each path, which cancels any drift linear in time (the two passes
 * of each path sit at the same mean position). A fork's value is the median of its blocks' log
 * ratios (robust to one disturbed block); the estimate is the mean of the forks' values.
 *
 * <p>The interval sees fork-to-fork variance, since forks are the independent unit (JIT decisions,
 * memory placement and the machine's state differ per JVM, and a run spreads each row's forks over
 * its whole length): a hierarchical bootstrap resamples forks, then blocks within each resampled
 * fork, and recomputes the estimate, stratified by fork parity ({@link #estimate}); its standard
 * deviation, with a small-sample correction, is the standard error, and the 95% half-width is that
 * times Student's t (with 3 forks a bootstrap alone would cover far less than 95%). Per-path IOPS
 * are estimated the same way from each block's calls over its time.
 */
public final class Paired {
    /** Confidence of every interval. */
    public static final double CONFIDENCE = 0.95;
    /** Bootstrap replicates. */
    static final int REPLICATES = 2000;
    /** Slot pattern of a block: which of the fork's two paths runs in slots 0..3. */
    static final int[] ABBA = {0, 1, 1, 0};

    private Paired() {
    }

    /**
     * A log-scale estimate: {@code log} and its interval {@code [lo, hi]} (NaN without one), the
     * bootstrap standard error and its degrees of freedom (forks less the parities they fall in),
     * and how many forks and samples (blocks) it rests on.
     */
    public record Estimate(double log, double lo, double hi, double se, int forks, int samples, int df) {
        public double value() {
            return Math.exp(log);
        }

        public double low() {
            return Math.exp(lo);
        }

        public double high() {
            return Math.exp(hi);
        }

        public boolean hasInterval() {
            return Double.isFinite(lo) && Double.isFinite(hi);
        }


        /** Half the interval's width as a percentage of the value ({@code exp(half) - 1}). */
        public double halfWidthPct() {
            return hasInterval() ? 100 * (Math.exp((hi - lo) / 2) - 1) : Double.NaN;
        }

        /** True when {@code v} lies inside the interval. */
        public boolean contains(double v) {
            return hasInterval() && v > 0 && Math.log(v) >= lo && Math.log(v) <= hi;
        }
    }

    /** The path index of slot {@code slot} of a two-path block: ABBA on even forks, BAAB on odd ones. */
    public static int pathIndex(int fork, int slot) {
        return ABBA[slot % 4] ^ (fork & 1);
    }

    /**
     * The path index of slot {@code slot} of a block of {@code n} paths ({@code 2n} passes): the
     * paths in order, then reversed (A B C C B A), so that every path's two passes sit at the same
     * mean position and a linear drift cancels in every pair; odd forks run the mirror (C B A A B C).
     * For two paths this is {@link #pathIndex(int, int)}.
     */
    public static int pathIndex(int fork, int slot, int n) {
        int s = slot % (2 * n);
        int i = s < n ? s : 2 * n - 1 - s;
        return (fork & 1) == 0 ? i : n - 1 - i;
    }

    /**
     * The speedup {@code test/base} in IOPS (= base's time per call / test's) from the measured
     * passes of one row, or null when no fork has a complete block of both paths.
     */
    public static Estimate speedup(List<PassLog.Pass> passes, String base, String test) {
        Map<Integer, Map<Integer, double[]>> blocks = new TreeMap<>();
        for (PassLog.Pass p : passes) {
            if (p.warmup() || p.ops() == 0) {
                continue;
            }
            int side = p.path().equals(base) ? 0 : p.path().equals(test) ? 1 : -1;
            if (side < 0) {
                continue;
            }
            // {base nanos, base ops, test nanos, test ops}: per-call means of a block's two passes per side
            double[] b = blocks.computeIfAbsent(p.fork(), f -> new TreeMap<>()).computeIfAbsent(p.block(), k -> new double[6]);
            b[2 * side] += p.nanos();
            b[2 * side + 1] += p.ops();
            b[4 + side]++;
        }
        Map<Integer, double[]> forks = new TreeMap<>();
        blocks.forEach((fork, f) -> {
            double[] r = f.values().stream().filter(b -> b[4] == 2 && b[5] == 2)
                    .mapToDouble(b -> Math.log(b[0] / b[1]) - Math.log(b[2] / b[3])).toArray();
            if (r.length > 0) {
                forks.put(fork, r);
            }
        });
        return forks.isEmpty() ? null : estimate(forks, seed(passes));
    }

    /**
     * The IOPS of one path from its measured passes, or null when it has none: per ABBA block the
     * path's calls over its time (its two passes, at the same mean position as the other path's),
     * then as for the speedup, so that the ratio of two paths' estimates stays close to the paired
     * speedup.
     */
    public static Estimate iops(List<PassLog.Pass> passes, String path) {
        Map<Integer, Map<Integer, double[]>> blocks = new TreeMap<>();
        for (PassLog.Pass p : passes) {
            if (!p.warmup() && p.path().equals(path) && p.ops() > 0) {
                double[] b = blocks.computeIfAbsent(p.fork(), f -> new TreeMap<>()).computeIfAbsent(p.block(), k -> new double[2]);
                b[0] += p.ops();
                b[1] += p.nanos();
            }
        }
        Map<Integer, double[]> forks = new TreeMap<>();
        blocks.forEach((fork, f) -> forks.put(fork, f.values().stream().mapToDouble(b -> Math.log(b[0] * 1e9 / b[1])).toArray()));
        return forks.isEmpty() ? null : estimate(forks, seed(passes) ^ path.hashCode());
    }

    /** The same passes always give the same interval: the bootstrap's seed comes from them. */
    private static long seed(List<PassLog.Pass> passes) {
        long s = 0x9E3779B97F4A7C15L;
        for (PassLog.Pass p : passes) {
            s = s * 31 + p.nanos();
        }
        return s;
    }

    /**
     * The estimate from each fork's samples (log values, by fork number), stratified by fork parity:
     * even forks run ABBA blocks and the rows in table order, odd forks BAAB and the rows reversed, so
     * whatever depends on a pass's place in its block or a row's place in its fork (a first pass
     * after warmup, a device whose backlog grows over consecutive passes, the JIT's state) differs
     * between the two kinds of fork. The estimate is the mean of the even forks' mean and the odd
     * forks' mean (each fork's value the median of its samples), so such effects cancel even when
     * the two counts differ, and they stay out of the variance, which is pooled within parities.
     * The standard error comes from a bootstrap that resamples forks within each parity and samples
     * within each fork, scaled by {@code sqrt(F / (F - S))} for F forks in S parities (the bootstrap's
     * plug-in variance is the biased one); the 95% half-width is Student's t at {@code F - S} degrees
     * of freedom times it. Fewer than one degree of freedom: an estimate without an interval.
     */
    static Estimate estimate(Map<Integer, double[]> forks, long seed) {
        List<List<double[]>> strata = new ArrayList<>();
        List<double[]> even = new ArrayList<>();
        List<double[]> odd = new ArrayList<>();
        forks.forEach((n, x) -> ((n & 1) == 0 ? even : odd).add(x));
        for (List<double[]> l : List.of(even, odd)) {
            if (!l.isEmpty()) {
                strata.add(l);
            }
        }
        int f = forks.size();
        int samples = forks.values().stream().mapToInt(a -> a.length).sum();
        double centre = 0;
        for (List<double[]> st : strata) {
            double m = 0;
            for (double[] x : st) {
                m += median(x.clone());
            }
            centre += m / st.size();
        }
        centre /= strata.size();
        int df = f - strata.size();
        if (df < 1) {
            return new Estimate(centre, Double.NaN, Double.NaN, Double.NaN, f, samples, 0);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] rep = new double[REPLICATES];
        double[] scratch = new double[forks.values().stream().mapToInt(a -> a.length).max().orElse(1)];
        for (int r = 0; r < REPLICATES; r++) {
            double est = 0;
            for (List<double[]> st : strata) {
                double s = 0;
                for (int i = 0; i < st.size(); i++) {
                    double[] x = st.get(rnd.nextInt(st.size()));
                    for (int j = 0; j < x.length; j++) {
                        scratch[j] = x[rnd.nextInt(x.length)];
                    }
                    s += median(Arrays.copyOf(scratch, x.length));
                }
                est += s / st.size();
            }
            rep[r] = est / strata.size();
        }
        double se = Math.sqrt(Stats.variance(rep) * f / df);
        double half = Stats.studentQuantile(1 - (1 - CONFIDENCE) / 2, df) * se;
        return new Estimate(centre, centre - half, centre + half, se, f, samples, df);
    }

    /**
     * A change between two runs on the log scale ({@code b - a}), its standard error and degrees of
     * freedom; the interval is Student's t at {@link #CONFIDENCE}.
     */
    public record Difference(double log, double se, double df) {
        private double half() {
            return se == 0 ? 0 : Stats.studentQuantile(1 - (1 - CONFIDENCE) / 2, df) * se;
        }

        public double lo() {
            return log - half();
        }

        public double hi() {
            return log + half();
        }

        /** Two-sided p of no change. */
        public double p() {
            if (se == 0) {
                return log == 0 ? 1 : 0;
            }
            return Math.max(0, 2 * (1 - Stats.studentCdf(Math.abs(log) / se, df)));
        }

        /** True when the interval excludes 0. */
        public boolean significant() {
            return lo() > 0 || hi() < 0;
        }

        /** What is left of this change beyond {@code shift}, an independent estimate with standard error {@code shiftSe}. */
        Difference beyond(double shift, double shiftSe) {
            return new Difference(log - shift, Math.hypot(se, shiftSe), df);
        }
    }

    /**
     * {@code b - a} on the log scale with a Welch-style interval from the two estimates' standard
     * errors (degrees of freedom by Welch-Satterthwaite over the fork counts); null when either
     * side has no interval (too few forks to say).
     */
    public static Difference difference(Estimate a, Estimate b) {
        if (a == null || b == null || !a.hasInterval() || !b.hasInterval()) {
            return null;
        }
        double va = a.se() * a.se();
        double vb = b.se() * b.se();
        double se2 = va + vb;
        double df = se2 == 0 ? Math.min(a.df(), b.df()) : se2 * se2 / (va * va / a.df() + vb * vb / b.df());
        return new Difference(b.log() - a.log(), Math.sqrt(se2), df);
    }

    static double median(double[] x) {
        Arrays.sort(x);
        int n = x.length;
        return n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
    }
}
