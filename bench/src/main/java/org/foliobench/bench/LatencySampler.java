package org.foliobench.bench;

import java.nio.file.Path;

/**
 * The per-call latency of a row's passes: one {@link LatencyLog} per path (HdrHistogram
 * recorders), and the sampling that decides which calls are timed. The first pass of a path times
 * every call; after each pass, calls are timed at random 1 in P, P (never lowered) the smallest
 * power of two keeping two clock reads under 2% of the pass's mean call ({@link #samplePeriod}).
 */
final class LatencySampler {
    static volatile long clockSink;

    /** What two clock reads cost here, ns. */
    private final double clockCost;
    /** Per path, in the fork's path order; all null without latency recording. */
    private final LatencyLog[] logs;
    /** Per path: mean distance between timed calls (1 times every call). */
    private final int[] periods;
    /** The path index of the pass in progress. */
    private int current;
    /** The latency log of the pass in progress, or null. */
    private LatencyLog log;
    /** Mean distance between timed calls of the pass in progress. */
    private int period = 1;

    private LatencySampler(double clockCost, LatencyLog[] logs) {
        this.clockCost = clockCost;
        this.logs = logs;
        this.periods = new int[logs.length];
        java.util.Arrays.fill(periods, 1);
    }

    /**
     * The sampler of a row: with {@code latency}, a log per path named after it and the row, in
     * {@code out} or (null) in memory; without, one that records nothing.
     */
    static LatencySampler open(boolean latency, double clockCost, Path out, String[] pathNames, String row, int writers,
            boolean syncs) throws java.io.IOException {
        LatencyLog[] logs = new LatencyLog[pathNames.length];
        LatencySampler s = new LatencySampler(clockCost, logs);
        if (latency) {
            for (int j = 0; j < pathNames.length; j++) {
                logs[j] = out != null ? LatencyLog.open(out, Workload.logName(pathNames[j], row), writers, syncs)
                        : LatencyLog.inMemory(writers, syncs);
            }
        }
        return s;
    }

    /** The log the pass in progress records into, or null. */
    LatencyLog log() {
        return log;
    }

    /** Mean distance between timed calls of the pass in progress. */
    int period() {
        return period;
    }

    /** A pass of path {@code pathIndex} starts: its log and its sampling period. */
    void startPass(int pathIndex) {
        current = pathIndex;
        log = logs[current];
        period = periods[current];
        if (log != null) {
            log.startInterval();
        }
    }

    /** The pass in progress ended after {@code ops} calls in {@code nanos}: its interval, and the period from the next pass on. */
    void endPass(boolean warmup, long ops, long nanos) {
        if (log == null) {
            return;
        }
        log.endInterval(!warmup);
        if (ops > 0) {
            // only ever up: the first (JIT-cold) passes are slow and would time too many calls
            int p = samplePeriod(clockCost, (double) nanos / ops);
            if (p > periods[current]) {
                periods[current] = p;
                log.comment("sampling from the next pass: 1 in " + p + " calls timed at random"
                        + " (mean call " + Math.round((double) nanos / ops) + " ns, two clock reads "
                        + Math.round(clockCost) + " ns)");
            }
        }
    }

    /** Closes every path's log. */
    void close() {
        for (LatencyLog l : logs) {
            if (l != null) {
                l.close();
            }
        }
    }

    /**
     * After each pass: time every call when two clock reads cost at most 2% of a mean call, else a
     * random 1 in P calls with P the smallest power of two that keeps the cost under 2%.
     */
    static int samplePeriod(double clockCostNanos, double meanCallNanos) {
        int p = 1;
        while (p < 1024 && clockCostNanos / p > 0.02 * meanCallNanos) {
            p <<= 1;
        }
        return p;
    }

    /** Two back-to-back clock reads, best of a few rounds: the cost of timing one call. */
    static double clockCost() {
        double best = Double.MAX_VALUE;
        long sink = 0;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20000; i++) {
                sink += System.nanoTime();
            }
            long t1 = System.nanoTime();
            best = Math.min(best, (t1 - t0) / 20000.0);
        }
        clockSink = sink;
        return 2 * best;
    }
}
