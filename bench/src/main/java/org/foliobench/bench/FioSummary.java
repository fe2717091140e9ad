package org.foliobench.bench;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.foliobench.results.PassLog;
import org.foliobench.results.TableCounters;
import org.foliobench.stats.CounterNames;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.VerifyMode;

/**
 * fio's normal output ({@code stat.c:show_thread_status()}) for one benchmark of {@code foliobench
 * run}: the IOPS/BW line over every measured pass, completion-latency summary and percentiles from
 * the latency log, per-pass bw/iops spread, the fsync latency of an fsync=N job, the engine counters per pass, and the run status line.
 */
final class FioSummary {
    static final double[] PERCENTILES = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

    private FioSummary() {
    }

    /** All measured intervals of a latency log, merged; null when there is none. */
    static Histogram readLatency(Path hlog) {
        if (!Files.exists(hlog)) {
            return null;
        }
        Histogram total = null;
        try {
            HistogramLogReader r = new HistogramLogReader(hlog.toFile());
            EncodableHistogram h;
            while ((h = r.nextIntervalHistogram()) != null) {
                if (h instanceof Histogram && h.getTag() == null) {
                    if (total == null) {
                        total = new Histogram(LatencyLog.SIGNIFICANT_DIGITS);
                    }
                    total.add((Histogram) h);
                }
            }
            r.close();
        } catch (FileNotFoundException e) {
            return null;
        }
        return total;
    }

    /** The fio summary of one path of a job from its measured passes (every fork). */
    static String summary(int group, String jobName, Plan.Bench b, String path, List<PassLog.Pass> all, Histogram lat,
            Histogram syncLat, long pid) {
        JobSpec job = b.workload().job();
        boolean write = job.rw().isWrite();
        List<PassLog.Pass> passes = all.stream().filter(p -> !p.warmup() && p.path().equals(path)).toList();
        double totalMs = passes.stream().mapToDouble(p -> p.nanos() / 1e6).sum();
        long totalBytes = passes.stream().mapToLong(PassLog.Pass::bytes).sum();
        long totalIos = passes.stream().mapToLong(PassLog.Pass::ops).sum();
        double secs = totalMs / 1e3;
        double iops = totalIos / secs;
        double bw = totalBytes / secs;
        StringBuilder s = new StringBuilder();
        String date = new SimpleDateFormat("EEE MMM d HH:mm:ss yyyy", Locale.ROOT).format(new Date());
        s.append(String.format(Locale.ROOT, "%s: (groupid=%d, jobs=%d): err= 0: pid=%d: %s%n", jobName, group, job.numjobs(),
                pid, date));
        String dir = write ? "write" : "read";
        s.append(String.format(Locale.ROOT, "  %s: IOPS=%s, BW=%s (%s)(%s/%dmsec)%n", dir, num(iops, 1000, ""),
                bin(bw) + "/s", dec(bw) + "/s", bin(totalBytes), Math.round(totalMs)));
        latency(s, "clat", lat);
        if (passes.size() > 0) {
            double[] bwPass = passes.stream().mapToDouble(p -> p.bytes() / (p.nanos() / 1e9) / 1024.0).toArray();
            double[] iopsPass = passes.stream().mapToDouble(PassLog.Pass::iops).toArray();
            s.append(String.format(Locale.ROOT, "   bw (  KiB/s): min=%.0f, max=%.0f, per=100.00%%, avg=%.2f, stdev=%.2f, samples=%d%n",
                    min(bwPass), max(bwPass), avg(bwPass), stdev(bwPass), bwPass.length));
            s.append(String.format(Locale.ROOT, "   iops        : min=%.0f, max=%.0f, avg=%.2f, stdev=%.2f, samples=%d%n",
                    min(iopsPass), max(iopsPass), avg(iopsPass), stdev(iopsPass), iopsPass.length));
        }
        if (syncLat != null && syncLat.getTotalCount() > 0) {
            s.append("  fsync/fdatasync/sync_file_range:\n");
            latency(s, "sync", syncLat);
        }
        s.append("  foliobench   : path=").append(path).append(", passes=").append(passes.size())
                .append(", size=").append(bin(job.size())).append(", bs=").append(job.bs()).append(runOptions(job));
        long sweeps = passes.stream().mapToLong(PassLog.Pass::sweeps).sum();
        if (sweeps > 0) {
            Map<String, Long> total = new TreeMap<>();
            passes.forEach(p -> TableCounters.of(p.counters()).forEach((k, v) -> total.merge(k, v, Long::sum)));
            passes.forEach(p -> TableCounters.cow(p.counters()).forEach((k, v) -> total.merge(k, v, Long::sum)));
            total.forEach((k, v) -> s.append(", ").append(k).append("/sweep=").append(Math.round((double) v / sweeps)));
            s.append(String.format(Locale.ROOT, ", alloc/call=%.0fB", (double) passes.stream().mapToLong(PassLog.Pass::allocBytes).sum()
                    / Math.max(1, totalIos)));
        }
        s.append('\n');
        if (job.direct() && sweeps > 0) {
            s.append("  direct       : ").append(directCounters(passes, sweeps)).append('\n');
        }
        s.append(String.format(Locale.ROOT, "%nRun status group %d (all jobs):%n", group));
        double minBw = passes.stream().mapToDouble(p -> p.bytes() / (p.nanos() / 1e9)).min().orElse(bw);
        double maxBw = passes.stream().mapToDouble(p -> p.bytes() / (p.nanos() / 1e9)).max().orElse(bw);
        long minMs = Math.round(passes.stream().mapToDouble(p -> p.nanos() / 1e6).min().orElse(totalMs));
        long maxMs = Math.round(passes.stream().mapToDouble(p -> p.nanos() / 1e6).max().orElse(totalMs));
        s.append(String.format(Locale.ROOT, "  %s: bw=%s/s (%s/s), %s/s-%s/s (%s/s-%s/s), io=%s (%s), run=%d-%dmsec%n",
                write ? "WRITE" : " READ", bin(bw), dec(bw), bin(minBw), bin(maxBw), dec(minBw), dec(maxBw), bin(totalBytes),
                dec(totalBytes), minMs, maxMs));
        return s.toString();
    }

    /** fio's latency lines: {@code clat (usec): min=...} and its percentiles, in the unit fio would pick. */
    static void latency(StringBuilder s, String what, Histogram lat) {
        if (lat == null || lat.getTotalCount() == 0) {
            return;
        }
        long max = lat.getMaxValue();
        String unit = max < 100_000 ? "nsec" : max < 100_000_000 ? "usec" : "msec";
        double div = unit.equals("nsec") ? 1 : unit.equals("usec") ? 1e3 : 1e6;
        s.append(String.format(Locale.ROOT, "    %s (%s): min=%d, max=%d, avg=%.2f, stdev=%.2f%n", what, unit,
                Math.round(lat.getMinValue() / div), Math.round(max / div), lat.getMean() / div,
                lat.getStdDeviation() / div));
        s.append(String.format(Locale.ROOT, "    %s percentiles (%s):%n", what, unit));
        List<String> vals = new ArrayList<>();
        int width = 0;
        for (double p : PERCENTILES) {
            String v = String.valueOf(Math.round(lat.getValueAtPercentile(p) / div));
            vals.add(v);
            width = Math.max(width, v.length());
        }
        for (int i = 0; i < PERCENTILES.length; i++) {
            if (i % 4 == 0) {
                s.append("     |");
            }
            String pct = String.format(Locale.ROOT, "%5.2fth", PERCENTILES[i]);
            s.append(' ').append(pct).append("=[").append(pad(vals.get(i), width)).append(']');
            boolean last = i == PERCENTILES.length - 1;
            s.append(last ? "\n" : i % 4 == 3 ? ",\n" : ",");
        }
    }

    /** The options that shape one run (one pass's sweep), as the job gave them: what the numbers above are of. */
    /**
     * The direct IO counters per sweep of a {@code direct=1} job: bios straight from fio's buffer,
     * atomic writes, mballoc's aligned allocations and refused atomic writes.
     */
    static String directCounters(List<PassLog.Pass> passes, long sweeps) {
        Map<String, Long> t = new TreeMap<>();
        passes.forEach(p -> p.counters().forEach((k, v) -> t.merge(k, v, Long::sum)));
        StringBuilder s = new StringBuilder();
        String[][] names = {{"dioBios", CounterNames.IOMAP_DIO_BIOS}, {"atomicBios", CounterNames.IOMAP_DIO_ATOMIC_BIOS},
                {"atomicWrites", CounterNames.FS_ATOMIC_WRITES}, {"alignedAllocs", CounterNames.FS_ALIGNED_ALLOC_CALLS},
                {"atomicRejections", CounterNames.FS_ATOMIC_REJECTIONS}};
        for (String[] n : names) {
            s.append(s.length() == 0 ? "" : ", ").append(n[0]).append("/sweep=")
                    .append(Math.round((double) t.getOrDefault(n[1], 0L) / sweeps));
        }
        return s.toString();
    }

    static String runOptions(JobSpec job) {
        StringBuilder s = new StringBuilder();
        if (job.numjobs() > 1) {
            s.append(", numjobs=").append(job.numjobs()).append(job.files().size() == 1 ? " (one shared file)" : " (a file each)");
        }
        if (job.timeBased()) {
            s.append(", time_based");
        }
        if (job.runtimeMicros() > 0) {
            s.append(", runtime=").append(job.runtimeMicros() / 1000).append("ms");
        }
        if (job.rampTimeMicros() > 0) {
            s.append(", ramp_time=").append(job.rampTimeMicros() / 1000).append("ms (not measured)");
        }
        if (job.endFsync() && job.rw().isWrite()) {
            s.append(", end_fsync");
        }
        if (job.direct()) {
            s.append(", direct=1");
        }
        if (job.atomic()) {
            s.append(", atomic=1");
        }
        if (job.verify() != VerifyMode.NONE) {
            s.append(", verify=").append(job.verify().name().toLowerCase(Locale.ROOT))
                    .append(!job.rw().isWrite() ? " (every read checked)" : job.doVerify() ? " (read back after each run)" : "");
        }
        return s.toString();
    }

    static String pad(String v, int w) {
        StringBuilder b = new StringBuilder();
        for (int i = v.length(); i < w; i++) {
            b.append(' ');
        }
        return b.append(v).toString();
    }

    /** fio's {@code num2str}: at most 4 integer digits, 3 significant digits below 100. */
    static String num(double v, int base, String suffix) {
        String[] units = base == 1024 ? new String[] {"", "Ki", "Mi", "Gi", "Ti", "Pi"} : new String[] {"", "k", "M", "G", "T", "P"};
        int u = 0;
        while (v >= 10000 && u < units.length - 1) {
            v /= base;
            u++;
        }
        String n;
        if (u == 0 && v == Math.rint(v) || v >= 100) {
            n = String.valueOf(Math.round(v));
        } else if (v >= 10) {
            n = String.format(Locale.ROOT, "%.1f", v);
        } else {
            n = String.format(Locale.ROOT, "%.2f", v);
        }
        return n + units[u] + suffix;
    }

    /** Bytes in binary units, fio style: {@code 1399MiB}, {@code 18.8MiB}. */
    static String bin(double bytes) {
        return num(bytes, 1024, "B");
    }

    /** Bytes in decimal units: {@code 1467MB}. */
    static String dec(double bytes) {
        return num(bytes, 1000, "B");
    }

    static double min(double[] a) {
        double m = Double.MAX_VALUE;
        for (double d : a) {
            m = Math.min(m, d);
        }
        return m;
    }

    static double max(double[] a) {
        double m = -Double.MAX_VALUE;
        for (double d : a) {
            m = Math.max(m, d);
        }
        return m;
    }

    static double avg(double[] a) {
        double s = 0;
        for (double d : a) {
            s += d;
        }
        return s / a.length;
    }

    static double stdev(double[] a) {
        if (a.length < 2) {
            return 0;
        }
        double m = avg(a);
        double s = 0;
        for (double d : a) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }
}
