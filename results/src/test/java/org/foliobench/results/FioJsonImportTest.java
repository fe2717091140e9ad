package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("unchecked")
class FioJsonImportTest {
    @TempDir
    Path tmp;

    private FioJsonImport.FioRun read(Path json, String file, PathLabel p) throws IOException {
        return FioJsonImport.read(Files.readString(json.resolve(file)), file, p);
    }

    @Test
    void jsonPlusGivesOneSweepWithFiosOwnFiguresAndItsLatencyHistogram() throws IOException {
        Path json = RunFixtures.fioJson(tmp);
        FioJsonImport.FioRun r = read(json, "kernel/ext4/read-hole-1m-b00-s0.json", PathLabel.EXT4);
        assertEquals("fio-3.33", r.fioVersion());
        assertEquals(List.of(), r.skipped(), "the create_only job [make-hole] did no IO: left out silently");
        assertEquals(1, r.sweeps().size());
        FioJsonImport.Sweep s = r.sweeps().get(0);
        assertEquals(RowKey.parse("read/hole/1M"), s.row());
        assertEquals(PathLabel.EXT4, s.path());
        assertEquals(16, s.ops(), "16 MiB / 1 MiB");
        assertEquals(16L << 20, s.bytes());
        assertTrue(s.runtimeMillis() > 0);
        assertTrue(s.endMillis() > 1_700_000_000_000L, "fio's timestamp_ms");
        assertNotNull(s.latency(), "json+ carries clat_ns bins");
        assertEquals(16, s.latency().getTotalCount(), "one latency per call");
    }

    @Test
    void anFsyncJobsSyncLatencyIsFiosOwnSyncLatNsApartFromItsWrites() throws IOException {
        String text = RunFixtures.realFioPsync("write/ramdisk/N/Y/N/64K", "read/ramdisk/64K");
        Map<String, Object> fio = FioJsonExportTest.realFio();
        Map<String, Object> writeJob = (Map<String, Object>) ((List<?>) fio.get("jobs")).get(0);
        Map<String, Object> sync = (Map<String, Object>) writeJob.get("sync");
        Map<String, Object> syncLat = (Map<String, Object>) sync.get("lat_ns");
        Map<String, Object> clat = (Map<String, Object>) ((Map<String, Object>) writeJob.get("write")).get("clat_ns");
        FioJsonImport.FioRun r = FioJsonImport.read(text, "fio-3.33-psync.json", PathLabel.EXT4);
        assertEquals(2, r.sweeps().size(), r.skipped().toString());
        FioJsonImport.Sweep w = r.sweeps().get(0);
        assertEquals(RowKey.parse("write/ramdisk/N/Y/N/64K"), w.row());
        assertNotNull(w.syncLatency(), "fsync=1: fio's sync.lat_ns bins");
        assertEquals(((Number) sync.get("total_ios")).longValue(), w.syncLatency().getTotalCount(), "every fsync fio timed");
        assertEquals(((Number) syncLat.get("N")).longValue(), w.syncLatency().getTotalCount());
        assertEquals(((Number) clat.get("N")).longValue(), w.latency().getTotalCount(), "the writes' clat stays the writes'");
        assertTrue(w.syncLatency().getTotalCount() != w.latency().getTotalCount(), "63 fsyncs for 64 writes: not one log twice");
        for (String k : List.of("min", "max")) {
            long fioNs = ((Number) syncLat.get(k)).longValue();
            long ours = k.equals("min") ? w.syncLatency().getMinValue() : w.syncLatency().getMaxValue();
            assertTrue(w.syncLatency().valuesAreEquivalent(fioNs, ours) || Math.abs(ours - fioNs) <= fioNs / 50,
                    k + ": fio " + fioNs + ", imported " + ours + " (fio's bins are its own ~1.5% buckets)");
        }
        assertNull(r.sweeps().get(1).syncLatency(), "the read job synced nothing");
        assertNotNull(r.sweeps().get(1).latency());
    }

    @Test
    void plainJsonHasNoHistogram() throws IOException {
        Path json = RunFixtures.fioJson(tmp);
        FioJsonImport.FioRun r = read(json, "plain/ext4/read-hole-1m.json", PathLabel.EXT4);
        assertEquals(1, r.sweeps().size());
        FioJsonImport.Sweep s = r.sweeps().get(0);
        assertEquals(1024, s.ops());
        assertEquals(1L << 30, s.bytes());
        assertNull(s.latency());
        assertNull(s.syncLatency());
    }

    @Test
    void interleavedSweepsBecomeAbbaBlocksOneForkEach() throws IOException {
        Path json = RunFixtures.fioJson(tmp);
        List<FioJsonImport.Sweep> sweeps = new ArrayList<>();
        for (PathLabel p : PathLabel.KERNEL) {
            try (var files = Files.list(json.resolve("kernel").resolve(p.param()))) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("read-hole")).toList()) {
                    sweeps.addAll(FioJsonImport.read(Files.readString(f), f.toString(), p).sweeps());
                }
            }
        }
        sweeps.sort(java.util.Comparator.comparingLong(FioJsonImport.Sweep::endMillis));
        List<PassLog.Pass> passes = FioJsonImport.passes(sweeps);
        assertEquals(8, passes.size());
        // block 0 ran ext4 xfs xfs ext4 (even fork), block 1 xfs ext4 ext4 xfs (odd fork)
        List<String> order = passes.stream().map(p -> p.fork() + ":" + p.slot() + ":" + p.path()).toList();
        assertEquals(List.of("0:0:ext4", "0:1:xfs", "0:2:xfs", "0:3:ext4", "1:0:xfs", "1:1:ext4", "1:2:ext4", "1:3:xfs"), order);
        for (int i = 0; i < 8; i++) {
            assertEquals(sweeps.get(i).runtimeMillis() * 1_000_000, passes.get(i).nanos());
            assertEquals(1, passes.get(i).sweeps());
        }
        Paired.Estimate e = Paired.speedup(passes, "ext4", "xfs");
        assertNotNull(e);
        assertEquals(2, e.forks());
    }

    private static FioJsonImport.Sweep sweep(PathLabel p, long end, long runtime) {
        return new FioJsonImport.Sweep(RowKey.parse("read/hole/4K"), p, "t" + end, end, 1000, 4096000, runtime, null, null, Map.of(),
                List.of());
    }

    @Test
    void sweepsOutsideAnAbbaBlockAreForksOfTheirOwnAndDoNotPair() {
        PathLabel a = PathLabel.EXT4;
        PathLabel b = PathLabel.XFS;
        // all of ext4, then all of xfs: nothing pairs, every sweep still counts toward its own IOPS
        List<PassLog.Pass> unpaired = FioJsonImport.passes(List.of(sweep(a, 1, 10), sweep(a, 2, 10), sweep(b, 3, 5), sweep(b, 4, 5)));
        assertEquals(List.of(0, 2, 4, 6), unpaired.stream().map(PassLog.Pass::fork).toList());
        assertNull(Paired.speedup(unpaired, "ext4", "xfs"));
        assertEquals(100_000, Paired.iops(unpaired, "ext4").value(), 1e-6);
        // a block after a stray sweep still pairs
        List<PassLog.Pass> mixed = FioJsonImport.passes(List.of(sweep(b, 1, 5), sweep(b, 2, 5), sweep(a, 3, 10), sweep(a, 4, 10),
                sweep(b, 5, 5)));
        assertEquals(List.of(0, 1, 1, 1, 1), mixed.stream().map(PassLog.Pass::fork).toList());
        assertEquals(2.0, Paired.speedup(mixed, "ext4", "xfs").value(), 1e-9);
    }

    @Test
    void jobsThatAreNotTableRowsAreListedNotImported() {
        String json = "{\"fio version\": \"fio-3.33\", \"timestamp\": 1, \"timestamp_ms\": 1000, \"jobs\": ["
                + "{\"jobname\": \"my-own-job\", \"error\": 0, \"read\": {\"total_ios\": 10, \"io_bytes\": 40960, \"runtime\": 1,"
                + " \"bw_dev\": -nan, \"iops_stddev\": nan}, \"write\": {\"total_ios\": 0}},"
                + "{\"jobname\": \"read/hole/4K\", \"error\": 5, \"read\": {\"total_ios\": 10, \"io_bytes\": 40960, \"runtime\": 1}},"
                + "{\"jobname\": \"write/cache/N/N/N/4K\", \"error\": 0, \"read\": {\"total_ios\": 10, \"io_bytes\": 40960, \"runtime\": 1}}"
                + "]}";
        FioJsonImport.FioRun r = FioJsonImport.read("note: fio said something first\n" + json, "x.json", PathLabel.XFS);
        assertEquals(List.of(), r.sweeps());
        assertEquals(3, r.skipped().size(), r.skipped().toString());
        assertTrue(r.skipped().get(0).contains("not a table row"), r.skipped().get(0));
        assertTrue(r.skipped().get(1).contains("error 5"), r.skipped().get(1));
        assertTrue(r.skipped().get(2).contains("a write row that read"), r.skipped().get(2));
    }

    @Test
    void whatIsNotFiosJsonIsRefusedNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FioJsonImport.read("[1, 2]", "a.json", PathLabel.EXT4));
        assertTrue(e.getMessage().startsWith("a.json: no JSON object"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FioJsonImport.read("{\"jobs\": []}", "b.json", PathLabel.EXT4));
        assertTrue(e.getMessage().contains("b.json: not fio's JSON output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FioJsonImport.read("{\"fio version\": ", "c.json", PathLabel.EXT4));
        assertTrue(e.getMessage().startsWith("c.json: not fio's JSON output"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FioJsonImport.read("{}", "d.json", PathLabel.BH));
    }
}
