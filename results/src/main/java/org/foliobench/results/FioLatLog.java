package org.foliobench.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.foliobench.layout.RowKey;

/**
 * fio's latency logs of a run's jobs, as a fio job with {@code write_lat_log=<name>},
 * {@code log_avg_msec} and {@code log_offset=1} writes them: {@code <name>_lat.1.log} and
 * {@code <name>_clat.1.log} (equal for a sync engine, as the JSON's {@code lat_ns} and
 * {@code clat_ns}; fio's {@code slat} is zero for psync and not written), {@code <name>} the latency
 * log's own name ({@link org.foliobench.layout.RunLayout#logName}: {@code iomap-write-ramdisk-n-y-n-64k}). Lines are fio's
 * log format, {@code time (ms), value (ns), data direction (0 read, 1 write), block size, offset},
 * then fio 3.x's command priority (0).
 *
 * <p>They are made from the run's HdrHistogram logs ({@link RunFolder#latencyLog}), which keep one
 * histogram per measured pass, not every call: each pass is one line, as one window of fio's
 * windowed logging ({@code log_avg_msec}), whose value is the mean of the calls in the window and
 * whose block size and offset fio writes as 0. The time is the end of the pass in milliseconds
 * since the log's first pass started (fio: since the job started); passes of later forks follow on
 * the same clock. Where calls were timed 1 in P, the mean is over the timed calls.
 */
public final class FioLatLog {
    /** The folder of the logs in a run's report, beside the fio JSON. */
    public static final String DIR = "logs";
    /** The kinds of log written, fio's suffixes: total and completion latency (equal for psync). */
    public static final List<String> KINDS = List.of("lat", "clat");
    /** fio's data directions in its logs. */
    static final int DDIR_READ = 0;
    static final int DDIR_WRITE = 1;

    private FioLatLog() {
    }

    /** fio's file name of job 1's {@code kind} log under {@code write_lat_log=<name>}: {@code <name>_clat.1.log}. */
    public static String fileName(String name, String kind) {
        return name + "_" + kind + ".1.log";
    }

    /**
     * Every latency log of {@code run} in fio's format: file name (under {@link #DIR}) to text, for each
     * row and path with a latency log, in the run's row order. Unreadable logs are left out (the
     * tables already warn about them).
     */
    public static Map<String, String> all(RunFolder run) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Measurement m : run.measurements()) {
            String name = org.foliobench.layout.RunLayout.logName(m.path().param(), m.row().key());
            if (out.containsKey(fileName(name, KINDS.get(0)))) {
                continue; // tunable variants of one row share its latency log
            }
            String text;
            try {
                text = text(RunFolder.latencyLog(run.dir(), m.row(), m.path()), m.row());
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (text == null) {
                continue;
            }
            for (String kind : KINDS) {
                out.put(fileName(name, kind), text);
            }
        }
        return out;
    }

    /**
     * The fio log of one HdrHistogram interval log of {@code row}'s data calls, or null when the file
     * does not exist or holds no measured interval. Warmup intervals ({@link org.foliobench.layout.RunLayout#WARMUP_TAG}) are
     * left out, as the tables leave them out.
     */
    static String text(Path hlog, RowKey row) throws IOException {
        if (!Files.isRegularFile(hlog)) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        int ddir = row.isRead() ? DDIR_READ : DDIR_WRITE;
        long first = -1;
        try (HistogramLogReader r = new HistogramLogReader(hlog.toFile())) {
            EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                if (!(e instanceof Histogram) || org.foliobench.layout.RunLayout.WARMUP_TAG.equals(e.getTag())) {
                    continue;
                }
                Histogram h = (Histogram) e;
                if (h.getTotalCount() == 0) {
                    continue;
                }
                if (first < 0) {
                    first = h.getStartTimeStamp();
                }
                b.append(line(Math.max(0, h.getEndTimeStamp() - first), Math.round(h.getMean()), ddir));
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    /** One window's line: {@code time, value, ddir, 0, 0, 0} (block size and offset 0 as fio's windowed logs, priority 0). */
    static String line(long timeMillis, long valueNanos, int ddir) {
        return timeMillis + ", " + valueNanos + ", " + ddir + ", 0, 0, 0\n";
    }
}
