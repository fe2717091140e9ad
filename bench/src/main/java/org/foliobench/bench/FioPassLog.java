package org.foliobench.bench;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.HistogramLogWriter;
import org.foliobench.results.FioJsonImport;
import org.foliobench.results.PassLog;
import org.foliobench.results.RunFolder;

/**
 * Real fio runs written into a run folder as the model's runs are: one row's sweeps become its pass
 * log ({@link FioJsonImport#passes}: each sweep a pass, ABBA blocks as forks) and, where fio gave
 * its json+ latency histograms, one interval per pass in {@code latency/<fs>-<row>.hlog} (the data
 * calls, fio's {@code clat_ns}) and, for a job that synced ({@code fsync=N}), in
 * {@code latency/sync/<fs>-<row>.hlog} (fio's {@code sync.lat_ns}), the logs a model run writes for
 * the same row, so the run's fio JSON reports the kernel's syncs as fio did. Used by {@code kernel}
 * as each row finishes and by {@code import-fio}.
 */
final class FioPassLog {
    private FioPassLog() {
    }

    /** Appends one row's sweeps (in the order they ran); returns the passes written. */
    static List<PassLog.Pass> appendRow(Path runDir, List<FioJsonImport.Sweep> sweeps) throws IOException {
        List<PassLog.Pass> passes = FioJsonImport.passes(sweeps);
        Map<Path, HistogramLogWriter> logs = new LinkedHashMap<>();
        Map<Path, PrintStream> streams = new LinkedHashMap<>();
        try {
            for (int i = 0; i < passes.size(); i++) {
                PassLog.append(runDir, passes.get(i));
                FioJsonImport.Sweep s = sweeps.get(i);
                if (s.latency() != null) {
                    log(RunFolder.latencyLog(runDir, s.row(), s.path()), logs, streams, s,
                            "fio's per-call completion latency (clat_ns, json+)").outputIntervalHistogram(s.latency());
                }
                if (s.syncLatency() != null) {
                    log(RunFolder.syncLatencyLog(runDir, s.row(), s.path()), logs, streams, s,
                            "fio's fsync/fdatasync latency (sync.lat_ns, json+)").outputIntervalHistogram(s.syncLatency());
                }
            }
        } finally {
            for (PrintStream p : streams.values()) {
                p.close();
            }
        }
        for (PrintStream p : streams.values()) {
            if (p.checkError()) {
                throw new IOException("writing a latency log under " + runDir.resolve(org.foliobench.layout.RunLayout.LATENCY_DIR) + " failed");
            }
        }
        return passes;
    }

    /** The open log {@code f}, opened for appending (its header written when new) the first time. */
    private static HistogramLogWriter log(Path f, Map<Path, HistogramLogWriter> logs, Map<Path, PrintStream> streams,
                                          FioJsonImport.Sweep s, String what) throws IOException {
        HistogramLogWriter w = logs.get(f);
        if (w != null) {
            return w;
        }
        Files.createDirectories(f.getParent());
        boolean fresh = !Files.exists(f) || Files.size(f) == 0;
        PrintStream ps = new PrintStream(new FileOutputStream(f.toFile(), true), false, "US-ASCII");
        streams.put(f, ps);
        w = new HistogramLogWriter(ps);
        if (fresh) {
            w.outputLogFormatVersion();
            w.outputComment("foliobench " + s.path().param() + " " + s.row().key() + ": " + what + ", one interval per fio run, ns");
            w.outputLegend();
        }
        logs.put(f, w);
        return w;
    }
}
