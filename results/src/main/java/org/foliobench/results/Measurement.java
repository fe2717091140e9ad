package org.foliobench.results;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One JMH result: one row key and one path (and one set of tunable parameters).
 *
 * <p>The primary score is IOPS (completed psync calls per second); the counters are the
 * {@code @AuxCounters(EVENTS)} secondary metrics summed over every measurement iteration of
 * every fork, so per-MiB figures are {@code total / (bytes / 2^20)} over the same iterations.
 */
public final class Measurement {

    /** Secondary metric: psync calls. */
    public static final String OPS = "ops";
    /** Secondary metric: bytes transferred. */
    public static final String BYTES = "bytes";
    /** The engine counters the contract names, in table order. */
    public static final List<String> COUNTERS = List.of("mapCalls", "esLookups", "folios", "bufferHeads",
            "folioStates", "xaOps", "bios", "bioSegments", "bioBytes", "throttlePauses", "journalCommits");

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
        return m;
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

    /** The score error as a percentage of the score. */
    public double errorPct() {
        return 100 * scoreError / iops;
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

    /** Latency percentiles from the HdrHistogram log, or null when there was no log. */
    public LatencySummary latency() {
        return latency;
    }

    @Override
    public String toString() {
        return row.key() + " " + path.param() + (attributes.isEmpty() ? "" : " [" + variant() + "]")
                + " " + Format.iops(iops) + " IOPS";
    }
}
