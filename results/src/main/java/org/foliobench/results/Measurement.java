package org.foliobench.results;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.foliobench.layout.RowKey;

/**
 * One path of one row key (and one set of tunable parameters): from the pass log of a paired run
 * ({@link #ofPasses}), or one JMH result of a run from before it ({@link JmhResult}).
 *
 * <p>The score is IOPS (completed psync calls per second); the counters are summed over every
 * measured pass of every fork ({@link TableCounters} of the pass log, or the
 * {@code @AuxCounters(EVENTS)} secondary metrics of an older run), so per-MiB figures are
 * {@code total / (bytes / 2^20)} over the same passes.
 */
public final class Measurement {

    /** Secondary metric: psync calls. */
    public static final String OPS = "ops";
    /** Secondary metric: bytes transferred. */
    public static final String BYTES = "bytes";
    /** The engine counters the contract names, in table order ({@link TableCounters#COLUMNS}). */
    public static final List<String> COUNTERS = TableCounters.COLUMNS;

    private static final double MIB = 1 << 20;

    private final RowKey row;
    private final PathLabel path;
    private final SortedMap<String, String> attributes;
    private final String benchmark;
    private final double iops;
    private final double scoreError;
    private final List<double[]> forks;
    private final SortedMap<String, Double> totals;
    private final long iterationNanos;
    private final LatencySummary latency;
    /** Keys of {@link #attributes} that make up {@link #variant()}; null: all of them. */
    private java.util.Set<String> variantKeys;
    /** The paired estimate of the IOPS, or null for a run from before the pass log. */
    private Paired.Estimate estimate;
    /** Every pass of the row (both paths, every fork), or empty for a run from before the pass log. */
    private List<PassLog.Pass> rowPasses = List.of();
    /** The fsync/fdatasync latency of an fsync=N or fdatasync=N job, or null. */
    private LatencySummary syncLatency;

    Measurement(RowKey row, PathLabel path, Map<String, String> attributes, String benchmark, double iops,
                double scoreError, List<double[]> forks, Map<String, Double> totals, long iterationNanos,
                LatencySummary latency) {
        this.row = row;
        this.path = path;
        this.attributes = Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
        this.benchmark = benchmark;
        this.iops = iops;
        this.scoreError = scoreError;
        this.forks = forks.stream().map(double[]::clone).collect(Collectors.toUnmodifiableList());
        this.totals = Collections.unmodifiableSortedMap(new TreeMap<>(totals));
        this.iterationNanos = iterationNanos;
        this.latency = latency;
    }

    /** The same measurement whose variant names only these tunables (all of them stay in {@link #attributes()}). */
    Measurement withVariantKeys(java.util.Set<String> keys) {
        Measurement m = new Measurement(row, path, attributes, benchmark, iops, scoreError, forks, totals, iterationNanos, latency);
        m.variantKeys = java.util.Set.copyOf(keys);
        m.estimate = estimate;
        m.rowPasses = rowPasses;
        m.syncLatency = syncLatency;
        return m;
    }

    /**
     * One path of a row from the row's pass log: IOPS and its interval from {@link Paired#iops}, the
     * per-fork pass IOPS, and the counters summed over the path's measured passes (the table's engine
     * counters for a model path, the device statistics as recorded for a kernel filesystem);
     * {@code latency} of the data calls and {@code syncLatency} of the fsyncs (either null when not
     * recorded).
     */
    static Measurement ofPasses(RowKey row, PathLabel path, Map<String, String> attributes, List<PassLog.Pass> rowPasses,
                                LatencySummary latency, LatencySummary syncLatency) {
        List<PassLog.Pass> mine = rowPasses.stream().filter(p -> !p.warmup() && p.path().equals(path.param())).toList();
        Paired.Estimate e = Paired.iops(rowPasses, path.param());
        SortedMap<Integer, List<Double>> byFork = new TreeMap<>();
        Map<String, Double> totals = new java.util.LinkedHashMap<>();
        long nanos = 0;
        for (PassLog.Pass p : mine) {
            byFork.computeIfAbsent(p.fork(), f -> new java.util.ArrayList<>()).add(p.iops());
            totals.merge(OPS, (double) p.ops(), Double::sum);
            totals.merge(BYTES, (double) p.bytes(), Double::sum);
            // the engine's counters explain a model path; a kernel's passes carry device statistics instead
            (path.kernel() ? p.counters() : TableCounters.of(p.counters())).forEach((k, v) -> totals.merge(k, (double) v, Double::sum));
            nanos += p.nanos();
        }
        List<double[]> forks = byFork.values().stream().map(l -> l.stream().mapToDouble(Double::doubleValue).toArray()).toList();
        double iops = e == null ? Double.NaN : e.value();
        double error = e == null || !e.hasInterval() ? Double.NaN : (e.high() - e.low()) / 2;
        Measurement m = new Measurement(row, path, attributes, org.foliobench.layout.RunLayout.PASSES_DIR, iops, error, forks, totals,
                mine.isEmpty() ? -1 : nanos / mine.size(), latency);
        m.estimate = e;
        m.rowPasses = List.copyOf(rowPasses);
        m.syncLatency = syncLatency;
        return m;
    }

    /** The paired IOPS estimate with its interval; null for a run from before the pass log. */
    public Paired.Estimate estimate() {
        return estimate;
    }

    /** Every pass of this measurement's row, both paths; empty for a run from before the pass log. */
    public List<PassLog.Pass> rowPasses() {
        return rowPasses;
    }

    /** This path's measured passes. */
    public List<PassLog.Pass> passes() {
        return rowPasses.stream().filter(p -> !p.warmup() && p.path().equals(path.param())).toList();
    }

    /** Measured passes that GC, JIT or CPU steal disturbed ({@link PassLog.Pass#disturbed}). */
    public long disturbedPasses() {
        return passes().stream().filter(PassLog.Pass::disturbed).count();
    }

    /** Bytes allocated per call during the timed sweeps (all threads); empty without a pass log. */
    public OptionalDouble allocPerCall() {
        List<PassLog.Pass> l = passes();
        long ops = l.stream().mapToLong(PassLog.Pass::ops).sum();
        return ops == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) l.stream().mapToLong(PassLog.Pass::allocBytes).sum() / ops);
    }

    public RowKey row() {
        return row;
    }

    public PathLabel path() {
        return path;
    }

    /** JMH parameters other than {@code row} and {@code path} (the tunables), sorted by name. */
    public SortedMap<String, String> attributes() {
        return attributes;
    }

    /**
     * The tunables that tell this measurement apart from others of its run, as
     * {@code name=value,...}; empty when the run used one setting throughout.
     */
    public String variant() {
        return attributes.entrySet().stream().filter(e -> variantKeys == null || variantKeys.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    public String benchmark() {
        return benchmark;
    }

    /** JMH's primary score: completed calls per second. */
    public double iops() {
        return iops;
    }

    /** MiB/s = IOPS x bs / 2^20. */
    public double bwMiB() {
        return iops * row.bs() / MIB;
    }

    /** JMH's score error (99.9% half-width), NaN with a single iteration. */
    public double scoreError() {
        return scoreError;
    }

    /**
     * The uncertainty as a percentage of the score: the half-width of the 95% interval (paired
     * runs), or JMH's 99.9% score error (runs from before the pass log).
     */
    public double errorPct() {
        return estimate != null ? estimate.halfWidthPct() : 100 * scoreError / iops;
    }

    /** Sample standard deviation of the per-iteration (per-pass) IOPS; NaN with fewer than two. */
    public double stdDev() {
        double[] it = iterations();
        return it.length < 2 ? Double.NaN : Math.sqrt(Stats.variance(it));
    }

    /** {@link #stdDev()} relative to the score, in percent. */
    public double stdDevPct() {
        return 100 * stdDev() / iops;
    }

    /** Per-iteration scores, one array per fork (JMH {@code rawData}). */
    public List<double[]> forks() {
        return forks;
    }

    /** Every iteration score of every fork, fork after fork. */
    public double[] iterations() {
        return forks.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    /** Length of one measurement iteration in nanoseconds, or -1 when the JSON did not say. */
    public long iterationNanos() {
        return iterationNanos;
    }

    /** Secondary-metric totals over all measured iterations, by metric name. */
    public SortedMap<String, Double> totals() {
        return totals;
    }

    public OptionalDouble total(String name) {
        Double v = totals.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Bytes moved in the measured iterations: the {@code bytes} counter, else {@code ops x bs}. */
    public OptionalDouble bytes() {
        OptionalDouble b = total(BYTES);
        if (b.isPresent()) {
            return b;
        }
        OptionalDouble ops = total(OPS);
        return ops.isPresent() ? OptionalDouble.of(ops.getAsDouble() * row.bs()) : OptionalDouble.empty();
    }

    /** {@code counter / (bytes / 2^20)}; empty when the counter or the byte count is missing or zero. */
    public OptionalDouble perMiB(String counter) {
        OptionalDouble c = total(counter);
        OptionalDouble b = bytes();
        if (c.isEmpty() || b.isEmpty() || b.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(c.getAsDouble() / (b.getAsDouble() / MIB));
    }

    /** Average bio size in bytes: {@code bioBytes / bios}. */
    public OptionalDouble avgBioBytes() {
        OptionalDouble bytes = total("bioBytes");
        OptionalDouble bios = total("bios");
        if (bytes.isEmpty() || bios.isEmpty() || bios.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(bytes.getAsDouble() / bios.getAsDouble());
    }

    /** Latency of the data calls (pread/pwrite) from the HdrHistogram log, or null when there was no log. */
    public LatencySummary latency() {
        return latency;
    }

    /** Latency of the job's fsync/fdatasync calls (fsync=N, fdatasync=N), or null when it had none or no log. */
    public LatencySummary syncLatency() {
        return syncLatency;
    }

    @Override
    public String toString() {
        return row.key() + " " + path.param() + (attributes.isEmpty() ? "" : " [" + variant() + "]")
                + " " + Format.iops(iops) + " IOPS";
    }
}
