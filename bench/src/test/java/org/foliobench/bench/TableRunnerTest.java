package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.foliobench.BhPartialWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

class TableRunnerTest {
    @TempDir
    Path tmp;

    static Plan.Bench bench(String row, String path, String nvme) throws Exception {
        Plan p = Plan.build(new Plan.Request(List.of(row), List.of(), List.of(path), Workload.Overrides.NONE, 1,
                Foliobench.SYNC_CAP_IOS, nvme, "no direct device"));
        return p.benches().get(0);
    }

    static TableRunner.Settings settings(CommandLineOptions jmh, String nvme) {
        return new TableRunner.Settings(3, 5, 2, 100, 500, 3000, 600, 10, true, jmh, null, nvme);
    }

    @Test
    void optionsCarryTheContractWithTheResultsModule() throws Exception {
        Plan.Bench b = bench("write/ramdisk/Y/N/Y/4K", "iomap", null);
        Plan.Bench b2 = bench("read/hole/4K", "iomap", null);
        Options o = TableRunner.options(List.of(b, b2), 3, settings(null, null), tmp);
        assertEquals(List.of(Mode.SingleShotTime), List.copyOf(o.getBenchModes()));
        assertEquals(1, o.getForkCount().get());
        assertEquals(1, o.getWarmupIterations().get()); // the harness iteration, no pass
        assertEquals(16, o.getMeasurementIterations().get()); // 2 rows x 2 ABBA blocks x 4 passes
        assertEquals(1, o.getMeasurementBatchSize().get()); // one invocation per iteration: the pass
        assertEquals(List.of("100"), List.copyOf(o.getParameter("passMs").get()));
        assertEquals(List.of("write/ramdisk/Y/N/Y/4K,read/hole/4K"), List.copyOf(o.getParameter("rows").get()));
        assertEquals(List.of("2"), List.copyOf(o.getParameter("blocks").get()));
        assertEquals(List.of("iomap"), List.copyOf(o.getParameter("paths").get()));
        assertEquals(List.of("3"), List.copyOf(o.getParameter("fork").get()));
        for (String p : List.of("maxFolioOrder", "readAheadKb", "dirtyRatio", "dirtyBackgroundRatio", "blockSize", "dioreadNolock",
                "bhPartialWalk", "memBytes", "sizeDivisors", "latency", "warmupMs", "warmupMaxMs", "rowWarmupMaxMs", "passMs")) {
            assertTrue(o.getParameter(p).hasValue(), p);
        }
        List<String> jvm = List.copyOf(o.getJvmArgsAppend().get());
        assertTrue(jvm.contains("-Xmx1g"), jvm.toString());
        assertTrue(jvm.containsAll(TableRunner.JIT), "C2 without receiver-type profiles: " + jvm);
        assertTrue(jvm.stream().anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")), jvm.toString());
        assertTrue(jvm.contains("-D" + Workload.OUT_PROPERTY + "=" + tmp.toAbsolutePath()), jvm.toString());
        assertTrue(o.getIncludes().get(0).contains("PsyncBench"));
        assertTrue(o.getOutput().get().endsWith("fork3-write-ramdisk-y-n-y-4k.log"), o.getOutput().get());
        long direct = Math.max(b.workload().directMemoryBytes(), b2.workload().directMemoryBytes());
        assertTrue(jvm.contains("-XX:MaxDirectMemorySize=" + (direct >> 20) + "m"), jvm.toString());
    }

    @Test
    void theBhPartialWalkOverrideIsAForkParam() throws Exception {
        Plan d = Plan.build(new Plan.Request(List.of("read/hole/4K"), List.of(), List.of("bh", "bhlf"), Workload.Overrides.NONE, 1,
                Foliobench.SYNC_CAP_IOS, null, "no direct device"));
        assertEquals(List.of("full"), List.copyOf(TableRunner.options(List.of(d.benches().get(0)), 0,
                settings(null, null), tmp).getParameter("bhPartialWalk").get()), "the default, spelled out");
        Plan p = Plan.build(new Plan.Request(List.of("read/hole/4K"), List.of(), List.of("bh", "iomap", "bhlf"),
                new Workload.Overrides(null, null, null, null, null, null, null, BhPartialWalk.RANGE), 1,
                Foliobench.SYNC_CAP_IOS, null, "no direct device"));
        Map<String, String> params = TableRunner.params(List.of(p.benches().get(0)), 0, settings(null, null));
        assertEquals("range", params.get("bhPartialWalk"));
        assertEquals(BhPartialWalk.RANGE, p.benches().get(0).workload().job().bhPartialWalk(),
                "the measured job carries it to the mount (FioFiles.mountOptions)");
    }

    @Test
    void jmhPassThroughWinsOverTheDefaults() throws Exception {
        Plan.Bench b = bench("read/hole/4K", "bh", null);
        CommandLineOptions cmd = Foliobench.jmhOptions("-f 0 -p latency=false -jvmArgsAppend -Dx=y -prof gc");
        Options o = TableRunner.options(List.of(b), 0, settings(cmd, null), tmp);
        assertEquals(8, o.getMeasurementIterations().get()); // the schedule is the runner's: rows x blocks x 4
        assertEquals(1, o.getWarmupIterations().get()); // the runner's too: the harness iteration
        assertEquals(0, o.getForkCount().get());
        assertEquals(List.of("false"), List.copyOf(o.getParameter("latency").get()));
        assertTrue(o.getJvmArgsAppend().get().contains("-Dx=y"));
        assertTrue(o.getJvmArgsAppend().get().stream().anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")));
        assertEquals(1, o.getProfilers().size());
    }

    @Test
    void quickAndFullSettingsAndFlagsOverThem() {
        TableRunner.Settings q = TableRunner.Settings.quick(true, null, null);
        assertEquals(4 * TableRunner.Settings.QUICK_BLOCKS, q.passes(2), "ABBA blocks");
        assertEquals(6 * TableRunner.Settings.QUICK_BLOCKS, q.passes(3), "ABC CBA blocks");
        TableRunner.Settings f = TableRunner.Settings.full(true, null, null).with(6, null, 3, null, 5.0);
        assertEquals(6, f.forks());
        assertEquals(6, f.maxForks());
        assertEquals(12, f.passes(2));
        assertEquals(5.0, f.targetPct());
        assertEquals(12, TableRunner.Settings.quick(true, null, null).with(12, null, null, null, null).maxForks());
        assertEquals(6, TableRunner.Settings.quick(true, null, null).with(2, null, null, null, null).maxForks());
    }

    @Test
    void aFailingBenchmarkLeavesTheFolderIncomplete() throws Exception {
        // an nvme row on a direct device that cannot be opened: the trial setup fails in the benchmark
        String nvme = "direct:" + tmp.resolve("no/such/dir/nvme.img") + ",size=1g";
        Plan.Bench b = bench("write/nvme/Y/Y/N/1M", "iomap", nvme);
        Plan plan = new Plan(List.of(b));
        RunFolder folder = RunFolder.createAt(RunFolder.freeDir(tmp.resolve("runs"), LocalDateTime.now(), "test"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TableRunner r = new TableRunner(plan, settings(null, nvme), folder, Map.of("started", "now"),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertFalse(r.run());
        assertTrue(folder.incomplete());
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.startsWith("[fork 1/3] [1/1] write/nvme/Y/Y/N/1M") && line.contains("FAILED: "), line);
        assertEquals(1, line.lines().count(), line); // a failed row gets no more forks
        Map<String, String> meta = JsonCheck.flatValues(Files.readString(folder.dir().resolve("metadata.json")));
        assertTrue(meta.get("status").startsWith("failed"), meta.toString());
        assertTrue(meta.containsKey("failed.write/nvme/Y/Y/N/1M"), meta.toString());
        assertEquals(List.of(), JsonCheck.parse(Files.readString(folder.dir().resolve("jmh.json"))));
        assertTrue(Files.readString(folder.dir().resolve(org.foliobench.layout.RunLayout.INCOMPLETE)).contains("1 rows failed"));
    }

    @Test
    void rootMessageLooksIntoSuppressed() {
        Exception top = new Exception("Benchmark error during the run");
        top.addSuppressed(new IllegalStateException("wrapper", new UnsupportedOperationException("iomap path not merged yet")));
        assertEquals("UnsupportedOperationException: iomap path not merged yet",
                TableRunner.rootMessage(new RuntimeException(top)));
    }
}
