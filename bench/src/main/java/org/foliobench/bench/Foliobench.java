package org.foliobench.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.foliobench.InvalidValue;
import org.foliobench.Tunable;
import org.foliobench.Tunables;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DeviceSpecException;
import org.foliobench.layout.RowKey;
import org.foliobench.workloads.FioParser;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.JobFileException;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The {@code foliobench} command line: {@code tables} sweeps the seed matrix, {@code run JOBFILE}
 * runs a fio job file with an fio-like summary, {@code devices SPEC} probes a device. Bad input
 * exits 2 with one line {@code foliobench: <problem> (<fix>)} before anything is created; a failed
 * or interrupted run exits 1 and leaves its folder marked {@code INCOMPLETE}.
 */
@Command(name = "foliobench", mixinStandardHelpOptions = true, versionProvider = Foliobench.Version.class,
        description = "buffer_head vs iomap + large folios: the ext4 iomap series' fio psync tables, regenerated with JMH.",
        subcommands = {Foliobench.Tables.class, Foliobench.Run.class, Foliobench.Devices.class, Foliobench.Report.class,
                Foliobench.Compare.class, ExportFioCommand.class, ImportFioCommand.class, KernelCommand.class,
                SmallWriteCommand.class, NoiseCommand.class, DefragCommand.class, FstimeCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  foliobench tables --quick           # the whole table, about 5 minutes",
            "  foliobench tables --rows 'write/ramdisk/*' --bs 64k",
            "  foliobench run my.fio               # an fio job file, fio-like summary",
            "  foliobench compare runs/A runs/B --csv > cmp.csv",
            "  foliobench smallwrite --quick       # 1k/10k overwrites: bh, bhlf (full/range walk), iomap",
            "  foliobench help tables",
            "Results go to stdout, progress and notes to stderr. JMH is in the jar:",
            "  java -cp bench/target/foliobench.jar org.openjdk.jmh.Main -l"})
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
    /** What a run command says about itself, printed to stderr once it holds the run lock (bad input stays one line). */
    final List<String> notes = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, Path.of("").toAbsolutePath()));
    }

    /** The exit codes every command's --help lists. */
    static final Map<String, String> EXIT_CODES = exitCodes();

    private static Map<String, String> exitCodes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" " + EXIT_OK, "ok");
        m.put(" " + EXIT_FAILED, "a benchmark or the report failed (the run folder stays marked INCOMPLETE, with the reason)");
        m.put(" " + EXIT_USAGE, "bad input: one line 'foliobench: <problem> (<fix>)' on stderr, nothing created");
        m.put("130", "interrupted (Ctrl-C): the run folder stays marked INCOMPLETE");
        return m;
    }

    /** {@code --version}: the project version and the git commit the jar was built from, and the JVM. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {org.foliobench.results.Build.describe(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }

    /** Runs the command line; returns the exit code (0 ok, 1 run failed, 2 bad input). */
    static int execute(String[] args, PrintStream out, PrintStream err, Path cwd) {
        Foliobench top = new Foliobench();
        top.out = out;
        top.err = err;
        top.cwd = cwd;
        top.argv = args.clone();
        CommandLine cl = new CommandLine(top);
        List<CommandLine> commands = new ArrayList<>(List.of(cl));
        commands.addAll(cl.getSubcommands().values());
        for (CommandLine c : commands) {
            c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        }
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
            String m = TableRunner.firstLine(TableRunner.rootMessage(ex));
            err.println("foliobench: " + m + (m.contains("No space left on device")
                    ? " (free space there, or write runs elsewhere with --out DIR; the run folder is marked INCOMPLETE)" : ""));
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
        @Option(names = "--paths", split = ",", paramLabel = "PATH", description = "IO paths: bh, iomap, bhlf (buffer_head + large folios; default bh,iomap). "
                + "bh,iomap,bhlf interleaves the three in each fork (ABC CBA) and adds the three-way table.")
        List<String> paths = new ArrayList<>(List.of(org.foliobench.iopath.IoPath.BH_NAME, org.foliobench.iopath.IoPath.IOMAP_NAME));
        @Option(names = "--forks", paramLabel = "N", description = "Forks (JVMs) at least, each running every row with both paths paired (default " + TableRunner.Settings.FORKS + ", quick " + TableRunner.Settings.QUICK_FORKS + ").")
        Integer forks;
        @Option(names = "--max-forks", paramLabel = "N", description = "More forks, up to N, for rows whose interval is wider than --target (default " + TableRunner.Settings.MAX_FORKS + ").")
        Integer maxForks;
        @Option(names = "--blocks", paramLabel = "N", description = "ABBA blocks (4 passes each) per row and fork (default " + TableRunner.Settings.BLOCKS + ", quick "
                + TableRunner.Settings.QUICK_BLOCKS + ").")
        Integer blocks;
        @Option(names = "--pass-ms", paramLabel = "MS", description = "Length of a pass: sweeps of one path over the file (default " + TableRunner.Settings.PASS_MS + ", quick "
                + TableRunner.Settings.QUICK_PASS_MS + ").")
        Integer passMs;
        @Option(names = "--target", paramLabel = "PCT", description = "Half-width of the 95%% speedup interval to reach (default " + TableRunner.Settings.TARGET_PCT + ", quick "
                + TableRunner.Settings.QUICK_TARGET_PCT + ").")
        Double target;
        @Option(names = "--size-divisor", paramLabel = "N", description = "Divide file sizes, fb_mem and dirty bytes by N (default 1, quick "
                + QUICK_DIVISOR + ").")
        Integer sizeDivisor;
        // The tunables' flags: names, values and defaults come from their declarations (Tunables); TunableHelp adds
        // the values and the default to each description.
        @Option(names = "--mem", paramLabel = "SIZE", description = "fb_mem: the model's RAM (page cache), e.g. 8g, used as given (not divided); default the job's.")
        String mem;
        @Option(names = "--max-folio-order", paramLabel = "N", description = "MAX_PAGECACHE_ORDER.")
        String maxFolioOrder;
        @Option(names = "--read-ahead-kb", paramLabel = "KB", description = "queue/read_ahead_kb.")
        String readAheadKb;
        @Option(names = "--dirty-ratio", paramLabel = "PCT", description = "vm.dirty_ratio.")
        String dirtyRatio;
        @Option(names = "--dirty-background-ratio", paramLabel = "PCT", description = "vm.dirty_background_ratio.")
        String dirtyBackgroundRatio;
        @Option(names = "--block-size", paramLabel = "BYTES", description = "Filesystem block size.")
        String blockSize;
        @Option(names = "--dioread-nolock", paramLabel = "0|1", description = "ext4 dioread_nolock on the buffer_head path: 1 unwritten"
                + " extents converted at IO completion, 0 data=ordered written extents.")
        String dioreadNolock;
        @Option(names = "--bh-partial-walk", paramLabel = "full|range", description = "fb_bh_partial_walk of the bhlf path: full walks every"
                + " buffer of a large folio per partial write (ext4 6.16-6.18), range only the written ones (the 2026 fix).")
        String bhPartialWalk;
        @Option(names = "--nvme", paramLabel = "SPEC", description = "The nvme rows' device, a direct: spec (default: direct:<run folder>/nvme.img when O_DIRECT works there).")
        String nvme;
        @Option(names = "--out", paramLabel = "DIR", description = "Where run folders go (default ./runs).")
        Path out;
        @Option(names = "--jmh", paramLabel = "ARGS", description = "Raw JMH options, e.g. --jmh \"-prof gc -jvmArgsAppend -XX:+UseParallelGC\".")
        String jmh;
        @Option(names = "--no-latency", description = "Do not record per-call latency.")
        boolean noLatency;
        @Option(names = "--numjobs", split = ",", paramLabel = "N", description = "Scaling sweep: run every row with each of these"
                + " thread counts (fio numjobs, 1..4096, reported together as with group_reporting), e.g. 1,2,4; rows then"
                + " carry @numjobs=N and the report adds scaling.md/.csv and charts. Default: each job's own (1 in the seeds).")
        List<String> numjobs;
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

    /** The tunable overrides of {@code c}, each parsed and validated by its declaration. */
    static Workload.Overrides overrides(Common c) throws UsageException {
        return new Workload.Overrides(flag(Tunables.MAX_FOLIO_ORDER, c.maxFolioOrder), flag(Tunables.READ_AHEAD_KB, c.readAheadKb),
                flag(Tunables.DIRTY_RATIO, c.dirtyRatio), flag(Tunables.DIRTY_BACKGROUND_RATIO, c.dirtyBackgroundRatio),
                flag(Tunables.BLOCK_SIZE, c.blockSize), flag(Tunables.MEM, c.mem), flag(Tunables.DIOREAD_NOLOCK, c.dioreadNolock),
                flag(Tunables.BH_PARTIAL_WALK, c.bhPartialWalk));
    }

    /** A tunable's flag: null when not given; a bad value is the declaration's one message ({@link Tunable#parse}). */
    static <T> T flag(Tunable<T> t, String given) throws UsageException {
        if (given == null) {
            return null;
        }
        try {
            return t.parse(given);
        } catch (InvalidValue e) {
            throw new UsageException(e.problem(), e.fix());
        }
    }

    /**
     * The help of the tunables' flags of a command ({@code modelTransformer}, so {@code --help} and the
     * generated man pages both have it): each description ends with its declaration's values and default.
     */
    static final class TunableHelp implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            tunableHelp(spec);
            return spec;
        }
    }

    /** {@link TunableHelp} on {@code spec}. */
    static void tunableHelp(CommandLine.Model.CommandSpec spec) {
        for (Tunable<?> t : Tunables.ALL) {
            CommandLine.Model.OptionSpec o = t.flag() == null ? null : spec.findOption(t.flag());
            if (o == null) {
                continue;
            }
            String[] d = o.description().clone();
            // fb_mem's default is the job's (the seeds' 4g, divided), which its description says
            d[d.length - 1] += " Values: " + t.allowed().replaceFirst("^use ", "") + (t == Tunables.MEM ? "."
                    : "; default " + (t.defaultValue() == null ? "the job's, " : "") + t.defaultText() + ".");
            spec.remove(o);
            spec.addOption(o.toBuilder().description(d).build());
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
        if (o.getForkCount().hasValue() && o.getForkCount().get() > 1) {
            throw new UsageException("--jmh -f " + o.getForkCount().get() + " would start that many JVMs for every fork of the run,"
                    + " all logged as the same fork", "give the number of forks with --forks " + o.getForkCount().get());
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

    /**
     * The values of a list flag without blanks: empty when the flag was not given (all); a flag given
     * only blanks ({@code --rows ''}, an unset shell variable) is an error, never "all".
     */
    static List<String> selection(String flag, List<String> given, String example) throws UsageException {
        if (given == null) {
            return List.of();
        }
        List<String> l = given.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
        if (l.isEmpty()) {
            throw new UsageException(flag + " is empty", "give at least one value, e.g. " + flag + " " + example
                    + ", or leave the flag out for all (is a shell variable it uses unset?)");
        }
        return l;
    }

    static void positive(String flag, Integer v, int min) throws UsageException {
        if (v != null && v < min) {
            throw new UsageException(flag + " " + v + " must be at least " + min, "give a number >= " + min);
        }
    }

    String displayPath(Path p) {
        Path a = p.toAbsolutePath().normalize();
        return a.startsWith(cwd) ? cwd.relativize(a).toString() : a.toString();
    }

    /** One line per row the plan skips, with the reason. */
    static List<String> skips(Plan plan) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Plan.Bench b : plan.skipped()) {
            seen.putIfAbsent(b.key(), b.skip());
        }
        List<String> l = new ArrayList<>();
        seen.forEach((k, why) -> l.add("skipping " + k + ": " + why));
        return l;
    }

    @Command(name = "tables", mixinStandardHelpOptions = true, modelTransformer = TunableHelp.class,
            description = "Sweep the seed matrix (39 rows x bh, iomap) and write a run folder.",
            footerHeading = "%nExamples:%n",
            footer = {"  foliobench tables --quick --out /tmp/runs",
                "  foliobench tables --rows 'read/*,write/cache/*' --forks 6 --max-forks 8",
                "  foliobench tables --dry-run --max-folio-order 0",
                "Progress goes to stderr; stdout ends with 'results: <run folder>'."})
    static final class Tables extends RunCommand {
        @Option(names = "--quick", description = "Seed sizes / " + QUICK_DIVISOR + ": the whole table in under 5 minutes on 2 cores.")
        boolean quick;
        @Option(names = "--rows", split = ",", paramLabel = "ROW", description = "Row keys or globs, e.g. read/*, write/ramdisk/*/*/Y/*, read/hole/4K (default all).")
        List<String> rows;
        @Option(names = "--bs", split = ",", paramLabel = "BS", description = "Block sizes: 4k, 64k, 1m (default all).")
        List<String> bs;
        @Option(names = "--list", description = "List the rows and exit.")
        boolean list;
        @Option(names = "--dry-run", description = "Validate and print the plan; create nothing.")
        boolean dryRun;

        private Workload.Overrides ov;
        private List<String> rowList;
        private List<String> bsGiven;
        private List<Integer> bsList;
        private List<Integer> numjobs;
        private int divisor;
        private long syncCap;

        @Override
        Integer early() {
            if (list) {
                for (ReferenceRow r : SeedJobs.rows()) {
                    top.out.println(r.key());
                }
                return EXIT_OK;
            }
            return null;
        }

        @Override
        void parse(Workload.Overrides ov) throws UsageException {
            this.ov = ov;
            jmh = jmhOptions(c.jmh);
            rowList = selection("--rows", rows, "read/*");
            bsGiven = selection("--bs", bs, "64k");
            divisor = c.sizeDivisor != null ? c.sizeDivisor : quick ? QUICK_DIVISOR : 1;
            syncCap = quick ? QUICK_SYNC_CAP_IOS : SYNC_CAP_IOS;
            bsList = Plan.parseBlockSizes(bsGiven);
        }

        @Override
        int divisor() {
            return divisor;
        }

        @Override
        boolean quick() {
            return quick;
        }

        /** Plans once, on a stand-in device, to learn which nvme rows run and how large their file is. */
        @Override
        long[] nvmeFiles() throws UsageException {
            numjobs = Plan.parseNumjobs(c.numjobs);
            Plan probe = Plan.build(new Plan.Request(rowList, bsList, c.paths, ov, divisor, syncCap, "direct:probe", null, numjobs));
            return probe.benches().stream().filter(Plan.Bench::nvme).mapToLong(b -> b.workload().job().size()).toArray();
        }

        @Override
        Plan plan(NvmeDevice nvme) throws UsageException {
            Plan plan = Plan.build(new Plan.Request(rowList, bsList, c.paths, ov, divisor, syncCap, nvme.spec(),
                    "no direct device: " + nvme.unavailable(), numjobs));
            for (Plan.Bench b : plan.runnable()) {
                if (b.nvme()) {
                    b.workload().checkFits(nvme); // --nvme may be smaller than a row's file
                }
            }
            return plan;
        }

        @Override
        TableRunner.Settings settings(NvmeDevice nvme) {
            return Foliobench.settings(c, quick ? TableRunner.Settings.quick(!c.noLatency, jmh, nvme.spec())
                    : TableRunner.Settings.full(!c.noLatency, jmh, nvme.spec()));
        }

        @Override
        Integer announce(Plan plan, TableRunner.Settings s, NvmeDevice nvme) throws UsageException {
            List<String> header = new ArrayList<>();
            header.add(String.format(Locale.ROOT, "foliobench tables: %d rows%s x %s paired%s, %s, sizes / %d",
                    plan.runnable().size(), numjobs.isEmpty() ? "" : " (numjobs " + numjobs.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(",")) + ")", String.join(", ", Plan.parsePaths(c.paths)),
                    plan.skipped().isEmpty() ? "" : ", " + plan.skipped().size() + " skipped", TableRunner.describe(s), divisor));
            header.add("nvme: " + (nvme.spec() != null ? nvme.description().get("device.nvme") : "none (" + nvme.unavailable() + ")"));
            header.addAll(skips(plan));
            if (dryRun) {
                header.forEach(top.out::println); // the plan is what --dry-run is asked for
                for (Plan.Bench b : plan.runnable()) {
                    top.out.println("  " + b.key() + " " + b.pathList() + ": " + b.workload().job().size() + " bytes, "
                            + b.iosPerPass() + " calls/sweep" + (b.workload().job().numjobs() > 1
                                    ? " x " + b.workload().job().numjobs() + " threads" : "") + ", fb_mem " + (b.workload().memBytes() >> 20) + " MiB, on "
                            + b.workload().device());
                }
                return EXIT_OK;
            }
            top.notes.addAll(header);
            return null;
        }

        @Override
        String name() {
            return "tables";
        }

        @Override
        void metadata(Map<String, String> meta) throws UsageException {
            meta.put("rows", rowList.isEmpty() ? "all" : String.join(",", rowList));
            meta.put("bs", bsGiven.isEmpty() ? "all" : String.join(",", bsGiven));
            meta.put("paths", String.join(",", Plan.parsePaths(c.paths)));
        }

        @Override
        void finish(Path dir) throws IOException, UsageException {
            if (Files.isDirectory(dir.resolve(org.foliobench.layout.RunLayout.PASSES_DIR))) {
                top.report(dir); // partial results too: the report says what is missing
            }
        }

        @Override
        String label() {
            return "results: ";
        }
    }

    /**
     * Writes the tables, the published-vs-measured comparison, the charts and index.html into a
     * run folder and prints where they are; ends with the folder, as the README promises.
     */
    /** The three-way table of a run with bhlf ({@link org.foliobench.results.ThreeWayTable}). */
    static final String THREE_WAY_MD = "three-way.md";

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
        if (org.foliobench.results.ThreeWayTable.applies(run)) {
            // a run with bhlf: the three column pairs and the 2024-11 rows, beside the two-column report
            String three = org.foliobench.results.ThreeWayTable.markdown(run);
            Files.writeString(runDir.resolve(THREE_WAY_MD), three);
            out.println();
            out.println("three-way (bh, iomap, bhlf; +% against bh):");
            out.print(three);
            err.println("three-way: " + displayPath(runDir.resolve(THREE_WAY_MD)));
        }
        if (!w.complete()) {
            err.println(w.message());
        }
        err.println("report: " + displayPath(w.index())
                + " (tables.md, tables.csv, tables-long.csv, published-vs-measured.md, "
                + (org.foliobench.results.ScalingTable.applies(run) ? org.foliobench.results.ScalingTable.NAME + ".md, "
                        + org.foliobench.results.ScalingTable.NAME + ".csv, " : "") + "charts/, fio/, fio-plot/)");
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n",
            footer = {"  foliobench report runs/20261202-120156-vm   # tables on stdout, files in the folder"},
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
            top.out.println("results: " + top.displayPath(dir));
            return EXIT_OK;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            footerHeading = "%nExamples:%n",
            footer = {"  foliobench compare runs/A runs/B",
                "  foliobench compare runs/A runs/B --csv > cmp.csv    # pandas.read_csv('cmp.csv')",
                "  foliobench compare runs/A runs/B --json > cmp.json"},
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
        @Option(names = "--csv", description = "Print only CSV (one line per row and path, then the geometric means); "
                + "the summary line and any INCOMPLETE notice go to stderr.")
        boolean csv;
        @Option(names = "--json", description = "Print one JSON object (runs, shift, rows, speedups, metadata differences, "
                + "summary); notices go to stderr.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (csv && json) {
                throw new UsageException("--csv and --json both given", "choose one output format");
            }
            org.foliobench.results.RunFolder ra = read(a);
            org.foliobench.results.RunFolder rb = read(b);
            org.foliobench.results.RunComparison cmp = org.foliobench.results.RunComparison.compare(ra, rb);
            if (csv || json) {
                top.out.print(csv ? cmp.csv() : cmp.json());
                cmp.incompleteNotices().forEach(top.err::println);
                top.err.println(cmp.summaryLine());
            } else {
                top.out.print(cmp.markdown());
                top.out.println(cmp.summaryLine());
            }
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

    @Command(name = "run", mixinStandardHelpOptions = true, modelTransformer = TunableHelp.class,
            description = "Run the measured jobs of a fio job file (psync subset) and print fio-like summaries.")
    static final class Run extends RunCommand {
        @Parameters(index = "0", paramLabel = "JOBFILE", description = "An fio job file (see the seed jobs).")
        Path jobFile;
        @Option(names = "--job", split = ",", paramLabel = "NAME", description = "Only these job sections (default all).")
        List<String> jobList;

        private Workload.Overrides ov;
        private List<Integer> numjobs;
        private Path file;
        private JobFile jf;
        private List<JobSpec> measured;
        private int divisor;
        private List<String> paths;

        @Override
        void parse(Workload.Overrides ov) throws IOException, UsageException {
            this.ov = ov;
            numjobs = Plan.parseNumjobs(c.numjobs);
            jmh = jmhOptions(c.jmh);
            List<String> jobs = selection("--job", jobList, "seq-read");
            file = top.cwd.resolve(jobFile).toAbsolutePath().normalize();
            if (Files.isDirectory(file)) {
                throw new UsageException("job file " + jobFile + " is a directory", "give the path of an fio job file in it");
            }
            if (!Files.isRegularFile(file)) {
                throw new UsageException("job file " + jobFile + " does not exist", "give the path of an fio job file");
            }
            try {
                jf = new FioParser().parse(file);
            } catch (JobFileException e) {
                throw new UsageException(jobFile + ":" + e.line() + ": " + e.problem(), e.fix());
            }
            measured = new ArrayList<>();
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
            divisor = c.sizeDivisor != null ? c.sizeDivisor : 1;
            paths = Plan.parsePaths(c.paths);
        }

        @Override
        int divisor() {
            return divisor;
        }

        @Override
        long[] nvmeFiles() {
            return measured.stream().filter(Workload::onNvme).mapToLong(j -> j.scaledDown(divisor).size()).toArray();
        }

        @Override
        Plan plan(NvmeDevice nvme) throws UsageException {
            List<Plan.Bench> benches = new ArrayList<>();
            for (JobSpec j : measured) {
                for (String key : Plan.keys(Workload.JOB_PREFIX + j.name(), j.numjobs(), numjobs)) {
                    Workload.Tunables t = Workload.Tunables.of(j).with(ov);
                    Workload w;
                    try {
                        w = Workload.resolve(key, jf, t, divisor, nvme.spec());
                        w.checkFits(nvme);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("job [" + j.name() + "]: " + e.getMessage(), "fix the job file");
                    }
                    boolean nv = Workload.onNvme(j);
                    if (nv && nvme.spec() == null) {
                        throw new UsageException("job [" + j.name() + "] runs on fb_device=nvme but there is no direct device: "
                                + nvme.unavailable(), "give --nvme direct:/dev/nvme0n1 or direct:PATH,size=8g");
                    }
                    List<String> jp = j.path().isPresent() ? List.of(j.path().get().fioName()) : paths;
                    if (j.reflink() && !jp.equals(List.of(org.foliobench.iopath.IoPath.IOMAP_NAME))) {
                        throw new UsageException("job [" + j.name() + "]: fb_reflink=1 needs the iomap path only (ext4's"
                                + " buffer_head path has no reflink: FICLONE fails with EOPNOTSUPP), not " + String.join(",", jp),
                                "add fb_path=iomap to the job, or run with --paths iomap");
                    }
                    benches.add(new Plan.Bench(key, j.row().orElse(null), jp, t, divisor, w, nv, null));
                }
            }
            return new Plan(benches);
        }

        @Override
        TableRunner.Settings settings(NvmeDevice nvme) {
            return Foliobench.settings(c, TableRunner.Settings.quick(!c.noLatency, jmh, nvme.spec())).withJobFile(file);
        }

        @Override
        Integer announce(Plan plan, TableRunner.Settings s, NvmeDevice nvme) {
            top.notes.add("foliobench run " + jobFile + ": " + plan.benches().size() + " benchmarks, " + TableRunner.describe(s));
            return null;
        }

        @Override
        String name() {
            return "run";
        }

        @Override
        void metadata(Map<String, String> meta) {
            meta.put("jobfile", file.toString());
        }

        /** After each row: its fio-like summary per path, on stdout. */
        @Override
        TableRunner customize(TableRunner r, Path runDir) {
            int[] group = {0};
            return r.onFinished(b -> {
                String job = RowKey.withoutNumjobs(b.key());
                int n = RowKey.numjobsOf(b.key());
                String name = jf.job(job.substring(Workload.JOB_PREFIX.length())).map(JobSpec::displayName).orElse(job)
                        + (n == 0 ? "" : " numjobs=" + n);
                List<org.foliobench.results.PassLog.Pass> passes = org.foliobench.results.PassLog.read(
                        org.foliobench.results.PassLog.file(runDir, b.key()));
                for (String p : b.paths()) {
                    top.out.println();
                    top.out.print(FioSummary.summary(group[0]++, name + " (" + p + ")", b, p, passes,
                            FioSummary.readLatency(LatencyLog.file(runDir, Workload.logName(p, b.key()))),
                            FioSummary.readLatency(LatencyLog.syncFile(runDir, Workload.logName(p, b.key()))),
                            passes.isEmpty() ? 0 : passes.get(0).pid()));
                    top.out.println();
                }
            });
        }

        @Override
        void finish(Path runDir) {
        }

        @Override
        String label() {
            return "run folder: ";
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

        /** Probes without creating or changing anything that stays ({@link DeviceSpec#probe}). */
        static String probe(DeviceSpec s) throws UsageException {
            DeviceSpec.Probe p;
            try {
                p = s.probe();
            } catch (DeviceSpecException e) {
                throw new UsageException(e.getMessage(), "see foliobench devices --help");
            } catch (IOException e) {
                throw new UsageException(s + ": " + TableRunner.firstLine(String.valueOf(e.getMessage())), "check the path");
            }
            StringBuilder b = new StringBuilder(s + "\n");
            b.append("  kind: ").append(s.kind().name().toLowerCase(Locale.ROOT)).append('\n');
            b.append("  capacity: ").append(p.capacity()).append(" bytes (").append(p.capacity() >> 20).append(" MiB)\n");
            b.append("  alignment: ").append(p.alignment()).append(" bytes\n");
            b.append("  device: ").append(p.description()).append('\n');
            if (s.kind() == DeviceSpec.Kind.RAMDISK) {
                long avail = SystemInfo.memAvailable();
                if (avail > 0 && s.size() > avail) {
                    throw new UsageException(s + " needs " + (s.size() >> 20) + " MiB of memory but " + (avail >> 20)
                            + " MiB are available", "use a smaller size, or file: or direct: on a disk");
                }
                b.append("  backed by: off-heap memory of the run's JVM, allocated in 64 MiB chunks on first write\n");
                b.append("  safe to write: yes (nothing persistent)\n");
                return b.toString();
            }
            Path at = Files.exists(s.path()) ? s.path() : s.path().toAbsolutePath().getParent();
            SystemInfo.storageUnder(at, "on").forEach((k, v) -> b.append("  ").append(k.replace("on.", "backed by ")).append(": ")
                    .append(v).append('\n'));
            b.append("  safe to write: ").append(p.blockDevice() ? "yes: not mounted, and no filesystem or partition table"
                    + (s.force() ? " (or force given)" : "") : "yes (a regular file; a run formats it)").append('\n');
            return b.toString();
        }
    }
}
