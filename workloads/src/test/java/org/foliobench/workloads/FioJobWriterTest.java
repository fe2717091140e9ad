package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioJobWriterTest {
    @TempDir
    Path tmp;

    private static String seedFile(SeedJobs.Seed seed) {
        return FioJobWriter.jobFile(FioJobWriter.header(seed.row(), 1), seed.file().jobs());
    }

    @Test
    void everySeedWrittenOutParsesBackToTheSameFioOptionsWithoutItsFbOnes() throws Exception {
        for (SeedJobs.Seed seed : SeedJobs.loadAll()) {
            String text = seedFile(seed);
            assertFalse(text.lines().anyMatch(l -> l.startsWith("fb_")), seed.row() + ": no fb_ option is written");
            JobFile back = new FioParser(Map.of()).parse(seed.row().fileName(), new StringReader(text));
            assertEquals(seed.file().jobs().size(), back.jobs().size());
            for (int i = 0; i < back.jobs().size(); i++) {
                JobSpec a = seed.file().jobs().get(i);
                JobSpec b = back.jobs().get(i);
                String what = seed.row() + " job " + i;
                assertEquals(FioJobWriter.sectionName(a), b.name(), what);
                assertEquals(a.rw(), b.rw(), what);
                assertEquals(a.bs(), b.bs(), what);
                assertEquals(a.size(), b.size(), what);
                assertEquals(a.filename(), b.filename(), what);
                assertEquals(a.fallocate(), b.fallocate(), what);
                assertEquals(a.overwrite(), b.overwrite(), what);
                assertEquals(a.createOnly(), b.createOnly(), what);
                assertEquals(a.createFsync(), b.createFsync(), what);
                assertEquals(a.invalidate(), b.invalidate(), what);
                assertEquals(a.fsync(), b.fsync(), what);
                assertEquals(a.fdatasync(), b.fdatasync(), what);
                assertEquals(a.endFsync(), b.endFsync(), what);
                assertEquals(a.stonewall(), b.stonewall(), what);
                assertEquals(a.numjobs(), b.numjobs(), what);
                assertEquals(0, b.memBytes(), what);
                assertTrue(b.device().isEmpty() && b.row().isEmpty(), what);
            }
            assertEquals(seed.row().key(), back.measuredJobs().get(0).name(), "the measured job is named after its row");
        }
    }

    /** A job's fio options without foliobench's own and without its name (the written section is the row's key). */
    private static Map<String, String> fioOnly(JobSpec j) {
        Map<String, String> o = new java.util.LinkedHashMap<>(j.fioOptions());
        o.keySet().removeIf(k -> k.startsWith(FioJobWriter.FB_PREFIX) || k.equals("name"));
        return o;
    }

    @Test
    void theWrittenJobIsTheJobsFioOptionsAndNothingElse() throws Exception {
        List<JobSpec> jobs = new ArrayList<>();
        for (SeedJobs.Seed seed : SeedJobs.loadAll()) {
            jobs.addAll(seed.file().jobs());
        }
        jobs.add(SeedJobs.load(ReferenceRow.read(ReferenceRow.Type.HOLE, 4096)).job().toBuilder().timeBased(true)
                .runtimeMicros(250_000).rampTimeMicros(10_000).numjobs(2).iodepth(4).thread(true).groupReporting(true)
                .verify(VerifyMode.CRC32C).doVerify(false).fdatasync(3).createOnly(true).stonewall(true)
                .description("every option").filename("a:b").dioreadNolock(false).build());
        for (JobSpec j : jobs) {
            String text = FioJobWriter.jobFile(List.of("t"), List.of(j));
            JobSpec back = new FioParser(Map.of()).parse("t.fio", new StringReader(text)).jobs().get(0);
            assertEquals(fioOnly(j), fioOnly(back), text);
            for (String line : text.lines().filter(l -> !l.startsWith(";") && !l.startsWith("[") && !l.isEmpty()).toList()) {
                String name = line.contains("=") ? line.substring(0, line.indexOf('=')) : line;
                assertTrue(name.equals("name") || j.fioOptions().containsKey(name), "written but not a fio option of the job: " + line);
            }
        }
        JobSpec last = jobs.get(jobs.size() - 1);
        String text = FioJobWriter.jobFile(List.of("t"), List.of(last));
        assertTrue(text.contains("\nruntime=250ms\n") && text.contains("\nramp_time=10ms\n"), text);
        assertTrue(text.contains("\ntime_based\n") && text.contains("\nstonewall\n") && text.contains("\nthread\n"), text);
        assertTrue(text.contains("\nfilename=a\\:b\n"), "fio's escaped colon: " + text);
        assertTrue(text.contains("; fb_dioread_nolock=0: mount the ext4 filesystem with -o nodioread_nolock"), text);
        String plain = FioJobWriter.jobFile(List.of("t"), List.of(JobSpec.builder("p").size(1 << 20).build()));
        assertFalse(plain.contains("time_based") || plain.contains("runtime") || plain.contains("numjobs")
                || plain.contains("verify"), "fio's defaults of options outside the always-shown ones are left out: " + plain);
    }

    @Test
    void theHeaderSaysWhatTheFbOptionsMeantOnARealKernel() throws Exception {
        SeedJobs.Seed seed = SeedJobs.load(ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, false, true, 65536));
        String text = seedFile(seed);
        DirtyLimits l = seed.job().dirtyLimits().orElseThrow();
        assertTrue(text.contains("; fb_mem=4g: the model's RAM; its dirty thresholds are 819 MiB and 409 MiB (background)"), text);
        assertTrue(text.contains(";   sysctl vm.dirty_bytes=" + l.threshBytes() + " vm.dirty_background_bytes=" + l.bgThreshBytes()), text);
        assertTrue(text.contains("; fb_device=ramdisk:size=4g: the model's device; run it on a filesystem on a RAM-backed block device"), text);
        assertTrue(text.contains("; Writeback=Y: the file (2g) is more than twice the dirty threshold"), "the seed's own explanation");
        JobSpec nvme = SeedJobs.load(ReferenceRow.read(ReferenceRow.Type.NVME, 4096)).job();
        assertTrue(FioJobWriter.modelNotes(nvme).get(0).contains("on the NVMe device"));
        List<String> scaled = FioJobWriter.header(seed.row(), 8);
        assertTrue(scaled.get(0).contains("sizes / 8"), scaled.toString());
        assertEquals(2, scaled.size(), "the seed's explanation names the seed's sizes: left out when divided");
    }

    @Test
    void unitsAsFioWritesThem() {
        assertEquals("4k", org.foliobench.FioSize.format(4096));
        assertEquals("1g", org.foliobench.FioSize.format(1L << 30));
        assertEquals("1536k", org.foliobench.FioSize.format(1536 << 10));
        assertEquals("1000", org.foliobench.FioSize.format(1000));
        assertEquals("250ms", FioUnits.formatTimeMicros(250_000));
        assertEquals("2s", FioUnits.formatTimeMicros(2_000_000));
        assertEquals("7us", FioUnits.formatTimeMicros(7));
        assertEquals(250_000, FioUnits.parseTimeMicros("runtime", FioUnits.formatTimeMicros(250_000)));
    }

    /** fio on the PATH, or null. */
    static Path fio() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "fio");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void realFioParsesEveryWrittenJob() throws Exception {
        Path fio = fio();
        if (fio == null) {
            System.out.println("FioJobWriterTest.realFioParsesEveryWrittenJob skipped: fio is not installed (apt-get install fio)");
        }
        Assumptions.assumeTrue(fio != null, "fio is not installed (apt-get install fio)");
        List<Path> files = new ArrayList<>();
        for (SeedJobs.Seed seed : SeedJobs.loadAll()) {
            Path f = tmp.resolve(seed.row().fileName());
            Files.writeString(f, seedFile(seed), StandardCharsets.UTF_8);
            files.add(f);
        }
        // what a kernel run adds: a time-based job with a runtime in milliseconds
        JobSpec timed = SeedJobs.load(ReferenceRow.read(ReferenceRow.Type.HOLE, 4096)).job().toBuilder().timeBased(true)
                .runtimeMicros(250_000).rampTimeMicros(10_000).numjobs(2).iodepth(4).thread(true).groupReporting(true)
                .verify(VerifyMode.CRC32C).build();
        Path t = tmp.resolve("timed.fio");
        Files.writeString(t, FioJobWriter.jobFile(List.of("timed"), List.of(timed)), StandardCharsets.UTF_8);
        files.add(t);
        for (Path f : files) {
            Process p = new ProcessBuilder(fio.toString(), "--parse-only", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), f.toString());
            assertEquals(0, p.exitValue(), f.getFileName() + ": fio --parse-only said: " + out);
            assertFalse(out.toLowerCase(java.util.Locale.ROOT).contains("bad option"), f.getFileName() + ": " + out);
        }
    }

    @Test
    void headerLinesAreComments() throws IOException, JobFileException {
        String text = FioJobWriter.jobFile(List.of("one", "", "two"), SeedJobs.load(ReferenceRow.read(ReferenceRow.Type.HOLE, 65536)).file().jobs());
        assertTrue(text.startsWith("; one\n;\n; two\n"), text);
    }
}
