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
import org.foliobench.results.PathLabel;
import org.foliobench.results.RowKey;
import org.foliobench.results.RunFolder;

/**
 * Real fio runs written into a run folder as the model's runs are: one row's sweeps become its pass
 * log ({@link FioJsonImport#passes}: each sweep a pass, ABBA blocks as forks) and, where fio gave
 * its json+ latency histogram, one interval per pass in {@code latency/<fs>-<row>.hlog}. Used by
 * {@code kernel} as each row finishes and by {@code import-fio}.
 */
final class FioPassLog {
    private FioPassLog() {
    }

    /** Appends one row's sweeps (in the order they ran); returns the passes written. */
    static List<PassLog.Pass> appendRow(Path runDir, List<FioJsonImport.Sweep> sweeps) throws IOException {
        List<PassLog.Pass> passes = FioJsonImport.passes(sweeps);
        Map<PathLabel, HistogramLogWriter> logs = new LinkedHashMap<>();
        Map<PathLabel, PrintStream> streams = new LinkedHashMap<>();
        try {
            for (int i = 0; i < passes.size(); i++) {
                PassLog.append(runDir, passes.get(i));
                FioJsonImport.Sweep s = sweeps.get(i);
                if (s.latency() == null) {
                    continue;
                }
                HistogramLogWriter w = logs.get(s.path());
                if (w == null) {
                    w = open(runDir, s.row(), s.path(), streams);
                    logs.put(s.path(), w);
                }
                w.outputIntervalHistogram(s.latency());
            }
        } finally {
            for (PrintStream p : streams.values()) {
                p.close();
            }
        }
        for (PrintStream p : streams.values()) {
            if (p.checkError()) {
                throw new IOException("writing a latency log under " + runDir.resolve(RunFolder.LATENCY_DIR) + " failed");
            }
        }
        return passes;
    }

    private static HistogramLogWriter open(Path runDir, RowKey row, PathLabel path, Map<PathLabel, PrintStream> streams)
            throws IOException {
        Path f = RunFolder.latencyLog(runDir, row, path);
        Files.createDirectories(f.getParent());
        boolean fresh = !Files.exists(f) || Files.size(f) == 0;
        PrintStream ps = new PrintStream(new FileOutputStream(f.toFile(), true), false, "US-ASCII");
        streams.put(path, ps);
        HistogramLogWriter w = new HistogramLogWriter(ps);
        if (fresh) {
            w.outputLogFormatVersion();
            w.outputComment("foliobench " + path.param() + " " + row.key() + ": fio's per-call completion latency (clat_ns, json+),"
                    + " one interval per fio run, ns");
            w.outputLegend();
        }
        return w;
    }
}
