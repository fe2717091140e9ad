package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.foliobench.BhPartialWalk;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoliobenchTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    Result run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Foliobench.execute(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), tmp);
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Exit 2, exactly one line naming the problem, nothing created in the working directory. */
    void assertUsage(String expect, String... args) throws Exception {
        List<Path> before;
        try (Stream<Path> s = Files.walk(tmp)) {
            before = s.toList();
        }
        Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + " -> " + r);
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("foliobench: "), line);
        assertTrue(line.contains(expect), "expected \"" + expect + "\" in: " + line);
        List<Path> after;
        try (Stream<Path> s = Files.walk(tmp)) {
            after = s.toList();
        }
        assertEquals(before, after, "nothing may be created on bad input");
    }

    @Test
    void bhPartialWalkFlagMapsToTheTunableAndTheMetadata() throws Exception {
        assertUsage("bad value \"half\" for fb_bh_partial_walk (use full or range)", "tables", "--bh-partial-walk", "half", "--dry-run");
        Foliobench.Common c = new Foliobench.Common();
        assertEquals(null, Foliobench.overrides(c).bhPartialWalk(), "not given: the job's value stays");
        c.bhPartialWalk = "Range";
        assertEquals(BhPartialWalk.RANGE, Foliobench.overrides(c).bhPartialWalk());
        Foliobench top = new Foliobench();
        java.util.Map<String, String> m = new RunSession(top).baseMetadata("tables", TableRunnerTest.settings(null, null), 1, true, c,
                NvmeDevice.defaultIn(Path.of("/proc/nope/runs/x"), 1 << 20), tmp.resolve("r"));
        assertEquals("range", m.get("tunable.bh_partial_walk"));
        c.bhPartialWalk = null;
        m = new RunSession(top).baseMetadata("tables", TableRunnerTest.settings(null, null), 1, true, c,
                NvmeDevice.defaultIn(Path.of("/proc/nope/runs/x"), 1 << 20), tmp.resolve("r"));
        assertEquals("job (full in the seeds)", m.get("tunable.bh_partial_walk"));
        Result d = run("tables", "--quick", "--dry-run", "--rows", "read/hole/4K", "--paths", "bh,iomap,bhlf", "--bh-partial-walk", "range");
        assertEquals(0, d.code(), d.toString());
    }

    @Test
    void noiseRefusesBadFlagsBeforeMeasuring() throws Exception {
        assertUsage("bad --bs \"lots\"", "noise", "--bs", "lots");
        assertUsage("--bs 128m is outside 1 byte to 64m", "noise", "--bs", "128m");
        assertUsage("--chunk-ms 0 must be at least 1", "noise", "--chunk-ms", "5,0");
        assertUsage("--seconds 0 must be at least 1", "noise", "--seconds", "0");
    }

    @Test
    void badTableFlagsExit2WithOneLine() throws Exception {
        assertUsage("unknown row \"read/floppy/4K\"", "tables", "--rows", "read/floppy/4K");
        assertUsage("block size 8192", "tables", "--bs", "8k");
        assertUsage("bad block size", "tables", "--bs", "4kk");
        assertUsage("unknown path \"zfs\"", "tables", "--paths", "bh,zfs");
        assertUsage("--forks -1", "tables", "--forks", "-1");
        assertUsage("--forks 0 must be at least 1", "tables", "--forks", "0");
        assertUsage("--blocks 0", "tables", "--blocks", "0");
        assertUsage("--max-forks 2 is below --forks 3", "tables", "--forks", "3", "--max-forks", "2");
        assertUsage("--target must be a positive percentage", "tables", "--target", "0");
        assertUsage("cannot change the mode, iterations", "tables", "--jmh", "-i 3");
        assertUsage("bad value \"12\" for MAX_PAGECACHE_ORDER", "tables", "--max-folio-order", "12");
        assertUsage("bad value \"3000\" for mke2fs -b", "tables", "--block-size", "3000");
        assertUsage("bad value \"101\" for vm.dirty_ratio", "tables", "--dirty-ratio", "101");
        assertUsage("bad value \"1x\" for the model's RAM, mem=", "tables", "--mem", "1x");
        assertUsage("cannot change the mode", "tables", "--jmh", "-bm thrpt");
        assertUsage("bad --jmh", "tables", "--jmh", "-nosuchoption");
        assertUsage("not benchmark names", "tables", "--jmh", "SomeBenchmark");
        assertUsage("--jmh -f 5 would start that many JVMs for every fork of the run", "tables", "--jmh", "-f 5");
        assertUsage("--jmh -f 0 runs read/hole/4K in this JVM, whose direct memory limit is", "tables", "--rows",
                "read/hole/4K", "--mem", "8g", "--jmh", "-f 0");
        assertUsage("--forks", "tables", "--forks", "abc");
        assertUsage("--bogus", "tables", "--bogus");
        assertUsage("not a direct: device", "tables", "--nvme", "file:" + tmp.resolve("x.img") + ",size=1m");
        assertUsage("does not exist", "tables", "--nvme", "direct:" + tmp.resolve("missing.img"));
        assertUsage("cannot use --nvme", "tables", "--nvme", "direct:" + tmp.resolve("no/such/dir/x.img") + ",size=1g");
        assertUsage("available", "tables", "--rows", "read/hole/4K", "--mem", "100t");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUsage("cannot write the output folder", "tables", "--out", file.resolve("runs").toString());
        assertUsage("unknown kind", "devices", "floppy:/dev/fd0");
    }

    @Test
    void blockSizeBelowTheDirectDeviceAlignmentExits2() throws Exception {
        int align = directAlignment();
        if (!(align > 1024)) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + "needs O_DIRECT with alignment > 1024 under " + tmp + " (have " + align + ")");
        }
        Assumptions.assumeTrue(align > 1024, "needs O_DIRECT with alignment > 1024 under " + tmp + " (have " + align + ")");
        assertUsage("below the nvme device's direct IO alignment", "tables", "--rows", "read/nvme/4K", "--block-size", "1024");
    }

    int directAlignment() {
        try {
            return NvmeDevice.probeDirectory(tmp);
        } catch (Exception e) {
            return -1;
        }
    }

    /** An empty selection (an unset shell variable) is an error, never "everything at seed sizes". */
    @Test
    void emptySelectionsExit2() throws Exception {
        assertUsage("--rows is empty", "tables", "--rows", "");
        assertUsage("--rows is empty", "tables", "--rows", ",");
        assertUsage("--rows is empty", "tables", "--rows", " , ");
        assertUsage("--bs is empty", "tables", "--bs", "");
        assertUsage("--paths", "tables", "--paths", "");
        Path ok = Files.writeString(tmp.resolve("ok.fio"), "[j]\nrw=write\nbs=4k\nsize=1m\nfallocate=none\n");
        assertUsage("--job is empty", "run", ok.toString(), "--job", "");
    }

    /** A second run while one is active is refused before it creates anything, naming the first. */
    @Test
    void aSecondConcurrentRunExits2NamingTheFirst() throws Exception {
        Path ok = Files.writeString(tmp.resolve("ok.fio"), "[j]\nrw=write\nbs=4k\nsize=1m\nfallocate=none\n");
        try (RunLock first = RunLock.take()) {
            first.record(Path.of("/somewhere/runs/20260101-000000-h"));
            assertUsage("another foliobench run (pid " + ProcessHandle.current().pid() + ", folder /somewhere/runs/"
                    + "20260101-000000-h) is active (wait for it to finish", "run", ok.toString(), "--out", tmp.resolve("runs").toString());
            assertUsage("another foliobench run", "tables", "--rows", "read/hole/4K", "--out", tmp.resolve("runs").toString());
            assertEquals(0, run("tables", "--rows", "read/hole/4K", "--dry-run").code(), "a dry run takes no lock");
        }
    }

    /** A tunable's bad value gets its declaration's one message from a flag and from a job file (there with file:line). */
    @Test
    void aBadTunableValueGetsTheSameMessageFromAFlagAndAJobFile() throws Exception {
        Map<org.foliobench.Tunable<?>, String> bad = new java.util.LinkedHashMap<>();
        bad.put(org.foliobench.Tunables.BLOCK_SIZE, "3000");
        bad.put(org.foliobench.Tunables.MAX_FOLIO_ORDER, "12");
        bad.put(org.foliobench.Tunables.READ_AHEAD_KB, "128k");
        bad.put(org.foliobench.Tunables.DIRTY_RATIO, "101");
        bad.put(org.foliobench.Tunables.DIRTY_BACKGROUND_RATIO, "-1");
        bad.put(org.foliobench.Tunables.MEM, "1x");
        bad.put(org.foliobench.Tunables.DIOREAD_NOLOCK, "2");
        bad.put(org.foliobench.Tunables.BH_PARTIAL_WALK, "half");
        for (Map.Entry<org.foliobench.Tunable<?>, String> e : bad.entrySet()) {
            org.foliobench.Tunable<?> t = e.getKey();
            String message = assertThrows(org.foliobench.InvalidValue.class, () -> t.parse(e.getValue())).getMessage();
            Result flag = run("tables", t.flag(), e.getValue(), "--dry-run");
            assertEquals(2, flag.code(), flag.toString());
            assertEquals(List.of("foliobench: " + message), flag.errLines());
            Path job = Files.writeString(tmp.resolve(t.key() + ".fio"), "[j]\nsize=1m\n" + t.option() + "=" + e.getValue() + "\n");
            Result file = run("run", job.toString());
            assertEquals(2, file.code(), file.toString());
            assertEquals(List.of("foliobench: " + job + ":3: " + message), file.errLines());
        }
    }

    @Test
    void badJobFilesExit2WithOneLine() throws Exception {
        assertUsage("does not exist", "run", "missing.fio");
        Path bad = Files.writeString(tmp.resolve("bad.fio"), "[j]\nrw=write\nbz=4k\nsize=1m\n");
        assertUsage("bad.fio:3", "run", bad.toString());
        Path rand = Files.writeString(tmp.resolve("rand.fio"), "[j]\nrw=randread\nbs=4k\nsize=1m\n");
        assertUsage("not supported", "run", rand.toString());
        Path ok = Files.writeString(tmp.resolve("ok.fio"), "[j]\nrw=write\nbs=4k\nsize=1m\nfallocate=none\n");
        assertUsage("has no job [nosuch]", "run", ok.toString(), "--job", "nosuch");
        Path latin1 = Files.write(tmp.resolve("latin1.fio"), "[j]\ndescription=caf\u00e9\nsize=1m\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertUsage(latin1 + ":2: not UTF-8 text: byte 0xe9 at column 16 (save the file as UTF-8", "run", latin1.toString());
        assertUsage("job file " + tmp + " is a directory", "run", tmp.toString());
    }

    /** A job's device is the one written: a file larger than it is named before anything runs. */
    @Test
    void aFileLargerThanTheJobsDeviceExits2() throws Exception {
        Path big = Files.writeString(tmp.resolve("big.fio"), "[j]\nrw=write\nbs=64k\nsize=128m\nfallocate=none\n"
                + "fb_device=ramdisk:size=64m\n");
        assertUsage("job:j: size=134217728 (128 MiB) do not fit the device ramdisk:size=64m (64 MiB)", "run", big.toString());
    }

    /** Devices are probed before anything is created: a mounted block device, a device too small for the file. */
    @Test
    void jobDevicesAreRefusedUpFront() throws Exception {
        Path small = tmp.resolve("small.img");
        Files.write(small, new byte[1 << 20]);
        Path job = Files.writeString(tmp.resolve("small.fio"), "[j]\nrw=write\nbs=64k\nsize=4m\nfallocate=none\n"
                + "fb_device=file:" + small + "\n");
        assertUsage("job:j: size=4194304 (4 MiB) do not fit the device file:" + small + " (1 MiB)", "run", job.toString());
        String mounts = Files.readString(Path.of("/proc/mounts"));
        boolean rootDisk = mounts.lines().anyMatch(l -> l.startsWith("/dev/vda "));
        if (!rootDisk) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": no mounted /dev/vda to be refused");
        }
        Assumptions.assumeTrue(rootDisk, "needs the mounted /dev/vda");
        Path onDisk = Files.writeString(tmp.resolve("disk.fio"), "[j]\nrw=write\nbs=64k\nsize=4m\nfallocate=none\n"
                + "fb_device=direct:/dev/vda\n");
        assertUsage("job:j: device spec \"direct:/dev/vda\"", "run", onDisk.toString());
    }

    /** What devices and device errors say: the problem with the path the user gave, and what to do. */
    @Test
    void deviceErrorsSayWhy() throws Exception {
        assertUsage("directory /nonexistent/dir does not exist (create it first)", "devices", "direct:/nonexistent/dir/img,size=1g");
        assertUsage("ramdisk:size=1000t needs 1048576000 MiB of memory", "devices", "ramdisk:size=1000t");
        Result proc = run("devices", "direct:/proc/foo,size=1g");
        assertEquals(2, proc.code(), proc.toString());
        assertTrue(proc.err().contains("/proc/foo") && !proc.err().contains("probe"), proc.err());
        Result file = run("devices", "file:" + tmp.resolve("new.img") + ",size=64m");
        assertEquals(0, file.code(), file.toString());
        assertTrue(file.out().contains("created by a run") && file.out().contains("safe to write: yes"), file.out());
        assertFalse(Files.exists(tmp.resolve("new.img")), "probing creates nothing");
        try (Stream<Path> st = Files.list(tmp)) {
            assertEquals(List.of(), st.toList());
        }
    }

    @Test
    void misalignedBsOnTheDirectDeviceExits2() throws Exception {
        int align = directAlignment();
        if (!(align > 0)) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + "needs O_DIRECT under " + tmp);
        }
        Assumptions.assumeTrue(align > 0, "needs O_DIRECT under " + tmp);
        Path job = Files.writeString(tmp.resolve("odd.fio"), "[odd]\nrw=write\nfallocate=none\nbs=" + (align + 512) + "\nsize=1m\nfb_device=nvme\n");
        assertUsage("is not a multiple of the nvme device's direct IO alignment", "run", job.toString());
    }

    @Test
    void helpOfEveryCommandPrintsCleanly() {
        for (String cmd : new String[] {"tables", "run", "devices", "report", "compare"}) {
            Result h = run(cmd, "--help");
            assertEquals(0, h.code(), h.toString());
            assertEquals("", h.err(), "no picocli warning for " + cmd);
            assertTrue(h.out().startsWith("Usage: foliobench " + cmd), h.out());
        }
        assertEquals("", run("--help").err());
        Result top = run("--help");
        assertTrue(top.out().contains("Exit codes:") && top.out().contains("Examples:"), top.out());
        Result tables = run("help", "tables");
        assertEquals(0, tables.code(), tables.toString());
        assertTrue(tables.out().startsWith("Usage: foliobench tables"), tables.out());
        assertTrue(tables.out().contains("Exit codes:") && tables.out().contains("Examples:"), tables.out());
    }

    @Test
    void versionSaysVersionAndCommit() {
        Result v = run("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("foliobench " + org.foliobench.results.Build.version() + " (git "
                + org.foliobench.results.Build.commit() + ")"), v.out());
        assertFalse(org.foliobench.results.Build.version().contains("${"), "the version is filled in at build");
    }

    @Test
    void compareCsvIsOnlyCsvAndJsonIsJson() throws Exception {
        org.foliobench.results.RunFixtures.Spec spec = new org.foliobench.results.RunFixtures.Spec();
        spec.rows = k -> k.isRead();
        spec.latency = false;
        Path a = org.foliobench.results.RunFixtures.paired(tmp.resolve("a"), spec);
        spec.seed = 7;
        spec.incomplete = true;
        Path b = org.foliobench.results.RunFixtures.paired(tmp.resolve("b"), spec);
        Result csv = run("compare", a.toString(), b.toString(), "--csv");
        assertEquals(0, csv.code(), csv.toString());
        List<String> lines = csv.out().lines().toList();
        assertTrue(lines.get(0).startsWith("row,path,tunables,"), csv.out());
        long columns = lines.get(0).chars().filter(c -> c == ',').count();
        for (String l : lines) {
            assertEquals(columns, l.chars().filter(c -> c == ',').count(), "every line a record: " + l);
        }
        assertTrue(csv.err().contains("INCOMPLETE RUN") && csv.err().contains("changed significantly"), csv.err());
        Result json = run("compare", a.toString(), b.toString(), "--json");
        assertEquals(0, json.code(), json.toString());
        assertTrue(JsonCheck.parse(json.out()) instanceof java.util.Map, json.out());
        assertUsage("--csv and --json both given", "compare", a.toString(), b.toString(), "--csv", "--json");
    }

    @Test
    void listDryRunAndDevicesCreateNothing() throws Exception {
        Result l = run("tables", "--list");
        assertEquals(0, l.code());
        assertEquals(39, l.out().lines().count());
        Result d = run("tables", "--quick", "--dry-run", "--rows", "read/*", "--paths", "iomap");
        assertEquals(0, d.code(), d.toString());
        assertTrue(d.out().contains("read/hole/4K iomap"), d.out());
        Result dev = run("devices", "ramdisk:size=1g");
        assertEquals(0, dev.code(), dev.toString());
        assertTrue(dev.out().contains("capacity: 1073741824"), dev.out());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void numjobsSweepsEveryRowAndIsValidated() throws Exception {
        assertUsage("--numjobs 0 is out of range (use 1..4096", "tables", "--numjobs", "1,0", "--dry-run");
        assertUsage("--numjobs 4097 is out of range", "tables", "--numjobs", "4097", "--dry-run");
        assertUsage("bad --numjobs \"two\"", "tables", "--numjobs", "two", "--dry-run");
        assertUsage("--numjobs 2 given twice", "tables", "--numjobs", "2,2", "--dry-run");
        assertUsage("--numjobs is empty", "tables", "--numjobs", " ", "--dry-run");
        Path job = Files.writeString(tmp.resolve("j.fio"), "[seq]\nrw=read\nbs=64k\nsize=1m\n");
        assertUsage("--numjobs 0 is out of range", "run", job.toString(), "--numjobs", "0");
        Files.delete(job);
        Result d = run("tables", "--quick", "--dry-run", "--rows", "read/hole/4K,write/cache/N/N/N/64K", "--numjobs", "1,2,4");
        assertEquals(0, d.code(), d.toString());
        assertTrue(d.out().contains("6 rows (numjobs 1,2,4)"), d.out());
        assertTrue(d.out().contains("  read/hole/4K@numjobs=1 bh,iomap: "), d.out());
        assertTrue(d.out().contains("  write/cache/N/N/N/64K@numjobs=4 bh,iomap: 33554432 bytes, 512 calls/sweep x 4 threads,"), d.out());
        Result own = run("tables", "--quick", "--dry-run", "--rows", "read/hole/4K", "--numjobs", "1");
        assertTrue(own.out().contains("  read/hole/4K bh,iomap: "), "the seeds' own numjobs keeps the key: " + own.out());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList());
        }
    }

    /** What the user sets is used as given: --mem is not divided by --quick's size divisor. */
    @Test
    void explicitMemIsNotScaled() throws Exception {
        Result d = run("tables", "--quick", "--dry-run", "--rows", "write/cache/N/N/N/4K", "--paths", "iomap", "--mem", "64m");
        assertEquals(0, d.code(), d.toString());
        assertTrue(d.out().contains("write/cache/N/N/N/4K iomap: 33554432 bytes, 8192 calls/sweep, fb_mem 64 MiB"), d.out());
        Result seed = run("tables", "--quick", "--dry-run", "--rows", "write/cache/N/N/N/4K", "--paths", "iomap");
        assertTrue(seed.out().contains("fb_mem 512 MiB"), "the seed's 4g fb_mem scales with the job: " + seed.out());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void noDirectDeviceSkipsNvmeRowsWithTheReason() {
        NvmeDevice n = NvmeDevice.defaultIn(Path.of("/proc/nope/runs/x"), 1 << 20);
        assertEquals(null, n.spec());
        assertFalse(n.unavailable().isEmpty());
        assertTrue(n.description().get("device.nvme").startsWith("none: "));
    }

    /** {@code shell} on the PATH, or null. */
    private static Path onPath(String shell) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, shell);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Runs {@code shell} with {@code args}, stdin closed and its home in the test's folder (zsh's compinit
     * writes its dump there); returns stdout and stderr together.
     */
    private String shell(Path shell, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder().command(Stream.concat(Stream.of(shell.toString()), Stream.of(args)).toList())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("ZDOTDIR", tmp.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "shell did not finish");
        return out;
    }

    @Test
    void theCompletionScriptCompletesInBashAndRegistersInZsh() throws Exception {
        // the script the build writes to bench/target/foliobench_completion, from the same generator and model
        Path script = tmp.resolve("foliobench_completion");
        Files.writeString(script, picocli.AutoComplete.bash("foliobench", new picocli.CommandLine(new Foliobench())));
        Path bash = onPath("bash");
        if (bash == null) {
            System.out.println("FoliobenchTest.theCompletionScriptCompletesInBashAndRegistersInZsh: bash part skipped: no bash on the PATH");
        } else {
            String out = shell(bash, "-c", "source \"$1\"; COMP_WORDS=(foliobench ta); COMP_CWORD=1; COMP_LINE='foliobench ta';"
                    + " COMP_POINT=${#COMP_LINE}; _complete_foliobench 2>/dev/null; echo \"[${COMPREPLY[*]}]\";"
                    + " COMP_WORDS=(foliobench tables --qu); COMP_CWORD=2; COMP_LINE='foliobench tables --qu';"
                    + " COMP_POINT=${#COMP_LINE}; _complete_foliobench 2>/dev/null; echo \"[${COMPREPLY[*]}]\"", "x", script.toString());
            assertTrue(out.contains("[tables]"), "bash completes the subcommand: " + out);
            assertTrue(out.contains("[--quick]"), "bash completes the subcommand's flags: " + out);
        }
        Path zsh = onPath("zsh");
        if (zsh == null) {
            System.out.println("FoliobenchTest.theCompletionScriptCompletesInBashAndRegistersInZsh: zsh part skipped: no zsh on the PATH"
                    + " (apt-get install zsh)");
            return;
        }
        String out = shell(zsh, "-f", "-c", "source \"$1\" && print -r -- \"[${_comps[foliobench]}]\"", "x", script.toString());
        assertTrue(out.contains("_complete_foliobench"), "zsh registers the completion through bashcompinit: " + out);
    }
}
