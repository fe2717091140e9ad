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
 * {@link SingleWriterRecorder} of the thread making it (one per job clone; no lock, no allocation
 * per call: the range is fixed, up to {@link #HIGHEST_NANOS}, so a slow call never resizes the counts
 * inside a timed sweep), and every measured pass becomes one interval of {@code latency/<name>.hlog},
 * all clones' calls together
 * ({@link HistogramLogWriter} format, values in nanoseconds, absolute timestamps). Warmup passes are
 * not written. Successive forks of a benchmark append to the same log; the header is written once.
 */
final class LatencyLog implements AutoCloseable {
    /** Three significant digits. */
    static final int SIGNIFICANT_DIGITS = 3;
    /** The longest latency recorded as itself: a minute; a longer call counts as a minute. */
    static final long HIGHEST_NANOS = 60_000_000_000L;

    private final SingleWriterRecorder[] recorders;
    private final Histogram[] recycle;
    private final Path file;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private Histogram last;

    private LatencyLog(Path file, PrintStream out, int writers) {
        this.file = file;
        this.out = out;
        this.writer = out == null ? null : new HistogramLogWriter(out);
        recorders = new SingleWriterRecorder[writers];
        recycle = new Histogram[writers];
        for (int i = 0; i < writers; i++) {
            recorders[i] = new SingleWriterRecorder(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS);
        }
    }

    /** The log file of benchmark {@code name} under the run folder {@code runDir}. */
    static Path file(Path runDir, String name) {
        return runDir.resolve("latency").resolve(name + ".hlog");
    }

    /** The log of {@code name} with {@code writers} recording threads. */
    static LatencyLog open(Path runDir, String name, int writers) throws IOException {
        Path f = file(runDir, name);
        Files.createDirectories(f.getParent());
        boolean fresh = !Files.exists(f) || Files.size(f) == 0;
        PrintStream ps = new PrintStream(new FileOutputStream(f.toFile(), true), false, "US-ASCII");
        LatencyLog l = new LatencyLog(f, ps, writers);
        if (fresh) {
            l.writer.outputLogFormatVersion();
            l.writer.outputComment("foliobench " + name + ": per-call psync latency, one interval per measured pass, ns");
            l.writer.outputLegend();
        }
        ps.flush();
        return l;
    }

    /** Records without a file (no run folder): the last interval stays readable. */
    static LatencyLog inMemory(int writers) {
        return new LatencyLog(null, null, writers);
    }

    /** Starts a pass: whatever was recorded before is discarded. */
    void startInterval() {
        for (int i = 0; i < recorders.length; i++) {
            recycle[i] = recorders[i].getIntervalHistogram(recycle[i]);
        }
    }

    /** A call of {@code writer} (the clone's index; each writer is one thread) took {@code nanos}. */
    void record(int writer, long nanos) {
        recorders[writer].recordValue(Math.min(nanos, HIGHEST_NANOS));
    }

    /** Ends a pass; a measured one is written as one interval. */
    void endInterval(boolean measured) {
        if (last == null) {
            last = new Histogram(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS);
        }
        Histogram h = last;
        h.reset();
        for (int i = 0; i < recorders.length; i++) {
            recycle[i] = recorders[i].getIntervalHistogram(recycle[i]);
            h.add(recycle[i]);
            h.setStartTimeStamp(i == 0 ? recycle[i].getStartTimeStamp() : Math.min(h.getStartTimeStamp(), recycle[i].getStartTimeStamp()));
            h.setEndTimeStamp(Math.max(h.getEndTimeStamp(), recycle[i].getEndTimeStamp()));
        }
        if (measured && writer != null) {
            writer.outputIntervalHistogram(h);
            out.flush();
            if (out.checkError()) {
                throw new UncheckedIOException(new IOException("cannot write " + file + " (a full disk?)"));
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
