package org.foliobench.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.foliobench.layout.BenchParams;
import org.foliobench.layout.RowKey;
import org.foliobench.layout.RunLayout;
import org.foliobench.layout.RunLayout.Meta;

/**
 * A run folder as the bench writes it, read by its one layout ({@link RunLayout}): the pass logs
 * (or JMH's {@code jmh.json} of older runs), the latency logs, {@code metadata.json} and the
 * {@code INCOMPLETE} marker while a run is going or after it failed.
 */
public final class RunFolder {


    private final Path dir;
    private final boolean complete;
    private final SortedMap<String, String> metadata;
    private final List<Measurement> measurements;
    private final List<Row> rows;
    private final List<PathLabel> paths;
    private final Map<String, String> skipped;
    private final List<String> warnings;
    private final Map<RowKey, Map<String, String>> jobOptions;

    private RunFolder(Path dir, boolean complete, SortedMap<String, String> metadata, List<Measurement> measurements,
                      Map<String, String> skipped, List<String> warnings, Map<RowKey, Map<String, String>> jobOptions) {
        this.dir = dir;
        this.complete = complete;
        this.metadata = Collections.unmodifiableSortedMap(metadata);
        this.measurements = Collections.unmodifiableList(measurements);
        this.rows = Collections.unmodifiableList(pair(measurements));
        this.paths = measurements.isEmpty() ? PathLabel.MODEL : measurements.get(0).path().pair();
        this.skipped = Collections.unmodifiableMap(skipped);
        this.warnings = Collections.unmodifiableList(warnings);
        this.jobOptions = Collections.unmodifiableMap(jobOptions);
    }

    /** Reads a run folder. A folder with the {@code INCOMPLETE} marker reads as far as it goes. */
    public static RunFolder read(Path dir) throws RunFolderException {
        if (!Files.isDirectory(dir)) {
            throw new RunFolderException(dir + " is not a directory (expected a run folder such as runs/20240410-150300-host)");
        }
        boolean complete = !Files.exists(dir.resolve(RunLayout.INCOMPLETE));
        List<String> warnings = new ArrayList<>();
        SortedMap<String, String> metadata = readMetadata(dir, warnings);
        Path jmh = dir.resolve(RunLayout.JMH_JSON);
        List<Measurement> ms = new ArrayList<>();
        Map<String, List<PassLog.Pass>> passes;
        try {
            passes = PassLog.readAll(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw new RunFolderException(dir.resolve(RunLayout.PASSES_DIR) + ": " + e.getMessage(), e);
        }
        if (!passes.isEmpty()) {
            ms.addAll(fromPasses(dir, passes, warnings));
        } else {
            if (!Files.exists(jmh)) {
                if (complete) {
                    throw new RunFolderException("no " + RunLayout.JMH_JSON + " in " + dir + " (is this a foliobench run folder?)");
                }
                warnings.add("no " + RunLayout.JMH_JSON + " yet: the run is incomplete");
            } else {
                String text = readString(jmh);
                Object root;
                try {
                    root = Json.parse(text);
                } catch (Json.ParseException e) {
                    if (complete) {
                        throw new RunFolderException(jmh + ": not valid JSON: " + e.getMessage(), e);
                    }
                    warnings.add(jmh + " is not valid JSON (" + e.getMessage() + "): the run is incomplete");
                    root = List.of();
                }
                if (!(root instanceof List)) {
                    throw new RunFolderException(jmh + ": expected a JSON array of JMH results, found " + kind(root));
                }
                List<?> results = (List<?>) root;
                for (int i = 0; i < results.size(); i++) {
                    try {
                        ms.add(JmhResult.parse(results.get(i), dir, warnings));
                    } catch (IllegalArgumentException e) {
                        throw new RunFolderException(jmh + ": result " + (i + 1) + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        Map<String, String> skipped = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(Meta.SKIPPED_PREFIX)) {
                skipped.put(k.substring(Meta.SKIPPED_PREFIX.length()), v);
            }
        });
        ms = onlyVaryingTunables(ms);
        ms.sort(measurementOrder());
        checkDuplicates(ms, jmh);
        if (ms.stream().map(m -> m.path().pair()).distinct().count() > 1) {
            throw new RunFolderException(dir + " mixes model paths and kernel filesystems (" + PathLabel.MODEL + " and "
                    + PathLabel.KERNEL + "); a run folder holds one pair: put them in separate run folders");
        }
        Map<RowKey, Map<String, String>> jobs = new LinkedHashMap<>();
        for (Measurement m : ms) {
            if (!jobs.containsKey(m.row())) {
                jobs.put(m.row(), Collections.unmodifiableMap(JobOptions.read(dir, m.row())));
            }
        }
        return new RunFolder(dir, complete, metadata, ms, skipped, warnings, jobs);
    }

    /**
     * The measurements of a paired run: per row (and set of tunables) and path (a model path or a
     * kernel filesystem, {@link PathLabel}), from the pass log.
     * Rows that are not seed-table keys ({@code job:...} of {@code foliobench run}) are left to
     * {@code run}'s own summary.
     */
    static List<Measurement> fromPasses(Path dir, Map<String, List<PassLog.Pass>> passes, List<String> warnings) {
        List<Measurement> ms = new ArrayList<>();
        passes.forEach((rowText, all) -> {
            RowKey row;
            try {
                row = RowKey.parse(rowText);
            } catch (IllegalArgumentException e) {
                warnings.add(RunLayout.PASSES_DIR + ": " + rowText + " is not a table row; left out");
                return;
            }
            Map<Map<String, String>, List<PassLog.Pass>> byParams = new LinkedHashMap<>();
            for (PassLog.Pass p : all) {
                byParams.computeIfAbsent(p.params(), k -> new ArrayList<>()).add(p);
            }
            byParams.forEach((params, list) -> {
                for (PathLabel path : PathLabel.values()) {
                    if (list.stream().anyMatch(p -> !p.warmup() && p.path().equals(path.param()))) {
                        ms.add(Measurement.ofPasses(row, path, params, list, readLatency(latencyLog(dir, row, path), warnings),
                                readLatency(syncLatencyLog(dir, row, path), warnings)));
                    }
                }
            });
        });
        return ms;
    }

    private static SortedMap<String, String> readMetadata(Path dir, List<String> warnings) throws RunFolderException {
        Path p = dir.resolve(RunLayout.METADATA_JSON);
        SortedMap<String, String> m = new TreeMap<>();
        if (!Files.exists(p)) {
            warnings.add("no " + RunLayout.METADATA_JSON + " in " + dir);
            return m;
        }
        Object root;
        try {
            root = Json.parse(readString(p));
        } catch (Json.ParseException e) {
            throw new RunFolderException(p + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw new RunFolderException(p + ": expected a flat JSON object of strings, found " + kind(root));
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map || v instanceof List) {
                throw new RunFolderException(p + ": \"" + e.getKey() + "\" is " + kind(v) + "; metadata is a flat object of strings");
            }
            m.put((String) e.getKey(), v == null ? "" : v.toString());
        }
        return m;
    }

    static String readString(Path p) throws RunFolderException {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunFolderException("cannot read " + p + ": " + e, e);
        }
    }

    static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    /**
     * An HdrHistogram log ({@link #latencyLog}, {@link #syncLatencyLog}), merged over all its intervals
     * (except any tagged {@value RunLayout#WARMUP_TAG}); null when absent or unreadable (then a warning says why).
     */
    static LatencySummary readLatency(Path p, List<String> warnings) {
        if (!Files.exists(p)) {
            return null;
        }
        Histogram acc = null;
        try (HistogramLogReader r = new HistogramLogReader(p.toFile())) {
            EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                if (!(e instanceof Histogram)) {
                    warnings.add(p + ": interval of " + e.getClass().getSimpleName() + " ignored (expected integer ns)");
                    continue;
                }
                if (RunLayout.WARMUP_TAG.equals(e.getTag())) {
                    continue;
                }
                Histogram h = (Histogram) e;
                if (acc == null) {
                    acc = new Histogram(h.getNumberOfSignificantValueDigits());
                }
                acc.add(h);
            }
        } catch (IOException | RuntimeException e) {
            warnings.add(p + ": unreadable HdrHistogram log (" + e + "); latency shown as -");
            return null;
        }
        if (acc == null || acc.getTotalCount() == 0) {
            warnings.add(p + ": no samples");
            return null;
        }
        return LatencySummary.of(acc);
    }

    /** {@code latency/<path>-<rowfile>.hlog}: the data calls (pread/pwrite), fio's {@code clat}. */
    public static Path latencyLog(Path dir, RowKey row, PathLabel path) {
        return RunLayout.latencyLog(dir, RunLayout.logName(path.param(), row.key()));
    }

    /** {@code latency/sync/<path>-<rowfile>.hlog}: the job's fsync/fdatasync calls, fio's {@code sync} latency. */
    public static Path syncLatencyLog(Path dir, RowKey row, PathLabel path) {
        return RunLayout.syncLatencyLog(dir, RunLayout.logName(path.param(), row.key()));
    }

    /**
     * Keeps, as a measurement's variant, only the tunables that differ between the run's
     * measurements: a run at the kernel defaults has no variant column, a sweep of
     * {@code maxFolioOrder} keeps that one. {@link Measurement#attributes()} keeps them all.
     */
    static List<Measurement> onlyVaryingTunables(List<Measurement> ms) {
        Map<String, java.util.Set<String>> values = new LinkedHashMap<>();
        for (Measurement m : ms) {
            m.attributes().forEach((k, v) -> values.computeIfAbsent(k, x -> new java.util.HashSet<>()).add(v));
        }
        for (Measurement m : ms) {
            for (String k : values.keySet()) {
                if (!m.attributes().containsKey(k)) {
                    values.get(k).add("");
                }
            }
        }
        java.util.Set<String> varying = new java.util.HashSet<>();
        values.forEach((k, v) -> {
            if (v.size() > 1 && !BenchParams.RUN_SHAPE.contains(k)) {
                varying.add(k);
            }
        });
        List<Measurement> out = new ArrayList<>(ms.size());
        for (Measurement m : ms) {
            out.add(m.withVariantKeys(varying));
        }
        return out;
    }

    private static Comparator<Measurement> measurementOrder() {
        ReferenceTable ref = ReferenceTable.published();
        return Comparator.comparingInt((Measurement m) -> {
            int o = ref.order(m.row());
            return o < 0 ? Integer.MAX_VALUE : o;
        }).thenComparing(m -> m.row().base().key()).thenComparingInt(m -> m.row().numjobs()).thenComparing(Measurement::variant).thenComparing(Measurement::path);
    }

    private static void checkDuplicates(List<Measurement> ms, Path jmh) throws RunFolderException {
        for (int i = 1; i < ms.size(); i++) {
            Measurement a = ms.get(i - 1);
            Measurement b = ms.get(i);
            if (a.row().equals(b.row()) && a.path() == b.path() && a.variant().equals(b.variant())) {
                throw new RunFolderException(jmh + ": " + a.row().key() + " path=" + a.path().param()
                        + (a.variant().isEmpty() ? "" : " [" + a.variant() + "]") + " appears twice");
            }
        }
    }

    private static List<Row> pair(List<Measurement> ms) {
        Map<String, Measurement[]> byKey = new LinkedHashMap<>();
        Map<String, Measurement> first = new LinkedHashMap<>();
        for (Measurement m : ms) {
            if (m.path().side() > 1) {
                continue; // a third column (bhlf): ThreeWayTable reports it, the two-column tables do not
            }
            String k = m.row().key() + "\u0000" + m.variant();
            byKey.computeIfAbsent(k, x -> new Measurement[2])[m.path().side()] = m;
            first.putIfAbsent(k, m);
        }
        List<Row> rows = new ArrayList<>();
        byKey.forEach((k, pair) -> {
            Measurement f = first.get(k);
            rows.add(new Row(f.row(), f.variant(), pair[0], pair[1]));
        });
        return rows;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The machine the run ran on, from its metadata, label to value: host, cpu, cores, memory (GiB),
     * kernel, jvm; what the metadata does not say is left out.
     */
    public Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        String[][] keys = {{"host", Meta.HOST}, {"cpu", Meta.CPU_MODEL}, {"cores", Meta.CPU_CORES}, {"memory", Meta.MEM_TOTAL}, {"kernel", Meta.KERNEL},
            {"jvm", Meta.JVM}};
        for (String[] k : keys) {
            String v = metadata.getOrDefault(k[1], "");
            if (k[1].equals(Meta.MEM_TOTAL) && v.matches("\\d+( bytes)?")) {
                double gib = Long.parseLong(v.split(" ")[0]) / (double) (1L << 30);
                v = (gib == Math.rint(gib) ? String.valueOf((long) gib) : String.format(java.util.Locale.ROOT, "%.1f", gib)) + " GiB";
            }
            if (!v.isEmpty()) {
                m.put(k[0], v);
            }
        }
        return m;
    }

    /** The folder's name, e.g. {@code 20240410-150300-host}. */
    public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? dir.toString() : n.toString();
    }

    /** False while the {@code INCOMPLETE} marker is present. */
    public boolean complete() {
        return complete;
    }

    /** The sentence every output shows for an incomplete run. */
    public String incompleteNotice() {
        return "INCOMPLETE RUN: " + dir + " still has the " + RunLayout.INCOMPLETE
                + " marker (the run is going, failed or was interrupted); these results are partial.";
    }

    public SortedMap<String, String> metadata() {
        return metadata;
    }

    /** All measurements, in the seed's row order, then variant, then bh before iomap. */
    public List<Measurement> measurements() {
        return measurements;
    }

    /** Rows (bh and iomap, or ext4 and xfs, paired), in the seed's order; rows not in the seed come after it. */
    public List<Row> rows() {
        return rows;
    }

    /**
     * The run's two columns, base first: {@link PathLabel#MODEL} for a model run,
     * {@link PathLabel#KERNEL} for a run of the machine's kernel (and for a run with no measurement yet, the model's).
     */
    public List<PathLabel> paths() {
        return paths;
    }

    /** Rows the runner skipped, row key to reason (metadata {@code skipped.<rowkey>}). */
    public Map<String, String> skipped() {
        return skipped;
    }

    /**
     * The fio options of a row's job as it ran ({@link JobOptions}, {@code jobs/<rowfile>.json}); empty
     * when the run did not record them.
     */
    public Map<String, String> jobOptions(RowKey row) {
        return jobOptions.getOrDefault(row, Map.of());
    }

    /** Things that did not stop the reading but the reader should know (missing logs...). */
    public List<String> warnings() {
        return warnings;
    }

    /** The row of a key with no tunable variant, or the only one; null when not measured. */
    public Row row(RowKey key) {
        Row found = null;
        for (Row r : rows) {
            if (r.key().equals(key)) {
                if (r.variant().isEmpty()) {
                    return r;
                }
                if (found == null) {
                    found = r;
                }
            }
        }
        return found;
    }
}
