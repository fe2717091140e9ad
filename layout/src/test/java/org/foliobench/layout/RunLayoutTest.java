package org.foliobench.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunLayoutTest {
    private final Path run = Path.of("runs", "20260102-030405-h");

    @Test
    void perRowFilesAreNamedByTheRowKeysFileName() {
        String key = RowKey.parse("write/ramdisk/Y/N/Y/4K").withNumjobs(2).key();
        assertEquals("write/ramdisk/Y/N/Y/4K@numjobs=2", key);
        assertEquals(run.resolve("passes/write-ramdisk-y-n-y-4k_numjobs_2.jsonl"), RunLayout.passLog(run, key));
        assertEquals(run.resolve("jobs/write-ramdisk-y-n-y-4k_numjobs_2.json"), RunLayout.jobOptions(run, key));
        assertEquals(run.resolve("logs/fork3-write-ramdisk-y-n-y-4k_numjobs_2.log"), RunLayout.forkLog(run, 3, key));
        assertEquals("job-my_job", RowKey.fileName("job:my job"));
    }

    @Test
    void latencyLogsArePathThenRow() {
        String name = RunLayout.logName("iomap", "read/hole/4K");
        assertEquals("iomap-read-hole-4k", name);
        assertEquals(name, RunLayout.logName("iomap", RowKey.fileName("read/hole/4K")), "a file name names itself");
        assertEquals(run.resolve("latency/iomap-read-hole-4k.hlog"), RunLayout.latencyLog(run, name));
        assertEquals(run.resolve("latency/sync/iomap-read-hole-4k.hlog"), RunLayout.syncLatencyLog(run, name));
    }

    @Test
    void perRowMetadataKeys() {
        assertEquals("skipped.read/nvme/4K", RunLayout.Meta.skipped("read/nvme/4K"));
        assertEquals("failed.read/nvme/4K", RunLayout.Meta.failed("read/nvme/4K"));
        assertEquals("forks.read/nvme/4K", RunLayout.Meta.forks("read/nvme/4K"));
        assertEquals("violation.read/nvme/4K", RunLayout.Meta.violation("read/nvme/4K"));
        assertEquals("capped.read/nvme/4K", RunLayout.Meta.capped("read/nvme/4K"));
    }
}
