package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @TempDir
    Path tmp;

    static Path handWritten() {
        try {
            return Path.of(RunFolderTest.class.getResource("fixture-runs/20240410-150300-fixture/jmh.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readsTheHandWrittenJmhJson() throws IOException {
        RunFolder run = RunFolder.read(handWritten());
        assertFalse(run.complete(), "INCOMPLETE marker present");
        assertEquals("20240410-150300-fixture", run.name());
        assertEquals(3, run.measurements().size());
        assertEquals(2, run.rows().size());
        assertEquals("Fixture CPU", run.metadata().get("cpu"));
        assertEquals("no O_DIRECT device (set --nvme)", run.skipped().get("read/nvme/4K"));

        Row hole = run.rows().get(0);
        assertEquals("read/hole/4K", hole.key().key());
        Measurement bh = hole.bh();
        assertEquals(400_000, bh.iops());
        assertEquals(400_000 * 4096 / 1048576.0, bh.bwMiB(), 1e-9); // 1562.5 MiB/s
        assertEquals(5.0, bh.errorPct(), 1e-12);
        assertArrayEquals(new double[] {390000, 410000, 395000, 405000}, bh.iterations());
        assertEquals(2, bh.forks().size());
        assertEquals(6_553_600_000.0, bh.bytes().getAsDouble());
        assertEquals(256.0, bh.perMiB("mapCalls").getAsDouble(), 1e-12); // one get_block per 4K block
        assertEquals(0.0, bh.perMiB("folios").getAsDouble());
        assertTrue(bh.perMiB("bios").isEmpty(), "missing counter");
        assertEquals(1_000_000_000L, bh.iterationNanos());
        assertNull(bh.latency(), "no latency log");

        Measurement iomap = hole.iomap();
        assertEquals(600_000, iomap.iops(), 1e-9, "ops/ms converted to ops/s");
        assertTrue(Double.isNaN(iomap.scoreError()), "JMH's quoted NaN");
        assertEquals(1.5, hole.speedup(), 1e-12);
        assertTrue(iomap.perMiB("mapCalls").isEmpty());

        Row w = run.rows().get(1);
        assertEquals("write/ramdisk/Y/N/Y/1M", w.key().key());
        assertNull(w.bh());
        assertTrue(Double.isNaN(w.speedup()));
        assertEquals("dirtyRatio=20,maxFolioOrder=9", w.variant());
        assertEquals("9", w.iomap().attributes().get("maxFolioOrder"));
        assertEquals(12_000.0 * (1 << 20), w.iomap().bytes().getAsDouble(), "bytes from ops x bs");
        assertEquals(48 / 12000.0, w.iomap().perMiB("bios").getAsDouble(), 1e-15);
        assertEquals(1 << 20, w.iomap().avgBioBytes().getAsDouble());
        assertEquals(2000.0, w.iomap().bwMiB());
        assertEquals(2_000_000_000L, w.iomap().iterationNanos());
        assertNotNull(run.row(RowKey.parse("write/ramdisk/Y/N/Y/1M")));
    }

    @Test
    void readsAGeneratedFullRun() throws IOException {
        RunFolder run = RunFolder.read(RunFixtures.full(tmp.resolve("20240410-150300-host")));
        assertTrue(run.complete());
        assertEquals(78, run.measurements().size());
        assertEquals(39, run.rows().size());
        List<ReferenceTable.Entry> ref = ReferenceTable.published().entries();
        for (int i = 0; i < 39; i++) {
            Row r = run.rows().get(i);
            assertEquals(ref.get(i).key(), r.key(), "seed order");
            for (PathLabel p : PathLabel.MODEL) {
                Measurement m = r.get(p);
                assertEquals(10, m.iterations().length);
                LatencySummary l = m.latency();
                assertNotNull(l, r.key() + " " + p);
                assertEquals(10_000, l.count());
                assertTrue(l.min() <= l.p50() && l.p50() <= l.p99() && l.p99() <= l.p999() && l.p999() <= l.max());
                // the fixture's latencies are centred on 1/IOPS
                assertEquals(1e9 / m.iops(), l.p50(), 0.25e9 / m.iops());
            }
            assertEquals(r.key().bs() == 4096 ? 256 : 256, r.bh().perMiB("mapCalls").getAsDouble(), 1e-6);
            assertEquals(1048576.0 / r.key().bs(), r.iomap().perMiB("mapCalls").getAsDouble(), 1e-6);
        }
        assertTrue(run.warnings().isEmpty(), run.warnings().toString());
    }

    @Test
    void missingLatencyLogsAndCountersShowAsAbsent() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.latency = false;
        s.counters = false;
        s.rows = k -> k.key().equals("read/hole/64K");
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        Measurement m = run.rows().get(0).bh();
        assertNull(m.latency());
        assertTrue(m.perMiB("mapCalls").isEmpty());
        assertTrue(m.avgBioBytes().isEmpty());
    }

    @Test
    void aKernelRunPairsExt4AndXfsAsTheModelPairsItsPaths() throws IOException {
        RunFolder run = RunFolder.read(RunFixtures.kernel(tmp));
        assertEquals(PathLabel.KERNEL, run.paths());
        assertEquals(2, run.rows().size());
        for (Row r : run.rows()) {
            assertEquals(PathLabel.EXT4, r.bh().path());
            assertEquals(PathLabel.XFS, r.iomap().path());
            assertNotNull(r.paired(), "ABBA blocks of fio runs pair like the model's");
            assertEquals(Paired.speedup(r.bh().rowPasses(), "ext4", "xfs").value(), r.speedup(), 1e-12);
            assertTrue(r.bh().perMiB("mapCalls").isEmpty(), "no engine counters for a kernel");
            assertEquals(PathLabel.EXT4, r.get(PathLabel.BH).path(), "the base side");
        }
        assertEquals(RunFixtures.FIXTURE_KERNEL, run.metadata().get("kernel"));
    }

    @Test
    void aRunFolderHoldsOnePairNotModelAndKernelMixed() throws IOException {
        Path run = RunFixtures.kernel(tmp);
        PassLog.append(run, new PassLog.Pass("read/hole/1M", 0, 1, 0, false, 0, 0, "bh", 1, 10, 10 << 20, 1_000_000, 0, 0, 0, 0, 0,
                1, List.of(), java.util.Map.of(), java.util.Map.of()));
        RunFolderException e = assertThrows(RunFolderException.class, () -> RunFolder.read(run));
        assertTrue(e.getMessage().contains("mixes model paths and kernel filesystems"), e.getMessage());
    }

    @Test
    void clearErrors() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("runs/x"));
        RunFolderException e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertEquals("no jmh.json in " + empty + " (is this a foliobench run folder?)", e.getMessage());

        e = assertThrows(RunFolderException.class, () -> RunFolder.read(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());

        Files.writeString(empty.resolve("jmh.json"), "[{\"benchmark\": \"b\",]");
        e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertTrue(e.getMessage().startsWith(empty.resolve("jmh.json") + ": not valid JSON: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Files.writeString(empty.resolve("jmh.json"), "{}");
        e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertTrue(e.getMessage().contains("expected a JSON array of JMH results"), e.getMessage());

        Files.writeString(empty.resolve("jmh.json"), "[{\"benchmark\":\"b\",\"mode\":\"thrpt\",\"params\":{\"path\":\"bh\"}}]");
        e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertTrue(e.getMessage().contains("result 1: b: missing params.row"), e.getMessage());

        Files.writeString(empty.resolve("jmh.json"), "[{\"benchmark\":\"b\",\"params\":{\"row\":\"read/hole/4K\",\"path\":\"ext2\"}}]");
        e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertTrue(e.getMessage().contains("path is bh, iomap, bhlf, ext4 or xfs"), e.getMessage());

        Files.writeString(empty.resolve("jmh.json"), "[]");
        Files.writeString(empty.resolve("metadata.json"), "{\"a\": {\"nested\": \"x\"}}");
        e = assertThrows(RunFolderException.class, () -> RunFolder.read(empty));
        assertTrue(e.getMessage().contains("metadata is a flat object of strings"), e.getMessage());
    }

    @Test
    void incompleteRunWithoutResultsStillReads() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("runs/y"));
        Files.writeString(d.resolve("INCOMPLETE"), "");
        RunFolder run = RunFolder.read(d);
        assertFalse(run.complete());
        assertTrue(run.rows().isEmpty());
        assertTrue(run.incompleteNotice().startsWith("INCOMPLETE RUN"));
        Files.writeString(d.resolve("jmh.json"), "[{\"benchmark\": "); // JMH interrupted mid-write
        run = RunFolder.read(d);
        assertTrue(run.rows().isEmpty());
        assertTrue(run.warnings().stream().anyMatch(w -> w.contains("not valid JSON")), run.warnings().toString());
    }

    @Test
    void corruptLatencyLogIsAWarningNotAFailure() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.key().equals("read/hole/4K");
        Path d = RunFixtures.write(tmp.resolve("r"), s);
        Files.writeString(RunFolder.latencyLog(d, RowKey.parse("read/hole/4K"), PathLabel.BH), "garbage\n1,2,3,notbase64\n");
        RunFolder run = RunFolder.read(d);
        assertNull(run.rows().get(0).bh().latency());
        assertNotNull(run.rows().get(0).iomap().latency());
        assertFalse(run.warnings().isEmpty());
    }

    @Test
    void theSweptRunReadsBackWithNumjobsInTheKeyAndTheTables() throws IOException {
        RunFolder run = ScalingTableTest.swept(tmp.resolve("swept"));
        assertEquals(6, run.rows().size());
        assertEquals(RowKey.parse("read/hole/4K@numjobs=1"), run.rows().get(0).key());
        assertEquals(RowKey.parse("read/hole/4K@numjobs=4"), run.rows().get(2).key());
        Row r = run.row(RowKey.parse("write/cache/N/N/N/64K@numjobs=2"));
        assertEquals("", r.variant()); // numjobs is the key's, not a tunable
        assertEquals("2", run.jobOptions(r.key()).get("numjobs"));
        assertTrue(r.bh().latency() != null, "latency log read by the swept key's file name");
        assertTrue(run.warnings().isEmpty(), run.warnings().toString());
        assertEquals("numjobs", SeedTables.csv(run).split("\n")[0].split(",")[6]);
        assertTrue(SeedTables.longCsv(run).split("\n")[0].contains(",bs_bytes,numjobs,tunables,"));
        assertTrue(SeedTables.readTable(run).header().contains("numjobs"));
        // the published rows ran one thread: only numjobs=1 is set beside them
        List<PublishedComparison.Entry> pc = PublishedComparison.of(run).entries();
        assertEquals(List.of(1, 1), pc.stream().map(e -> e.key().numjobs()).toList());
    }
}
