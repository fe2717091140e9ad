package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The full engine counter delta of every measured pass of one benchmark. A fork appends one JSON
 * object per pass to {@code counters/<name>.jsonl}; when the benchmark is over the runner folds the
 * lines into {@code counters/<name>.json} ({@link #finish}):
 * <pre>{@code
 * {"benchmark": "iomap-write-ramdisk-y-n-y-4k", "row": "write/ramdisk/Y/N/Y/4K", "path": "iomap",
 *  "iterations": [
 *   {"fork": 12345, "iteration": 1, "ops": 524288, "bytes": 2147483648, "nanos": 1463000000,
 *    "latencySamplePeriod": 1, "violations": [], "counters": {"bio.submitted": 1024, ...}}, ...]}
 * }</pre>
 */
final class CounterLog {
    private final Path part;
    private final long pid = ProcessHandle.current().pid();
    private int iteration;

    CounterLog(Path runDir, String name) throws IOException {
        this.part = partFile(runDir, name);
        Files.createDirectories(part.getParent());
    }

    static Path partFile(Path runDir, String name) {
        return runDir.resolve("counters").resolve(name + ".jsonl");
    }

    static Path file(Path runDir, String name) {
        return runDir.resolve("counters").resolve(name + ".json");
    }

    void append(long ops, long bytes, long nanos, int latencySamplePeriod, List<String> violations, Map<String, Long> delta)
            throws IOException {
        iteration++;
        String line = "{\"fork\":" + pid + ",\"iteration\":" + iteration + ",\"ops\":" + ops + ",\"bytes\":" + bytes
                + ",\"nanos\":" + nanos + ",\"latencySamplePeriod\":" + latencySamplePeriod + ",\"violations\":" + Json.stringArray(violations) + ",\"counters\":"
                + Json.longObject(delta) + "}\n";
        Files.writeString(part, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Folds the forks' lines into {@code counters/<name>.json} and removes the part file. Returns the
     * violations reported by the measured passes.
     */
    static List<String> finish(Path runDir, String name, String row, String path) throws IOException {
        Path part = partFile(runDir, name);
        List<String> lines = Files.exists(part) ? Files.readAllLines(part, StandardCharsets.UTF_8) : List.of();
        List<String> violations = new ArrayList<>();
        StringBuilder b = new StringBuilder("{\"benchmark\": ").append(Json.quote(name)).append(", \"row\": ")
                .append(Json.quote(row)).append(", \"path\": ").append(Json.quote(path)).append(",\n \"iterations\": [");
        String sep = "\n  ";
        for (String l : lines) {
            if (l.isBlank()) {
                continue;
            }
            b.append(sep).append(l);
            sep = ",\n  ";
            int v = l.indexOf("\"violations\":[");
            if (v >= 0 && l.charAt(v + 14) != ']') {
                int end = l.indexOf("],\"counters\"", v);
                violations.add(l.substring(v + 14, end));
            }
        }
        b.append("]}\n");
        Files.createDirectories(part.getParent());
        Files.writeString(file(runDir, name), b.toString(), StandardCharsets.UTF_8);
        Files.deleteIfExists(part);
        return violations;
    }

}
