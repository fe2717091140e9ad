package org.foliobench.layout;

import java.util.Set;

/**
 * The names of the table benchmark's JMH parameters ({@code @Param} fields of the bench's
 * {@code PsyncBench.Fio}) that describe how a row runs rather than which tuning it measures, and
 * the per-pass parameters the pass log records: the runner sets them by these names, the results
 * read them back by them. The tunables' parameter names are the tunables' own.
 */
public final class BenchParams {
    private BenchParams() {
    }

    /** The rows one fork runs, comma-separated row keys or {@code job:} keys. */
    public static final String ROWS = "rows";
    /** One row (JMH's {@code jmh.json} of older runs, the pass log's {@code row}). */
    public static final String ROW = "row";
    /** The paths whose passes interleave, comma-separated path names. */
    public static final String PATHS = "paths";
    /** One path (JMH's {@code jmh.json} of older runs, the pass log's {@code path}). */
    public static final String PATH = "path";
    /** The fork's number in the run. */
    public static final String FORK = "fork";
    /** ABBA blocks per row in a fork. */
    public static final String BLOCKS = "blocks";
    /** The size divisors of a fork's rows, comma-separated, one per row. */
    public static final String SIZE_DIVISORS = "sizeDivisors";
    /** The size divisor of one row, as the pass log records it. */
    public static final String SIZE_DIVISOR = "sizeDivisor";
    public static final String WARMUP_MS = "warmupMs";
    public static final String WARMUP_MAX_MS = "warmupMaxMs";
    public static final String ROW_WARMUP_MAX_MS = "rowWarmupMaxMs";
    public static final String PASS_MS = "passMs";
    /** Whether per-call latency was recorded. */
    public static final String LATENCY = "latency";

    /**
     * The pass log's parameters that describe how a row was run rather than which tuning it
     * measures (the size divisor of quick or capped rows, whether latency was recorded): never a
     * variant of a row.
     */
    public static final Set<String> RUN_SHAPE = Set.of(SIZE_DIVISOR, LATENCY);
}
