package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioParserTest {

    private static JobFile parse(String text) throws Exception {
        return parse(Map.of(), text);
    }

    private static JobFile parse(Map<String, String> env, String text) throws Exception {
        return new FioParser(env).parse("t.fio", new StringReader(text));
    }

    /** Parses {@code text} expecting an error; returns the one-line message. */
    private static String error(String text) {
        JobFileException e = assertThrows(JobFileException.class, () -> parse(text));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().matches("t\\.fio:\\d+: .+ \\(.+\\)"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void reflinkNeedsAnOverwriteJobOnIomap() throws Exception {
        JobSpec j = parse("[j]\nrw=write\nsize=1m\noverwrite=1\nfb_path=iomap\nfb_reflink=1\n").jobs().get(0);
        assertTrue(j.reflink());
        assertEquals("1", j.fioOptions().get("fb_reflink"));
        assertEquals("f.reflink", JobSpec.reflinkName("f"));
        JobSpec d = parse("[j]\nrw=write\nsize=1m\noverwrite=1\n").jobs().get(0);
        assertFalse(d.reflink());
        assertFalse(d.fioOptions().containsKey("fb_reflink"), "the default is not written out");
        assertTrue(error("[j]\nrw=write\nsize=1m\nfallocate=none\nfb_reflink=1\n")
                .startsWith("t.fio:5: job \"j\": fb_reflink=1 reflinks the laid-out file"));
        assertTrue(error("[j]\nrw=write\nsize=1m\noverwrite=1\nfb_path=bh\nfb_reflink=1\n")
                .contains("buffer_head path has no reflink"));
        assertTrue(error("[j]\nrw=write\nsize=1m\nbs=4k\noverwrite=1\ndirect=1\nfb_path=iomap\nfb_reflink=1\n")
                .contains("copy on write for O_DIRECT is not modelled"));
    }

    @Test
    void bhPartialWalkAndTheBhlfPath() throws Exception {
        JobSpec j = parse("[j]\nsize=1m\nfb_path=bhlf\nfb_bh_partial_walk=range\n").jobs().get(0);
        assertEquals(IoPathKind.BHLF, j.path().get());
        assertEquals(BhPartialWalk.RANGE, j.bhPartialWalk());
        assertEquals("range", j.fioOptions().get("fb_bh_partial_walk"));
        JobSpec d = parse("[j]\nsize=1m\n").jobs().get(0);
        assertEquals(org.foliobench.Defaults.BH_PARTIAL_WALK, d.bhPartialWalk());
        assertFalse(d.fioOptions().containsKey("fb_bh_partial_walk"), "the default is not written out");
        assertEquals("t.fio:2: bad value \"all\" for fb_bh_partial_walk (use full or range)",
                error("[j]\nfb_bh_partial_walk=all\n"));
    }

    @Test
    void defaultsAreFiosAndTheKernels() throws Exception {
        JobSpec j = parse("[j]\nsize=1m\n").jobs().get(0);
        assertEquals("j", j.name());
        assertEquals("j", j.displayName());
        assertEquals("", j.description());
        assertEquals("t.fio", j.file());
        assertEquals(1, j.line());
        assertEquals(Rw.READ, j.rw());
        assertEquals(4096, j.bs());
        assertEquals(1 << 20, j.size());
        assertEquals(256, j.iosPerPass());
        assertEquals("j.0.0", j.filename());
        assertEquals("psync", j.ioengine());
        assertEquals(1, j.iodepth());
        assertEquals(1, j.numjobs());
        assertEquals(0, j.fsync());
        assertEquals(0, j.fdatasync());
        assertFalse(j.endFsync());
        assertFalse(j.overwrite());
        assertTrue(j.invalidate());
        assertEquals(FallocateMode.NATIVE, j.fallocate());
        assertFalse(j.createOnly());
        assertTrue(j.createFsync());
        assertFalse(j.timeBased());
        assertEquals(0, j.runtimeMicros());
        assertEquals(0, j.rampTimeMicros());
        assertFalse(j.direct());
        assertEquals(VerifyMode.NONE, j.verify());
        assertTrue(j.doVerify());
        assertFalse(j.thread());
        assertFalse(j.groupReporting());
        assertFalse(j.stonewall());
        assertEquals(Optional.empty(), j.path());
        assertEquals(List.of(IoPathKind.BH, IoPathKind.IOMAP), j.sweepPaths());
        assertEquals(Optional.empty(), j.device());
        assertEquals(0, j.memBytes());
        assertEquals(Optional.empty(), j.dirtyLimits());
        assertEquals(Defaults.BLOCK_SIZE, j.blockSize());
        assertEquals(Defaults.MAX_PAGECACHE_ORDER, j.maxFolioOrder());
        assertEquals(Defaults.READ_AHEAD_KB, j.readAheadKb());
        assertEquals(Defaults.DIRTY_RATIO, j.dirtyRatio());
        assertEquals(Defaults.DIRTY_BACKGROUND_RATIO, j.dirtyBackgroundRatio());
        assertEquals(Defaults.DIRTY_BYTES, j.dirtyBytes());
        assertEquals(Defaults.DIRTY_BACKGROUND_BYTES, j.dirtyBackgroundBytes());
        assertEquals(Defaults.DIRTY_EXPIRE_CENTISECS, j.dirtyExpireCentisecs());
        assertEquals(Defaults.DIRTY_WRITEBACK_CENTISECS, j.dirtyWritebackCentisecs());
        assertEquals(null, j.dioreadNolock());
        assertEquals(Optional.empty(), j.row());
    }

    @Test
    void everySupportedOption() throws Exception {
        JobSpec j = parse(String.join("\n",
                "[global]",
                "ioengine=psync",
                "direct=0",
                "buffered=1",
                "[seq]",
                "name=printed",
                "description=a job; with a comment",
                "readwrite=write",
                "blocksize=64k",
                "size=2g",
                "filename=/mnt/x\\:y",
                "fsync=4",
                "fdatasync=8",
                "end_fsync=1",
                "overwrite=1",
                "invalidate=0",
                "fallocate=truncate",
                "create_only=0",
                "create_fsync=0",
                "time_based",
                "timeout=1m",
                "ramp_time=500ms",
                "numjobs=2",
                "iodepth=32",
                "verify=crc32c-intel",
                "do_verify=0",
                "thread",
                "group_reporting=1",
                "wait_for_previous",
                "fb_path=iomap",
                "fb_device=file:/tmp/dev.img,size=8g",
                "fb_mem=4g",
                "fb_block_size=1k",
                "fb_max_folio_order=4",
                "fb_read_ahead_kb=512",
                "fb_dirty_ratio=40",
                "fb_dirty_background_ratio=5",
                "fb_dirty_expire_centisecs=100",
                "fb_dirty_writeback_centisecs=0",
                "fb_dioread_nolock=0",
                "")).jobs().get(0);
        assertEquals("printed", j.displayName());
        assertEquals("a job", j.description());
        assertEquals(Rw.WRITE, j.rw());
        assertEquals(65536, j.bs());
        assertEquals(2L << 30, j.size());
        assertEquals("/mnt/x:y", j.filename());
        assertEquals(4, j.fsync());
        assertEquals(8, j.fdatasync());
        assertTrue(j.endFsync());
        assertTrue(j.overwrite());
        assertFalse(j.invalidate());
        assertEquals(FallocateMode.TRUNCATE, j.fallocate());
        assertFalse(j.createOnly());
        assertFalse(j.createFsync());
        assertTrue(j.timeBased());
        assertEquals(60_000_000L, j.runtimeMicros());
        assertEquals(60, j.runtime().toSeconds());
        assertEquals(500, j.rampTime().toMillis());
        assertEquals(2, j.numjobs());
        assertEquals(32, j.iodepth());
        assertEquals(VerifyMode.CRC32C, j.verify());
        assertFalse(j.doVerify());
        assertTrue(j.thread());
        assertTrue(j.groupReporting());
        assertTrue(j.stonewall());
        assertEquals(Optional.of(IoPathKind.IOMAP), j.path());
        assertEquals(List.of(IoPathKind.IOMAP), j.sweepPaths());
        assertEquals(Optional.of("file:/tmp/dev.img,size=8g"), j.device());
        assertEquals(4L << 30, j.memBytes());
        assertEquals(1024, j.blockSize());
        assertEquals(4, j.maxFolioOrder());
        assertEquals(512, j.readAheadKb());
        assertEquals(40, j.dirtyRatio());
        assertEquals(5, j.dirtyBackgroundRatio());
        assertEquals(100, j.dirtyExpireCentisecs());
        assertEquals(0, j.dirtyWritebackCentisecs());
        assertEquals(false, j.dioreadNolock());
        assertEquals(DirtyLimits.compute(4L << 30, 40, 5, 0, 0), j.dirtyLimits().orElseThrow());
    }

    @Test
    void commentsBlankLinesAndWhitespace() throws Exception {
        JobFile f = parse(String.join("\n",
                "; -- start job file --",
                "# hash comment",
                "   ; indented comment",
                "",
                "[global]   ",
                "  rw = write   ; trailing comment",
                "\tbs=64k# trailing hash",
                "[ job1 ]",
                "size=1m",
                "fallocate=none",
                "; -- end job file --"));
        JobSpec j = f.jobs().get(0);
        assertEquals("job1", j.name());
        assertEquals(8, j.line());
        assertEquals(Rw.WRITE, j.rw());
        assertEquals(65536, j.bs());
    }

    @Test
    void globalInheritanceOnlyFromAboveAndInOrder() throws Exception {
        JobFile f = parse(String.join("\n",
                "[global]",
                "rw=write",
                "fallocate=none",
                "bs=8k",
                "size=1m",
                "[a]",
                "bs=16k",
                "[global]",
                "bs=32k",
                "fsync=1",
                "[b]",
                "stonewall",
                "[c]",
                "stonewall",
                "rw=read",
                "bs=4k",
                "bs=128k",
                "[global]",
                "numjobs=4",
                ""));
        assertEquals(List.of("a", "b", "c"), f.jobs().stream().map(JobSpec::name).toList());
        JobSpec a = f.job("a").orElseThrow();
        assertEquals(16384, a.bs());
        assertEquals(0, a.fsync());
        assertEquals(Rw.WRITE, a.rw());
        assertEquals(1, a.numjobs());
        JobSpec b = f.job("b").orElseThrow();
        assertEquals(32768, b.bs());
        assertEquals(1, b.fsync());
        assertEquals(1, b.numjobs());
        JobSpec c = f.job("c").orElseThrow();
        assertEquals(Rw.READ, c.rw());
        assertEquals(131072, c.bs());
        assertEquals(1, c.fsync());
        assertEquals(1, c.numjobs());
        assertEquals(List.of(a, b, c), f.measuredJobs());
    }

    @Test
    void createOnlyJobsAreNotMeasured() throws Exception {
        JobFile f = parse("[global]\nsize=1m\nfilename=x\n[make]\nrw=write\nfallocate=truncate\ncreate_only=1\n"
                + "[read]\nstonewall\n");
        assertEquals(2, f.jobs().size());
        assertEquals(List.of(f.job("read").orElseThrow()), f.measuredJobs());
    }

    @Test
    void flagsMayBeBareOrZeroOrOne() throws Exception {
        JobSpec j = parse("[j]\nsize=1m\nruntime=1\ntime_based\ngroup_reporting=0\nthread=1\nstonewall=0\n").jobs().get(0);
        assertTrue(j.timeBased());
        assertFalse(j.groupReporting());
        assertTrue(j.thread());
        assertFalse(j.stonewall());
    }

    @Test
    void environmentExpansion() throws Exception {
        JobSpec j = parse(Map.of("SIZE", "64m", "DEV", "/dev/nvme0n1"),
                "[j]\nsize=${SIZE}\nfb_device=direct:${DEV}\nfilename=${UNSET}f${}\n").jobs().get(0);
        assertEquals(64L << 20, j.size());
        assertEquals(Optional.of("direct:/dev/nvme0n1"), j.device());
        assertEquals("f", j.filename());
        assertEquals("t.fio:3: fb_device=direct: has no path (give one, e.g. direct:/mnt/test/dev.img (is a ${VAR} it uses"
                + " unset?))", assertThrows(JobFileException.class,
                        () -> parse("[j]\nsize=1m\nfb_device=direct:${NVME}\n")).getMessage());
    }

    @Test
    void fallocateModes() throws Exception {
        Map<String, FallocateMode> modes = Map.of("none", FallocateMode.NONE, "0", FallocateMode.NONE,
                "native", FallocateMode.NATIVE, "posix", FallocateMode.POSIX, "1", FallocateMode.POSIX,
                "keep", FallocateMode.KEEP, "truncate", FallocateMode.TRUNCATE);
        for (Map.Entry<String, FallocateMode> e : modes.entrySet()) {
            assertEquals(e.getValue(), parse("[j]\nsize=1m\nfallocate=" + e.getKey()).jobs().get(0).fallocate());
        }
        assertEquals("t.fio:3: bad value \"trunc\" for fallocate (use none, native, posix, keep or truncate)",
                error("[j]\nsize=1m\nfallocate=trunc\n"));
    }

    @Test
    void devicesSpecs() throws Exception {
        for (String d : List.of("ramdisk", "ramdisk:size=4g", "nvme", "file:/a", "direct:/dev/nvme0n1,size=1t")) {
            assertEquals(Optional.of(d), parse("[j]\nsize=1m\nfb_device=" + d).jobs().get(0).device());
        }
        assertEquals("t.fio:3: bad value \"nvme0\" for fb_device (use ramdisk[:size=N], file:PATH[,size=N],"
                + " direct:PATH[,size=N] or nvme)", error("[j]\nsize=1m\nfb_device=nvme0\n"));
        // the kinds are the device layer's: each one it parses is accepted, and named in the refusal
        for (org.foliobench.device.DeviceSpec.Kind k : org.foliobench.device.DeviceSpec.Kind.values()) {
            String d = k.prefix() + ":" + (k.hasPath() ? "/a,size=1m" : "size=1m");
            org.foliobench.device.DeviceSpec.parse(d);
            assertEquals(Optional.of(d), parse("[j]\nsize=1m\nfb_device=" + d).jobs().get(0).device());
            assertTrue(error("[j]\nsize=1m\nfb_device=nvme0\n").contains(k.prefix()), k.prefix());
        }
    }

    @Test
    void dirtyBytesAndRatioClearEachOtherLikeTheSysctls() throws Exception {
        JobSpec j = parse("[global]\nfb_dirty_ratio=30\nfb_dirty_background_bytes=64m\n[j]\nsize=1m\n"
                + "fb_dirty_bytes=256m\nfb_mem=4g\n").jobs().get(0);
        assertEquals(0, j.dirtyRatio());
        assertEquals(256L << 20, j.dirtyBytes());
        assertEquals(0, j.dirtyBackgroundRatio());
        assertEquals(64L << 20, j.dirtyBackgroundBytes());
        assertEquals(65536, j.dirtyLimits().orElseThrow().threshPages());
        assertEquals(16384, j.dirtyLimits().orElseThrow().bgThreshPages());
        j = parse("[j]\nsize=1m\nfb_dirty_bytes=256m\nfb_dirty_ratio=15\n").jobs().get(0);
        assertEquals(15, j.dirtyRatio());
        assertEquals(0, j.dirtyBytes());
    }

    @Test
    void rowKeyIsCheckedAgainstTheJob() throws Exception {
        JobSpec j = parse("[j]\nrw=write\nbs=64k\nsize=64m\nfsync=1\noverwrite=1\nfb_row=write/ramdisk/Y/Y/N\n")
                .jobs().get(0);
        assertEquals(ReferenceRow.write(ReferenceRow.Type.RAMDISK, true, true, false, 65536), j.row().orElseThrow());
        assertEquals("t.fio:3: job \"j\": fb_row=write/ramdisk/N/N/N is a write row but rw=read (make the job's"
                + " options match the row)", error("[j]\nsize=1m\nfb_row=write/ramdisk/N/N/N\n"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nfb_row=read/hole\n").contains("is a read row but rw=write"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nfb_row=write/cache/Y/N/N\n")
                .contains("says Overwrite=Y but overwrite=0"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nfb_row=write/cache/N/Y/N\n")
                .contains("says Sync=Y but fsync=0 fdatasync=0"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nfdatasync=1\nfb_row=write/cache/N/N/N\n")
                .contains("says Sync=N but fsync=0 fdatasync=1"));
        assertEquals("t.fio:3: bad value \"write/ramdisk\" for fb_row: a write row is write/TYPE/OVERWRITE/SYNC/WRITEBACK,"
                + " e.g. write/ramdisk/N/Y/N, not \"write/ramdisk\" (e.g. fb_row=read/hole or"
                + " fb_row=write/ramdisk/N/Y/N)", error("[j]\nsize=1m\nfb_row=write/ramdisk\n"));
        assertTrue(error("[j]\nsize=1m\nfb_row=read/cache\n").startsWith("t.fio:3: bad value \"read/cache\" for fb_row"));
    }

    // ------------------------------------------------------------------ error paths

    @Test
    void unknownOptionWithSuggestion() {
        assertEquals("t.fio:7: unknown option \"bz\" (did you mean \"bs\"?)",
                error("[global]\nrw=write\n\n; c\n[j]\nsize=1m\nbz=4k\n"));
        assertEquals("t.fio:2: unknown option \"BS\" (did you mean \"bs\"?)", error("[j]\nBS=4k\n"));
        assertEquals("t.fio:2: unknown option \"runtim\" (did you mean \"runtime\"?)", error("[j]\nruntim=1\n"));
        assertEquals("t.fio:2: unknown option \"fb_dirty_ration\" (did you mean \"fb_dirty_ratio\"?)",
                error("[j]\nfb_dirty_ration=5\n"));
        assertEquals("t.fio:2: unknown option \"qwxzqwxz\" (FioParser documents the supported options;"
                + " foliobench options start with fb_)", error("[j]\nqwxzqwxz=1\n"));
    }

    @Test
    void fioOptionsOutsideTheSubset() {
        assertEquals("t.fio:2: fio option \"kb_base\" is not in foliobench's subset (remove it; FioParser documents"
                + " the supported options)", error("[j]\nkb_base=1000\n"));
        assertTrue(error("[j]\noffset=4k\n").startsWith("t.fio:2: fio option \"offset\""));
    }

    @Test
    void unsupportedEngine() {
        assertEquals("t.fio:3: ioengine \"libaio\" is not supported (foliobench runs psync only)",
                error("[global]\nsize=1m\nioengine=libaio\n[j]\n"));
        assertTrue(error("[j]\nioengine=sync\n").contains("ioengine \"sync\" is not supported"));
    }

    @Test
    void directIo() throws Exception {
        JobSpec j = parse("[j]\nsize=1m\nrw=write\nbs=64k\ndirect=1\nfallocate=none\n").jobs().get(0);
        assertTrue(j.direct());
        assertFalse(j.atomic());
        assertEquals("1", j.fioOptions().get("direct"));
        assertTrue(parse("[j]\nsize=1m\nbuffered=0\n").jobs().get(0).direct(), "buffered=0 is direct=1");
        JobSpec a = parse("[j]\nsize=1m\nrw=write\nbs=16k\ndirect=1\natomic=1\nfallocate=none\n"
                + "fb_device=ramdisk:size=64m,awu_max=64k\n").jobs().get(0);
        assertTrue(a.atomic());
        assertEquals("1", a.fioOptions().get("atomic"));
        assertEquals("t.fio:4: job \"j\": direct IO with bs=6144, not a multiple of the 4096-byte filesystem block (use a bs"
                + " that is a multiple of fb_block_size (O_DIRECT offsets and lengths are whole blocks here))",
                error("[j]\nsize=1m\ndirect=1\nbs=6k\n"));
        assertTrue(error("[j]\nsize=1m\nrw=write\natomic=1\nfallocate=none\n").contains("atomic=1 without direct=1"));
        assertTrue(error("[j]\nsize=1m\ndirect=1\natomic=1\n").contains("atomic=1 on a read job"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nbs=12k\ndirect=1\natomic=1\nfallocate=none\n")
                .contains("bs=12288, which is not a power of two"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nbs=16k\ndirect=1\natomic=1\nfallocate=none\n")
                .contains("on a device that cannot write atomically (the default ramdisk)"));
        assertTrue(error("[j]\nsize=1m\nrw=write\nbs=128k\ndirect=1\natomic=1\nfallocate=none\nfb_device=ramdisk:size=64m,awu_max=64k\n")
                .contains("bs=131072 above the device's atomic write unit max 65536"));
    }

    @Test
    void badValues() {
        assertEquals("t.fio:2: bad value \"true\" for end_fsync (fio bools take 0 or 1)", error("[j]\nend_fsync=true\n"));
        assertEquals("t.fio:2: option \"overwrite\" needs a value (write overwrite=1 or overwrite=0)",
                error("[j]\noverwrite\n"));
        assertEquals("t.fio:2: option \"bs\" needs a value (write bs=VALUE)", error("[j]\nbs\n"));
        assertEquals("t.fio:2: option \"bs\" has an empty value (give a value after '=' (is a ${VAR} it uses unset?))",
                error("[j]\nbs=\n"));
        assertEquals("t.fio:2: bad value \"2\" for time_based (fio bools take 0 or 1)", error("[j]\ntime_based=2\n"));
        assertEquals("t.fio:2: rw=randread is not supported (foliobench runs sequential psync jobs: rw=read or rw=write)",
                error("[j]\nrw=randread\n"));
        assertEquals("t.fio:2: rw=randrw is not supported (foliobench runs sequential psync jobs: rw=read or rw=write)",
                error("[j]\nrw=randrw\n"));
        assertTrue(error("[j]\nrw=write:4k\n").contains("offset modifiers (\":4k\") are not supported"));
        assertTrue(error("[j]\nbs=4k,64k\n").contains("separate read/write/trim block sizes"));
        assertTrue(error("[j]\nsize=20%\n").contains("size=20%: percentages are not supported"));
        assertTrue(error("[j]\nfilename=a:b\n").contains("several files (\"a:b\") are not supported"));
        assertEquals("t.fio:2: numjobs=0 is out of range (use a value between 1 and 4096)", error("[j]\nnumjobs=0\n"));
        assertTrue(error("[j]\niodepth=0\n").contains("iodepth=0 is out of range"));
        assertEquals("t.fio:2: verify=md5 is not supported (foliobench verifies with verify=crc32c; verify=0 turns it off)",
                error("[j]\nverify=md5\n"));
        assertTrue(error("[j]\nverify=none\n").contains("verify=none is not supported"));
        assertEquals("t.fio:2: bad value \"ext4\" for fb_path (use bh, iomap or bhlf; leave it out to run bh and iomap)",
                error("[j]\nfb_path=ext4\n"));
        // a tunable's value gets its declaration's one message (Tunable), the same a command-line flag gets
        assertEquals("t.fio:2: bad value \"8k\" for mke2fs -b (use 1k, 2k or 4k: 1024, 2048 or 4096 bytes)",
                error("[j]\nfb_block_size=8k\n"));
        assertEquals("t.fio:2: bad value \"10\" for MAX_PAGECACHE_ORDER (use a whole number 0..9)",
                error("[j]\nfb_max_folio_order=10\n"));
        assertEquals("t.fio:2: bad value \"101\" for vm.dirty_ratio (use a whole number 0..100)",
                error("[j]\nfb_dirty_ratio=101\n"));
        assertEquals("t.fio:2: " + message(org.foliobench.Tunables.DIRTY_BACKGROUND_RATIO, "-1"), error("[j]\nfb_dirty_background_ratio=-1\n"));
        assertEquals("t.fio:2: " + message(org.foliobench.Tunables.DIRTY_EXPIRE_CENTISECS, "3s"), error("[j]\nfb_dirty_expire_centisecs=3s\n"));
        assertEquals("t.fio:2: " + message(org.foliobench.Tunables.READ_AHEAD_KB, "128k"), error("[j]\nfb_read_ahead_kb=128k\n"));
        assertEquals("t.fio:2: " + message(org.foliobench.Tunables.MEM, "1000"), error("[j]\nfb_mem=1000\n"));
        assertEquals("t.fio:2: " + message(org.foliobench.Tunables.DIRTY_BYTES, "4k"), error("[j]\nfb_dirty_bytes=4k\n"));
        assertTrue(error("[j]\nbs=2g\n").contains("bs=2g is out of range"));
    }

    @Test
    void badUnits() {
        assertEquals("t.fio:3: bs=4kx: bad unit \"kx\" in \"4kx\" (use k, m, g, t or p (powers of 1024), optionally with b:"
                + " 4k, 4kb; kib..pib are powers of 1000)", error("[j]\nsize=1m\nbs=4kx\n"));
        assertEquals("t.fio:2: bad unit \"x\" in runtime=10x (use d, h, m, s, ms or us; a bare number is seconds)",
                error("[j]\nruntime=10x\n"));
        assertEquals("t.fio:2: bad value \"4q\" for the model's RAM, mem= (use a size of at least 1m in whole 4096-byte pages,"
                + " e.g. 4g)", error("[j]\nfb_mem=4q\n"));
    }

    @Test
    void optionsFoliobenchCannotHonourTogetherAreRefusedAtTheirLine() throws Exception {
        assertEquals("t.fio:3: job \"j\": time_based without runtime (give the run's length, e.g. runtime=30s, as fio"
                + " requires)", error("[j]\nsize=1m\ntime_based\n"));
        assertEquals("t.fio:3: job \"j\": ramp_time on a size-based job (add time_based and runtime=: foliobench ramps"
                + " time-based jobs)", error("[j]\nsize=1m\nramp_time=1s\n"));
        assertEquals("t.fio:3: job \"j\": numjobs=4 without group_reporting: fio would report every clone apart, foliobench"
                + " reports them together (add group_reporting)", error("[j]\nsize=1m\nnumjobs=4\n"));
        assertEquals("t.fio:4: job \"j\": bs=52 leaves no room for data after the 52-byte verify header"
                + " (use bs=4k or larger)", error("[j]\nsize=1m\nverify=crc32c\nbs=52\n"));
        assertEquals("t.fio:2: job \"j\": fallocate=native would preallocate the file this job writes, which the"
                + " model cannot (no fallocate(2)) (add fallocate=none to write into an empty file, or fallocate=truncate"
                + " for a sparse one)", error("[j]\nfallocate=native\nrw=write\nsize=1m\n"));
        assertTrue(error("[j]\nrw=write\nsize=1m\n").startsWith("t.fio:1: job \"j\": fallocate=native (fio's default)"));
        assertEquals(1, parse("[j]\nrw=write\noverwrite=1\nsize=1m\n").jobs().size(), "a laid-out file is written in full");
        assertEquals("t.fio:4: job \"b\" would run at the same time as the jobs above it in fio; foliobench runs job"
                + " sections one after the other (add stonewall to [b])", error("[global]\nsize=1m\n[a]\n[b]\n"));
    }

    @Test
    void timeBasedClonesWithVerify() throws Exception {
        JobSpec j = parse("[j]\nrw=write\nfallocate=none\nsize=1m\nnumjobs=4\ngroup_reporting\ntime_based\nruntime=2s\nramp_time=1s\n"
                + "end_fsync=1\nverify=crc32c\n").jobs().get(0);
        assertEquals(4, j.numjobs());
        assertEquals(List.of("j.0.0", "j.1.0", "j.2.0", "j.3.0"), j.files());
        assertEquals("j.2.0", j.filename(2));
        assertEquals(2_000_000, j.runtimeMicros());
        assertEquals(1_000_000, j.rampTimeMicros());
        JobSpec shared = parse("[j]\nsize=1m\nnumjobs=2\ngroup_reporting\nfilename=f\n").jobs().get(0);
        assertEquals(List.of("f"), shared.files());
        assertEquals("f", shared.filename(1));
    }

    @Test
    void includeIsNamedWhereverItStands() {
        assertEquals("t.fio:1: include directives are not supported (copy the included options into this file)",
                error("include common.fio\n[j]\nsize=1m\n"));
        assertEquals("t.fio:3: include directives are not supported (copy the included options into this file)",
                error("[j]\nsize=1m\ninclude common.fio\n"));
    }

    @Test
    void structuralErrors() {
        assertEquals("t.fio:2: option \"bs\" is outside of a [] section (put it under [global] or a [job] header)",
                error("; c\nbs=4k\n[j]\n"));
        assertEquals("t.fio:1: malformed section header \"[job\" (write it as [name] alone on its line)",
                error("[job\nsize=1m\n"));
        assertTrue(error("[a] b\n").contains("malformed section header \"[a] b\""));
        assertTrue(error("[a]]\n").contains("malformed section header"));
        assertEquals("t.fio:1: empty section name (write it as [name])", error("[ ]\n"));
        assertEquals("t.fio:3: no job section (add one, e.g. [seq-read])", error("[global]\nsize=1m\n\n"));
        assertEquals("t.fio:1: no job section (add one, e.g. [seq-read])", error(""));
        assertEquals("t.fio:2: include directives are not supported (copy the included options into this file)",
                error("[j]\ninclude other.fio\n"));
        assertEquals("t.fio:3: job \"j\" has no size (add size=, e.g. size=1g, to the job or to [global])",
                error("[global]\n\n[j]\nbs=4k\n"));
        assertEquals("t.fio:4: job \"j\": bs=1048576 is larger than size=65536 (make size at least one block)",
                error("[j]\nsize=64k\n\nbs=1m\n"));
    }

    @Test
    void errorsNameTheFileAndLine(@TempDir Path dir) throws IOException {
        Path tables = dir.resolve("tables");
        Files.createDirectories(tables);
        Path f = tables.resolve("write-cache-4k.fio");
        Files.writeString(f, "[global]\nrw=write\nsize=256m\n\n[write-cache-4k]\n; bs typo\nbz=4k\n");
        JobFileException e = assertThrows(JobFileException.class, () -> new FioParser().parse(f));
        assertEquals(f + ":7: unknown option \"bz\" (did you mean \"bs\"?)", e.getMessage());
        assertEquals(f.toString(), e.file());
        assertEquals(7, e.line());
        assertEquals("unknown option \"bz\"", e.problem());
        assertEquals("did you mean \"bs\"?", e.fix());
    }

    @Test
    void aFileThatIsNotUtf8NamesItsLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin1.fio");
        Files.write(f, "[j]\nsize=1m\ndescription=caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        JobFileException e = assertThrows(JobFileException.class, () -> new FioParser(Map.of()).parse(f));
        assertEquals(f + ":3: not UTF-8 text: byte 0xe9 at column 16 (save the file as UTF-8, e.g. iconv -f latin1 -t utf-8)",
                e.getMessage());
        Files.writeString(f, "[j]\nsize=1m\ndescription=caf\u00e9\n");
        assertEquals("caf\u00e9", new FioParser(Map.of()).parse(f).jobs().get(0).description());
    }

    @Test
    void parsesAPath(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("j.fio");
        Files.writeString(f, "\uFEFF[j]\r\nsize=1m\r\nbs=8k\r\n");
        JobFile jf = new FioParser().parse(f);
        assertEquals(f.toString(), jf.name());
        assertEquals(8192, jf.jobs().get(0).bs());
    }

    @Test
    void levenshteinAsFio() {
        assertEquals(0, FioParser.distance("bs", "bs"));
        assertEquals(1, FioParser.distance("bz", "bs"));
        assertEquals(3, FioParser.distance("kitten", "sitting"));
        assertEquals(null, FioParser.suggest("qqqqqqqq"));
        assertTrue(FioParser.supportedOptions().containsAll(List.of("bs", "blocksize", "rw", "readwrite", "runtime",
                "timeout", "stonewall", "wait_for_previous", "fb_row", "fb_mem")));
    }

    /** The message of tunable {@code t}'s declaration for {@code value}. */
    private static String message(org.foliobench.Tunable<?> t, String value) {
        return assertThrows(org.foliobench.InvalidValue.class, () -> t.parse(value)).getMessage();
    }
}
