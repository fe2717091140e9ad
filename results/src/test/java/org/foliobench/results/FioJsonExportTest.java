package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioJsonExportTest {

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o) {
        return (List<?>) o;
    }

    /** fio 3.33's own json+ of a psync job with fsync=1 (jobs[0]) and a psync read (jobs[1]). */
    static Map<String, Object> realFio() throws IOException {
        try (InputStream in = FioJsonExportTest.class.getResourceAsStream("fio/fio-3.33-psync.json")) {
            return obj(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
    }

    /** A paired run of one Sync=Y write row and one read row, latency timed 1 in 4 calls. */
    private RunFolder run() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.key().equals("write/ramdisk/Y/Y/N/64K") || k.key().equals("read/ramdisk/4K");
        s.samplePeriod = 4;
        return RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
    }

    /** Members whose keys are data (options, percentiles, bins), not fio's layout. */
    private static final Set<String> DATA_KEYS = Set.of("job options", "global options", "percentile", "bins");

    /**
     * Same members in the same order as fio's, recursively, and the same kind of value: integers where
     * fio writes integers, decimals where it writes decimals, objects, arrays, strings.
     */
    private static void sameShape(String where, Object fio, Object ours) {
        assertEquals(kind(fio), kind(ours), where);
        if (fio instanceof Map) {
            Map<String, Object> f = obj(fio);
            Map<String, Object> o = obj(ours);
            assertEquals(List.copyOf(f.keySet()), List.copyOf(o.keySet()), where);
            for (String k : f.keySet()) {
                if (DATA_KEYS.contains(k)) {
                    assertEquals(kind(f.get(k)), kind(o.get(k)), where + "." + k);
                    obj(o.get(k)).values().forEach(v -> assertEquals(kind(obj(f.get(k)).values().iterator().next()),
                            kind(v), where + "." + k + " values"));
                } else if (!k.equals("jobs") && !k.equals("disk_util")) {
                    sameShape(where + "." + k, f.get(k), o.get(k));
                }
            }
        }
    }

    private static String kind(Object v) {
        return v instanceof Long ? "integer" : v instanceof Double ? "decimal" : RunFolder.kind(v);
    }

    @Test
    void keyByKeyAsRealFio() throws IOException {
        Map<String, Object> fio = realFio();
        RunFolder run = run();
        Map<String, Object> write = obj(Json.parse(FioJsonExport.json(run, run.row(RowKey.parse("write/ramdisk/Y/Y/N/64K")))));
        Map<String, Object> read = obj(Json.parse(FioJsonExport.json(run, run.row(RowKey.parse("read/ramdisk/4K")))));
        sameShape("root", fio, write);
        assertEquals(2, list(write.get("jobs")).size());
        for (Object job : list(write.get("jobs"))) {
            sameShape("write job", list(fio.get("jobs")).get(0), job);
        }
        for (Object job : list(read.get("jobs"))) {
            sameShape("read job", list(fio.get("jobs")).get(1), job);
        }
        assertEquals(List.of(), write.get("disk_util"), "not measured");
    }

    @Test
    void valuesSayWhatProducedThemWhenAndHow() throws IOException {
        RunFolder run = run();
        Row row = run.row(RowKey.parse("write/ramdisk/Y/Y/N/64K"));
        assertEquals("write-ramdisk-y-y-n-64k.json", FioJsonExport.fileName(row));
        Map<String, Object> root = obj(Json.parse(FioJsonExport.json(run, row)));
        assertTrue(((String) root.get("fio version")).startsWith("foliobench-" + Build.version()), root.get("fio version").toString());
        assertEquals(1_712_764_980L, root.get("timestamp")); // finished 2024-04-10T18:03:00+02:00
        assertEquals(1_712_764_980_000L, root.get("timestamp_ms"));
        assertEquals("Wed Apr 10 18:03:00 2024", root.get("time"), "fio's ctime(), in the run's own zone");
        Map<String, Object> bh = obj(list(root.get("jobs")).get(0));
        assertEquals("bh-write-ramdisk-y-y-n-64k", bh.get("jobname"));
        assertEquals(1L, obj(list(root.get("jobs")).get(1)).get("groupid"));

        Map<String, Object> opts = obj(bh.get("job options"));
        for (String k : List.of("ioengine", "direct", "rw", "bs", "size", "filename", "iodepth", "numjobs", "fsync",
                "overwrite", "fallocate")) {
            assertTrue(opts.containsKey(k), "job option " + k);
        }
        assertEquals("1", opts.get("iodepth"));
        assertEquals("1", opts.get("numjobs"));
        assertEquals("64k", opts.get("bs"));
        assertEquals("bh", opts.get("foliobench_path"));
        assertEquals("write/ramdisk/Y/Y/N/64K", opts.get("foliobench_row"));
        assertEquals("4", opts.get("foliobench_clat_sample_period"));

        Measurement m = row.bh();
        Map<String, Object> w = obj(bh.get("write"));
        assertEquals(m.iops(), (Double) w.get("iops"), 1e-9);
        long bwBytes = Math.round(m.iops() * 65536);
        assertEquals(bwBytes, w.get("bw_bytes"));
        assertEquals(bwBytes / 1024, w.get("bw"), "bw is KiB/s");
        long ops = Math.round(m.total(Measurement.OPS).getAsDouble());
        assertEquals(ops, w.get("total_ios"));
        assertEquals(Math.round(m.bytes().getAsDouble()), w.get("io_bytes"));

        Map<String, Object> clat = obj(w.get("clat_ns"));
        Map<String, Object> pct = obj(clat.get("percentile"));
        assertEquals(m.latency().p50(), pct.get("50.000000"), "the hlog's percentiles, exactly");
        assertEquals(m.latency().p99(), pct.get("99.000000"));
        assertEquals(m.latency().p999(), pct.get("99.900000"));
        long n = (Long) clat.get("N");
        assertEquals(m.latency().count(), n);
        assertEquals(n, obj(clat.get("bins")).values().stream().mapToLong(v -> (Long) v).sum(), "bins sum to N");
        for (Object v : pct.values()) {
            assertTrue(obj(clat.get("bins")).containsKey(v.toString()), "every percentile is a bin " + v);
        }
        assertFalse(obj(w.get("lat_ns")).containsKey("percentile"), "fio reports lat_ns percentiles only with lat_percentiles=1");

        Map<String, Object> sync = obj(bh.get("sync"));
        assertEquals(ops, sync.get("total_ios"), "fsync=1: one fsync per write");
        Map<String, Object> syncLat = obj(sync.get("lat_ns"));
        assertEquals(m.syncLatency().count(), syncLat.get("N"));
        assertEquals(m.syncLatency().p50(), obj(syncLat.get("percentile")).get("50.000000"));
        assertTrue((Double) syncLat.get("mean") > 0);
        assertTrue(m.syncLatency().p50() != m.latency().p50(), "its own latency, not the write's");

        // the distributions partition the timed calls: 100%, give or take fio's 0.01 floor for rare buckets
        double sum = 0;
        int raised = 0;
        for (String u : List.of("latency_ns", "latency_us", "latency_ms")) {
            for (Object v : obj(bh.get(u)).values()) {
                sum += (Double) v;
                raised += (Double) v == 0.01 ? 1 : 0;
            }
        }
        assertEquals(100.0, sum, 1e-9 + 0.01 * raised);

        Map<String, Object> readJob = obj(list(obj(Json.parse(FioJsonExport.json(run, run.row(RowKey.parse("read/ramdisk/4K")))))
                .get("jobs")).get(0));
        Map<String, Object> readSync = obj(readJob.get("sync"));
        assertEquals(0L, readSync.get("total_ios"));
        assertEquals(List.of("min", "max", "mean", "stddev", "N"), List.copyOf(obj(readSync.get("lat_ns")).keySet()));
    }

    @Test
    void bucketsCountEveryCallOnce() {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        for (long v = 200_000; v < 300_000; v += 7) {
            h.recordValue(v); // around the 250 us bound, where one HdrHistogram bucket spans it
        }
        LatencySummary l = LatencySummary.of(h);
        assertEquals(h.getTotalCount(), l.fioBucketCounts().stream().mapToLong(Long::longValue).sum());
        assertEquals(h.getTotalCount(), l.bins().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void fioPlotLayoutOneJobPerFileInBenchFioFolders() throws IOException {
        RunFolder run = run();
        Map<String, String> files = FioJsonExport.fioPlot(run);
        assertEquals(List.of("read-ramdisk/bh/4k/read-1-1.json", "read-ramdisk/iomap/4k/read-1-1.json",
                "write-ramdisk-y-y-n/bh/64k/write-1-1.json", "write-ramdisk-y-y-n/iomap/64k/write-1-1.json"),
                new ArrayList<>(files.keySet()));
        Map<String, Object> root = obj(Json.parse(files.get("write-ramdisk-y-y-n/iomap/64k/write-1-1.json")));
        assertEquals(1, list(root.get("jobs")).size());
        assertEquals("iomap", obj(obj(list(root.get("jobs")).get(0)).get("job options")).get("foliobench_path"));
    }

    @Test
    void oneFilePerRowAndVariantNames() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.isRead();
        s.params.put("maxFolioOrder", "0");
        s.incomplete = true;
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        Map<String, String> all = FioJsonExport.all(run);
        assertEquals(9, all.size());
        // one setting throughout the run: no variant in the name, the tunable in the job options
        assertTrue(all.containsKey("read-hole-4k.json"), all.keySet().toString());
        Map<String, Object> root = obj(Json.parse(all.get("read-hole-4k.json")));
        assertTrue(((String) obj(root.get("global options")).get("foliobench_incomplete")).startsWith("INCOMPLETE RUN"));
        Map<String, Object> job = obj(list(root.get("jobs")).get(1));
        assertEquals("0", obj(job.get("job options")).get("foliobench_maxFolioOrder"));
        assertEquals("1", obj(job.get("job options")).get("iodepth"), "a run without jobs/: what the row implies");
        assertEquals(1_712_764_980L, root.get("timestamp"), "metadata finished 2024-04-10T16:03:00Z");
    }

    /** fio's own json+ tool reads the export, where fio is installed ({@code apt-get install fio}). */
    @Test
    void fioJsonplusClat2csvWritesRows() throws Exception {
        Path tool = Path.of("/usr/bin/fio_jsonplus_clat2csv");
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(tool) || !Files.isExecutable(python)) {
            System.out.println("FioJsonExportTest: skipped fio_jsonplus_clat2csv (install fio to run it)");
            return;
        }
        RunFolder run = run();
        Path json = tmp.resolve("w.json");
        Files.writeString(json, FioJsonExport.json(run, run.row(RowKey.parse("write/ramdisk/Y/Y/N/64K"))));
        String out = "";
        for (String mode : List.of("", "--validate")) { // write the CSVs, then check them against the bins
            List<String> cmd = new ArrayList<>(List.of(python.toString(), tool.toString(), json.toString(),
                    tmp.resolve("w.csv").toString()));
            if (!mode.isEmpty()) {
                cmd.add(mode);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
        }
        for (int job = 0; job < 2; job++) {
            List<String> lines = Files.readAllLines(tmp.resolve("w_job" + job + ".csv"));
            assertTrue(lines.size() > 10, "rows for job " + job + ": " + lines.size());
            assertTrue(out.contains("w_job" + job + ".csv validated"), out);
        }
    }
}
