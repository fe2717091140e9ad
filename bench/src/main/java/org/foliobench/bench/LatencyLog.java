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
 *
 * <p>As fio reports them, the data call (pread/pwrite, fio's {@code clat}) and the fsync or fdatasync
 * after it ({@code fsync=N}, {@code fdatasync=N}: fio's {@code sync} latency) are timed apart: a job
 * that syncs has a second log, {@code latency/sync/<name>.hlog}, with the same intervals.
 */
final class LatencyLog implements AutoCloseable {
    /** Three significant digits. */
    static final int SIGNIFICANT_DIGITS = 3;
    /** The longest latency recorded as itself: a minute; a longer call counts as a minute. */
    static final long HIGHEST_NANOS = 60_000_000_000L;

    /** The data calls. */
    private final Log calls;
    /** The fsync/fdatasync calls, or null for a job that does not sync. */
    private final Log syncs;

    private LatencyLog(Log calls, Log syncs) {
        this.calls = calls;
        this.syncs = syncs;
    }

    /** The log file of benchmark {@code name} under the run folder {@code runDir}. */
    static Path file(Path runDir, String name) {
        return org.foliobench.layout.RunLayout.latencyLog(runDir, name);
    }

    /** The fsync/fdatasync log of benchmark {@code name} under the run folder {@code runDir}. */
    static Path syncFile(Path runDir, String name) {
        return org.foliobench.layout.RunLayout.syncLatencyLog(runDir, name);
    }

    /** The log of {@code name} with {@code writers} recording threads, and its sync log if the job {@code syncs}. */
    static LatencyLog open(Path runDir, String name, int writers, boolean syncs) throws IOException {
        Log c = Log.open(file(runDir, name), "foliobench " + name + ": per-call psync latency (pread/pwrite), one interval"
                + " per measured pass, ns", writers);
        try {
            return new LatencyLog(c, syncs ? Log.open(syncFile(runDir, name), "foliobench " + name
                    + ": fsync/fdatasync latency (fsync=N, fdatasync=N), one interval per measured pass, ns", writers) : null);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Records without a file (no run folder): the last interval stays readable. */
    static LatencyLog inMemory(int writers, boolean syncs) {
        return new LatencyLog(new Log(null, null, writers), syncs ? new Log(null, null, writers) : null);
    }

    /** Starts a pass: whatever was recorded before is discarded. */
    void startInterval() {
        calls.startInterval();
        if (syncs != null) {
            syncs.startInterval();
        }
    }

    /** A call of {@code writer} (the clone's index; each writer is one thread) took {@code nanos}. */
    void record(int writer, long nanos) {
        calls.recorders[writer].recordValue(Math.min(nanos, HIGHEST_NANOS));
    }

    /** The fsync or fdatasync after a timed call of {@code writer} took {@code nanos}. */
    void recordSync(int writer, long nanos) {
        syncs.recorders[writer].recordValue(Math.min(nanos, HIGHEST_NANOS));
    }

    /** Ends a pass; a measured one is written as one interval (in both logs). */
    void endInterval(boolean measured) {
        calls.endInterval(measured);
        if (syncs != null) {
            syncs.endInterval(measured);
        }
    }

    /** A comment line in the logs (e.g. how calls are sampled). */
    void comment(String text) {
        calls.comment(text);
        if (syncs != null) {
            syncs.comment(text);
        }
    }

    /** The last pass's histogram of data calls (null before the first pass ended). */
    Histogram last() {
        return calls.last;
    }

    /** The last pass's histogram of fsync/fdatasync calls (null before the first pass ended, or without syncs). */
    Histogram lastSync() {
        return syncs == null ? null : syncs.last;
    }

    @Override
    public void close() {
        calls.close();
        if (syncs != null) {
            syncs.close();
        }
    }

    /** One histogram log: a recorder per writer, merged into one interval per pass. */
    private static final class Log {
        final SingleWriterRecorder[] recorders;
        final Histogram[] recycle;
        final Path file;
        final PrintStream out;
        final HistogramLogWriter writer;
        Histogram last;

        Log(Path file, PrintStream out, int writers) {
            this.file = file;
            this.out = out;
            this.writer = out == null ? null : new HistogramLogWriter(out);
            recorders = new SingleWriterRecorder[writers];
            recycle = new Histogram[writers];
            for (int i = 0; i < writers; i++) {
                recorders[i] = new SingleWriterRecorder(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS);
            }
        }

        static Log open(Path f, String legend, int writers) throws IOException {
            Files.createDirectories(f.getParent());
            boolean fresh = !Files.exists(f) || Files.size(f) == 0;
            PrintStream ps = new PrintStream(new FileOutputStream(f.toFile(), true), false, "US-ASCII");
            Log l = new Log(f, ps, writers);
            if (fresh) {
                l.writer.outputLogFormatVersion();
                l.writer.outputComment(legend);
                l.writer.outputLegend();
            }
            ps.flush();
            return l;
        }

        void startInterval() {
            for (int i = 0; i < recorders.length; i++) {
                recycle[i] = recorders[i].getIntervalHistogram(recycle[i]);
            }
        }

        /** All writers' interval merged into {@link #last}, which is reused: nothing allocated once warm. */
        void endInterval(boolean measured) {
            if (last == null) {
                last = new Histogram(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS);
            }
            Histogram h = last;
            h.reset();
            for (int i = 0; i < recorders.length; i++) {
                recycle[i] = recorders[i].getIntervalHistogram(recycle[i]);
                h.add(recycle[i]);
                h.setStartTimeStamp(i == 0 ? recycle[i].getStartTimeStamp()
                        : Math.min(h.getStartTimeStamp(), recycle[i].getStartTimeStamp()));
                h.setEndTimeStamp(i == 0 ? recycle[i].getEndTimeStamp()
                        : Math.max(h.getEndTimeStamp(), recycle[i].getEndTimeStamp()));
            }
            if (measured && writer != null) {
                writer.outputIntervalHistogram(h);
                out.flush();
                if (out.checkError()) {
                    throw new UncheckedIOException(new IOException("cannot write " + file + " (a full disk?)"));
                }
            }
        }

        void comment(String text) {
            if (writer != null) {
                writer.outputComment(text);
                out.flush();
            }
        }

        void close() {
            if (out != null) {
                out.close();
            }
        }
    }
}
