package org.foliobench.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.foliobench.layout.RunLayout;

/**
 * The pass log of a run folder, {@code passes/<rowfile>.jsonl}: one JSON object per line, one line
 * per pass of a paired fork (both paths of a row run in one JVM, their passes interleaved in ABBA
 * blocks). It is the measurement's record of truth: the tables, intervals and {@code compare} are
 * computed from it ({@link Paired}); {@code jmh.json} keeps JMH's own view of the same forks.
 *
 * <p>The bench writes it ({@link #append}) and the results read it ({@link #read}); this class is
 * the one declaration of its layout:
 * <pre>{@code
 * {"row": "write/cache/N/N/N/64K", "fork": 2, "pid": 4711, "uptimeMillis": 5120, "warmup": false, "block": 0, "slot": 1,
 *  "path": "iomap", "sweeps": 3, "ops": 1536, "bytes": 100663296, "nanos": 10442000,
 *  "gcCount": 0, "gcMillis": 0, "jitMillis": 0, "stealMillis": 0, "allocBytes": 12288,
 *  "latencySamplePeriod": 1, "violations": [], "params": {"maxFolioOrder": "9", ...},
 *  "counters": {"bio.submitted": 0, ...}}
 * }</pre>
 * A pass is {@code sweeps} fio runs over the file by one path (each prepared as the row says,
 * outside the timed {@code nanos}); {@code allocBytes} is what every JVM thread allocated during
 * the timed sweeps, {@code gc*}, {@code jitMillis} and {@code stealMillis} what disturbed them;
 * {@code uptimeMillis} is the fork JVM's uptime when the pass ended (where the time of a fork went).
 */
public final class PassLog {
    /** The folder of the pass logs in a run folder. */

    private PassLog() {
    }

    /**
     * One pass. {@code block} and {@code slot} place it in its fork's schedule: slot 0..3 of an ABBA
     * block (warmup passes are numbered the same way in their own sequence).
     */
    public record Pass(String row, int fork, long pid, long uptimeMillis, boolean warmup, int block, int slot, String path, int sweeps,
                       long ops, long bytes, long nanos, long gcCount, long gcMillis, long jitMillis, long stealMillis,
                       long allocBytes, int latencySamplePeriod, List<String> violations, Map<String, String> params,
                       Map<String, Long> counters) {

        public Pass {
            violations = List.copyOf(violations);
            params = Map.copyOf(params);
            counters = Map.copyOf(counters);
        }

        /** Calls per second over the timed sweeps. */
        public double iops() {
            return ops * 1e9 / nanos;
        }

        /** Bytes allocated per call (all threads, timed sweeps only). */
        public double allocPerCall() {
            return ops == 0 ? 0 : (double) allocBytes / ops;
        }

        /**
         * Something other than the path ran during the timed sweeps: a garbage collection, JIT
         * compilation or CPU steal worth more than {@value #DISTURBED_PCT}% of the pass.
         */
        public boolean disturbed() {
            double limitMillis = nanos / 1e6 * DISTURBED_PCT / 100;
            return gcCount > 0 || jitMillis > limitMillis || stealMillis > limitMillis;
        }

        /** This pass as one line of the log (no newline). */
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", row);
            m.put("fork", fork);
            m.put("pid", pid);
            m.put("uptimeMillis", uptimeMillis);
            m.put("warmup", warmup);
            m.put("block", block);
            m.put("slot", slot);
            m.put("path", path);
            m.put("sweeps", sweeps);
            m.put("ops", ops);
            m.put("bytes", bytes);
            m.put("nanos", nanos);
            m.put("gcCount", gcCount);
            m.put("gcMillis", gcMillis);
            m.put("jitMillis", jitMillis);
            m.put("stealMillis", stealMillis);
            m.put("allocBytes", allocBytes);
            m.put("latencySamplePeriod", latencySamplePeriod);
            m.put("violations", violations);
            m.put("params", new TreeMap<>(params));
            m.put("counters", new TreeMap<>(counters));
            return Json.writeCompact(m);
        }

        static Pass of(Object o, String where) {
            Map<String, Object> m = JmhResult.obj(o, where);
            Map<String, String> params = new TreeMap<>();
            JmhResult.obj(m.get("params"), where + ": params").forEach((k, v) -> params.put(k, String.valueOf(v)));
            Map<String, Long> counters = new TreeMap<>();
            JmhResult.obj(m.get("counters"), where + ": counters").forEach((k, v) -> counters.put(k, (long) JmhResult.num(v, where + ": counters." + k)));
            List<String> violations = new ArrayList<>();
            Object v = m.get("violations");
            if (v instanceof List) {
                for (Object x : (List<?>) v) {
                    violations.add(String.valueOf(x));
                }
            }
            return new Pass(JmhResult.str(m, "row"), (int) n(m, "fork", where), n(m, "pid", where), n(m, "uptimeMillis", where),
                    Boolean.TRUE.equals(m.get("warmup")), (int) n(m, "block", where), (int) n(m, "slot", where),
                    JmhResult.str(m, "path"), (int) n(m, "sweeps", where), n(m, "ops", where), n(m, "bytes", where),
                    n(m, "nanos", where), n(m, "gcCount", where), n(m, "gcMillis", where), n(m, "jitMillis", where),
                    n(m, "stealMillis", where), n(m, "allocBytes", where), (int) n(m, "latencySamplePeriod", where),
                    violations, params, counters);
        }

        private static long n(Map<String, Object> m, String k, String where) {
            return (long) JmhResult.num(m.get(k), where + ": " + k);
        }
    }

    /** A pass is flagged as disturbed when GC ran, or JIT or steal took more than this share of it. */
    public static final int DISTURBED_PCT = 2;

    /** {@code passes/<rowfile>.jsonl} of a row in a run folder ({@link RunLayout#passLog}). */
    public static Path file(Path runDir, String row) {
        return RunLayout.passLog(runDir, row);
    }

    /**
     * Appends one pass (forks of a row append to the same file, one after the other). A failed append
     * (a full disk) takes back what it wrote, so the log never ends in half a line or stays empty, and
     * names the file.
     */
    public static void append(Path runDir, Pass p) throws IOException {
        Path f = file(runDir, p.row());
        Files.createDirectories(f.getParent());
        boolean existed = Files.exists(f);
        long before = existed ? Files.size(f) : 0;
        try {
            Files.writeString(f, p.toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            try {
                if (existed) {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.truncate(before);
                    }
                } else {
                    Files.deleteIfExists(f);
                }
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw new IOException("cannot append to " + f + ": " + AtomicWrite.reason(e));
        }
    }

    /** Every pass of one log file, in the order written. */
    public static List<Pass> read(Path file) throws IOException {
        List<Pass> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(Pass.of(Json.parse(line), file.getFileName() + ":" + n));
            } catch (Json.ParseException e) {
                // a fork killed mid-write leaves a torn last line: everything before it stands
                throw new IllegalArgumentException(file + ":" + n + ": not a pass (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /**
     * Follows one pass log while a fork appends to it: each {@link #readNew} parses only the complete
     * lines written since the last call, so a watcher polling a growing log costs what the new passes
     * cost, not the whole file again (the fork being measured shares the CPUs with it).
     */
    public static final class Tail {
        private final Path file;
        private long offset;
        private int line;

        public Tail(Path file) {
            this.file = file;
        }

        /** The passes appended since the last call (none while the file does not exist yet). */
        public List<Pass> readNew() throws IOException {
            if (!Files.exists(file) || Files.size(file) <= offset) {
                return List.of();
            }
            byte[] bytes;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, ch.size() - offset));
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // until the buffer is full or the end of the file
                }
                bytes = java.util.Arrays.copyOf(buf.array(), buf.position());
            }
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--; // a line still being written: next time
            }
            List<Pass> out = new ArrayList<>();
            for (String l : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                line++;
                if (!l.isBlank()) {
                    try {
                        out.add(Pass.of(Json.parse(l), file.getFileName() + ":" + line));
                    } catch (Json.ParseException e) {
                        throw new IllegalArgumentException(file + ":" + line + ": not a pass (" + e.getMessage() + ")", e);
                    }
                }
            }
            offset += end;
            return out;
        }
    }

    /** Every pass log of a run folder, by row as written in the log; empty when the run has none. */
    public static Map<String, List<Pass>> readAll(Path runDir) throws IOException {
        Map<String, List<Pass>> out = new TreeMap<>();
        Path d = runDir.resolve(RunLayout.PASSES_DIR);
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*" + RunLayout.PASSES_SUFFIX)) {
            for (Path f : ds) {
                for (Pass p : read(f)) {
                    out.computeIfAbsent(p.row(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        return out;
    }
}
