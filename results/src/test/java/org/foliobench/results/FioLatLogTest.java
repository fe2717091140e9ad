package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioLatLogTest {
    @TempDir
    Path tmp;

    /** The measured (untagged) intervals of an HdrHistogram log, as RunFolder reads them. */
    private static List<Histogram> intervals(Path hlog) throws IOException {
        List<Histogram> l = new ArrayList<>();
        try (HistogramLogReader r = new HistogramLogReader(hlog.toFile())) {
            EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                if (!org.foliobench.layout.RunLayout.WARMUP_TAG.equals(e.getTag())) {
                    l.add((Histogram) e);
                }
            }
        }
        return l;
    }

    @Test
    void oneFioLogLinePerMeasuredPassNamedAsTheLatencyLog() throws Exception {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.key().equals("write/ramdisk/N/Y/N/64K") || k.key().equals("read/hole/4K");
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        Map<String, String> logs = FioLatLog.all(run);
        assertEquals(List.of("bh-write-ramdisk-n-y-n-64k_lat.1.log", "bh-write-ramdisk-n-y-n-64k_clat.1.log",
                "iomap-write-ramdisk-n-y-n-64k_lat.1.log", "iomap-write-ramdisk-n-y-n-64k_clat.1.log",
                "bh-read-hole-4k_lat.1.log", "bh-read-hole-4k_clat.1.log", "iomap-read-hole-4k_lat.1.log",
                "iomap-read-hole-4k_clat.1.log").stream().sorted().toList(), logs.keySet().stream().sorted().toList());
        for (Measurement m : run.measurements()) {
            String name = org.foliobench.layout.RunLayout.logName(m.path().param(), m.row().key());
            assertEquals(name, FioJsonExport.jobName(m), "the fio JSON's job and its logs share one name");
            String text = logs.get(FioLatLog.fileName(name, "clat"));
            assertEquals(text, logs.get(FioLatLog.fileName(name, "lat")), "lat = clat for psync, as in the JSON");
            List<Histogram> passes = intervals(RunFolder.latencyLog(run.dir(), m.row(), m.path()));
            List<String> lines = text.lines().toList();
            assertEquals(passes.size(), lines.size(), "one window per measured pass, the warmup left out: " + text);
            long lastTime = -1;
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(", ");
                assertEquals(6, f.length, "time, value, ddir, bs, offset, prio: " + lines.get(i));
                long time = Long.parseLong(f[0]);
                assertTrue(time > lastTime, "time goes forward: " + text);
                lastTime = time;
                assertEquals(Math.round(passes.get(i).getMean()), Long.parseLong(f[1]), "the window's mean latency in ns");
                assertEquals(m.row().isRead() ? "0" : "1", f[2], "fio's data direction");
                assertEquals("0", f[3], "block size 0 in fio's windowed logs");
                assertEquals("0", f[4], "offset 0 in fio's windowed logs");
                assertEquals("0", f[5], "normal priority");
            }
            assertEquals(passes.get(0).getEndTimeStamp() - passes.get(0).getStartTimeStamp(),
                    Long.parseLong(lines.get(0).split(", ")[0]), "ms since the first pass started");
        }
    }

    @Test
    void noLatencyLogNoFioLog() throws Exception {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.key().equals("read/hole/4K");
        s.latency = false;
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        assertEquals(Map.of(), FioLatLog.all(run));
        assertNull(FioLatLog.text(tmp.resolve("none.hlog"), RowKey.parse("read/hole/4K")));
    }
}
