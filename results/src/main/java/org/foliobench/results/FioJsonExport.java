package org.foliobench.results;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.foliobench.layout.RowKey;

/**
 * fio's JSON of a run ({@code fio --output-format=json+}, fio 3.33's layout: {@code stat.c}
 * {@code show_thread_status_json}, {@code add_ddir_status_json}, {@code add_ddir_lat_json}), so fio
 * tooling reads our runs: {@code fio/<rowfile>.json} holds one job per measured path (jobs[0] = bh,
 * jobs[1] = iomap, each its own {@code groupid}, named {@code <path>-<rowfile>} like the latency
 * logs), and {@link #fioPlot} lays the same jobs out one per file in bench-fio's folders for fio-plot.
 * Field names and units are fio's: {@code io_bytes}, {@code bw_bytes} (B/s), {@code bw} (KiB/s),
 * {@code iops}, {@code runtime} (ms), {@code clat_ns} with fio's {@code percentile} list and the
 * json+ {@code bins}, {@code sync.lat_ns}, the {@code latency_ns/us/ms} distributions.
 *
 * <p>What the values are: {@code "job options"} has every option of the job as it ran (from
 * {@code jobs/<rowfile>.json}, fio's defaults included, where fio lists only those the job file
 * sets), then {@code foliobench_*} entries (path, row, tunables, latency sampling). {@code iops} is
 * the paired estimate of the path's IOPS over its forks, {@code io_bytes}, {@code total_ios} and
 * {@code runtime} the sums over its measured passes, {@code bw_*}/{@code iops_*} statistics are
 * over passes. {@code clat_ns} (and {@code lat_ns}, equal for a sync engine; {@code slat_ns} is
 * zero as in fio's psync) is the data call alone, {@code sync.lat_ns} the fsync/fdatasync after it,
 * and {@code sync.total_ios} the fsyncs issued (calls / N for {@code fsync=N}). Where calls were
 * timed 1 in P at random ({@code foliobench_clat_sample_period} = P; fsyncs are timed with the
 * call before them), {@code N}, the {@code bins} (which sum to {@code N}) and the latency
 * distributions count the timed calls, {@code total_ios} every call. CPU usage, context switches and
 * {@code disk_util} are not measured (0, empty); {@code "fio version"} says foliobench wrote it.
 */
public final class FioJsonExport {

    /** fio's {@code ctime()} layout of the {@code time} field, e.g. {@code Wed Apr 10 16:03:00 2024}. */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);
    /** The folder of {@link #fioPlot}'s files in a run's report. */
    public static final String FIO_PLOT_DIR = "fio-plot";

    private FioJsonExport() {
    }

    /** The {@code "fio version"} value: what wrote the file and whose layout it follows. */
    public static String version() {
        return "foliobench-" + Build.version() + " (fio-3.33 json+ layout)";
    }

    /** {@code fio/<rowfile>.json} name of a row: {@code read-hole-4k.json}, plus the tunables if any. */
    public static String fileName(Row row) {
        return baseName(row) + ".json";
    }

    private static String baseName(Row row) {
        String v = row.variant().isEmpty() ? "" : "-" + row.variant().replaceAll("[^A-Za-z0-9=.]+", "_").replace('=', '_');
        return row.key().fileName() + v;
    }

    /** Every row of a run: file name to JSON text, in table order. */
    public static Map<String, String> all(RunFolder run) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Row r : run.rows()) {
            out.put(fileName(r), json(run, r));
        }
        return out;
    }

    /**
     * The run in fio-plot's input layout, as bench-fio writes it: one folder per row section and path,
     * one per block size below it, one job per file named {@code <rw>-<iodepth>-<numjobs>.json}:
     * {@code read-hole/iomap/64k/read-1-1.json}. Relative path to JSON text, in table order.
     */
    public static Map<String, String> fioPlot(RunFolder run) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Row r : run.rows()) {
            String section = org.foliobench.layout.RowKey.fileName(r.key().section()) + (r.variant().isEmpty() ? ""
                    : baseName(r).substring(r.key().fileName().length()));
            for (PathLabel p : r.paths()) {
                Measurement m = r.get(p);
                if (m != null) {
                    Map<String, Object> job = job(run, m, 0);
                    @SuppressWarnings("unchecked")
                    Map<String, String> o = (Map<String, String>) job.get("job options");
                    String name = section + "/" + p.param() + "/" + r.key().bsLabel().toLowerCase(Locale.ROOT) + "/"
                            + o.get("rw") + "-" + o.getOrDefault("iodepth", "1") + "-" + o.getOrDefault("numjobs", "1") + ".json";
                    out.put(name, Json.write(root(run, List.of(job))));
                }
            }
        }
        return out;
    }

    /** The fio JSON of one row: one job per measured path. */
    public static String json(RunFolder run, Row row) {
        List<Object> jobs = new ArrayList<>();
        int group = 0;
        for (PathLabel p : row.paths()) {
            Measurement m = row.get(p);
            if (m != null) {
                jobs.add(job(run, m, group++));
            }
        }
        return Json.write(root(run, jobs));
    }

    private static Map<String, Object> root(RunFolder run, List<Object> jobs) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("fio version", version());
        OffsetDateTime t = runTime(run.metadata());
        long ms = t == null ? 0 : t.toInstant().toEpochMilli();
        root.put("timestamp", ms / 1000);
        root.put("timestamp_ms", ms);
        root.put("time", t == null ? "" : CTIME.format(t));
        Map<String, Object> global = new LinkedHashMap<>();
        global.put("foliobench_run", run.name());
        if (!run.complete()) {
            global.put("foliobench_incomplete", run.incompleteNotice());
        }
        root.put("global options", global);
        root.put("jobs", jobs);
        root.put("disk_util", List.of());
        return root;
    }

    /**
     * When the run ended ({@code finished}, else {@code started}): an ISO-8601 time with its offset,
     * or, in runs from before metadata carried one, a local time taken in this machine's zone; null
     * when neither is readable.
     */
    static OffsetDateTime runTime(Map<String, String> metadata) {
        String iso = metadata.getOrDefault("finished", metadata.getOrDefault("started", ""));
        try {
            return OffsetDateTime.parse(iso);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(iso).atZone(ZoneId.systemDefault()).toOffsetDateTime();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** The job name: {@code <path>-<rowfile>}, as the latency log's file name. */
    public static String jobName(Measurement m) {
        return org.foliobench.layout.RunLayout.logName(m.path().param(), m.row().key());
    }

    private static Map<String, Object> job(RunFolder run, Measurement m, int group) {
        RowKey k = m.row();
        double[] it = m.iterations();
        long runtimeMs;
        if (m.iterationNanos() > 0) {
            runtimeMs = Math.round(it.length * m.iterationNanos() / 1e6);
        } else {
            runtimeMs = m.total(Measurement.OPS).isPresent() && m.iops() > 0
                    ? Math.round(m.total(Measurement.OPS).getAsDouble() / m.iops() * 1000) : it.length * 1000L;
        }
        long totalIos = m.total(Measurement.OPS).isPresent() ? Math.round(m.total(Measurement.OPS).getAsDouble())
                : Math.round(m.iops() * runtimeMs / 1000.0);
        long ioBytes = m.bytes().isPresent() ? Math.round(m.bytes().getAsDouble()) : totalIos * k.bs();
        Map<String, String> opts = jobOptions(run, m);

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("jobname", jobName(m));
        j.put("groupid", (long) group);
        j.put("error", 0L);
        j.put("eta", 0L);
        j.put("elapsed", (runtimeMs + 999) / 1000);
        j.put("job options", opts);
        for (String dir : List.of("read", "write", "trim")) {
            boolean used = dir.equals(k.isRead() ? "read" : "write");
            j.put(dir, used ? ddir(m, it, runtimeMs, totalIos, ioBytes) : emptyDdir());
        }
        Map<String, Object> sync = new LinkedHashMap<>();
        long every = Math.max(number(opts, "fsync"), number(opts, "fdatasync"));
        // a kernel's fio timed every fsync it issued: its count is fio's own sync.total_ios (fio issues the
        // fsync=N sync before the next write, so none follows the job's last one); the model's, one per N calls
        sync.put("total_ios", m.path().kernel() && m.syncLatency() != null ? m.syncLatency().count()
                : every > 0 ? m.passes().stream().mapToLong(p -> p.ops() / every).sum() : 0L);
        sync.put("lat_ns", lat(m.syncLatency(), true));
        j.put("sync", sync);
        j.put("job_runtime", runtimeMs);
        j.put("usr_cpu", 0.0);
        j.put("sys_cpu", 0.0);
        j.put("ctx", 0L);
        j.put("majf", 0L);
        j.put("minf", 0L);
        j.put("iodepth_level", depths(List.of("1", "2", "4", "8", "16", "32", ">=64"), "1"));
        j.put("iodepth_submit", depths(List.of("0", "4", "8", "16", "32", "64", ">=64"), "4"));
        j.put("iodepth_complete", depths(List.of("0", "4", "8", "16", "32", "64", ">=64"), "4"));
        LatencySummary l = m.latency();
        String[] units = {"latency_ns", "latency_us", "latency_ms"};
        List<Long> counts = l == null ? null : l.fioBucketCounts();
        for (int u = 0; u < 3; u++) {
            Map<String, Object> b = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) {
                b.put(LatencySummary.FIO_BUCKET_LABELS.get(i), bucketPct(l, counts, u * 10 + i));
            }
            if (u == 2) {
                b.put("2000", bucketPct(l, counts, 30));
                b.put(">=2000", bucketPct(l, counts, 31));
            }
            j.put(units[u], b);
        }
        j.put("latency_depth", 1L);
        j.put("latency_target", 0L);
        j.put("latency_percentile", 100.0);
        j.put("latency_window", 0L);
        return j;
    }

    /**
     * The job options: every fio option of the row's job as it ran ({@link RunFolder#jobOptions}), or
     * for a run that did not record them the few its row key implies; then foliobench's.
     */
    private static Map<String, String> jobOptions(RunFolder run, Measurement m) {
        RowKey k = m.row();
        Map<String, String> o = new LinkedHashMap<>(run.jobOptions(k));
        if (o.isEmpty()) {
            o.put("ioengine", "psync");
            o.put("rw", k.isRead() ? "read" : "write");
            o.put("bs", k.bsLabel().toLowerCase(Locale.ROOT));
            o.put("iodepth", "1");
            o.put("numjobs", "1");
            o.put("fsync", "Y".equals(k.sync()) ? "1" : "0");
            o.put("overwrite", "Y".equals(k.overwrite()) ? "1" : "0");
        }
        o.put("name", jobName(m));
        o.put("foliobench_row", k.key());
        o.put("foliobench_path", m.path().param());
        m.attributes().forEach((a, v) -> o.put("foliobench_" + a, v));
        SortedSet<Integer> periods = new TreeSet<>();
        m.passes().forEach(p -> periods.add(p.latencySamplePeriod()));
        periods.remove(0); // passes without latency recording
        if (!periods.isEmpty()) {
            o.put("foliobench_clat_sample_period", periods.first().equals(periods.last()) ? periods.first().toString()
                    : periods.first() + "-" + periods.last());
        }
        return o;
    }

    private static long number(Map<String, String> opts, String key) {
        try {
            return Long.parseLong(opts.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, Object> depths(List<String> keys, String all) {
        Map<String, Object> d = new LinkedHashMap<>();
        for (String k : keys) {
            d.put(k, k.equals(all) ? 100.0 : 0.0);
        }
        return d;
    }

    /** fio's stat_calc_lat(): percent of timed calls, raised to 0.01 when there are any. */
    private static double bucketPct(LatencySummary l, List<Long> counts, int i) {
        if (l == null || l.count() == 0) {
            return 0.0;
        }
        long c = counts.get(i);
        double pct = 100.0 * c / l.count();
        return c > 0 && pct < 0.01 ? 0.01 : pct;
    }

    private static Map<String, Object> ddir(Measurement m, double[] it, long runtimeMs, long totalIos, long ioBytes) {
        long bs = m.row().bs();
        long bwBytes = Math.round(m.iops() * bs);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("io_bytes", ioBytes);
        d.put("io_kbytes", ioBytes >> 10);
        d.put("bw_bytes", bwBytes);
        d.put("bw", bwBytes / 1024);
        d.put("iops", m.iops());
        d.put("runtime", runtimeMs);
        d.put("total_ios", totalIos);
        d.put("short_ios", 0L);
        d.put("drop_ios", 0L);
        d.put("slat_ns", lat(null, false));
        d.put("clat_ns", lat(m.latency(), true));
        d.put("lat_ns", lat(m.latency(), false));
        double[] bwKib = new double[it.length];
        for (int i = 0; i < it.length; i++) {
            bwKib[i] = it[i] * bs / 1024;
        }
        d.put("bw_min", Math.round(min(bwKib)));
        d.put("bw_max", Math.round(max(bwKib)));
        d.put("bw_agg", 100.0);
        d.put("bw_mean", Stats.mean(bwKib));
        d.put("bw_dev", Math.sqrt(Stats.variance(bwKib)));
        d.put("bw_samples", (long) it.length);
        d.put("iops_min", Math.round(min(it)));
        d.put("iops_max", Math.round(max(it)));
        d.put("iops_mean", Stats.mean(it));
        d.put("iops_stddev", Math.sqrt(Stats.variance(it)));
        d.put("iops_samples", (long) it.length);
        return d;
    }

    private static Map<String, Object> emptyDdir() {
        Map<String, Object> d = new LinkedHashMap<>();
        for (String f : List.of("io_bytes", "io_kbytes", "bw_bytes", "bw")) {
            d.put(f, 0L);
        }
        d.put("iops", 0.0);
        for (String f : List.of("runtime", "total_ios", "short_ios", "drop_ios")) {
            d.put(f, 0L);
        }
        d.put("slat_ns", lat(null, false));
        d.put("clat_ns", lat(null, false));
        d.put("lat_ns", lat(null, false));
        d.put("bw_min", 0L);
        d.put("bw_max", 0L);
        d.put("bw_agg", 0.0);
        d.put("bw_mean", 0.0);
        d.put("bw_dev", 0.0);
        d.put("bw_samples", 0L);
        d.put("iops_min", 0L);
        d.put("iops_max", 0L);
        d.put("iops_mean", 0.0);
        d.put("iops_stddev", 0.0);
        d.put("iops_samples", 0L);
        return d;
    }

    /**
     * fio's add_ddir_lat_json(): min, max, mean, stddev, N and, for a latency fio reports percentiles
     * of ({@code clat_ns}, {@code sync.lat_ns}) with samples, the percentiles and json+'s {@code bins}.
     */
    private static Map<String, Object> lat(LatencySummary l, boolean distribution) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (l == null || l.count() == 0) {
            o.put("min", 0L);
            o.put("max", 0L);
            o.put("mean", 0.0);
            o.put("stddev", 0.0);
            o.put("N", 0L);
            return o;
        }
        o.put("min", l.min());
        o.put("max", l.max());
        o.put("mean", l.mean());
        o.put("stddev", l.stddev());
        o.put("N", l.count());
        if (distribution) {
            Map<String, Object> p = new LinkedHashMap<>();
            l.percentiles().forEach((q, v) -> p.put(String.format(Locale.ROOT, "%f", q), v));
            o.put("percentile", p);
            Map<String, Object> bins = new LinkedHashMap<>();
            l.bins().forEach((v, n) -> bins.put(Long.toString(v), n));
            o.put("bins", bins);
        }
        return o;
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return a.length == 0 ? 0 : m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return a.length == 0 ? 0 : m;
    }
}
