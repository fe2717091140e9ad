package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyLogTest {
    @TempDir
    Path tmp;

    static List<Histogram> read(Path f) throws Exception {
        List<Histogram> l = new ArrayList<>();
        HistogramLogReader r = new HistogramLogReader(f.toFile());
        EncodableHistogram h;
        while ((h = r.nextIntervalHistogram()) != null) {
            l.add((Histogram) h);
        }
        r.close();
        return l;
    }

    @Test
    void measuredPassesAreIntervalsWarmupIsNot() throws Exception {
        try (LatencyLog log = LatencyLog.open(tmp, "iomap-read-hole-4k", 1, false)) {
            log.startInterval();
            for (int i = 0; i < 100; i++) {
                log.record(0, 999_999); // warmup
            }
            log.endInterval(false);
            log.startInterval();
            for (int i = 1; i <= 1000; i++) {
                log.record(0, i * 100L);
            }
            log.endInterval(true);
            assertEquals(1000, log.last().getTotalCount());
        }
        // a second fork appends, without a second header
        try (LatencyLog log = LatencyLog.open(tmp, "iomap-read-hole-4k", 1, false)) {
            log.startInterval();
            log.record(0, 5);
            log.endInterval(true);
        }
        Path f = LatencyLog.file(tmp, "iomap-read-hole-4k");
        List<Histogram> hs = read(f);
        assertEquals(2, hs.size());
        Histogram first = hs.get(0);
        assertEquals(1000, first.getTotalCount());
        assertEquals(50_000, first.getValueAtPercentile(50), 50);
        assertEquals(99_000, first.getValueAtPercentile(99), 100);
        assertEquals(100_000, first.getMaxValue(), 100);
        assertEquals(1, hs.get(1).getTotalCount());
        assertEquals(1, Files.readAllLines(f).stream().filter(l -> l.startsWith("#[Histogram log format version")).count());
        Histogram merged = FioSummary.readLatency(f);
        assertEquals(1001, merged.getTotalCount());
        assertNull(FioSummary.readLatency(tmp.resolve("none.hlog")));
    }

    @Test
    void recordingNeverAllocatesAndALongerCallCountsAsTheLongest() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        LatencyLog log = LatencyLog.inMemory(1, false);
        log.startInterval();
        log.record(0, 100);
        long before = mx.getCurrentThreadAllocatedBytes();
        for (long v = 1; v < LatencyLog.HIGHEST_NANOS; v *= 3) {
            log.record(0, v); // from 1 ns to half a minute: no resize of the counts
        }
        log.record(0, 10 * LatencyLog.HIGHEST_NANOS);
        assertEquals(0, mx.getCurrentThreadAllocatedBytes() - before, "bytes allocated by recording");
        log.endInterval(true);
        assertEquals(LatencyLog.HIGHEST_NANOS, log.last().getMaxValue(), LatencyLog.HIGHEST_NANOS / 1000);
    }

    @Test
    void startIntervalDiscardsWhatCameBefore() {
        LatencyLog log = LatencyLog.inMemory(1, false);
        log.record(0, 1);
        log.startInterval();
        log.record(0, 2);
        log.endInterval(true);
        assertEquals(1, log.last().getTotalCount());
        assertEquals(2, log.last().getMaxValue());
    }

    @Test
    void syncsGoToTheirOwnLogWithTheSameIntervals() throws Exception {
        try (LatencyLog log = LatencyLog.open(tmp, "bh-write-ramdisk-n-y-n-4k", 2, true)) {
            log.startInterval();
            log.record(0, 1_000);
            log.recordSync(0, 50_000);
            log.record(1, 2_000);
            log.endInterval(true);
            assertEquals(2, log.last().getTotalCount());
            assertEquals(1, log.lastSync().getTotalCount());
        }
        assertEquals(2, read(LatencyLog.file(tmp, "bh-write-ramdisk-n-y-n-4k")).get(0).getTotalCount());
        Path sync = LatencyLog.syncFile(tmp, "bh-write-ramdisk-n-y-n-4k");
        assertEquals(tmp.resolve("latency/sync/bh-write-ramdisk-n-y-n-4k.hlog"), sync);
        List<Histogram> hs = read(sync);
        assertEquals(1, hs.size());
        assertEquals(50_000, hs.get(0).getMaxValue(), 50);
        assertNull(LatencyLog.inMemory(1, false).lastSync());
    }
}
