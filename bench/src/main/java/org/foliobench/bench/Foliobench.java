package org.foliobench.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.foliobench.Defaults;
import org.foliobench.results.Format;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DeviceSpecException;
import org.foliobench.device.DirectDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.workloads.FioParser;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.JobFileException;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code foliobench} command line: {@code tables} sweeps the seed matrix, {@code run JOBFILE}
 * runs a fio job file with an fio-like summary, {@code devices SPEC} probes a device. Bad input
 * exits 2 with one line {@code foliobench: <problem> (<fix>)} before anything is created; a failed
 * or interrupted run exits 1 and leaves its folder marked {@code INCOMPLETE}.
 */
@Command(name = "foliobench", mixinStandardHelpOptions = true, version = "foliobench 0.1",
        description = "buffer_head vs iomap + large folios: the ext4 iomap series' fio psync tables, regenerated with JMH.",
        subcommands = {Foliobench.Tables.class, Foliobench.Run.class, Foliobench.Devices.class, Foliobench.Report.class,
                Foliobench.Compare.class, ExportFioCommand.class, ImportFioCommand.class, KernelCommand.class})
public final class Foliobench implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** Quick tables: seed sizes divided by this. */
    static final int QUICK_DIVISOR = 8;
    /** Sync=Y nvme rows: at most this many calls per pass (each is a real cache flush). */
    static final long SYNC_CAP_IOS = 4096;
    static final long QUICK_SYNC_CAP_IOS = 512;

    PrintStream out = System.out;
    PrintStream err = System.err;
    Path cwd = Path.of("").toAbsolutePath();
    String[] argv = new String[0];

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, Path.of("").toAbsolutePath()));
    }

    /** Runs the command line; returns the exit code (0 ok, 1 run failed, 2 bad input). */
    static int execute(String[] args, PrintStream out, PrintStream err, Path cwd) {
        Foliobench top = new Foliobench();
        top.out = out;
        top.err = err;
        top.cwd = cwd;
        top.argv = args.clone();
        CommandLine cl = new CommandLine(top);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            String sub = ex.getCommandLine().getCommandName();
            err.println("foliobench: " + TableRunner.firstLine(ex.getMessage()) + " (see foliobench "
                    + (sub.equals("foliobench") ? "" : sub + " ") + "--help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UsageException) {
                err.println(((UsageException) ex).line());
                return EXIT_USAGE;
            }
            err.println("foliobench: " + TableRunner.firstLine(TableRunner.rootMessage(ex)));
            return EXIT_FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return EXIT_USAGE;
    }

    /** Flags shared by {@code tables} and {@code run}. */
    static class Common {
        @Option(names = "--paths", split = ",", paramLabel = "PATH", description = "IO paths: bh, iomap (default both).")
        List<String> paths = new ArrayList<>(List.of("bh", "iomap"));
        @Option(names = "--forks", paramLabel = "N", description = "Forks (JVMs) at least, each running every row with both paths paired (default 4, quick 5).")
        Integer forks;
        @Option(names = "--max-forks", paramLabel = "N", description = "More forks, up to N, for rows whose interval is wider than --target (default 6, quick 6).")
        Integer maxForks;
        @Option(names = "--blocks", paramLabel = "N", description = "ABBA blocks (4 passes each) per row and fork (default 2, quick 1).")
        Integer blocks;
        @Option(names = "--pass-ms", paramLabel = "MS", description = "Length of a pass: sweeps of one path over the file (default 250, quick 100).")
        Integer passMs;
        @Option(names = "--target", paramLabel = "PCT", description = "Half-width of the 95% speedup interval to reach (default 3, quick 10).")
        Double target;
        @Option(names = "--size-divisor", paramLabel = "N", description = "Divide file sizes, fb_mem and dirty bytes by N (default 1, quick "
                + QUICK_DIVISOR + ").")
        Integer sizeDivisor;
        @Option(names = "--mem", paramLabel = "SIZE", description = "fb_mem: the model's RAM (page cache), e.g. 8g; default the job's (4g in the seeds).")
        String mem;
        @Option(names = "--max-folio-order", paramLabel = "N", description = "MAX_PAGECACHE_ORDER, 0..9 (default 9).")
        Integer maxFolioOrder;
        @Option(names = "--read-ahead-kb", paramLabel = "KB", description = "queue/read_ahead_kb (default 128).")
        Integer readAheadKb;
        @Option(names = "--dirty-ratio", paramLabel = "PCT", description = "vm.dirty_ratio (default 20).")
        Integer dirtyRatio;
        @Option(names = "--dirty-background-ratio", paramLabel = "PCT", description = "vm.dirty_background_ratio (default 10).")
        Integer dirtyBackgroundRatio;
        @Option(names = "--block-size", paramLabel = "BYTES", description = "Filesystem block size: 1024, 2048 or 4096 (default 4096).")
        Integer blockSize;
        @Option(names = "--nvme", paramLabel = "SPEC", description = "The nvme rows' device, a direct: spec (default: direct:<run folder>/nvme.img when O_DIRECT works there).")
        String nvme;
        @Option(names = "--out", paramLabel = "DIR", description = "Where run folders go (default ./runs).")
        Path out;
        @Option(names = "--jmh", paramLabel = "ARGS", description = "Raw JMH options, e.g. --jmh \"-prof gc -jvmArgsAppend -XX:+UseParallelGC\".")
        String jmh;
        @Option(names = "--no-latency", description = "Do not record per-call latency.")
        boolean noLatency;
    }

    /** The measurement flags of {@code c} over a run kind's defaults. */
    static TableRunner.Settings settings(Common c, TableRunner.Settings base) {
        return base.with(c.forks, c.maxForks, c.blocks, c.passMs, c.target);
    }

    static void checkMeasure(Common c) throws UsageException {
        positive("--forks", c.forks, 1);
        positive("--max-forks", c.maxForks, 1);
        positive("--blocks", c.blocks, 1);
        positive("--pass-ms", c.passMs, 1);
        if (c.forks != null && c.maxForks != null && c.maxForks < c.forks) {
            throw new UsageException("--max-forks " + c.maxForks + " is below --forks " + c.forks, "give --max-forks >= --forks");
        }
        if (c.target != null && !(c.target > 0)) {
            throw new UsageException("--target must be a positive percentage, not " + c.target, "use e.g. --target 5");
        }
    }

    /** The tunable overrides of {@code c}, validated. */
    static Workload.Overrides overrides(Common c) throws UsageException {
        range("--max-folio-order", c.maxFolioOrder, 0, Defaults.MAX_PAGECACHE_ORDER);
        range("--read-ahead-kb", c.readAheadKb, 0, 1 << 20);
        range("--dirty-ratio", c.dirtyRatio, 0, 100);
        range("--dirty-background-ratio", c.dirtyBackgroundRatio, 0, 100);
        if (c.blockSize != null && c.blockSize != 1024 && c.blockSize != 2048 && c.blockSize != 4096) {
            throw new UsageException("--block-size " + c.blockSize + " is not a filesystem block size", "use 1024, 2048 or 4096");
        }
        Long mem = null;
        if (c.mem != null) {
            try {
                mem = DeviceSpec.parseSize("--mem", c.mem.trim());
            } catch (DeviceSpecException e) {
                throw new UsageException("bad --mem \"" + c.mem + "\"", "use a size like 4g or 512m");
            }
            if (mem < (64L << 20)) {
                throw new UsageException("--mem " + c.mem + " is too small", "use at least 64m");
            }
        }
        return new Workload.Overrides(c.maxFolioOrder, c.readAheadKb, c.dirtyRatio, c.dirtyBackgroundRatio, c.blockSize, mem);
    }

    static void range(String flag, Integer v, int lo, int hi) throws UsageException {
        if (v != null && (v < lo || v > hi)) {
            throw new UsageException(flag + " " + v + " is out of range", "use " + lo + ".." + hi);
        }
    }

    static CommandLineOptions jmhOptions(String raw) throws UsageException {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        CommandLineOptions o;
        try {
            o = new CommandLineOptions(raw.trim().split("\\s+"));
        } catch (CommandLineOptionException e) {
            throw new UsageException("bad --jmh options: " + TableRunner.firstLine(String.valueOf(e.getMessage())),
                    "see java -jar bench/target/benchmarks.jar -h");
        }
        if (!o.getIncludes().isEmpty() || !o.getExcludes().isEmpty()) {
            throw new UsageException("--jmh takes options, not benchmark names (" + o.getIncludes() + ")",
                    "choose rows with --rows");
        }
        if (o.getBenchModes().size() > 0 || o.getMeasurementBatchSize().hasValue() || o.getWarmupBatchSize().hasValue()
                || o.getMeasurementTime().hasValue() || o.getWarmupTime().hasValue() || o.getTimeUnit().hasValue()
                || o.getOperationsPerInvocation().hasValue() || o.getMeasurementIterations().hasValue()
                || o.getWarmupIterations().hasValue()) {
            throw new UsageException("--jmh cannot change the mode, iterations, batch sizes, times or time unit",
                    "one iteration is one pass of one path in the runner's ABBA schedule; use --forks/--blocks/--pass-ms");
        }
        return o;
    }

    static void positive(String flag, Integer v, int min) throws UsageException {
        if (v != null && v < min) {
            throw new UsageException(flag + " " + v + " must be at least " + min, "give a number >= " + min);
        }
    }

    /** Memory check: every fork must fit in MemAvailable. */
    static void checkMemory(Plan plan) throws UsageException {
        long avail = SystemInfo.memAvailable();
        if (avail <= 0) {
            return;
        }
        for (Plan.Bench b : plan.runnable()) {
            long need = TableRunner.forkMemory(b);
            if (need > avail) {
                throw new UsageException(b.key() + " needs " + (need >> 20) + " MiB (fb_mem " + (b.workload().memBytes() >> 20)
                        + " MiB + device + 1 GiB heap) but only " + (avail >> 20) + " MiB are available",
                        "use --quick, a larger --size-divisor or a smaller --mem");
            }
        }
    }

    /** Direct IO constraints of the nvme rows. */
    static void checkAlignment(List<Plan.Bench> benches, int alignment, String nvmeSpec) throws UsageException {
        if (alignment <= 0) {
            return;
        }
        for (Plan.Bench b : benches) {
            if (!b.nvme() || b.skip() != null) {
                continue;
            }
            JobSpec j = b.workload().job();
            if (j.bs() % alignment != 0) {
                throw new UsageException(b.key() + ": bs " + j.bs() + " is not a multiple of the nvme device's direct IO alignment "
                        + alignment + " (" + nvmeSpec + ")", "use a bs that is a multiple of " + alignment);
            }
            if (j.blockSize() < alignment) {
                throw new UsageException(b.key() + ": filesystem block size " + j.blockSize()
                        + " is below the nvme device's direct IO alignment " + alignment,
                        "use --block-size " + Math.max(alignment, 1024) + " or larger, or another --nvme device");
            }
        }
    }

    /** The nvme device of a run; {@code need} says whether any planned row uses it. */
    static NvmeDevice nvmeFor(Common c, Path runDir, long largestNvmeFile, boolean need) throws UsageException {
        if (c.nvme != null) {
            return NvmeDevice.of(c.nvme);
        }
        if (!need) {
            return NvmeDevice.unavailable("no nvme rows in this run");
        }
        return NvmeDevice.defaultIn(runDir, NvmeDevice.imageBytes(largestNvmeFile));
    }

    /** Everything that describes a run, flat. */
    Map<String, String> baseMetadata(String command, TableRunner.Settings s, int divisor, boolean quick, Common c,
            NvmeDevice nvme, Path runDir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("foliobench.command", "foliobench " + String.join(" ", argv));
        m.put("foliobench.subcommand", command);
        m.put("started", LocalDateTime.now().toString());
        m.put("run_folder", runDir.toString());
        m.put("git.commit", SystemInfo.gitCommit(home()));
        m.putAll(SystemInfo.machine());
        m.put("jmh.mode", "avgt (AverageTime): one invocation = one sweep over the file (its preparation untimed),"
                + " one iteration = one pass of one path; both paths paired per fork in ABBA blocks");
        m.put("measure.forks", s.forks() + "-" + s.maxForks());
        m.put("measure.blocks_per_fork", String.valueOf(s.blocks()));
        m.put("measure.pass_ms", String.valueOf(s.passMs()));
        m.put("measure.warmup_ms", s.warmupMs() + "-" + s.warmupMaxMs());
        m.put("measure.target_pct", Format.pct(s.targetPct()));
        m.put("jmh.extra", c.jmh == null ? "" : c.jmh);
        m.put("quick", String.valueOf(quick));
        m.put("size_divisor", String.valueOf(divisor));
        m.put("latency", String.valueOf(s.latency()));
        m.put("tunable.max_folio_order", c.maxFolioOrder == null ? "job (" + Defaults.MAX_PAGECACHE_ORDER + " in the seeds)" : c.maxFolioOrder.toString());
        m.put("tunable.read_ahead_kb", c.readAheadKb == null ? "job (" + Defaults.READ_AHEAD_KB + " in the seeds)" : c.readAheadKb.toString());
        m.put("tunable.dirty_ratio", c.dirtyRatio == null ? "job (" + Defaults.DIRTY_RATIO + " in the seeds)" : c.dirtyRatio.toString());
        m.put("tunable.dirty_background_ratio", c.dirtyBackgroundRatio == null ? "job (" + Defaults.DIRTY_BACKGROUND_RATIO
                + " in the seeds)" : c.dirtyBackgroundRatio.toString());
        m.put("tunable.block_size", c.blockSize == null ? "job (" + Defaults.BLOCK_SIZE + " in the seeds)" : c.blockSize.toString());
        m.put("tunable.mem", c.mem == null ? "job (fb_mem, 4g in the seeds, divided by the size divisor)" : c.mem);
        m.put("tunable.dirty_expire_centisecs", String.valueOf(Defaults.DIRTY_EXPIRE_CENTISECS));
        m.put("tunable.dirty_writeback_centisecs", String.valueOf(Defaults.DIRTY_WRITEBACK_CENTISECS));
        m.put("tunable.journal_commit_interval_seconds", String.valueOf(Defaults.JOURNAL_COMMIT_INTERVAL_SECONDS));
        m.put("tunable.max_sectors_kb", String.valueOf(Defaults.MAX_SECTORS_KB));
        m.put("device.ramdisk", "ramdisk (off-heap RamDisk, lbs 512), sized per row: seed fb_device size / size divisor, at least file + "
                + (Workload.RAMDISK_SLACK >> 20) + " MiB");
        m.putAll(nvme.description());
        return m;
    }

    Path home() {
        String h = System.getProperty("foliobench.home");
        return h != null ? Path.of(h) : cwd;
    }

    /** Runs the plan in a fresh run folder; the folder path is printed last. */
    int runPlan(String command, Plan plan, TableRunner.Settings s, Map<String, String> meta, Path runBase, Path runDir,
            NvmeDevice nvme, java.util.function.Function<TableRunner, TableRunner> customize) throws IOException {
        RunFolder folder = RunFolder.createAt(runDir);
        Thread hook = new Thread(() -> {
            folder.markFailed("interrupted");
            deleteImage(nvme);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            for (Plan.Bench b : plan.skipped()) {
                meta.put("skipped." + b.key(), b.skip());
            }
            TableRunner runner = customize.apply(new TableRunner(plan, s, folder, meta, out));
            ok = runner.run();
            if (!ok) {
                err.println("foliobench: " + runner.failures().size() + " row(s) failed; the run folder is marked INCOMPLETE");
            }
        } catch (IOException | RuntimeException e) {
            folder.markFailed(TableRunner.firstLine(TableRunner.rootMessage(e)));
            throw e;
        } finally {
            deleteImage(nvme);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
            out.println("run folder: " + displayPath(runDir) + (ok ? "" : " (INCOMPLETE)"));
        }
        return ok ? EXIT_OK : EXIT_FAILED;
    }

    String displayPath(Path p) {
        Path a = p.toAbsolutePath().normalize();
        return a.startsWith(cwd) ? cwd.relativize(a).toString() : a.toString();
    }

    static void deleteImage(NvmeDevice nvme) {
        if (nvme != null && nvme.isDefaultImage()) {
            try {
                Files.deleteIfExists(nvme.imagePath());
            } catch (IOException ignored) {
                // left behind in the run folder; harmless
            }
        }
    }

    static void printSkips(PrintStream out, Plan plan) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Plan.Bench b : plan.skipped()) {
            seen.putIfAbsent(b.key(), b.skip());
        }
        seen.forEach((k, why) -> out.println("skipping " + k + ": " + why));
    }

    @Command(name = "tables", mixinStandardHelpOptions = true,
            description = "Sweep the seed matrix (39 rows x bh, iomap) and write a run folder.")
    static final class Tables implements Callable<Integer> {
        @CommandLine.ParentCommand
        Foliobench top;
        @CommandLine.Mixin
        Common c = new Common();
        @Option(names = "--quick", description = "Seed sizes / " + QUICK_DIVISOR + ": the whole table in under 5 minutes on 2 cores.")
        boolean quick;
        @Option(names = "--rows", split = ",", paramLabel = "ROW", description = "Row keys or globs, e.g. read/*, write/ramdisk/*/*/Y/*, read/hole/4K.")
        List<String> rows = new ArrayList<>();
        @Option(names = "--bs", split = ",", paramLabel = "BS", description = "Block sizes: 4k, 64k, 1m (default all).")
        List<String> bs = new ArrayList<>();
        @Option(names = "--list", description = "List the rows and exit.")
        boolean list;
        @Option(names = "--dry-run", description = "Validate and print the plan; create nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            if (list) {
                for (ReferenceRow r : SeedJobs.rows()) {
                    top.out.println(r.key());
                }
                return EXIT_OK;
            }
            checkMeasure(c);
            positive("--size-divisor", c.sizeDivisor, 1);
            Workload.Overrides ov = overrides(c);
            CommandLineOptions jmh = jmhOptions(c.jmh);
            int divisor = c.sizeDivisor != null ? c.sizeDivisor : quick ? QUICK_DIVISOR : 1;
            long syncCap = quick ? QUICK_SYNC_CAP_IOS : SYNC_CAP_IOS;
            List<Integer> bsList = Plan.parseBlockSizes(bs);
            Path runBase = (c.out != null ? c.out : top.cwd.resolve("runs")).toAbsolutePath().normalize();
            RunFolder.checkWritable(runBase);
            Path runDir = runBase.resolve(RunFolder.name(LocalDateTime.now(), RunFolder.host()));
            // plan once to learn which nvme rows run and how large their file is
            Plan probe = Plan.build(new Plan.Request(rows, bsList, c.paths, ov, divisor, syncCap, "direct:probe", null));
            long largest = probe.benches().stream().filter(Plan.Bench::nvme).mapToLong(b -> b.workload().job().size()).max().orElse(0);
            boolean needNvme = probe.benches().stream().anyMatch(Plan.Bench::nvme);
            NvmeDevice nvme = nvmeFor(c, runDir, largest, needNvme);
            Plan plan = Plan.build(new Plan.Request(rows, bsList, c.paths, ov, divisor, syncCap, nvme.spec(),
                    "no direct device: " + nvme.unavailable()));
            checkAlignment(plan.benches(), nvme.alignment(), nvme.spec());
            checkMemory(plan);
            TableRunner.Settings s = settings(c, quick ? TableRunner.Settings.quick(!c.noLatency, jmh, nvme.spec())
                    : TableRunner.Settings.full(!c.noLatency, jmh, nvme.spec()));
            top.out.println(String.format(Locale.ROOT, "foliobench tables: %d rows x %s paired%s, %s, sizes / %d",
                    plan.runnable().size(), String.join(", ", Plan.parsePaths(c.paths)),
                    plan.skipped().isEmpty() ? "" : ", " + plan.skipped().size() + " skipped", TableRunner.describe(s), divisor));
            top.out.println("nvme: " + (nvme.spec() != null ? nvme.description().get("device.nvme") : "none (" + nvme.unavailable() + ")"));
            printSkips(top.out, plan);
            if (dryRun) {
                for (Plan.Bench b : plan.runnable()) {
                    top.out.println("  " + b.key() + " " + b.pathList() + ": " + b.workload().job().size() + " bytes, "
                            + b.iosPerPass() + " calls/sweep, on " + b.workload().device());
                }
                return EXIT_OK;
            }
            Map<String, String> meta = top.baseMetadata("tables", s, divisor, quick, c, nvme, runDir);
            meta.put("rows", rows.isEmpty() ? "all" : String.join(",", rows));
            meta.put("bs", bs.isEmpty() ? "all" : String.join(",", bs));
            meta.put("paths", String.join(",", Plan.parsePaths(c.paths)));
            int rc = top.runPlan("tables", plan, s, meta, runBase, runDir, nvme, r -> r);
            if (Files.isDirectory(runDir.resolve(org.foliobench.results.PassLog.DIR))) {
                top.report(runDir);
            }
            return rc;
        }
    }

    /**
     * Writes the tables, the published-vs-measured comparison, the charts and index.html into a
     * run folder and prints where they are; ends with the folder, as the README promises.
     */
    void report(Path runDir) throws IOException, UsageException {
        org.foliobench.results.RunFolder run;
        try {
            run = org.foliobench.results.RunFolder.read(runDir);
        } catch (org.foliobench.results.RunFolderException e) {
            throw new UsageException(TableRunner.firstLine(e.getMessage()),
                    "pass a folder written by foliobench tables or run");
        }
        org.foliobench.plots.Report.Written w = org.foliobench.plots.Report.write(run);
        out.print(org.foliobench.results.SeedTables.seedText(run));
        out.println();
        out.println("published vs measured (speedup iomap/bh):");
        out.print(org.foliobench.results.PublishedComparison.of(run).summaryMarkdown());
        if (!w.complete()) {
            out.println(w.message());
        }
        out.println("report: " + displayPath(w.index()) + " (tables.md, tables.csv, published-vs-measured.md, charts/, fio/)");
        out.println("results: " + displayPath(runDir));
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Regenerate the tables, charts and index.html of a run folder.")
    static final class Report implements Callable<Integer> {
        @CommandLine.ParentCommand
        Foliobench top;
        @Parameters(arity = "1", paramLabel = "RUN", description = "A run folder, e.g. runs/20261121-124945-vm.")
        Path run;

        @Override
        public Integer call() throws Exception {
            Path dir = top.cwd.resolve(run);
            if (!Files.isDirectory(dir)) {
                throw new UsageException("no run folder " + run, "pass a folder under runs/");
            }
            top.report(dir);
            return EXIT_OK;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare two runs (tuning evaluation): per row and path the IOPS change beyond the shift both "
                    + "paths shared, per row the iomap/bh speedup change, each with a 95 percent interval over forks; "
                    + "~ where not significant, geometric means.")
    static final class Compare implements Callable<Integer> {
        @CommandLine.ParentCommand
        Foliobench top;
        @Parameters(index = "0", paramLabel = "RUN_A", description = "The baseline run folder.")
        Path a;
        @Parameters(index = "1", paramLabel = "RUN_B", description = "The run to compare with it.")
        Path b;
        @Option(names = "--csv", description = "Print CSV instead of Markdown.")
        boolean csv;

        @Override
        public Integer call() throws Exception {
            org.foliobench.results.RunFolder ra = read(a);
            org.foliobench.results.RunFolder rb = read(b);
            org.foliobench.results.RunComparison cmp = org.foliobench.results.RunComparison.compare(ra, rb);
            top.out.print(csv ? cmp.csv() : cmp.markdown());
            top.out.println(cmp.summaryLine());
            return EXIT_OK;
        }

        private org.foliobench.results.RunFolder read(Path p) throws UsageException {
            try {
                return org.foliobench.results.RunFolder.read(top.cwd.resolve(p));
            } catch (org.foliobench.results.RunFolderException e) {
                throw new UsageException(TableRunner.firstLine(e.getMessage()),
                        "pass two folders written by foliobench tables");
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the measured jobs of a fio job file (psync subset) and print fio-like summaries.")
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        Foliobench top;
        @Parameters(index = "0", paramLabel = "JOBFILE", description = "An fio job file (see the seed jobs).")
        Path jobFile;
        @CommandLine.Mixin
        Common c = new Common();
        @Option(names = "--job", split = ",", paramLabel = "NAME", description = "Only these job sections.")
        List<String> jobs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            checkMeasure(c);
            positive("--size-divisor", c.sizeDivisor, 1);
            Workload.Overrides ov = overrides(c);
            CommandLineOptions jmh = jmhOptions(c.jmh);
            Path file = top.cwd.resolve(jobFile).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                throw new UsageException("job file " + jobFile + " does not exist", "give the path of an fio job file");
            }
            JobFile jf;
            try {
                jf = new FioParser().parse(file);
            } catch (JobFileException e) {
                throw new UsageException(e.problem() + " at " + jobFile + ":" + e.line(), e.fix());
            }
            List<JobSpec> measured = new ArrayList<>();
            for (JobSpec j : jf.measuredJobs()) {
                if (jobs.isEmpty() || jobs.contains(j.name())) {
                    measured.add(j);
                }
            }
            for (String j : jobs) {
                if (jf.job(j).isEmpty()) {
                    throw new UsageException(jobFile + " has no job [" + j + "]", "use one of " + jf.measuredJobs().stream().map(JobSpec::name).toList());
                }
            }
            if (measured.isEmpty()) {
                throw new UsageException(jobFile + " has no job that does IO", "add a job without create_only");
            }
            int divisor = c.sizeDivisor != null ? c.sizeDivisor : 1;
            List<String> paths = Plan.parsePaths(c.paths);
            Path runBase = (c.out != null ? c.out : top.cwd.resolve("runs")).toAbsolutePath().normalize();
            RunFolder.checkWritable(runBase);
            Path runDir = runBase.resolve(RunFolder.name(LocalDateTime.now(), RunFolder.host()));
            long largest = 0;
            boolean need = false;
            for (JobSpec j : measured) {
                if (Workload.onNvme(j)) {
                    need = true;
                    largest = Math.max(largest, j.scaledDown(divisor).size());
                }
                if (j.rw().isRandom()) {
                    throw new UsageException("job [" + j.name() + "]: rw=" + j.rw().fioName() + " is not supported",
                            "foliobench runs sequential psync jobs: rw=read or rw=write");
                }
            }
            NvmeDevice nvme = nvmeFor(c, runDir, largest, need);
            List<Plan.Bench> benches = new ArrayList<>();
            for (JobSpec j : measured) {
                String key = Workload.JOB_PREFIX + j.name();
                Workload.Tunables t = Workload.Tunables.of(j).with(ov);
                Workload w;
                try {
                    w = Workload.resolve(key, jf, t, divisor, nvme.spec());
                    if (w.device() != null && !Workload.onNvme(j)) {
                        DeviceSpec.parse(w.device());
                    }
                } catch (IllegalArgumentException e) {
                    throw new UsageException("job [" + j.name() + "]: " + e.getMessage(), "fix the job file");
                }
                boolean nv = Workload.onNvme(j);
                if (nv && nvme.spec() == null) {
                    throw new UsageException("job [" + j.name() + "] runs on fb_device=nvme but there is no direct device: "
                            + nvme.unavailable(), "give --nvme direct:/dev/nvme0n1 or direct:PATH,size=8g");
                }
                List<String> jp = j.path().isPresent() ? List.of(j.path().get().fioName()) : paths;
                benches.add(new Plan.Bench(key, j.row().orElse(null), jp, t, divisor, w, nv, null));
            }
            Plan plan = new Plan(benches);
            checkAlignment(plan.benches(), nvme.alignment(), nvme.spec());
            checkMemory(plan);
            checkMeasure(c);
            TableRunner.Settings s = settings(c, TableRunner.Settings.quick(!c.noLatency, jmh, nvme.spec())).withJobFile(file);
            top.out.println("foliobench run " + jobFile + ": " + benches.size() + " benchmarks, " + TableRunner.describe(s));
            Map<String, String> meta = top.baseMetadata("run", s, divisor, false, c, nvme, runDir);
            meta.put("jobfile", file.toString());
            int[] group = {0};
            return top.runPlan("run", plan, s, meta, runBase, runDir, nvme, r -> r.onFinished(b -> {
                String name = jf.job(b.key().substring(Workload.JOB_PREFIX.length())).map(JobSpec::displayName).orElse(b.key());
                List<org.foliobench.results.PassLog.Pass> passes = org.foliobench.results.PassLog.read(
                        org.foliobench.results.PassLog.file(runDir, b.key()));
                for (String p : b.paths()) {
                    top.out.println();
                    top.out.print(FioSummary.summary(group[0]++, name + " (" + p + ")", b, p, passes,
                            FioSummary.readLatency(LatencyLog.file(runDir, Workload.logName(p, b.key()))),
                            passes.isEmpty() ? 0 : passes.get(0).pid()));
                    top.out.println();
                }
            }));
        }
    }

    @Command(name = "devices", mixinStandardHelpOptions = true,
            description = "Probe device specs: kind, capacity, alignment, what backs it, whether it is safe to write.")
    static final class Devices implements Callable<Integer> {
        @CommandLine.ParentCommand
        Foliobench top;
        @Parameters(arity = "1..*", paramLabel = "SPEC", description = "ramdisk:size=4g, file:PATH[,size=..], direct:PATH[,size=..][,force]")
        List<String> specs;

        @Override
        public Integer call() throws Exception {
            for (String spec : specs) {
                DeviceSpec s;
                try {
                    s = DeviceSpec.parse(spec);
                } catch (DeviceSpecException e) {
                    throw new UsageException(e.getMessage(), "see foliobench devices --help");
                }
                top.out.print(probe(s));
            }
            return EXIT_OK;
        }

        /** Probes without creating or changing anything that stays. */
        static String probe(DeviceSpec s) throws UsageException {
            StringBuilder b = new StringBuilder(s + "\n");
            b.append("  kind: ").append(s.kind().name().toLowerCase(Locale.ROOT)).append('\n');
            if (s.kind() == DeviceSpec.Kind.RAMDISK) {
                RamDisk r = new RamDisk(s.size(), s.logicalBlockSize());
                b.append("  capacity: ").append(s.size()).append(" bytes (").append(s.size() >> 20).append(" MiB)\n");
                b.append("  alignment: ").append(r.logicalBlockSize()).append(" bytes (logical block size)\n");
                b.append("  backed by: off-heap memory of this JVM, allocated in 64 MiB chunks on first write\n");
                b.append("  safe to write: yes (nothing persistent)\n");
                return b.toString();
            }
            boolean exists = Files.exists(s.path());
            try {
                if (exists) {
                    try (BlockDevice dev = s.size() > 0 && Files.isRegularFile(s.path()) && s.size() > Files.size(s.path())
                            ? null : s.open()) {
                        if (dev == null) {
                            b.append("  capacity: would grow ").append(s.path()).append(" to ").append(s.size()).append(" bytes\n");
                        } else {
                            b.append("  capacity: ").append(dev.capacity()).append(" bytes (").append(dev.capacity() >> 20).append(" MiB)\n");
                            b.append("  alignment: ").append(dev.logicalBlockSize()).append(" bytes\n");
                            b.append("  device: ").append(dev.describe()).append('\n');
                            if (dev instanceof DirectDevice && ((DirectDevice) dev).isBlockDevice()) {
                                b.append("  block device: yes\n");
                            }
                        }
                    }
                } else {
                    if (s.size() == 0) {
                        throw new UsageException(s + ": " + s.path() + " does not exist", "give size= to have it created");
                    }
                    b.append("  capacity: ").append(s.size()).append(" bytes (file created by a run)\n");
                    if (s.kind() == DeviceSpec.Kind.DIRECT) {
                        b.append("  alignment: ").append(NvmeDevice.probeDirectory(s.path().toAbsolutePath().getParent()))
                                .append(" bytes (O_DIRECT works in ").append(s.path().toAbsolutePath().getParent()).append(")\n");
                    }
                }
            } catch (DeviceSpecException e) {
                throw new UsageException(e.getMessage(), "see foliobench devices --help");
            } catch (IOException | IllegalArgumentException e) {
                throw new UsageException(s + ": " + TableRunner.firstLine(String.valueOf(e.getMessage())), "check the path");
            }
            Map<String, String> st = SystemInfo.storageUnder(exists ? s.path() : s.path().toAbsolutePath().getParent(), "on");
            st.forEach((k, v) -> b.append("  ").append(k.replace("on.", "backed by ")).append(": ").append(v).append('\n'));
            b.append("  safe to write: ").append(s.kind() == DeviceSpec.Kind.FILE || !exists || Files.isRegularFile(s.path())
                    ? "yes (a regular file; a run formats it)"
                    : "checked at open: refused when mounted or carrying a signature without ,force").append('\n');
            return b.toString();
        }
    }
}
