package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.iopath.IoPath;
import org.foliobench.layout.BenchParams;
import org.foliobench.layout.RowKey;
import org.foliobench.layout.RunLayout;
import org.foliobench.layout.RunLayout.Meta;
import org.foliobench.results.JobOptions;
import org.foliobench.results.Measurement;
import org.foliobench.results.PassLog;
import org.foliobench.results.PathLabel;
import org.foliobench.stats.CounterNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run folder's one layout ({@link RunLayout}): what the bench's writer path puts in a run folder
 * (its {@link RunFolder}, the pass log, the latency logs, the jobs' options, the metadata keys) the
 * results' reader finds under the same names.
 */
class RunLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void aRunFolderWrittenByTheBenchIsReadByTheResults() throws Exception {
        RowKey row = RowKey.parse("write/ramdisk/N/Y/N/4K").withNumjobs(2); // a swept row: the key carries @numjobs=2
        String key = row.key();
        RunFolder folder = RunFolder.createAt(RunFolder.freeDir(tmp.resolve("runs"), LocalDateTime.of(2026, 1, 2, 3, 4, 5), "h"));
        Path dir = folder.dir();
        List<String> paths = Plan.parsePaths(List.of(IoPath.IOMAP_NAME, IoPath.BH_NAME));
        assertEquals(List.of(PathLabel.BH.param(), PathLabel.IOMAP.param()), paths, "the bench's path names are the results' columns");

        for (String p : paths) {
            try (LatencyLog lat = LatencyLog.open(dir, Workload.logName(p, key), 1, true)) {
                for (int i = 0; i < 4; i++) {
                    lat.startInterval();
                    lat.record(0, 1_000 + i);
                    lat.recordSync(0, 50_000 + i);
                    lat.endInterval(true);
                }
            }
        }
        String[] abba = {paths.get(0), paths.get(1), paths.get(1), paths.get(0)};
        for (int fork = 0; fork < 2; fork++) {
            for (int slot = 0; slot < 4; slot++) {
                String p = abba[slot];
                PassLog.append(dir, new PassLog.Pass(key, fork, 1, 1000, false, 0, slot, p, 1, 1000, 4_096_000,
                        1_000_000L + (p.equals(IoPath.BH_NAME) ? 200_000 : 0), 0, 0, 0, 0, 0, 1, List.of(),
                        Map.of(BenchParams.SIZE_DIVISOR, "1", BenchParams.LATENCY, "true"), Map.of(CounterNames.BIO_SUBMITTED, 7L)));
            }
        }
        JobOptions.write(dir, key, Map.of("bs", "4k", "numjobs", "2"));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Meta.GIT_COMMIT, "0123456789ab");
        meta.put(Meta.skipped("read/nvme/4K"), "no direct device");
        meta.put(Meta.forks(key), "2");
        folder.writeMetadata(meta);

        assertTrue(Files.isRegularFile(RunLayout.passLog(dir, key)));
        assertTrue(Files.isRegularFile(RunLayout.latencyLog(dir, RunLayout.logName(IoPath.IOMAP_NAME, key))));
        assertTrue(Files.isRegularFile(dir.resolve(RunLayout.METADATA_JSON)));

        org.foliobench.results.RunFolder partial = org.foliobench.results.RunFolder.read(dir);
        assertFalse(partial.complete(), "the bench's INCOMPLETE marker is the one the results look for");
        folder.complete();
        org.foliobench.results.RunFolder run = org.foliobench.results.RunFolder.read(dir);
        assertTrue(run.complete());
        assertEquals(Map.of("read/nvme/4K", "no direct device"), run.skipped());
        assertEquals("0123456789ab", run.metadata().get(Meta.GIT_COMMIT));
        assertEquals("2", run.metadata().get(Meta.forks(key)));
        assertEquals(PathLabel.MODEL, run.paths());
        assertEquals(2, run.measurements().size(), run.warnings().toString());
        for (Measurement m : run.measurements()) {
            assertEquals(row, m.row(), "the row key and its numjobs read back");
            assertNotNull(m.latency(), m.path() + ": the latency log is found by the writer's name");
            assertNotNull(m.syncLatency(), m.path() + ": the sync latency log too");
            assertEquals(4 * 7.0, m.totals().get("bios"), "the engine's counter is the table's column");
        }
        assertEquals("4k", run.jobOptions(row).get("bs"));
    }
}
