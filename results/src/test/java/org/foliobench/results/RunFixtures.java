package org.foliobench.results;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.foliobench.layout.RowKey;

/**
 * Writes run folders exactly as the bench's contract says (jmh.json in JMH's -rf json shape,
 * latency/<path>-<rowfile>.hlog HdrHistogram interval logs, metadata.json, INCOMPLETE), with
 * deterministic, plausible numbers derived from the published table. Public so the plots tests
 * reuse it (results test-jar).
 */
public final class RunFixtures {

    /** What to generate. */
    public static final class Spec {
        /** measured IOPS = published x scale (x per-row noise). */
        public double scale = 0.5;
        /** multiplies iomap IOPS only: a "tuning" that helps or hurts iomap. */
        public double iomapFactor = 1.0;
        public long seed = 42;
        public int forks = 2;
        public int iterations = 5;
        /** relative standard deviation of the iteration scores. */
        public double noise = 0.01;
        public boolean latency = true;
        public boolean counters = true;
        public boolean incomplete = false;
        public Predicate<RowKey> rows = k -> true;
        public Map<String, String> skipped = new LinkedHashMap<>();
        public Map<String, String> params = new LinkedHashMap<>();
        /** paired runs: the latency sampling of every pass (1 in P calls timed). */
        public int samplePeriod = 1;
        /**
         * paired runs: bhlf as a third path (ABC CBA blocks of six passes), its IOPS iomap's x
         * {@link #bhlfOverIomap}.
         */
        public boolean bhlf = false;
        public double bhlfOverIomap = 0.95;
        /**
         * paired runs: a numjobs sweep ({@code --numjobs}): each row once per value, keyed
         * {@code <row>@numjobs=N}, its IOPS x (1 + {@link #perThread} x (N - 1)); empty: no sweep.
         */
        public List<Integer> numjobs = List.of();
        public double perThread = 1.0;
    }

    private RunFixtures() {
    }

    /** The kernel's release in the fio fixtures' run folder. */
    public static final String FIXTURE_KERNEL = "6.18.44-fc-v1045";

    /**
     * Copies the fio JSON fixtures (real fio 3.33 output, {@code fio-json/README}) to {@code dir}:
     * {@code kernel/ext4}, {@code kernel/xfs} (json+, two ABBA blocks of read/hole/1M and
     * write/cache/N/N/N/1M) and {@code plain/ext4} (plain json).
     */
    public static Path fioJson(Path dir) throws IOException {
        String base = "/org/foliobench/results/fio-json/";
        for (String f : resource(base + "FILES").split("\n")) {
            if (!f.isBlank()) {
                Path t = dir.resolve(f.strip());
                Files.createDirectories(t.getParent());
                Files.writeString(t, resource(base + f.strip()), StandardCharsets.UTF_8);
            }
        }
        return dir;
    }

    /**
     * fio 3.33's own json+ of a 64k psync write with {@code fsync=1} and a read ({@code fio/fio-3.33-psync.json},
     * real output, its job file beside it), with the two jobs named after table rows as export-fio names them:
     * {@code write-sync} as {@code writeRow}, {@code read} as {@code readRow}.
     */
    public static String realFioPsync(String writeRow, String readRow) throws IOException {
        String text = resource("/org/foliobench/results/fio/fio-3.33-psync.json");
        String named = text.replace("\"jobname\" : \"write-sync\"", "\"jobname\" : \"" + writeRow + "\"")
                .replace("\"jobname\" : \"read\"", "\"jobname\" : \"" + readRow + "\"");
        if (named.equals(text)) {
            throw new IOException("fio/fio-3.33-psync.json: job names not found");
        }
        return named;
    }

    private static String resource(String name) throws IOException {
        try (java.io.InputStream in = RunFixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A kernel run folder as {@code import-fio} writes one (pass log and metadata; no latency logs)
     * from the json+ fixtures: ext4 and xfs, read/hole/1M and write/cache/N/N/N/1M, two ABBA blocks each.
     */
    public static Path kernel(Path dir) throws IOException {
        Path json = fioJson(dir.resolve("fixture-json"));
        Map<RowKey, List<FioJsonImport.Sweep>> byRow = new java.util.TreeMap<>(java.util.Comparator.comparing(RowKey::key));
        for (PathLabel p : PathLabel.KERNEL) {
            try (java.util.stream.Stream<Path> files = Files.list(json.resolve("kernel").resolve(p.param()))) {
                for (Path f : files.sorted().toList()) {
                    FioJsonImport.read(Files.readString(f), f.getFileName().toString(), p).sweeps()
                            .forEach(sw -> byRow.computeIfAbsent(sw.row(), k -> new ArrayList<>()).add(sw));
                }
            }
        }
        Path run = dir.resolve("kernel-run");
        for (List<FioJsonImport.Sweep> sweeps : byRow.values()) {
            sweeps.sort(java.util.Comparator.comparingLong(FioJsonImport.Sweep::endMillis));
            for (PassLog.Pass pass : FioJsonImport.passes(sweeps)) {
                PassLog.append(run, pass);
            }
        }
        Files.writeString(run.resolve(org.foliobench.layout.RunLayout.METADATA_JSON), Json.write(Map.of("kernel", FIXTURE_KERNEL,
                "fio.version", "fio-3.33")), StandardCharsets.UTF_8);
        return run;
    }

    /** A full run (39 rows x 2 paths) with default settings. */
    public static Path full(Path dir) throws IOException {
        return write(dir, new Spec());
    }

    /**
     * A paired run as the bench writes it now: {@code passes/<row>.jsonl} with {@code spec.forks}
     * forks of {@code spec.iterations / 4} (at least one) ABBA blocks per row, pass times from the
     * published IOPS with per-fork and per-pass noise of {@code spec.noise}, latency logs (fsync
     * logs for Sync=Y rows), {@code jobs/<row>.json} and metadata.json.
     */
    public static Path paired(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(spec.seed);
        int blocks = Math.max(1, spec.iterations / 4);
        List<PathLabel> paths = spec.bhlf ? PathLabel.MODEL3 : PathLabel.MODEL;
        int n = paths.size();
        List<Integer> sweep = spec.numjobs.isEmpty() ? List.of(0) : spec.numjobs;
        for (ReferenceTable.Entry seed : ReferenceTable.published().entries()) {
          if (!spec.rows.test(seed.key())) {
              continue;
          }
          for (int nj : sweep) {
            double threads = nj == 0 ? 1 : 1 + spec.perThread * (nj - 1);
            ReferenceTable.Entry e = new ReferenceTable.Entry(seed.key().withNumjobs(nj), seed.bhIops() * threads,
                    seed.bhBwMiB() * threads, seed.iomapIops() * threads, seed.iomapBwMiB() * threads);
            for (int f = 0; f < spec.forks; f++) {
                double forkFactor = Math.exp(spec.noise * rnd.nextGaussian());
                for (int k = 0; k < 2 * n * blocks; k++) {
                    PathLabel p = paths.get(spec.bhlf ? Paired.pathIndex(f, k, n) : Paired.pathIndex(f, k));
                    double published = p == PathLabel.BHLF ? e.iops(PathLabel.IOMAP) * spec.bhlfOverIomap : e.iops(p);
                    double iops = published * spec.scale * (p == PathLabel.IOMAP ? spec.iomapFactor : 1) * forkFactor
                            * Math.exp(spec.noise * rnd.nextGaussian());
                    long ops = 1000;
                    Map<String, Long> counters = spec.counters ? Map.of("path.map_calls", ops * (p == PathLabel.BH ? 16 : 1),
                            "bio.submitted", ops / 4, "bio.bytes", ops / 4 * 131072) : Map.of();
                    PassLog.append(dir, new PassLog.Pass(e.key().key(), f, 100 + f, 0, false, k / (2 * n), k % (2 * n), p.param(), 3, ops,
                            ops * e.key().bs(), Math.round(ops * 1e9 / iops), k == 5 ? 1 : 0, k == 5 ? 4 : 0, 0, 0, ops * 16,
                            spec.latency ? spec.samplePeriod : 0, List.of(), spec.params, counters));
                }
            }
            boolean sync = "Y".equals(e.key().sync());
            if (spec.latency) {
                for (PathLabel p : paths) {
                    double published = p == PathLabel.BHLF ? e.iops(PathLabel.IOMAP) * spec.bhlfOverIomap : e.iops(p);
                    writeHlog(RunFolder.latencyLog(dir, e.key(), p), 1e9 / (published * spec.scale), rnd);
                    if (sync) {
                        writeHlog(RunFolder.syncLatencyLog(dir, e.key(), p), 0.8e9 / (published * spec.scale), rnd);
                    }
                }
            }
            Map<String, String> job = new LinkedHashMap<>();
            job.put("name", e.key().fileName());
            job.put("ioengine", "psync");
            job.put("direct", "0");
            job.put("rw", e.key().isRead() ? "read" : "write");
            job.put("bs", e.key().bsLabel().toLowerCase(java.util.Locale.ROOT));
            job.put("size", "64m");
            job.put("filename", e.key().type() + ".dat");
            job.put("iodepth", "1");
            job.put("numjobs", String.valueOf(Math.max(1, nj)));
            job.put("fsync", sync ? "1" : "0");
            job.put("overwrite", "Y".equals(e.key().overwrite()) ? "1" : "0");
            job.put("fallocate", "none");
            JobOptions.write(dir, e.key().key(), job);
          }
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("started", "2024-04-10T17:03:00+02:00");
        md.put("finished", "2024-04-10T18:03:00+02:00");
        md.put("cpu", "Fixture CPU @ 2.0GHz");
        md.put("git", "0123456789ab");
        spec.skipped.forEach((k, v) -> md.put(org.foliobench.layout.RunLayout.Meta.SKIPPED_PREFIX + k, v));
        Files.writeString(dir.resolve(org.foliobench.layout.RunLayout.METADATA_JSON), Json.write(md), StandardCharsets.UTF_8);
        if (spec.incomplete) {
            Files.writeString(dir.resolve(org.foliobench.layout.RunLayout.INCOMPLETE), "fixture: incomplete\n", StandardCharsets.UTF_8);
        }
        return dir;
    }

    public static Path write(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir.resolve(org.foliobench.layout.RunLayout.LATENCY_DIR));
        Random rnd = new Random(spec.seed);
        List<Object> results = new ArrayList<>();
        for (ReferenceTable.Entry e : ReferenceTable.published().entries()) {
            if (!spec.rows.test(e.key())) {
                continue;
            }
            for (PathLabel p : PathLabel.MODEL) {
                double iops = e.iops(p) * spec.scale * (p == PathLabel.IOMAP ? spec.iomapFactor : 1)
                        * (1 + 0.05 * rnd.nextGaussian());
                results.add(result(e.key(), p, iops, spec, rnd));
                if (spec.latency) {
                    writeHlog(RunFolder.latencyLog(dir, e.key(), p), 1e9 / iops, rnd);
                }
            }
        }
        Files.writeString(dir.resolve(org.foliobench.layout.RunLayout.JMH_JSON), Json.write(results), StandardCharsets.UTF_8);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put(org.foliobench.layout.RunLayout.Meta.HOST, "fixture");
        md.put(org.foliobench.layout.RunLayout.Meta.CPU_MODEL, "Fixture CPU @ 2.0GHz");
        md.put(org.foliobench.layout.RunLayout.Meta.CPU_CORES, 2L);
        md.put(org.foliobench.layout.RunLayout.Meta.MEM_TOTAL, 24L << 30);
        md.put(org.foliobench.layout.RunLayout.Meta.KERNEL, "6.1.0-fixture");
        md.put(org.foliobench.layout.RunLayout.Meta.JVM, "OpenJDK 17.0.15");
        md.put(org.foliobench.layout.RunLayout.Meta.GIT_COMMIT, "0123456789ab");
        md.put("device.ramdisk", "RamDisk 8 GiB");
        md.put("device.nvme", "DirectDevice /var/tmp/foliobench.img");
        md.put("maxFolioOrder", "9");
        md.put("readAheadKb", "128");
        md.put("dirtyRatio", "20");
        md.put("dirtyBackgroundRatio", "10");
        md.put("blockSize", "4096");
        md.put("started", "2024-04-10T15:03:00Z");
        md.put("finished", "2024-04-10T16:03:00Z");
        md.put("command", "foliobench tables --quick");
        spec.skipped.forEach((k, v) -> md.put(org.foliobench.layout.RunLayout.Meta.SKIPPED_PREFIX + k, v));
        md.putAll(spec.params);
        Files.writeString(dir.resolve(org.foliobench.layout.RunLayout.METADATA_JSON), Json.write(md), StandardCharsets.UTF_8);
        Path marker = dir.resolve(org.foliobench.layout.RunLayout.INCOMPLETE);
        if (spec.incomplete) {
            Files.writeString(marker, "");
        } else {
            Files.deleteIfExists(marker);
        }
        return dir;
    }

    private static Map<String, Object> result(RowKey k, PathLabel p, double iops, Spec spec, Random rnd) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("jmhVersion", "1.37");
        r.put("benchmark", "org.foliobench.bench.PsyncBench.psync");
        r.put("mode", "thrpt");
        r.put("threads", 1L);
        r.put("forks", (long) spec.forks);
        r.put("jvm", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        r.put("jvmArgs", List.of("-Xmx2g"));
        r.put("jdkVersion", "17.0.15");
        r.put("vmName", "OpenJDK 64-Bit Server VM");
        r.put("vmVersion", "17.0.15+6-Debian-1deb12u1");
        r.put("warmupIterations", 2L);
        r.put("warmupTime", "1 s");
        r.put("warmupBatchSize", 1L);
        r.put("measurementIterations", (long) spec.iterations);
        r.put("measurementTime", "1 s");
        r.put("measurementBatchSize", 1L);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("row", k.key());
        params.put("path", p.param());
        params.putAll(spec.params);
        r.put("params", params);

        List<Object> raw = new ArrayList<>();
        double sum = 0;
        double sumsq = 0;
        int n = 0;
        List<double[]> forks = new ArrayList<>();
        for (int f = 0; f < spec.forks; f++) {
            double[] it = new double[spec.iterations];
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < it.length; i++) {
                it[i] = iops * (1 + spec.noise * rnd.nextGaussian());
                sum += it[i];
                sumsq += it[i] * it[i];
                n++;
                l.add(it[i]);
            }
            forks.add(it);
            raw.add(l);
        }
        double mean = sum / n;
        double sd = Math.sqrt(Math.max(0, (sumsq - n * mean * mean) / (n - 1)));
        double err = 3.25 * sd / Math.sqrt(n); // ~t(0.9995, 9), JMH's 99.9% interval
        Map<String, Object> pm = metric(mean, err, "ops/s", raw);
        r.put("primaryMetric", pm);

        Map<String, Object> sec = new LinkedHashMap<>();
        if (spec.counters) {
            long bs = k.bs();
            boolean iomap = p == PathLabel.IOMAP;
            boolean device = !k.type().equals("hole") && !k.type().equals("cache");
            for (String c : List.of(Measurement.OPS, Measurement.BYTES, "mapCalls", "esLookups", "folios",
                    "bufferHeads", "folioStates", "xaOps", "bios", "bioSegments", "bioBytes", "throttlePauses",
                    "journalCommits")) {
                List<Object> craw = new ArrayList<>();
                double total = 0;
                for (double[] it : forks) {
                    List<Object> l = new ArrayList<>();
                    for (double v : it) {
                        double ops = Math.floor(v); // 1 s iterations
                        double bytes = ops * bs;
                        double blocks = bytes / 4096;
                        double x;
                        switch (c) {
                            case "ops": x = ops; break;
                            case "bytes": x = bytes; break;
                            case "mapCalls": x = iomap ? ops : blocks; break;
                            case "esLookups": x = iomap ? ops : blocks; break;
                            case "folios": x = iomap ? Math.ceil(bytes / Math.max(4096, Math.min(bs, 2 << 20))) : blocks; break;
                            case "bufferHeads": x = iomap ? 0 : blocks; break;
                            case "folioStates": x = iomap && bs > 4096 ? bytes / bs : 0; break;
                            case "xaOps": x = iomap ? 2 * bytes / Math.max(4096, bs) : 2 * blocks; break;
                            case "bios": x = device ? (iomap ? bytes / Math.min(bs, 1 << 20) : blocks / 32) : 0; break;
                            case "bioSegments": x = device ? (iomap ? bytes / Math.min(bs, 1 << 20) : blocks) : 0; break;
                            case "bioBytes": x = device ? bytes : 0; break;
                            case "throttlePauses": x = "Y".equals(k.writeback()) ? ops / 1000 : 0; break;
                            case "journalCommits": x = "Y".equals(k.sync()) ? ops : 0; break;
                            default: throw new AssertionError(c);
                        }
                        l.add(x);
                        total += x;
                    }
                    craw.add(l);
                }
                sec.put(c, metric(total / (spec.forks * spec.iterations), Double.NaN, "#", craw));
            }
        }
        r.put("secondaryMetrics", sec);
        return r;
    }

    private static Map<String, Object> metric(double score, double err, String unit, List<Object> raw) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("score", score);
        m.put("scoreError", Double.isFinite(err) ? (Object) err : "NaN");
        m.put("scoreConfidence", Double.isFinite(err) ? List.of(score - err, score + err) : List.of("NaN", "NaN"));
        Map<String, Object> pct = new LinkedHashMap<>();
        for (String q : List.of("0.0", "50.0", "90.0", "95.0", "99.0", "99.9", "99.99", "99.999", "99.9999", "100.0")) {
            pct.put(q, score);
        }
        m.put("scorePercentiles", pct);
        m.put("scoreUnit", unit);
        m.put("rawData", raw);
        return m;
    }

    /** An interval log: a warmup-tagged interval, then 5 one-second intervals with values around {@code meanNs}. */
    static void writeHlog(Path p, double meanNs, Random rnd) throws IOException {
        Files.createDirectories(p.getParent());
        try (PrintStream ps = new PrintStream(Files.newOutputStream(p), false, StandardCharsets.UTF_8)) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            long start = 1_712_761_380_000L; // 2024-04-10T15:03:00Z
            w.outputLogFormatVersion();
            w.outputStartTime(start);
            w.setBaseTime(start);
            w.outputLegend();
            Histogram warm = new Histogram(3);
            warm.setTag(org.foliobench.layout.RunLayout.WARMUP_TAG);
            warm.setStartTimeStamp(start - 1000L);
            warm.setEndTimeStamp(start);
            warm.recordValue(Math.round(meanNs * 1000)); // a slow first call, to be ignored
            w.outputIntervalHistogram(warm);
            for (int i = 0; i < 5; i++) {
                Histogram h = new Histogram(3);
                h.setStartTimeStamp(start + i * 1000L);
                h.setEndTimeStamp(start + (i + 1) * 1000L);
                for (int j = 0; j < 2000; j++) {
                    double v = meanNs * Math.exp(0.3 * rnd.nextGaussian());
                    if (j % 200 == 0) {
                        v *= 8; // a tail
                    }
                    h.recordValue(Math.max(1, Math.round(v)));
                }
                w.outputIntervalHistogram(h);
            }
        }
    }
}
