package org.foliobench.results;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One fio-shaped JSON file per row ({@code fio --output-format=json}), so fio tooling can read
 * our runs: the top-level {@code "fio version"}, {@code timestamp}, {@code time},
 * {@code "global options"}, {@code jobs} and {@code disk_util}; one job per measured path
 * (jobs[0] = bh, jobs[1] = iomap, each its own {@code groupid}) named
 * {@code <path>-<rowfile>} like the latency logs. Field names and units follow fio's
 * {@code stat.c} ({@code show_thread_status_json}, {@code add_ddir_status_json},
 * {@code add_ddir_lat_json}): {@code io_bytes}, {@code io_kbytes}, {@code bw_bytes} (B/s),
 * {@code bw} (KiB/s), {@code iops}, {@code runtime} (ms), {@code total_ios},
 * {@code slat_ns}/{@code clat_ns}/{@code lat_ns} {@code {min,max,mean,stddev,N,percentile}},
 * the {@code bw_*} and {@code iops_*} sample statistics (here over JMH iterations) and the
 * {@code latency_ns/us/ms} distributions.
 *
 * <p>What differs from fio: {@code "fio version"} says {@code foliobench}; the whole psync call
 * is the completion latency ({@code clat_ns} = {@code lat_ns}, {@code slat_ns} zero, as for
 * fio's sync engines), so with Sync=Y it includes the fsync and the {@code sync} object has no
 * separate samples; CPU usage, context switches and {@code disk_util} are not measured (0/empty).
 */
public final class FioJsonExport {

    /** The {@code "fio version"} value of our files. */
    public static final String VERSION = "foliobench";

    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

    private FioJsonExport() {
    }

    /** {@code fio/<rowfile>.json} name of a row: {@code read-hole-4k.json}, plus the tunables if any. */
    public static String fileName(Row row) {
        String v = row.variant().isEmpty() ? "" : "-" + row.variant().replaceAll("[^A-Za-z0-9=.]+", "_").replace('=', '_');
        return row.key().fileName() + v + ".json";
    }

    /** Every row of a run: file name to JSON text, in table order. */
    public static Map<String, String> all(RunFolder run) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Row r : run.rows()) {
            out.put(fileName(r), json(run, r));
        }
        return out;
    }

    /** The fio-shaped JSON of one row. */
    public static String json(RunFolder run, Row row) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("fio version", VERSION);
        long ms = epochMs(run.metadata().getOrDefault("finished", run.metadata().getOrDefault("started", "")));
        root.put("timestamp", ms / 1000);
        root.put("timestamp_ms", ms);
        root.put("time", ms == 0 ? "" : CTIME.format(Instant.ofEpochMilli(ms)));
        Map<String, Object> global = new LinkedHashMap<>();
        global.put("ioengine", "psync");
        global.put("foliobench_run", run.name());
        if (!run.complete()) {
            global.put("foliobench_incomplete", run.incompleteNotice());
        }
        root.put("global options", global);
        List<Object> jobs = new ArrayList<>();
        int group = 0;
        for (PathLabel p : row.paths()) {
            Measurement m = row.get(p);
            if (m != null) {
                jobs.add(job(m, group++));
            }
        }
        root.put("jobs", jobs);
        root.put("disk_util", List.of());
        return Json.write(root);
    }

    static long epochMs(String iso) {
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** The job name: {@code <path>-<rowfile>}, as the latency log's file name. */
    public static String jobName(Measurement m) {
        return m.path().param() + "-" + m.row().fileName();
    }

    private static Map<String, Object> job(Measurement m, int group) {
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

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("jobname", jobName(m));
        j.put("groupid", (long) group);
        j.put("job_start", 0L);
        j.put("error", 0L);
        j.put("eta", 0L);
        j.put("elapsed", (runtimeMs + 999) / 1000);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("name", jobName(m));
        opts.put("ioengine", "psync");
        opts.put("rw", k.isRead() ? "read" : "write");
        opts.put("bs", k.bsLabel().toLowerCase(Locale.ROOT));
        if ("Y".equals(k.sync())) {
            opts.put("fsync", "1");
        }
        if ("Y".equals(k.overwrite())) {
            opts.put("overwrite", "1");
        }
        opts.put("foliobench_row", k.key());
        opts.put("foliobench_path", m.path().param());
        m.attributes().forEach((a, v) -> opts.put("foliobench_" + a, v));
        j.put("job options", opts);

        for (String dir : List.of("read", "write", "trim")) {
            boolean used = dir.equals(k.isRead() ? "read" : "write");
            j.put(dir, used ? ddir(m, it, runtimeMs, totalIos, ioBytes) : emptyDdir());
        }
        Map<String, Object> sync = new LinkedHashMap<>();
        sync.put("total_ios", 0L);
        sync.put("lat_ns", lat(null));
        j.put("sync", sync);
        j.put("job_runtime", runtimeMs);
        j.put("usr_cpu", 0.0);
        j.put("sys_cpu", 0.0);
        j.put("ctx", 0L);
        j.put("majf", 0L);
        j.put("minf", 0L);
        Map<String, Object> depth = new LinkedHashMap<>();
        for (String d : List.of("1", "2", "4", "8", "16", "32", ">=64")) {
            depth.put(d, d.equals("1") ? 100.0 : 0.0);
        }
        j.put("iodepth_level", depth);
        LatencySummary l = m.latency();
        String[] units = {"latency_ns", "latency_us", "latency_ms"};
        for (int u = 0; u < 3; u++) {
            Map<String, Object> b = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) {
                b.put(LatencySummary.FIO_BUCKET_LABELS.get(i), bucketPct(l, u * 10 + i));
            }
            if (u == 2) {
                b.put("2000", bucketPct(l, 30));
                b.put(">=2000", bucketPct(l, 31));
            }
            j.put(units[u], b);
        }
        j.put("latency_depth", 1L);
        j.put("latency_target", 0L);
        j.put("latency_percentile", 100.0);
        j.put("latency_window", 0L);
        return j;
    }

    /** fio's stat_calc_lat(): percent of IOs, at least 0.01 when any. */
    private static double bucketPct(LatencySummary l, int i) {
        if (l == null || l.count() == 0) {
            return 0.0;
        }
        long c = l.fioBucketCounts().get(i);
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
        d.put("slat_ns", lat(null));
        d.put("clat_ns", lat(m.latency()));
        d.put("lat_ns", lat(m.latency()));
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
        d.put("slat_ns", lat(null));
        d.put("clat_ns", lat(null));
        d.put("lat_ns", lat(null));
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

    /** fio's add_ddir_lat_json(): min, max, mean, stddev, N and, with samples, the percentiles. */
    private static Map<String, Object> lat(LatencySummary l) {
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
        Map<String, Object> p = new LinkedHashMap<>();
        l.percentiles().forEach((q, v) -> p.put(String.format(Locale.ROOT, "%f", q), v));
        o.put("percentile", p);
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
