package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioJsonExportTest {

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void fioFieldNamesAndUnits() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.key().equals("write/ramdisk/Y/Y/N/64K");
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        Row row = run.rows().get(0);
        assertEquals("write-ramdisk-y-y-n-64k.json", FioJsonExport.fileName(row));
        Map<String, Object> root = obj(Json.parse(FioJsonExport.json(run, row)));
        assertEquals(List.of("fio version", "timestamp", "timestamp_ms", "time", "global options", "jobs", "disk_util"),
                List.copyOf(root.keySet()));
        assertEquals("foliobench", root.get("fio version"));
        assertEquals(1_712_764_980L, root.get("timestamp")); // metadata finished 2024-04-10T16:03:00Z
        assertEquals(1_712_764_980_000L, root.get("timestamp_ms"));
        assertEquals("Wed Apr 10 16:03:00 2024", root.get("time"));
        List<?> jobs = (List<?>) root.get("jobs");
        assertEquals(2, jobs.size());
        Map<String, Object> bh = obj(jobs.get(0));
        assertEquals("bh-write-ramdisk-y-y-n-64k", bh.get("jobname"));
        assertEquals(0L, bh.get("groupid"));
        assertEquals(1L, obj(jobs.get(1)).get("groupid"));
        for (String f : List.of("jobname", "groupid", "error", "job options", "read", "write", "trim", "sync",
                "job_runtime", "usr_cpu", "sys_cpu", "ctx", "majf", "minf", "iodepth_level", "latency_ns", "latency_us",
                "latency_ms")) {
            assertTrue(bh.containsKey(f), f);
        }
        Map<String, Object> opts = obj(bh.get("job options"));
        assertEquals("psync", opts.get("ioengine"));
        assertEquals("write", opts.get("rw"));
        assertEquals("64k", opts.get("bs"));
        assertEquals("1", opts.get("fsync"));
        assertEquals("1", opts.get("overwrite"));
        assertEquals("bh", opts.get("foliobench_path"));

        Measurement m = row.bh();
        Map<String, Object> w = obj(bh.get("write"));
        for (String f : List.of("io_bytes", "io_kbytes", "bw_bytes", "bw", "iops", "runtime", "total_ios", "short_ios",
                "drop_ios", "slat_ns", "clat_ns", "lat_ns", "bw_min", "bw_max", "bw_agg", "bw_mean", "bw_dev",
                "bw_samples", "iops_min", "iops_max", "iops_mean", "iops_stddev", "iops_samples")) {
            assertTrue(w.containsKey(f), f);
        }
        assertEquals(m.iops(), (Double) w.get("iops"), 1e-9);
        long bwBytes = Math.round(m.iops() * 65536);
        assertEquals(bwBytes, w.get("bw_bytes"));
        assertEquals(bwBytes / 1024, w.get("bw"), "bw is KiB/s");
        assertEquals(10_000L, w.get("runtime"), "10 iterations of 1 s, in ms");
        assertEquals(Math.round(m.total("ops").getAsDouble()), w.get("total_ios"));
        assertEquals(Math.round(m.bytes().getAsDouble()), w.get("io_bytes"));
        assertEquals(Math.round(m.bytes().getAsDouble()) >> 10, w.get("io_kbytes"));
        assertEquals(10L, w.get("iops_samples"));
        Map<String, Object> clat = obj(w.get("clat_ns"));
        assertEquals(List.of("min", "max", "mean", "stddev", "N", "percentile"), List.copyOf(clat.keySet()));
        Map<String, Object> pct = obj(clat.get("percentile"));
        assertEquals(m.latency().p50(), pct.get("50.000000"));
        assertEquals(m.latency().p99(), pct.get("99.000000"));
        assertEquals(m.latency().p999(), pct.get("99.900000"));
        assertTrue(pct.containsKey("99.990000"));
        assertEquals(10_000L, clat.get("N"));
        assertFalse(obj(w.get("slat_ns")).containsKey("percentile"), "no slat samples");
        Map<String, Object> read = obj(bh.get("read"));
        assertEquals(0L, read.get("io_bytes"));
        assertEquals(0.0, read.get("iops"));
        // latency distribution sums to ~100% (buckets below 0.01% are raised to 0.01 as fio does)
        double sum = 0;
        for (String u : List.of("latency_ns", "latency_us", "latency_ms")) {
            for (Object v : obj(bh.get(u)).values()) {
                sum += (Double) v;
            }
        }
        assertEquals(100.0, sum, 0.1);
        assertTrue(obj(bh.get("latency_ms")).containsKey(">=2000"));
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
        Map<String, Object> job = obj(((List<?>) root.get("jobs")).get(1));
        assertEquals("0", obj(job.get("job options")).get("foliobench_maxFolioOrder"));
    }
}
