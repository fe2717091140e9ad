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
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableRunnerTest {
    @TempDir
    Path tmp;

    static Plan.Bench bench(String row, String path, String nvme) throws Exception {
        Plan p = Plan.build(new Plan.Request(List.of(row), List.of(), List.of(path), Workload.Overrides.NONE, 1,
                Foliobench.SYNC_CAP_IOS, nvme, "no direct device"));
        return p.benches().get(0);
    }

    @Test
    void optionsCarryTheContractWithTheResultsModule() throws Exception {
        Plan.Bench b = bench("write/ramdisk/Y/N/Y/4K", "iomap", null);
        TableRunner.Settings s = new TableRunner.Settings(1, 1, 3, true, null, null, null);
        Options o = TableRunner.options(b, s, tmp);
        assertEquals(List.of(Mode.SingleShotTime), List.copyOf(o.getBenchModes()));
        assertEquals(524288, o.getMeasurementBatchSize().get());
        assertEquals(524288, o.getWarmupBatchSize().get());
        assertEquals(1, o.getForkCount().get());
        assertEquals(1, o.getWarmupIterations().get());
        assertEquals(3, o.getMeasurementIterations().get());
        assertEquals(List.of("write/ramdisk/Y/N/Y/4K"), List.copyOf(o.getParameter("row").get()));
        assertEquals(List.of("iomap"), List.copyOf(o.getParameter("path").get()));
        for (String p : List.of("maxFolioOrder", "readAheadKb", "dirtyRatio", "dirtyBackgroundRatio", "blockSize", "memBytes",
                "sizeDivisor", "latency")) {
            assertTrue(o.getParameter(p).hasValue(), p);
        }
        List<String> jvm = List.copyOf(o.getJvmArgsAppend().get());
        assertTrue(jvm.contains("-Xmx1g"), jvm.toString());
        assertTrue(jvm.stream().anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")), jvm.toString());
        assertTrue(jvm.contains("-D" + Workload.OUT_PROPERTY + "=" + tmp.toAbsolutePath()), jvm.toString());
        assertTrue(o.getIncludes().get(0).contains("PsyncBench"));
    }

    @Test
    void jmhPassThroughWinsOverTheDefaults() throws Exception {
        Plan.Bench b = bench("read/hole/4K", "bh", null);
        CommandLineOptions cmd = Foliobench.jmhOptions("-f 2 -wi 0 -p latency=false -jvmArgsAppend -Dx=y -prof gc");
        Options o = TableRunner.options(b, new TableRunner.Settings(1, 1, 3, true, cmd, null, null), tmp);
        assertEquals(2, o.getForkCount().get());
        assertEquals(0, o.getWarmupIterations().get());
        assertEquals(3, o.getMeasurementIterations().get());
        assertEquals(List.of("false"), List.copyOf(o.getParameter("latency").get()));
        assertTrue(o.getJvmArgsAppend().get().contains("-Dx=y"));
        assertTrue(o.getJvmArgsAppend().get().stream().anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")));
        assertEquals(1, o.getProfilers().size());
        assertEquals(262144, o.getMeasurementBatchSize().get());
    }

    @Test
    void aFailingBenchmarkLeavesTheFolderIncomplete() throws Exception {
        // an nvme row on a direct device that cannot be opened: the trial setup fails in the benchmark
        String nvme = "direct:" + tmp.resolve("no/such/dir/nvme.img") + ",size=64m";
        Plan.Bench b = bench("write/nvme/Y/Y/N/1M", "iomap", nvme);
        Plan plan = new Plan(List.of(b));
        RunFolder folder = RunFolder.create(tmp.resolve("runs"), LocalDateTime.now(), "test");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TableRunner r = new TableRunner(plan, new TableRunner.Settings(0, 0, 1, true, null, null, nvme), folder,
                Map.of("started", "now"), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertFalse(r.run());
        assertTrue(folder.incomplete());
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.startsWith("[1/1] write/nvme/Y/Y/N/1M") && line.contains("FAILED: "), line);
        assertEquals(1, line.lines().count(), line);
        Map<String, String> meta = JsonCheck.flatStrings(Files.readString(folder.dir().resolve("metadata.json")));
        assertTrue(meta.get("status").startsWith("failed"), meta.toString());
        assertTrue(meta.containsKey("failed.write/nvme/Y/Y/N/1M.iomap"), meta.toString());
        assertEquals(List.of(), JsonCheck.parse(Files.readString(folder.dir().resolve("jmh.json"))));
        assertTrue(Files.readString(folder.dir().resolve(RunFolder.INCOMPLETE)).contains("1 benchmarks failed"));
    }

    @Test
    void rootMessageLooksIntoSuppressed() {
        Exception top = new Exception("Benchmark error during the run");
        top.addSuppressed(new IllegalStateException("wrapper", new UnsupportedOperationException("iomap path not merged yet")));
        assertEquals("UnsupportedOperationException: iomap path not merged yet",
                TableRunner.rootMessage(new RuntimeException(top)));
    }
}
