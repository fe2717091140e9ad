package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class SeedJobsTest {

    private static final long MIB = 1L << 20;

    @Test
    void indexListsOneFilePerReferenceRow() throws Exception {
        List<ReferenceRow> csv = ReferenceRowTest.csvRows();
        List<String> index = SeedJobs.index();
        assertEquals(39, index.size());
        assertEquals(39, new HashSet<>(index).size());
        assertEquals(csv.stream().map(ReferenceRow::fileName).collect(Collectors.toSet()), new HashSet<>(index));
        assertEquals(csv, SeedJobs.rows());
    }

    @Test
    void everyRowLoadsItsOwnFileWhichDeclaresIt() throws Exception {
        List<SeedJobs.Seed> seeds = SeedJobs.loadAll();
        assertEquals(39, seeds.size());
        Set<ReferenceRow> declared = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (SeedJobs.Seed s : seeds) {
            assertEquals(s.row(), s.job().row().orElseThrow());
            assertEquals("seed/" + s.row().fileName(), s.file().name());
            assertEquals(List.of(s.job()), s.file().measuredJobs());
            assertTrue(declared.add(s.row()), "row covered twice: " + s.row());
            assertTrue(files.add(s.file().name()));
        }
        assertEquals(new HashSet<>(ReferenceRowTest.csvRows()), declared);
    }

    @Test
    void everySeedHasItsRowsSemantics() throws Exception {
        for (SeedJobs.Seed s : SeedJobs.loadAll()) {
            assertEquals(List.of(), SeedJobs.semanticProblems(s), s.row().key());
            JobSpec j = s.job();
            ReferenceRow row = s.row();
            assertEquals("psync", j.ioengine());
            assertFalse(j.direct());
            assertEquals(row.bs(), j.bs());
            assertTrue(j.path().isEmpty(), "seeds run on both paths");
            assertEquals(4L << 30, j.memBytes());
            DirtyLimits limits = j.dirtyLimits().orElseThrow();
            assertEquals(row.table() == ReferenceRow.Table.READ || row.overwrite(), j.laysOutFile());
            assertEquals(row.table() == ReferenceRow.Table.WRITE && !row.overwrite(), j.recreatesFile());
            if (row.table() == ReferenceRow.Table.READ) {
                assertEquals(Rw.READ, j.rw());
                assertTrue(j.invalidate(), "cold reads");
                assertEquals(1L << 30, j.size());
                if (row.type() == ReferenceRow.Type.HOLE) {
                    JobSpec make = s.file().jobs().get(0);
                    assertTrue(make.createOnly());
                    assertEquals(Rw.WRITE, make.rw());
                    assertFalse(make.overwrite());
                    assertEquals(FallocateMode.TRUNCATE, make.fallocate());
                    assertTrue(make.recreatesFile());
                    assertEquals(j.filename(), make.filename());
                    assertTrue(j.stonewall());
                } else {
                    assertEquals(1, s.file().jobs().size());
                    assertTrue(j.createFsync());
                }
            } else {
                assertEquals(Rw.WRITE, j.rw());
                assertEquals(row.overwrite(), j.overwrite());
                assertEquals(row.sync() ? 1 : 0, j.fsync());
                assertEquals(0, j.fdatasync());
                assertFalse(j.endFsync());
                if (row.overwrite()) {
                    assertTrue(j.invalidate());
                    assertTrue(j.createFsync());
                } else {
                    assertEquals(FallocateMode.NONE, j.fallocate(), "extends a new file");
                }
                if (row.writeback()) {
                    assertTrue(j.size() > 2 * limits.threshBytes(), row + " size " + j.size());
                    assertEquals(2L << 30, j.size());
                } else {
                    assertTrue(j.size() < limits.bgThreshBytes(), row + " size " + j.size());
                }
                if (row.sync()) {
                    assertTrue(j.size() >= 64 * MIB && j.size() <= 256 * MIB);
                }
            }
            String device = j.device().orElseThrow();
            assertEquals(row.type() == ReferenceRow.Type.NVME, device.equals("nvme"), device);
        }
    }

    @Test
    void scaledDownSeedsKeepTheirSemantics() throws Exception {
        for (int factor : new int[] {1, 2, 4, 16}) {
            for (SeedJobs.Seed s : SeedJobs.loadAll()) {
                JobFile f = s.file().scaledDown(factor);
                JobSpec j = f.measuredJobs().get(0);
                SeedJobs.Seed scaled = new SeedJobs.Seed(s.row(), f, j);
                assertEquals(List.of(), SeedJobs.semanticProblems(scaled), s.row() + " / " + factor);
                assertEquals(s.job().size() / factor, j.size(), s.row() + " / " + factor);
                assertEquals(s.job().memBytes() / factor, j.memBytes());
                assertEquals(0, j.size() % j.bs());
            }
        }
    }

    @Test
    void semanticCheckCatchesBrokenSeeds() throws Exception {
        ReferenceRow wb = ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, false, true, 4096);
        assertTrue(problems(wb, "[j]\nrw=write\nsize=256m\nfallocate=none\nfb_mem=4g\nfb_device=ramdisk\n"
                + "fb_row=write/ramdisk/N/N/Y\n").get(0).startsWith("Writeback=Y: size=268435456 is not at least twice"));
        ReferenceRow cache = ReferenceRow.write(ReferenceRow.Type.CACHE, false, false, false, 4096);
        assertTrue(problems(cache, "[j]\nrw=write\nsize=1g\nfallocate=none\nfb_mem=4g\nfb_device=ramdisk\n"
                + "fb_row=write/cache/N/N/N\n").get(0).startsWith("Writeback=N: size=1073741824 is not below"));
        assertEquals(List.of("Overwrite=N extends a new file: overwrite=0, fallocate=none"), problems(cache,
                "[j]\nrw=write\nsize=256m\nfallocate=truncate\nfb_mem=4g\nfb_device=ramdisk\nfb_row=write/cache/N/N/N\n"));
        assertEquals(List.of("write rows set fb_mem so the dirty thresholds are known"), problems(cache,
                "[j]\nrw=write\nsize=256m\nfallocate=none\nfb_device=ramdisk\nfb_row=write/cache/N/N/N\n"));
        ReferenceRow hole = ReferenceRow.read(ReferenceRow.Type.HOLE, 4096);
        assertTrue(problems(hole, "[j]\nsize=1g\nfb_device=ramdisk\nfb_row=read/hole\n").get(0)
                .startsWith("a hole read needs a preceding create_only write job with fallocate=truncate"));
        assertTrue(problems(hole, "[global]\nsize=1g\nfilename=f\nfb_device=ramdisk\n[m]\nrw=write\nfallocate=none\ncreate_only=1\n"
                + "[j]\nstonewall\nfb_row=read/hole\n").get(0).startsWith("a hole read needs"));
        ReferenceRow nvme = ReferenceRow.read(ReferenceRow.Type.NVME, 4096);
        assertEquals(List.of("fb_device=ramdisk does not fit type nvme"),
                problems(nvme, "[j]\nsize=1g\nfb_device=ramdisk\nfb_row=read/nvme\n"));
        assertEquals(List.of("reads must be cold: invalidate=1"),
                problems(nvme, "[j]\nsize=1g\ninvalidate=0\nfb_device=direct:/dev/nvme0n1\nfb_row=read/nvme\n"));
        ReferenceRow sync = ReferenceRow.write(ReferenceRow.Type.RAMDISK, true, true, false, 65536);
        assertEquals(List.of("Sync=Y is fsync=1"), problems(sync, "[j]\nrw=write\nbs=64k\nsize=64m\noverwrite=1\n"
                + "fdatasync=1\nfb_mem=4g\nfb_device=ramdisk\nfb_row=write/ramdisk/Y/Y/N\n"));
        assertEquals(List.of("bs=4096 but the row's bs is 65536"), problems(sync, "[j]\nrw=write\nsize=64m\noverwrite=1\n"
                + "fsync=1\nfb_mem=4g\nfb_device=ramdisk\nfb_row=write/ramdisk/Y/Y/N\n"));
    }

    private static List<String> problems(ReferenceRow row, String text) throws Exception {
        JobFile f = new FioParser(Map.of()).parse("t.fio", new StringReader(text));
        List<JobSpec> measured = f.measuredJobs();
        return SeedJobs.semanticProblems(new SeedJobs.Seed(row, f, measured.get(measured.size() - 1)));
    }
}
