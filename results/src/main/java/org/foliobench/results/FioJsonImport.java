package org.foliobench.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.foliobench.layout.RowKey;

/**
 * Real fio's JSON output (fio 3.x, {@code --output-format=json} or {@code json+}) read as the pass
 * log's passes, so a run of the machine's kernel reads, reports and compares like a model run.
 *
 * <p>One fio run of a job that did IO is a {@link Sweep}: its row is the job's name (the jobs
 * {@code foliobench export-fio} writes are named after their row, {@code [read/hole/4K]}), its
 * column the filesystem it ran on (which fio does not record: the caller says), its calls, bytes and
 * time fio's own ({@code total_ios}, {@code io_bytes}, {@code runtime} in whole milliseconds, so the
 * IOPS are fio's), its latency fio's {@code clat_ns} histogram when the output is {@code json+}
 * (plain {@code json} carries percentiles only: no latency columns then), and for a job with
 * {@code fsync=N} or {@code fdatasync=N} fio's own {@code sync.lat_ns} histogram, the syncs timed
 * apart from the writes as fio reports them (never folded into the write latency).
 *
 * <p>{@link #passes} makes each sweep one pass and finds the paired schedule in the sweeps' order:
 * four passes {@code X Y Y X} of the two filesystems form an ABBA block, as the model's forks run
 * them; each block is a fork of its own, even when it starts with the base (ext4), odd otherwise, so
 * the paired estimator ({@link Paired}) reads a kernel run exactly as a model run.
 */
public final class FioJsonImport {
    private FioJsonImport() {
    }

    /**
     * One job of one fio run that did IO on one filesystem.
     *
     * @param row        the job's row (its name)
     * @param path       the filesystem it ran on
     * @param source     where it came from (file name and job), for messages
     * @param endMillis  when fio finished ({@code timestamp_ms}), the order of sweeps
     * @param ops        {@code total_ios}
     * @param bytes      {@code io_bytes}
     * @param runtimeMillis fio's {@code runtime} of the job's direction
     * @param latency    per-call completion latency in ns from the json+ {@code clat_ns.bins}, or null
     * @param syncLatency per-fsync/fdatasync latency in ns from the json+ {@code sync.lat_ns.bins} of a job
     *                   with {@code fsync=N} or {@code fdatasync=N}, or null (no syncs, or plain json)
     * @param counters   what the runner measured beside fio (device statistics), by name; may be empty
     * @param violations what contradicts the row's meaning, as found by the runner; may be empty
     */
    public record Sweep(RowKey row, PathLabel path, String source, long endMillis, long ops, long bytes,
                        long runtimeMillis, Histogram latency, Histogram syncLatency, Map<String, Long> counters,
                        List<String> violations) {
        public Sweep {
            counters = Map.copyOf(counters);
            violations = List.copyOf(violations);
        }

        /** The same sweep with the runner's device counters and the violations they show. */
        public Sweep with(Map<String, Long> counters, List<String> violations) {
            return new Sweep(row, path, source, endMillis, ops, bytes, runtimeMillis, latency, syncLatency, counters, violations);
        }
    }

    /** What one fio JSON file held: its sweeps, fio's version, and what was left out and why. */
    public record FioRun(String fioVersion, List<Sweep> sweeps, List<String> skipped) {
    }

    /** fio prints NaN and infinity as bare words, which JSON does not allow. */
    private static final Pattern NON_FINITE = Pattern.compile("(:\\s*)-?(nan|inf|infinity)\\b", Pattern.CASE_INSENSITIVE);

    /**
     * Reads one fio JSON document ({@code source} names it in messages) of jobs that ran on
     * {@code path}. Jobs without IO (fio's {@code create_only} setup jobs) are left out silently;
     * jobs with IO that are not a table row, failed, or mixed reads and writes are left out and
     * listed in {@link FioRun#skipped()}. Throws {@link IllegalArgumentException} naming the source
     * when the text is not fio's JSON.
     */
    public static FioRun read(String text, String source, PathLabel path) {
        if (!path.kernel()) {
            throw new IllegalArgumentException("fio runs are a kernel's: ext4 or xfs, not " + path.param());
        }
        int start = text.indexOf('{');
        if (start < 0) {
            throw new IllegalArgumentException(source + ": no JSON object (run fio with --output-format=json+ --output=FILE)");
        }
        Object root;
        try {
            root = Json.parse(NON_FINITE.matcher(text.substring(start)).replaceAll("$1null"));
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException(source + ": not fio's JSON output: " + e.getMessage(), e);
        }
        Map<String, Object> top = JmhResult.obj(root, source);
        Object version = top.get("fio version");
        Object jobs = top.get("jobs");
        if (!(version instanceof String) || !(jobs instanceof List)) {
            throw new IllegalArgumentException(source + ": not fio's JSON output (no \"fio version\" and \"jobs\")");
        }
        long end = top.get("timestamp_ms") instanceof Number ? ((Number) top.get("timestamp_ms")).longValue()
                : (long) JmhResult.num(top.get("timestamp"), source + ": timestamp") * 1000;
        List<Sweep> sweeps = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Object o : (List<?>) jobs) {
            Map<String, Object> job = JmhResult.obj(o, source + ": job");
            String name = JmhResult.str(job, "jobname");
            String where = source + " [" + name + "]";
            Map<String, Object> read = dir(job, "read", where);
            Map<String, Object> write = dir(job, "write", where);
            long readIos = n(read, "total_ios", where);
            long writeIos = n(write, "total_ios", where);
            if (readIos == 0 && writeIos == 0) {
                continue;
            }
            Object error = job.get("error");
            if (error instanceof Number && ((Number) error).longValue() != 0) {
                skipped.add(where + ": fio reported error " + error);
                continue;
            }
            if (readIos != 0 && writeIos != 0) {
                skipped.add(where + ": reads and writes in one job; table rows are one direction");
                continue;
            }
            RowKey row;
            try {
                row = RowKey.parse(name);
            } catch (IllegalArgumentException e) {
                skipped.add(where + ": not a table row (name jobs after their row, e.g. [read/hole/4K], as foliobench"
                        + " export-fio does)");
                continue;
            }
            Map<String, Object> d = readIos != 0 ? read : write;
            if (row.isRead() != (readIos != 0)) {
                skipped.add(where + ": a " + row.table() + " row that " + (readIos != 0 ? "read" : "wrote"));
                continue;
            }
            long runtime = n(d, "runtime", where);
            if (runtime <= 0) {
                skipped.add(where + ": no runtime");
                continue;
            }
            sweeps.add(new Sweep(row, path, where, end, n(d, "total_ios", where), n(d, "io_bytes", where), runtime,
                    histogram(d.get("clat_ns"), where + ": clat_ns"), histogram(syncLat(job), where + ": sync.lat_ns"),
                    Map.of(), List.of()));
        }
        return new FioRun((String) version, sweeps, skipped);
    }

    private static Map<String, Object> dir(Map<String, Object> job, String key, String where) {
        Object d = job.get(key);
        return d == null ? Map.of() : JmhResult.obj(d, where + ": " + key);
    }

    private static long n(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        return v == null ? 0 : (long) JmhResult.num(v, where + ": " + key);
    }

    /** The job's {@code sync.lat_ns} (fio's fsync/fdatasync latency), or null when fio wrote none. */
    private static Object syncLat(Map<String, Object> job) {
        Object sync = job.get("sync");
        return sync instanceof Map ? ((Map<?, ?>) sync).get("lat_ns") : null;
    }

    /**
     * A json+ latency object's {@code bins} (latency in ns -> calls: {@code clat_ns}, {@code sync.lat_ns})
     * as a histogram; null in plain json and where nothing was timed ({@code sync} of a job without syncs).
     */
    private static Histogram histogram(Object lat, String where) {
        if (!(lat instanceof Map)) {
            return null;
        }
        Object bins = ((Map<?, ?>) lat).get("bins");
        if (!(bins instanceof Map) || ((Map<?, ?>) bins).isEmpty()) {
            return null;
        }
        Histogram h = new Histogram(3);
        for (Map.Entry<?, ?> e : ((Map<?, ?>) bins).entrySet()) {
            long ns;
            try {
                ns = Long.parseLong((String) e.getKey());
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException(where + " bin \"" + e.getKey() + "\" is not a latency in ns", x);
            }
            h.recordValueWithCount(Math.max(1, ns), (long) JmhResult.num(e.getValue(), where + " bin"));
        }
        return h;
    }

    /**
     * One pass per sweep, in the order given (the order they ran; {@code sweeps} are one row's):
     * four consecutive sweeps {@code X Y Y X} of the two filesystems are an ABBA block, a fork of its
     * own, even when X is the base (ext4), odd otherwise; any other sweep is a fork of its own with a
     * single pass, which counts toward its filesystem's IOPS and not toward the paired speedup.
     * Returns the passes in the same order as the sweeps.
     */
    public static List<PassLog.Pass> passes(List<Sweep> sweeps) {
        List<PassLog.Pass> out = new ArrayList<>(sweeps.size());
        if (sweeps.isEmpty()) {
            return out;
        }
        long first = sweeps.get(0).endMillis();
        int[] next = {0, 1};
        int i = 0;
        while (i < sweeps.size()) {
            if (i + 4 <= sweeps.size() && abba(sweeps.subList(i, i + 4))) {
                int side = sweeps.get(i).path().side();
                int fork = next[side];
                next[side] += 2;
                for (int slot = 0; slot < 4; slot++) {
                    out.add(pass(sweeps.get(i + slot), fork, slot, first));
                }
                i += 4;
            } else {
                int fork = next[0];
                next[0] += 2;
                out.add(pass(sweeps.get(i), fork, 0, first));
                i++;
            }
        }
        return out;
    }

    private static boolean abba(List<Sweep> s) {
        PathLabel x = s.get(0).path();
        PathLabel y = s.get(1).path();
        return x != y && x.pair().equals(y.pair()) && s.get(2).path() == y && s.get(3).path() == x;
    }

    private static PassLog.Pass pass(Sweep s, int fork, int slot, long first) {
        return new PassLog.Pass(s.row().key(), fork, 0, s.endMillis() - first, false, 0, slot, s.path().param(), 1, s.ops(),
                s.bytes(), s.runtimeMillis() * 1_000_000, 0, 0, 0, 0, 0, 1, s.violations(), Map.of(), s.counters());
    }
}
