package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import org.junit.jupiter.api.Test;

class KernelRunnerTest {
    private static Map<String, Long> disk(long read, long written) {
        return Map.of("disk.read_bytes", read, "disk.write_bytes", written, "disk.read_ios", 1L, "disk.write_ios", 1L);
    }

    private static List<String> check(ReferenceRow row, long read, long written) throws Exception {
        JobSpec job = SeedJobs.load(row).job();
        return KernelRunner.violations(row, job, disk(read, written));
    }

    @Test
    void theDeviceCountersCheckEachRowsMeaning() throws Exception {
        ReferenceRow cache = ReferenceRow.write(ReferenceRow.Type.CACHE, false, false, false, 65536);
        assertEquals(List.of(), check(cache, 0, 1 << 20), "a journal commit's few blocks are no writeback");
        List<String> v = check(cache, 0, 200L << 20);
        assertEquals(1, v.size());
        assertTrue(v.get(0).startsWith("200 MiB of a 256 MiB file reached the device during a cache sweep"), v.get(0));

        ReferenceRow wb = ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, false, true, 65536);
        assertEquals(List.of(), check(wb, 0, 1500L << 20));
        assertTrue(check(wb, 0, 10L << 20).get(0).contains("the dirty threshold was not crossed"));

        ReferenceRow sync = ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, true, false, 65536);
        assertEquals(List.of(), check(sync, 0, 256L << 20), "Sync=Y writes back by design");

        ReferenceRow cold = ReferenceRow.read(ReferenceRow.Type.RAMDISK, 65536);
        assertEquals(List.of(), check(cold, 1L << 30, 0));
        assertTrue(check(cold, 1L << 20, 0).get(0).contains("the reads were not cold"));

        ReferenceRow hole = ReferenceRow.read(ReferenceRow.Type.HOLE, 65536);
        assertEquals(List.of(), check(hole, 0, 0));
        assertTrue(check(hole, 512L << 20, 0).get(0).contains("during a hole read"));
    }
}
