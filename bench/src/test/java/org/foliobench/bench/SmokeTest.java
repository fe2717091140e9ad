package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the real runner and JMH (forks 0: in this JVM), with tiny sizes. Skips, saying
 * why, while the IO paths are the placeholders that throw UnsupportedOperationException.
 */
class SmokeTest {
    @TempDir
    Path tmp;

    String[] out;

    int cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Foliobench.execute(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), tmp);
        out = new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        System.out.println(out[0]);
        System.err.println(out[1]);
        return code;
    }

    static Path onlyRunFolder(Path base) throws Exception {
        try (Stream<Path> s = Files.list(base)) {
            List<Path> l = s.toList();
            assertEquals(1, l.size(), l.toString());
            return l.get(0);
        }
    }

    @Test
    void runJobFilePrintsAnFioSummaryAndACompleteFolder() throws Exception {
        Path job = Files.writeString(tmp.resolve("smoke.fio"), "[global]\nfb_mem=64m\nfb_device=ramdisk:size=128m\n"
                + "[smoke-write]\nrw=write\nbs=64k\nsize=4m\nfallocate=none\n"
                + "[smoke-read]\nrw=read\nbs=64k\nsize=4m\nfallocate=none\n");
        int code = cli("run", job.toString(), "--forks", "0", "--warmup", "1", "--iterations", "2", "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[0].contains("smoke-write (bh): (groupid=0, jobs=1): err= 0"), out[0]);
        assertTrue(out[0].contains("  write: IOPS="), out[0]);
        assertTrue(out[0].contains("  read: IOPS="), out[0]);
        assertTrue(out[0].contains("clat percentiles"), out[0]);
        assertTrue(out[0].contains("Run status group"), out[0]);
        Path run = onlyRunFolder(tmp.resolve("runs"));
        assertFalse(Files.exists(run.resolve(RunFolder.INCOMPLETE)), "complete run");
        String jmh = Files.readString(run.resolve("jmh.json"));
        List<?> results = (List<?>) JsonCheck.parse(jmh);
        assertEquals(4, results.size());
        assertTrue(jmh.contains("\"mode\" : \"ss\""), jmh);
        assertTrue(jmh.contains("\"measurementBatchSize\" : 64"), jmh);
        assertTrue(jmh.contains("\"mapCalls\""), jmh);
        Map<String, String> meta = JsonCheck.flatStrings(Files.readString(run.resolve("metadata.json")));
        assertEquals("complete", meta.get("status"));
        assertEquals(2, LatencyLogTest.read(LatencyLog.file(run, "iomap-job-smoke-write")).size());
        assertTrue(Files.readString(CounterLog.file(run, "bh-job-smoke-read")).contains("\"iterations\""));
    }

    @Test
    void tablesRunsASeedRow() throws Exception {
        int code = cli("tables", "--rows", "read/hole/4K,write/cache/N/N/N/64K", "--paths", "iomap", "--size-divisor", "64",
                "--forks", "0", "--warmup", "0", "--iterations", "1", "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[0].contains("[1/2] read/hole/4K"), out[0]);
        assertTrue(out[0].contains(" IOPS "), out[0]);
        assertTrue(out[0].strip().endsWith(onlyRunFolder(tmp.resolve("runs")).toString().replace(tmp + "/", "")) || out[0].contains("run folder: "), out[0]);
        Path run = onlyRunFolder(tmp.resolve("runs"));
        assertFalse(Files.exists(run.resolve(RunFolder.INCOMPLETE)));
        assertFalse(Files.readString(CounterLog.file(run, "iomap-write-cache-n-n-n-64k")).contains("written back during"),
                "a cache row sees no writeback");
    }
}
