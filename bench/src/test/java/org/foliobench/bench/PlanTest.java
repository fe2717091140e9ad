package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.foliobench.workloads.ReferenceRow;
import org.junit.jupiter.api.Test;

class PlanTest {
    static Plan.Request request(List<String> rows, List<Integer> bs, List<String> paths, String nvme) {
        return new Plan.Request(rows, bs, paths, Workload.Overrides.NONE, 1, Foliobench.SYNC_CAP_IOS, nvme,
                "no direct device: test");
    }

    @Test
    void wholeTableIsEveryRowOnBothPathsInTableOrder() throws Exception {
        Plan p = Plan.build(request(List.of(), List.of(), List.of("iomap", "bh"), "direct:/tmp/x.img,size=8g"));
        assertEquals(39, p.benches().size());
        assertEquals(39, p.runnable().size());
        assertEquals("read/hole/4K", p.benches().get(0).key());
        assertEquals(List.of("bh", "iomap"), p.benches().get(0).paths());
        assertEquals("bh,iomap", p.benches().get(0).pathList());
        assertEquals("write/nvme/Y/Y/N/1M", p.benches().get(38).key());
        assertEquals(List.of("iomap"), Plan.build(request(List.of("read/hole/4K"), List.of(), List.of("iomap"), null))
                .benches().get(0).paths());
    }

    @Test
    void globsAndListsSelectRows() throws Exception {
        assertEquals(9, Plan.selectRows(ReferenceRow.seedTable(), List.of("read/*"), List.of()).size());
        List<ReferenceRow> wb = Plan.selectRows(ReferenceRow.seedTable(), List.of("write/ramdisk/*/*/Y/*"), List.of());
        assertEquals(6, wb.size());
        assertTrue(wb.stream().allMatch(r -> r.writeback() && r.type() == ReferenceRow.Type.RAMDISK));
        assertEquals(2, Plan.selectRows(ReferenceRow.seedTable(), List.of("read/hole/4K", "WRITE/CACHE/N/N/N/1M"), List.of()).size());
        List<ReferenceRow> r64 = Plan.selectRows(ReferenceRow.seedTable(), List.of("read/*"), List.of(65536));
        assertEquals(3, r64.size());
        assertTrue(r64.stream().allMatch(r -> r.bs() == 65536));
    }

    @Test
    void unknownRowOrBlockSizeIsAUsageError() {
        UsageException e = assertThrows(UsageException.class,
                () -> Plan.selectRows(ReferenceRow.seedTable(), List.of("read/floppy/4K"), List.of()));
        assertTrue(e.line().startsWith("foliobench: unknown row \"read/floppy/4K\" ("), e.line());
        assertThrows(UsageException.class, () -> Plan.selectRows(ReferenceRow.seedTable(), List.of(), List.of(8192)));
        assertThrows(UsageException.class, () -> Plan.parseBlockSizes(List.of("4q")));
        assertEquals(List.of(4096, 65536, 1048576), assertDoesNotThrowList(() -> Plan.parseBlockSizes(List.of("4k", "64K", "1m"))));
        assertThrows(UsageException.class, () -> Plan.parsePaths(List.of("zfs")));
    }

    interface ListSupplier {
        List<Integer> get() throws Exception;
    }

    static List<Integer> assertDoesNotThrowList(ListSupplier s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nvmeRowsAreSkippedWithTheReasonWhenThereIsNoDirectDevice() throws Exception {
        Plan p = Plan.build(request(List.of("read/nvme/*", "read/hole/4K"), List.of(), List.of("bh", "iomap"), null));
        assertEquals(4, p.benches().size());
        assertEquals(1, p.runnable().size());
        assertEquals(3, p.skipped().size());
        assertEquals("no direct device: test", p.skipped().get(0).skip());
        assertNull(p.runnable().get(0).skip());
    }

    @Test
    void syncRowsOnNvmeAreCappedButKeepTheirMeaning() throws Exception {
        Plan p = Plan.build(request(List.of("write/nvme/N/Y/N/4K", "write/ramdisk/N/Y/N/4K"), List.of(), List.of("iomap"),
                "direct:/tmp/x.img,size=8g"));
        Plan.Bench nvme = p.benches().get(1);
        Plan.Bench ram = p.benches().get(0);
        assertEquals("write/nvme/N/Y/N/4K", nvme.key());
        assertTrue(nvme.iosPerPass() <= Foliobench.SYNC_CAP_IOS, "capped: " + nvme.iosPerPass());
        assertEquals(4, nvme.divisor()); // 64m / 4k = 16384 calls -> 4096
        assertEquals(1, nvme.workload().job().fsync());
        assertEquals(1, ram.divisor());
        assertEquals(16384, ram.iosPerPass());
    }

    @Test
    void quickDivisorScalesSizesMemoryAndTheRamdisk() throws Exception {
        Plan p = Plan.build(new Plan.Request(List.of("write/ramdisk/N/N/Y/64K"), List.of(), List.of("bh"), Workload.Overrides.NONE,
                8, Foliobench.QUICK_SYNC_CAP_IOS, null, "x"));
        Plan.Bench b = p.benches().get(0);
        assertEquals(256L << 20, b.workload().job().size());
        assertEquals(512L << 20, b.workload().job().memBytes());
        assertEquals("ramdisk:size=" + (512L << 20), b.workload().device());
        // Writeback=Y still writes at least twice the hard threshold
        assertTrue(b.workload().job().size() >= 2 * b.workload().job().dirtyLimits().get().threshBytes());
    }

    @Test
    void aNumjobsSweepIsOneBenchPerRowAndValueWithItsThreads() throws Exception {
        Plan p = Plan.build(new Plan.Request(List.of("read/hole/4K", "write/cache/N/N/N/64K"), List.of(), List.of("bh", "iomap"),
                Workload.Overrides.NONE, 8, Foliobench.SYNC_CAP_IOS, null, "none", List.of(1, 2, 4)));
        assertEquals(List.of("read/hole/4K@numjobs=1", "read/hole/4K@numjobs=2", "read/hole/4K@numjobs=4",
                "write/cache/N/N/N/64K@numjobs=1", "write/cache/N/N/N/64K@numjobs=2", "write/cache/N/N/N/64K@numjobs=4"),
                p.benches().stream().map(Plan.Bench::key).toList());
        assertEquals(List.of(1, 2, 4, 1, 2, 4), p.benches().stream().map(b -> b.workload().job().numjobs()).toList());
        assertTrue(p.benches().stream().allMatch(b -> b.paths().equals(List.of("bh", "iomap"))), "every path paired in each");
        assertTrue(p.benches().get(2).workload().job().groupReporting());
        // the seeds give filename=: the clones share the file, so the device and memory do not grow with threads
        assertEquals(p.benches().get(0).workload().device(), p.benches().get(2).workload().device());
        assertTrue(p.benches().get(2).workload().directMemoryBytes() - p.benches().get(0).workload().directMemoryBytes() < (1 << 20));
    }

    @Test
    void numjobsIsADimensionOnlyWhenTheSweepIsMoreThanTheJobsOwn() throws Exception {
        assertEquals(List.of("read/hole/4K"), Plan.keys("read/hole/4K", 1, List.of()));
        assertEquals(List.of("read/hole/4K"), Plan.keys("read/hole/4K", 1, List.of(1)));
        assertEquals(List.of("read/hole/4K@numjobs=2"), Plan.keys("read/hole/4K", 1, List.of(2)));
        assertEquals(List.of("job:seq@numjobs=1", "job:seq@numjobs=4"), Plan.keys("job:seq", 4, List.of(1, 4)));
        assertEquals(List.of(1, 2, 4), Plan.parseNumjobs(List.of("1", " 2", "4")));
        assertEquals(List.of(), Plan.parseNumjobs(null));
        assertThrows(UsageException.class, () -> Plan.parseNumjobs(List.of("4097")));
    }
}
