package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobSpecTest {

    @Test
    void builderRoundTripKeepsEveryField() throws Exception {
        JobSpec j = new FioParser(java.util.Map.of()).parse("t.fio", new java.io.StringReader(String.join("\n",
                "[j]", "name=n", "rw=write", "bs=64k", "size=1g", "filename=f", "fsync=2", "fdatasync=3", "end_fsync=1",
                "overwrite=1", "invalidate=0", "fallocate=keep", "create_only=1", "create_fsync=0", "time_based",
                "runtime=5s", "ramp_time=1s", "numjobs=3", "iodepth=4", "verify=crc32c", "do_verify=0", "thread",
                "group_reporting", "stonewall", "fb_path=bh", "fb_device=nvme", "fb_mem=2g", "fb_block_size=2k",
                "fb_max_folio_order=2", "fb_read_ahead_kb=64", "fb_dirty_bytes=128m", "fb_dirty_background_ratio=7",
                "fb_dirty_expire_centisecs=10", "fb_dirty_writeback_centisecs=20", "fb_dioread_nolock=1", "fb_row=write/nvme/Y/Y/N")))
                .jobs().get(0);
        JobSpec copy = j.toBuilder().build();
        for (java.lang.reflect.Method m : JobSpec.class.getDeclaredMethods()) {
            if (m.getParameterCount() == 0 && java.lang.reflect.Modifier.isPublic(m.getModifiers())
                    && !m.getName().equals("toBuilder") && !m.getName().equals("hashCode")) {
                assertEquals(m.invoke(j), m.invoke(copy), m.getName());
            }
        }
        assertEquals(128L << 20, copy.dirtyBytes());
        assertEquals(0, copy.dirtyRatio());
    }

    @Test
    void fioOptionsNameEveryOptionAndParseBackToTheSameJob() throws Exception {
        java.util.List<JobSpec> jobs = new java.util.ArrayList<>();
        for (SeedJobs.Seed s : SeedJobs.loadAll()) {
            jobs.add(s.job());
        }
        jobs.add(new FioParser(java.util.Map.of()).parse("t.fio", new java.io.StringReader(String.join("\n", "[j]",
                "rw=write", "bs=64k", "size=1g", "filename=f", "fsync=2", "end_fsync=1", "time_based", "runtime=5s",
                "ramp_time=1s", "numjobs=3", "iodepth=4", "verify=crc32c", "fallocate=none", "group_reporting",
                "fb_path=iomap", "fb_mem=2g", "fb_dirty_bytes=128m", "description=all of it"))).jobs().get(0));
        for (JobSpec j : jobs) {
            java.util.Map<String, String> o = j.fioOptions();
            for (String k : java.util.List.of("ioengine", "direct", "rw", "bs", "size", "filename", "iodepth", "numjobs",
                    "fsync", "overwrite", "fallocate", "invalidate")) {
                assertTrue(o.containsKey(k), j.name() + " " + k);
            }
            StringBuilder text = new StringBuilder("[" + j.name() + "]\n");
            o.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            JobSpec back = new FioParser(java.util.Map.of()).parse("back.fio", new java.io.StringReader(text.toString()))
                    .jobs().get(0);
            assertEquals(o, back.fioOptions(), text.toString());
        }
        assertEquals("64k", jobs.get(jobs.size() - 1).fioOptions().get("bs"));
        assertEquals("5s", jobs.get(jobs.size() - 1).fioOptions().get("runtime"));
    }

    @Test
    void scaledDownKeepsWholeBlocksAndPages() {
        JobSpec j = JobSpec.builder("j").bs(1 << 20).size(3L << 20).memBytes((4L << 30) + 4096)
                .dirtyBytes(3 * 4096).dirtyBackgroundBytes(4096).build();
        JobSpec s = j.scaledDown(2);
        assertEquals(1 << 20, s.size());
        assertEquals(2L << 30, s.memBytes());
        assertEquals(2 * 4096, s.dirtyBytes());
        assertEquals(4096, s.dirtyBackgroundBytes());
        assertEquals(1 << 20, j.scaledDown(100).size());
        assertEquals(j, j.scaledDown(1));
        assertThrows(IllegalArgumentException.class, () -> j.scaledDown(0));
        JobSpec plain = JobSpec.builder("p").size(1 << 20).build().scaledDown(4);
        assertEquals(0, plain.memBytes());
        assertEquals(0, plain.dirtyBytes());
        assertEquals(256 << 10, plain.size());
    }

    @Test
    void buildRequiresSizeAndBs() {
        assertThrows(IllegalArgumentException.class, () -> JobSpec.builder("j").build());
        assertThrows(IllegalArgumentException.class, () -> JobSpec.builder("j").size(1).bs(0).build());
        assertEquals(2, JobSpec.builder("j").size(9000).build().iosPerPass(), "whole blocks only, as fio");
        assertEquals("j.0.0", JobSpec.builder("j").size(1).build().filename());
    }
}
