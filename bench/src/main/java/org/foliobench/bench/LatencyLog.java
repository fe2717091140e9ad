package org.foliobench.bench;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Per-call latency of one benchmark: every call's nanoseconds go into an HdrHistogram
 * {@link SingleWriterRecorder} (the benchmark thread is the only writer; no lock, no allocation per
 * call: the range is fixed, up to {@link #HIGHEST_NANOS}, so a slow call never resizes the counts
 * inside a timed sweep), and every measured pass becomes one interval of {@code latency/<name>.hlog}
 * ({@link HistogramLogWriter} format, values in nanoseconds, absolute timestamps). Warmup passes are
 * not written. Successive forks of a benchmark append to the same log; the header is written once.
 */
final class LatencyLog implements AutoCloseable {
    /** Three significant digits. */
    static final int SIGNIFICANT_DIGITS = 3;
    /** The longest latency recorded as itself: a minute; a longer call counts as a minute. */
    static final long HIGHEST_NANOS = 60_000_000_000L;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS);
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private Histogram recycle;
    private Histogram last;

    private LatencyLog(PrintStream out) {
        this.out = out;
        this.writer = out == null ? null : new HistogramLogWriter(out);
    }

    /** The log file of benchmark {@code name} under the run folder {@code runDir}. */
    static Path file(Path runDir, String name) {
        return runDir.resolve("latency").resolve(name + ".hlog");
    }

    static LatencyLog open(Path runDir, String name) throws IOException {
        Path f = file(runDir, name);
        Files.createDirectories(f.getParent());
        boolean fresh = !Files.exists(f) || Files.size(f) == 0;
        PrintStream ps = new PrintStream(new FileOutputStream(f.toFile(), true), false, "US-ASCII");
        LatencyLog l = new LatencyLog(ps);
        if (fresh) {
            l.writer.outputLogFormatVersion();
            l.writer.outputComment("foliobench " + name + ": per-call psync latency, one interval per measured pass, ns");
            l.writer.outputLegend();
        }
        ps.flush();
        return l;
    }

    /** Records without a file (no run folder): the last interval stays readable. */
    static LatencyLog inMemory() {
        return new LatencyLog(null);
    }

    /** Starts a pass: whatever was recorded before is discarded. */
    void startInterval() {
        recycle = recorder.getIntervalHistogram(recycle);
    }

    void record(long nanos) {
        recorder.recordValue(Math.min(nanos, HIGHEST_NANOS));
    }

    /** Ends a pass; a measured one is written as one interval. */
    void endInterval(boolean measured) {
        Histogram h = recorder.getIntervalHistogram(recycle);
        if (last == null) {
            last = h.copy();
        } else {
            h.copyInto(last);
        }
        recycle = h;
        if (measured && writer != null) {
            writer.outputIntervalHistogram(h);
            out.flush();
            if (out.checkError()) {
                throw new UncheckedIOException(new IOException("writing the latency log failed"));
            }
        }
    }

    /** A comment line in the log (e.g. how calls are sampled). */
    void comment(String text) {
        if (writer != null) {
            writer.outputComment(text);
            out.flush();
        }
    }

    /** The last pass's histogram (null before the first pass ended). */
    Histogram last() {
        return last;
    }

    @Override
    public void close() {
        if (out != null) {
            out.close();
        }
    }
}
