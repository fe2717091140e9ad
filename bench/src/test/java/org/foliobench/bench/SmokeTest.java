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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the real runner and JMH ({@code --jmh "-f 0"}: in this JVM), with tiny sizes.
 */
@Tag("slow") // a long suite: ./mvnw verify runs it, -Pfast leaves it out (see the README)
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
                + "[smoke-write]\nrw=write\nbs=64k\nsize=4m\nfallocate=none\nend_fsync=1\n"
                + "[smoke-read]\nstonewall\nrw=read\nbs=64k\nsize=4m\nfallocate=none\n");
        int code = cli("run", job.toString(), "--forks", "2", "--max-forks", "2", "--pass-ms", "20", "--jmh", "-f 0",
                "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[0].contains("smoke-write (bh): (groupid=0, jobs=1): err= 0"), out[0]);
        assertTrue(out[0].contains("  write: IOPS="), out[0]);
        assertTrue(out[0].contains("  read: IOPS="), out[0]);
        assertTrue(out[0].contains("clat percentiles"), out[0]);
        assertTrue(out[0].contains("Run status group"), out[0]);
        assertTrue(out[0].contains("end_fsync") && !(out[0] + out[1]).contains("VIOLATION"), "end_fsync writes back by design: " + out[0]);
        Path run = onlyRunFolder(tmp.resolve("runs"));
        assertFalse(Files.exists(run.resolve(org.foliobench.layout.RunLayout.INCOMPLETE)), "complete run");
        String jmh = Files.readString(run.resolve("jmh.json"));
        List<?> results = (List<?>) JsonCheck.parse(jmh);
        assertEquals(2, results.size(), "one JMH result per fork, both jobs in each");
        assertTrue(jmh.contains("\"mode\" : \"ss\""), jmh); // one invocation per iteration: the pass
        Map<String, String> meta = JsonCheck.flatValues(Files.readString(run.resolve("metadata.json")));
        assertEquals("complete", meta.get("status"));
        assertEquals("2", meta.get("forks.job:smoke-write"));
        assertEquals("ramdisk:size=128m", meta.get("device.job:smoke-write"), "the job's device, as given");
        assertFalse(meta.containsKey("device.nvme"), "no job runs on the nvme device");
        // 2 forks x 1 ABBA block: two measured passes per path, each one latency interval
        assertEquals(4, LatencyLogTest.read(LatencyLog.file(run, "iomap-job-smoke-write")).size());
        List<org.foliobench.results.PassLog.Pass> passes = org.foliobench.results.PassLog.read(
                org.foliobench.results.PassLog.file(run, "job:smoke-read"));
        List<org.foliobench.results.PassLog.Pass> measured = passes.stream().filter(p -> !p.warmup()).toList();
        assertEquals(8, measured.size());
        assertEquals(List.of("bh", "iomap", "iomap", "bh", "iomap", "bh", "bh", "iomap"),
                measured.stream().map(org.foliobench.results.PassLog.Pass::path).toList(), "ABBA, then BAAB in the odd fork");
        assertTrue(measured.stream().allMatch(p -> p.ops() > 0 && p.ops() % 64 == 0 && p.counters().containsKey("path.map_calls")));
    }

    /** numjobs=4, time_based, runtime=2s: four threads, each writing its own file, for two seconds per run. */
    @Test
    void timeBasedClonesRunTheirThreadsForTheRuntime() throws Exception {
        Path job = Files.writeString(tmp.resolve("tb.fio"), "[tb]\nrw=write\nbs=1m\nsize=4m\nfallocate=none\nfb_mem=256m\n"
                + "numjobs=4\ngroup_reporting\ntime_based\nruntime=2s\n");
        int code = cli("run", job.toString(), "--paths", "iomap", "--forks", "1", "--max-forks", "1", "--jmh", "-f 0",
                "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[0].contains("tb (iomap): (groupid=0, jobs=4): err= 0"), out[0]);
        assertTrue(out[0].contains("numjobs=4 (a file each), time_based, runtime=2000ms"), out[0]);
        Path run = onlyRunFolder(tmp.resolve("runs"));
        List<org.foliobench.results.PassLog.Pass> measured = org.foliobench.results.PassLog.read(
                org.foliobench.results.PassLog.file(run, "job:tb")).stream().filter(p -> !p.warmup()).toList();
        List<org.HdrHistogram.Histogram> latency = LatencyLogTest.read(LatencyLog.file(run, "iomap-job-tb"));
        assertEquals(4, measured.size());
        assertEquals(4, latency.size());
        for (int i = 0; i < measured.size(); i++) {
            org.foliobench.results.PassLog.Pass p = measured.get(i);
            assertEquals(1, p.sweeps(), "a pass is one 2 s run");
            assertTrue(p.nanos() >= 2_000_000_000L && p.nanos() < 2_500_000_000L, "ran " + p.nanos() + " ns");
            // every 1 MiB call is timed: four threads busy for 2 s spend about 8 s in calls together
            org.HdrHistogram.Histogram h = latency.get(i);
            double inCalls = h.getMean() * h.getTotalCount();
            assertTrue(inCalls > 3.0 * p.nanos(), "time in calls " + inCalls + " ns over a " + p.nanos() + " ns run");
            assertEquals(p.ops(), h.getTotalCount(), "every call of every clone timed");
        }
        assertTrue(out[0].contains("run=20"), out[0]);
    }

    /** Ctrl-C: the last line still names the folder, which stays INCOMPLETE, and metadata.json says interrupted. */
    @Test
    void anInterruptedRunSaysSoEverywhere() throws Exception {
        // a background job of a non-interactive shell (cmd &, nohup) starts with SIGINT ignored, and the
        // child JVM inherits that: it never sees the ^C this test sends
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(),
                "SIGINT is ignored in this process (started as a shell's background job?), so the child cannot be interrupted");
        Path job = Files.writeString(tmp.resolve("long.fio"), "[long]\nrw=write\nbs=64k\nsize=4m\nfallocate=none\nfb_mem=64m\n"
                + "time_based\nruntime=5s\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Foliobench.class.getName(),
                "run", job.toString(), "--paths", "iomap", "--forks", "1", "--max-forks", "1", "--jmh", "-f 0", "--out", "runs")
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder all = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null) {
            all.append(line).append('\n');
            if (line.startsWith("foliobench run ")) {
                Thread.sleep(3000); // inside the first 5 s run
                new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            }
        }
        assertEquals(130, p.waitFor(), all.toString());
        Path run = onlyRunFolder(tmp.resolve("runs"));
        List<String> lines = all.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("run folder: runs/" + run.getFileName() + " (INCOMPLETE: interrupted)", lines.get(lines.size() - 1), all.toString());
        assertTrue(Files.readString(run.resolve(org.foliobench.layout.RunLayout.INCOMPLETE)).contains("interrupted"));
        assertEquals("interrupted", JsonCheck.flatValues(Files.readString(run.resolve("metadata.json"))).get("status"));
    }

    /** Whether this process ignores SIGINT (bit 1 of {@code SigIgn} in /proc/self/status); false where that is unknown. */
    static boolean sigintIgnored() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("SigIgn:")) {
                return (new java.math.BigInteger(l.substring(7).trim(), 16).longValue() & (1L << 1)) != 0;
            }
        }
        return false;
    }

    @Test
    void tablesRunsASeedRow() throws Exception {
        // a run started within the same second as another finds its name taken: it reports the folder it used
        String host = RunFolder.host();
        java.time.LocalDateTime now = java.time.LocalDateTime.now();
        for (int s = 0; s < 120; s++) {
            Files.createDirectories(tmp.resolve("runs").resolve(RunFolder.name(now.plusSeconds(s), host)));
        }
        int code = cli("tables", "--rows", "read/hole/4K,write/cache/N/N/N/64K", "--paths", "iomap", "--size-divisor", "64",
                "--forks", "1", "--max-forks", "1", "--pass-ms", "20", "--jmh", "-f 0", "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[1].contains("[fork 1/1] [1/2] read/hole/4K"), "progress on stderr: " + out[1]);
        assertTrue(out[1].contains(" IOPS"), out[1]);
        assertFalse(out[0].contains("[fork"), "stdout carries results only: " + out[0]);
        assertTrue(out[0].contains("== buffer read =="), "the tables: " + out[0]);
        List<Path> used;
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            used = s.filter(p -> p.getFileName().toString().endsWith(host + "-2")).toList();
        }
        assertEquals(1, used.size(), used.toString());
        Path run = used.get(0);
        assertTrue(out[0].strip().endsWith("results: runs/" + run.getFileName()), out[0]);
        assertTrue(Files.exists(run.resolve("index.html")) && Files.exists(run.resolve("tables.md")), "the report is written");
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            assertTrue(s.filter(p -> !p.equals(run)).allMatch(p -> p.toFile().list().length == 0), "the other folders are untouched");
        }
        assertFalse(Files.exists(run.resolve(org.foliobench.layout.RunLayout.INCOMPLETE)));
        assertFalse(Files.readString(run.resolve("tables.md")).contains("INCOMPLETE"), "a complete run's report says so");
        Map<?, ?> meta = (Map<?, ?>) JsonCheck.parse(Files.readString(run.resolve("metadata.json")));
        java.time.OffsetDateTime.parse((String) meta.get(org.foliobench.layout.RunLayout.Meta.STARTED)); // ISO-8601 with the zone
        java.time.OffsetDateTime.parse((String) meta.get(org.foliobench.layout.RunLayout.Meta.FINISHED));
        assertEquals((long) Runtime.getRuntime().availableProcessors(), meta.get(org.foliobench.layout.RunLayout.Meta.CPU_CORES));
        assertEquals(org.foliobench.results.Build.commit(), meta.get(org.foliobench.layout.RunLayout.Meta.GIT_COMMIT));
        assertTrue(Files.exists(run.resolve("jobs/read-hole-4k.json")), "the job's fio options");
        assertTrue(Files.exists(run.resolve("fio-plot/read-hole/iomap/4k/read-1-1.json")));
        assertFalse(Files.readString(org.foliobench.results.PassLog.file(run, "write/cache/N/N/N/64K")).contains("written back during"),
                "a cache row sees no writeback");
    }

    @Test
    void aNumjobsSweepRunsEachRowPerThreadCountAndWritesTheScalingTable() throws Exception {
        int code = cli("tables", "--rows", "read/hole/64K", "--numjobs", "1,2", "--size-divisor", "64", "--forks", "1",
                "--max-forks", "1", "--pass-ms", "20", "--jmh", "-f 0", "--out", tmp.resolve("runs").toString());
        assertEquals(0, code, out[1]);
        assertTrue(out[1].matches("(?s).*\\[2/2\\] read/hole/64K@numjobs=2 +bh .*"), "progress per thread count: " + out[1]);
        assertTrue(out[1].contains("scaling.md"), "the report names the scaling table: " + out[1]);
        Path run = onlyRunFolder(tmp.resolve("runs"));
        assertFalse(Files.exists(run.resolve(org.foliobench.layout.RunLayout.INCOMPLETE)));
        List<org.foliobench.results.PassLog.Pass> two = org.foliobench.results.PassLog.read(
                org.foliobench.results.PassLog.file(run, "read/hole/64K@numjobs=2"));
        List<org.foliobench.results.PassLog.Pass> one = org.foliobench.results.PassLog.read(
                org.foliobench.results.PassLog.file(run, "read/hole/64K@numjobs=1"));
        org.foliobench.results.PassLog.Pass p2 = two.stream().filter(p -> !p.warmup()).findFirst().orElseThrow();
        org.foliobench.results.PassLog.Pass p1 = one.stream().filter(p -> !p.warmup()).findFirst().orElseThrow();
        assertEquals(2 * p1.ops() / p1.sweeps(), p2.ops() / p2.sweeps(), "a sweep counts the calls of both threads");
        assertEquals("2", JsonCheck.flatValues(Files.readString(run.resolve("jobs/read-hole-64k_numjobs_2.json"))).get("numjobs"));
        String scaling = Files.readString(run.resolve("scaling.md"));
        assertTrue(scaling.contains("| read/hole/64K |       2 |"), scaling);
        assertTrue(Files.exists(run.resolve("charts/scaling-read-hole-64k.png")));
        assertTrue(Files.readString(run.resolve("index.html")).contains("scaling.md"));
    }
}
