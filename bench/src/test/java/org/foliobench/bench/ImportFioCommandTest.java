package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.foliobench.results.PathLabel;
import org.foliobench.results.RunFixtures;
import org.foliobench.results.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportFioCommandTest {
    @TempDir
    Path tmp;

    private Path onlyRun(Path base) throws Exception {
        try (Stream<Path> s = Files.list(base)) {
            List<Path> l = s.toList();
            assertEquals(1, l.size(), l.toString());
            return l.get(0);
        }
    }

    @Test
    void realFioJsonBecomesARunFolderWithTheModelsTableLayoutAndReport() throws Exception {
        RunFixtures.fioJson(tmp.resolve("json"));
        RunFixtures.Spec spec = new RunFixtures.Spec();
        spec.forks = 4;
        spec.iterations = 4;
        spec.latency = false;
        spec.rows = k -> k.key().equals("read/hole/1M") || k.key().equals("write/cache/N/N/N/1M");
        Path model = RunFixtures.paired(tmp.resolve("model"), spec);
        String[] r = ExportFioCommandTest.cli(tmp, "import-fio", "json/kernel/ext4", "json/kernel/xfs", "--model", "model",
                "--kernel", "6.18.44", "--out", "runs");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("imported 16 fio JSON file(s) of fio-3.33: 2 row(s)"), r[1]);
        assertTrue(r[1].contains("                  ext4 (kernel)      xfs (kernel)"), r[1]);
        assertTrue(r[1].contains("On kernel 6.18.44: ext4 = bhlf"), r[1]);
        assertTrue(r[1].contains("| read/hole/1M "), r[1]);
        Path run = onlyRun(tmp.resolve("runs"));
        for (String f : List.of("tables.md", "tables.csv", "index.html", "model-vs-kernel.md", "model-vs-kernel.csv",
                "published-vs-measured.md", "passes/read-hole-1m.jsonl", "latency/ext4-read-hole-1m.hlog",
                "latency/xfs-write-cache-n-n-n-1m.hlog", "fio/read-hole-1m.json", "charts/bw-read-hole.png")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        String html = Files.readString(run.resolve("index.html"));
        assertTrue(html.contains("Model vs kernel"), "index.html sets the model beside the kernel");
        RunFolder folder = RunFolder.read(run);
        assertTrue(folder.complete());
        assertEquals(PathLabel.KERNEL, folder.paths());
        assertTrue(folder.rows().get(0).bh().latency() != null, "json+ latency made it into the tables");
        assertTrue(folder.rows().stream().allMatch(x -> x.paired() != null && x.paired().forks() == 2));
    }

    @Test
    @SuppressWarnings("unchecked")
    void anFsyncJobsSyncLatencyReachesTheRunsFioJsonAsFioReportedIt() throws Exception {
        String row = "write/ramdisk/N/Y/N/64K";
        Path ext4 = Files.createDirectories(tmp.resolve("json/ext4"));
        Files.writeString(ext4.resolve("fio-3.33-psync.json"), RunFixtures.realFioPsync(row, "read/ramdisk/64K"));
        String[] r = ExportFioCommandTest.cli(tmp, "import-fio", "json/ext4", "--out", "runs");
        assertEquals("0", r[0], r[2]);
        Path run = onlyRun(tmp.resolve("runs"));
        assertTrue(Files.exists(run.resolve("latency/sync/ext4-write-ramdisk-n-y-n-64k.hlog")), "fio's sync.lat_ns, its own log");
        assertTrue(Files.notExists(run.resolve("latency/sync/ext4-read-ramdisk-64k.hlog")), "the read synced nothing");
        Map<String, Object> fio = (Map<String, Object>) org.foliobench.results.Json.parse(
                RunFixtures.realFioPsync(row, "read/ramdisk/64K"));
        Map<String, Object> fioSync = (Map<String, Object>) ((Map<String, Object>) ((List<?>) fio.get("jobs")).get(0)).get("sync");
        Map<String, Object> ours = (Map<String, Object>) org.foliobench.results.Json.parse(
                Files.readString(run.resolve("fio/write-ramdisk-n-y-n-64k.json")));
        Map<String, Object> job = (Map<String, Object>) ((List<?>) ours.get("jobs")).get(0);
        Map<String, Object> sync = (Map<String, Object>) job.get("sync");
        Map<String, Object> lat = (Map<String, Object>) sync.get("lat_ns");
        Map<String, Object> fioLat = (Map<String, Object>) fioSync.get("lat_ns");
        assertEquals(((Number) fioSync.get("total_ios")).longValue(), ((Number) sync.get("total_ios")).longValue(),
                "sync.total_ios: fio's own count (63 fsyncs for 64 writes)");
        assertEquals(((Number) fioLat.get("N")).longValue(), ((Number) lat.get("N")).longValue());
        double fioMean = ((Number) fioLat.get("mean")).doubleValue();
        assertEquals(fioMean, ((Number) lat.get("mean")).doubleValue(), fioMean * 0.02, "mean within fio's bucket width");
        Map<String, Object> fioPct = (Map<String, Object>) fioLat.get("percentile");
        Map<String, Object> pct = (Map<String, Object>) lat.get("percentile");
        for (String p : List.of("50.000000", "99.000000")) {
            double f = ((Number) fioPct.get(p)).doubleValue();
            assertEquals(f, ((Number) pct.get(p)).doubleValue(), f * 0.02, "p" + p);
        }
        Map<String, Object> clat = (Map<String, Object>) ((Map<String, Object>) job.get("write")).get("clat_ns");
        assertEquals(64L, ((Number) clat.get("N")).longValue(), "the writes' clat is the writes' alone");
    }

    @Test
    void plainJsonImportsWithoutLatency() throws Exception {
        RunFixtures.fioJson(tmp.resolve("json"));
        String[] r = ExportFioCommandTest.cli(tmp, "import-fio", "ext4=json/plain/ext4", "--out", "runs");
        assertEquals("0", r[0], r[2]);
        RunFolder folder = RunFolder.read(onlyRun(tmp.resolve("runs")));
        assertEquals(1, folder.rows().size());
        assertEquals(null, folder.rows().get(0).bh().latency());
        assertEquals(null, folder.rows().get(0).iomap());
    }

    @Test
    void badInputIsOneLineAndExit2AndCreatesNothing() throws Exception {
        Files.createDirectories(tmp.resolve("foo"));
        Files.createDirectories(tmp.resolve("ext4"));
        Files.writeString(Files.createDirectories(tmp.resolve("x/xfs")).resolve("a.json"), "{\"not\": \"fio\"}");
        String[][] cases = {
            {"cannot tell which filesystem foo holds (name the folder ext4 or xfs, or pass ext4=DIR / xfs=DIR)", "foo"},
            {"no *.json in ", "ext4"},
            {"x/xfs/a.json: not fio's JSON output", "x/xfs"},
            {"no folder ", "xfs=nowhere"},
        };
        for (String[] c : cases) {
            String[] r = ExportFioCommandTest.cli(tmp, "import-fio", c[1], "--out", "runs");
            assertEquals("2", r[0], c[1] + ": " + r[2]);
            assertEquals(1, r[2].strip().lines().count(), r[2]);
            assertTrue(r[2].contains(c[0]), r[2]);
        }
        assertTrue(!Files.exists(tmp.resolve("runs")), "nothing created");
    }
}
