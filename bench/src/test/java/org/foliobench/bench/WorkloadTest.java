package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.foliobench.BhPartialWalk;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void rowFileIsTheLowerCasedKeyWithDashes() {
        assertEquals("write-ramdisk-y-n-y-4k", org.foliobench.layout.RowKey.fileName("write/ramdisk/Y/N/Y/4K"));
        assertEquals("iomap-read-hole-4k", Workload.logName("iomap", "read/hole/4K"));
        assertEquals("bh-job-my_job-1", Workload.logName("bh", "job:my job-1"));
    }

    @Test
    void seedRowResolvesWithTunablesAndDevice() throws Exception {
        JobFile f = SeedJobs.load(ReferenceRow.parseKey("read/hole/4K")).file();
        Workload.Tunables t = new Workload.Tunables(4, 256, 30, 15, 2048, 0, false);
        Workload w = Workload.resolve("read/hole/4K", f, t, 1, null);
        assertEquals(4, w.job().maxFolioOrder());
        assertEquals(256, w.job().readAheadKb());
        assertEquals(30, w.job().dirtyRatio());
        assertEquals(15, w.job().dirtyBackgroundRatio());
        assertEquals(2048, w.job().blockSize());
        assertEquals(false, w.job().dioreadNolock());
        assertEquals(1L << 30, w.job().size());
        assertEquals(1, w.setup().size(), "the create_only hole job");
        assertEquals("ramdisk:size=2g", w.device(), "the seed's device as written");
        assertEquals(262144, w.iosPerPass());
        assertTrue(w.directMemoryBytes() >= (4L << 30) + (2L << 30));
    }

    @Test
    void aJobsRamdiskIsHonouredAndScaledNeverEnlarged() throws Exception {
        JobFile f = new org.foliobench.workloads.FioParser(java.util.Map.of()).parse("t.fio", new java.io.StringReader(
                "[j]\nrw=write\nfallocate=none\nsize=32m\nfb_device=ramdisk:size=64m\n"));
        Workload.Tunables t = Workload.Tunables.of(f.jobs().get(0));
        assertEquals("ramdisk:size=64m", Workload.resolve("job:j", f, t, 1, null).device());
        assertEquals("ramdisk:size=" + (32 << 20), Workload.resolve("job:j", f, t, 2, null).device());
        Workload.resolve("job:j", f, t, 1, null).checkFits(null);

        JobFile big = new org.foliobench.workloads.FioParser(java.util.Map.of()).parse("t.fio", new java.io.StringReader(
                "[j]\nrw=write\nfallocate=none\nsize=32m\nnumjobs=3\ngroup_reporting\nfb_device=ramdisk:size=64m\n"));
        Workload w = Workload.resolve("job:j", big, Workload.Tunables.of(big.jobs().get(0)), 1, null);
        assertEquals("ramdisk:size=64m", w.device());
        UsageException e = assertThrows(UsageException.class, () -> w.checkFits(null));
        assertEquals("foliobench: job:j: 3 files of size=33554432 (96 MiB) do not fit the device ramdisk:size=64m (64 MiB)"
                + " (make the device at least 224m with its size=, or the job's size= smaller)", e.line());
    }

    @Test
    void aNumjobsKeyRunsTheJobWithThatManyClonesByFiosFileRules() throws Exception {
        JobFile f = new org.foliobench.workloads.FioParser(java.util.Map.of()).parse("t.fio", new java.io.StringReader(
                "[j]\nrw=write\nfallocate=none\nsize=32m\n"));
        Workload.Tunables t = Workload.Tunables.of(f.jobs().get(0));
        Workload one = Workload.resolve("job:j", f, t, 1, null);
        Workload four = Workload.resolve("job:j@numjobs=4", f, t, 1, null);
        assertEquals(1, one.job().numjobs());
        assertEquals(4, four.job().numjobs());
        assertTrue(four.job().groupReporting(), "the clones are reported together");
        assertEquals(4, four.job().files().size(), "no filename=: a file per clone");
        assertEquals("ramdisk:size=" + (4 * (32 << 20) + Workload.RAMDISK_SLACK), four.device(), "the ramdisk holds every clone's file");
        assertTrue(four.directMemoryBytes() > one.directMemoryBytes());
        Workload seed = Workload.resolve("read/ramdisk/64K@numjobs=2", Workload.jobFile("read/ramdisk/64K@numjobs=2", null), Workload.Tunables.of(
                Workload.measuredJob("read/ramdisk/64K", Workload.jobFile("read/ramdisk/64K", null))), 8, null);
        assertEquals(2, seed.job().numjobs());
        assertEquals(1, seed.job().files().size(), "the seeds give filename=: the clones share it");
    }

    @Test
    void nvmeRowsTakeTheRunsDevice() throws Exception {
        JobFile f = SeedJobs.load(ReferenceRow.parseKey("read/nvme/1M")).file();
        Workload.Tunables t = Workload.Tunables.of(f.measuredJobs().get(0));
        assertEquals("direct:/x.img,size=1g", Workload.resolve("read/nvme/1M", f, t, 1, "direct:/x.img,size=1g").device());
        assertNull(Workload.resolve("read/nvme/1M", f, t, 1, null).device());
    }

    @Test
    void overridesKeepUnsetValues() throws Exception {
        JobFile f = SeedJobs.load(ReferenceRow.parseKey("write/cache/N/N/N/4K")).file();
        Workload.Tunables t = Workload.Tunables.of(f.measuredJobs().get(0))
                .with(new Workload.Overrides(null, 512, null, null, null, 8L << 30, true));
        assertEquals(9, t.maxFolioOrder());
        assertEquals(512, t.readAheadKb());
        assertEquals(20, t.dirtyRatio());
        assertEquals(8L << 30, t.memBytes());
        assertEquals(true, t.dioreadNolock());
        assertEquals("1", t.dioreadNolockParam());
        assertEquals(null, Workload.Tunables.of(f.measuredJobs().get(0)).dioreadNolock(), "the seeds keep the default");
        assertEquals(null, Workload.Tunables.parseDioreadNolock("default"));
        assertEquals(8L << 30, Workload.resolve("write/cache/N/N/N/4K", f, t, 1, null).memBytes());
    }

    @Test
    void bhPartialWalkOverrideReachesTheJob() throws Exception {
        JobFile f = SeedJobs.load(ReferenceRow.parseKey("write/cache/N/N/N/4K")).file();
        Workload.Tunables seed = Workload.Tunables.of(f.measuredJobs().get(0));
        assertEquals(org.foliobench.Defaults.BH_PARTIAL_WALK, seed.bhPartialWalk());
        Workload.Tunables t = seed.with(new Workload.Overrides(null, null, null, null, null, null, null,
                BhPartialWalk.RANGE));
        assertEquals(BhPartialWalk.RANGE, t.bhPartialWalk());
        assertEquals(BhPartialWalk.RANGE, t.applyTo(f.measuredJobs().get(0)).bhPartialWalk());
        assertEquals(BhPartialWalk.RANGE, seed.with(Workload.Overrides.NONE).with(
                new Workload.Overrides(null, null, null, null, null, null, null, BhPartialWalk.RANGE)).bhPartialWalk());
        assertEquals(org.foliobench.Defaults.BH_PARTIAL_WALK, Workload.Tunables.parseBhPartialWalk("default"));
        assertEquals(BhPartialWalk.RANGE, Workload.Tunables.parseBhPartialWalk("range"));
        assertEquals(BhPartialWalk.FULL, Workload.Tunables.parseBhPartialWalk("full"));
    }

    /** The tunables travel to the fork as JMH params by their declared names and come back equal. */
    @Test
    void tunablesTravelByTheirDeclaredParamNames() throws Exception {
        Workload.Tunables t = new Workload.Tunables(4, 256, 30, 15, 2048, 8L << 30, null, BhPartialWalk.RANGE);
        java.util.Map<String, String> p = t.params();
        assertEquals(Workload.CARRIED.stream().map(org.foliobench.Tunable::param).toList(), java.util.List.copyOf(p.keySet()));
        assertEquals("4", p.get(org.foliobench.Tunables.MAX_FOLIO_ORDER.param()));
        assertEquals("2048", p.get(org.foliobench.Tunables.BLOCK_SIZE.param()));
        assertEquals("default", p.get(org.foliobench.Tunables.DIOREAD_NOLOCK.param()));
        assertEquals("range", p.get(org.foliobench.Tunables.BH_PARTIAL_WALK.param()));
        assertEquals(String.valueOf(8L << 30), p.get(org.foliobench.Tunables.MEM.param()), "the model's RAM in bytes");
        assertEquals(t, Workload.Tunables.fromParams(p::get));
        Workload.Tunables seed = Workload.Tunables.of(SeedJobs.load(ReferenceRow.parseKey("read/hole/4K")).job());
        assertEquals("0", seed.params().get(org.foliobench.Tunables.MEM.param()), "0: the job's fb_mem");
        assertEquals(seed, Workload.Tunables.fromParams(seed.params()::get));
    }
}
