package org.foliobench.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.foliobench.layout.BenchParams;
import org.foliobench.results.Format;
import org.foliobench.results.Paired;
import org.foliobench.results.PassLog;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs a plan fork by fork: each fork is one {@code new Runner(options).run()} of {@link PsyncBench}
 * over every row that still needs a fork, both paths paired inside it, the rows one after the other
 * (in reverse order on odd forks, so a row's place in the fork is not a bias). The JVM warms up once
 * per fork, and a slow drift of the machine over the run lands in the fork-to-fork variance that the
 * intervals see instead of in one row's ratio. After {@code forks} forks, rows whose speedup
 * interval (or, with one path, IOPS interval) is still wider than {@code targetPct} get more, up to
 * {@code maxForks}; rows that hit the cap are named in {@code metadata.json}. A progress line is
 * printed as each row of a fork finishes (read from the pass log), {@code jmh.json} (JMH's own JSON
 * of every fork) is rewritten after each fork, and the run folder's {@code INCOMPLETE} marker stays
 * unless every row succeeded (the caller removes it once its report is written too).
 */
final class TableRunner {
    /**
     * How every row runs: at least {@code forks} and at most {@code maxForks} forks, each with
     * {@code blocks} ABBA blocks of passes of {@code passMs} after an interleaved warmup of
     * {@code warmupMs} to {@code warmupMaxMs}; more forks while the interval's half-width exceeds
     * {@code targetPct}. {@code jmh} are raw JMH options layered on top (may be null).
     */
    record Settings(int forks, int maxForks, int blocks, int passMs, int warmupMs, int warmupMaxMs, int rowWarmupMaxMs,
            double targetPct, boolean latency, CommandLineOptions jmh, Path jobFile, String nvmeSpec) {
        /** The defaults of {@code tables} and {@code tables --quick}, which the CLI's help names too. */
        static final int FORKS = 4, QUICK_FORKS = 5, MAX_FORKS = 6, BLOCKS = 2, QUICK_BLOCKS = 1, PASS_MS = 250,
                QUICK_PASS_MS = 100, TARGET_PCT = 3, QUICK_TARGET_PCT = 10;

        /**
         * {@code tables --quick}: +-10%, 5 to 6 forks of one ABBA block of 100 ms passes per row. More,
         * shorter blocks pay the per-pass preparation more often; the spread of a block's ratio is
         * mostly the machine's ({@code foliobench noise}). The README's A/A section gives what identical
         * quick runs moved, with the commands.
         */
        static Settings quick(boolean latency, CommandLineOptions jmh, String nvmeSpec) {
            return new Settings(QUICK_FORKS, MAX_FORKS, QUICK_BLOCKS, QUICK_PASS_MS, 2000, 4000, 400, QUICK_TARGET_PCT, latency, jmh, null,
                    nvmeSpec);
        }

        /**
         * {@code tables}: +-3%, 4 to 6 forks of two ABBA blocks of 250 ms passes per row. A seed-sized
         * fork sets up a 4 GiB arena and ramdisk per row, so forks cost minutes: more need a bigger
         * machine or {@code --max-forks}.
         */
        static Settings full(boolean latency, CommandLineOptions jmh, String nvmeSpec) {
            return new Settings(FORKS, MAX_FORKS, BLOCKS, PASS_MS, 4000, 15000, 2000, TARGET_PCT, latency, jmh, null, nvmeSpec);
        }

        Settings with(Integer forks, Integer maxForks, Integer blocks, Integer passMs, Double targetPct) {
            int f = forks != null ? forks : this.forks;
            return new Settings(f, maxForks != null ? maxForks : Math.max(f, this.maxForks), blocks != null ? blocks : this.blocks,
                    passMs != null ? passMs : this.passMs, warmupMs, warmupMaxMs, rowWarmupMaxMs,
                    targetPct != null ? targetPct : this.targetPct,
                    latency, jmh, jobFile, nvmeSpec);
        }

        Settings withJobFile(Path f) {
            return new Settings(forks, maxForks, blocks, passMs, warmupMs, warmupMaxMs, rowWarmupMaxMs, targetPct, latency, jmh,
                    f, nvmeSpec);
        }

        /** Measured JMH iterations (passes) per row and fork: ABBA blocks for two paths, ABC CBA for three. */
        int passes(int paths) {
            return 2 * Math.max(2, paths) * blocks;
        }
    }

    /**
     * C2 without receiver-type profiles: calls are inlined where the class hierarchy allows it, never
     * on the strength of which types a call site happened to see before it was compiled. Both paths
     * share the engine's call sites (the page cache, the filesystem, the device), so with profiles the
     * code C2 settles on depended on which path ran first and on the traps and recompilations after
     * it, different from fork to fork: the largest part of a row's fork-to-fork spread (README, "How
     * a benchmark measures"). The kernel resolves its indirect calls (aops, get_block, end_io) the
     * same way in every boot.
     */
    static final List<String> JIT = List.of(PsyncBench.NO_TYPE_PROFILE, PsyncBench.NO_TYPE_SPECULATION);

    /** The fork's heap: the model's memory is all off-heap. */
    static final String HEAP = "1g";
    static final long HEAP_BYTES = 1L << 30;

    private final Plan plan;
    private final Settings settings;
    private final RunFolder folder;
    private final Map<String, String> metadata;
    private final PrintStream out;
    private final List<RunResult> results = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private RowConsumer onFinished = b -> { };

    /** What to do with a row whose forks are all done. */
    interface RowConsumer {
        void accept(Plan.Bench b) throws IOException;
    }

    TableRunner(Plan plan, Settings settings, RunFolder folder, Map<String, String> metadata, PrintStream out) {
        this.plan = plan;
        this.settings = settings;
        this.folder = folder;
        this.metadata = new LinkedHashMap<>(metadata);
        this.out = out;
    }

    /** Called for each row that succeeded once the run is over (the {@code run} command prints its fio summary). */
    TableRunner onFinished(RowConsumer c) {
        this.onFinished = c;
        return this;
    }

    List<RunResult> results() {
        return results;
    }

    List<String> failures() {
        return failures;
    }

    /** The JMH options of fork {@code fork} over {@code rows} (same paths and tunables), in that order. */
    static Options options(List<Plan.Bench> rows, int fork, Settings s, Path runDir) {
        Plan.Bench b = rows.get(0);
        CommandLineOptions cmd = s.jmh();
        ChainedOptionsBuilder o = new OptionsBuilder();
        if (cmd != null) {
            o.parent(cmd);
        }
        o.include("^" + Pattern.quote(PsyncBench.class.getName() + ".pass") + "$")
                .mode(Mode.SingleShotTime)
                .timeUnit(TimeUnit.MILLISECONDS)
                .shouldFailOnError(true)
                .output(logFile(runDir, fork, b).toString());
        if (cmd == null || !cmd.getForkCount().hasValue()) {
            o.forks(1); // one JVM per fork of the run; --jmh "-f 0" runs it in this JVM (tests)
        }
        o.warmupIterations(1); // the harness iteration (PsyncBench.Fio#harnessIteration): no pass, no row
        o.warmupBatchSize(1);
        o.measurementIterations(rows.size() * s.passes(b.paths().size()));
        o.measurementBatchSize(1); // one invocation per iteration: the pass (its length is the passMs param)
        Map<String, String> params = params(rows, fork, s);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (cmd == null || !cmd.getParameter(e.getKey()).hasValue()) {
                o.param(e.getKey(), e.getValue());
            }
        }
        List<String> jvm = new ArrayList<>(jvmArgs(rows, s, runDir));
        if (cmd != null && cmd.getJvmArgsAppend().hasValue()) {
            jvm.addAll(cmd.getJvmArgsAppend().get());
        }
        o.jvmArgsAppend(jvm.toArray(new String[0]));
        return o.build();
    }

    /** The JMH params of one fork over {@code rows}. */
    static Map<String, String> params(List<Plan.Bench> rows, int fork, Settings s) {
        Map<String, String> p = new LinkedHashMap<>();
        Plan.Bench b = rows.get(0);
        Workload.Tunables t = b.tunables();
        p.put(BenchParams.ROWS, rows.stream().map(Plan.Bench::key).collect(java.util.stream.Collectors.joining(",")));
        p.put(BenchParams.BLOCKS, String.valueOf(s.blocks()));
        p.put(BenchParams.PATHS, b.pathList());
        p.put(BenchParams.FORK, String.valueOf(fork));
        p.putAll(t.params());
        p.put(BenchParams.SIZE_DIVISORS, rows.stream().map(r -> String.valueOf(r.divisor())).collect(java.util.stream.Collectors.joining(",")));
        p.put(BenchParams.WARMUP_MS, String.valueOf(s.warmupMs()));
        p.put(BenchParams.WARMUP_MAX_MS, String.valueOf(s.warmupMaxMs()));
        p.put(BenchParams.ROW_WARMUP_MAX_MS, String.valueOf(s.rowWarmupMaxMs()));
        p.put(BenchParams.PASS_MS, String.valueOf(s.passMs()));
        p.put(BenchParams.LATENCY, String.valueOf(s.latency()));
        return p;
    }

    /**
     * The fork's JVM: small heap, direct memory for the largest row's arena and ramdisk (one row is
     * set up at a time; the previous one's is released before), the run's properties.
     */
    static List<String> jvmArgs(List<Plan.Bench> rows, Settings s, Path runDir) {
        List<String> a = new ArrayList<>();
        a.add("-Xms" + HEAP);
        a.add("-Xmx" + HEAP);
        a.addAll(JIT);
        long direct = rows.stream().mapToLong(r -> r.workload().directMemoryBytes()).max().orElse(0);
        a.add("-XX:MaxDirectMemorySize=" + (direct >> 20) + "m");
        a.addAll(properties(s, runDir).entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList());
        return a;
    }

    static Map<String, String> properties(Settings s, Path runDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(Workload.OUT_PROPERTY, runDir.toAbsolutePath().toString());
        if (s.nvmeSpec() != null) {
            p.put(Workload.NVME_PROPERTY, s.nvmeSpec());
        }
        if (s.jobFile() != null) {
            p.put(Workload.JOBFILE_PROPERTY, s.jobFile().toAbsolutePath().toString());
        }
        return p;
    }

    /** Memory a fork needs for row {@code b}: heap plus direct memory. */
    static long forkMemory(Plan.Bench b) {
        return HEAP_BYTES + b.workload().directMemoryBytes();
    }

    /** Runs every runnable row; returns true when all succeeded. */
    boolean run() throws IOException {
        List<Plan.Bench> run = plan.runnable();
        for (Plan.Bench b : plan.skipped()) {
            metadata.put(org.foliobench.layout.RunLayout.Meta.skipped(b.key()), b.skip()); // the results module reads skipped.<rowkey>
        }
        metadata.put("status", "running");
        folder.writeMetadata(metadata);
        int[] forks = new int[run.size()];
        boolean[] failed = new boolean[run.size()];
        Progress progress = new Progress(run.size(), settings.forks());
        long start = System.nanoTime();
        String fatal = null;
        for (int round = 0; fatal == null; round++) {
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < run.size(); i++) {
                if (!failed[i] && wantsFork(run.get(i), forks[i])) {
                    todo.add(i);
                }
            }
            if (todo.isEmpty()) {
                break;
            }
            if (round % 2 == 1) {
                java.util.Collections.reverse(todo);
            }
            // one fork per group of rows the same JMH params can carry (paths, tunables, size divisor)
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            for (int i : todo) {
                Map<String, String> p = params(List.of(run.get(i)), round, settings);
                p.remove(BenchParams.ROWS);
                p.remove(BenchParams.SIZE_DIVISORS);
                groups.computeIfAbsent(p.toString(), k -> new ArrayList<>()).add(i);
            }
            for (List<Integer> g : groups.values()) {
                List<Plan.Bench> rows = g.stream().map(run::get).toList();
                String why = null;
                Watcher w = new Watcher(rows, round, progress, start);
                w.start();
                try {
                    results.add(runFork(rows, round));
                    writeJmhJson();
                } catch (RunnerException | RuntimeException e) {
                    why = firstLine(rootMessage(e));
                    if (why.contains("JMH lock")) {
                        fatal = why; // JMH refused to start (another run holds its lock): no fork will run
                    }
                } finally {
                    w.finish();
                }
                if (fatal != null) {
                    for (int i = 0; i < run.size(); i++) {
                        if (!failed[i]) {
                            failed[i] = true;
                            failures.add(run.get(i).key() + ": " + fatal);
                            metadata.put(org.foliobench.layout.RunLayout.Meta.failed(run.get(i).key()), fatal);
                        }
                    }
                    out.println("foliobench: " + fatal);
                    break;
                }
                for (int i : g) {
                    Plan.Bench b = run.get(i);
                    if (w.done(b)) {
                        forks[i]++;
                    } else if (why != null && !w.isFailed()) {
                        // the first row of the fork that did not finish its passes is the one that failed
                        w.failed(b, why);
                        failed[i] = true;
                        failures.add(b.key() + ": " + why);
                        metadata.put(org.foliobench.layout.RunLayout.Meta.failed(b.key()), why);
                    }
                }
                folder.writeMetadata(metadata);
            }
        }
        for (int i = 0; i < run.size(); i++) {
            Plan.Bench b = run.get(i);
            metadata.put(org.foliobench.layout.RunLayout.Meta.forks(b.key()), String.valueOf(forks[i]));
            if (!failed[i] && forks[i] >= settings.maxForks() && !withinTarget(b)) {
                metadata.put(org.foliobench.layout.RunLayout.Meta.capped(b.key()), "interval " + interval(b) + " after " + forks[i] + " forks (target +-"
                        + Format.pct(settings.targetPct()) + ")");
            }
        }
        writeJmhJson();
        for (int i = 0; i < run.size(); i++) {
            if (!failed[i]) {
                onFinished.accept(run.get(i));
            }
        }
        metadata.put(org.foliobench.layout.RunLayout.Meta.FINISHED, java.time.OffsetDateTime.now().toString());
        metadata.put("elapsed", Progress.duration(System.nanoTime() - start));
        boolean ok = failures.isEmpty();
        metadata.put("status", ok ? "complete" : "failed: " + failures.size() + " of " + run.size() + " rows failed");
        folder.writeMetadata(metadata);
        if (!ok) {
            folder.markFailed(failures.size() + " rows failed: " + String.join("; ", failures));
        }
        return ok; // the caller removes the INCOMPLETE marker once the report is written too
    }

    /**
     * The run was interrupted (SIGINT, SIGTERM: called from a shutdown hook while the run's thread may
     * still be busy): {@code metadata.json} says so, and so does the marker.
     */
    void interrupted() {
        folder.markFailed("interrupted");
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Map<String, String> m = new LinkedHashMap<>(metadata);
                m.put("status", "interrupted");
                m.put(org.foliobench.layout.RunLayout.Meta.FINISHED, java.time.OffsetDateTime.now().toString());
                folder.writeMetadata(m);
                return;
            } catch (java.util.ConcurrentModificationException e) {
                // the run's thread changed the map meanwhile: copy again
            } catch (IOException | RuntimeException e) {
                return; // best effort: the marker says it
            }
        }
    }

    /**
     * Prints a progress line as each row of a running fork finishes its passes (it polls the pass
     * log: the fork is another JVM), and at the end one for each row left.
     */
    final class Watcher extends Thread {
        private final List<Plan.Bench> rows;
        private final int round;
        private final Progress progress;
        private final long start;
        private final java.util.Set<String> printed = new java.util.HashSet<>();
        private volatile boolean stop;
        private boolean failedOne;

        Watcher(List<Plan.Bench> rows, int round, Progress progress, long start) {
            super("foliobench-progress");
            setDaemon(true);
            this.rows = rows;
            this.round = round;
            this.progress = progress;
            this.start = start;
        }

        @Override
        public void run() {
            while (!stop) {
                poll();
                try {
                    Thread.sleep(1000); // a progress line a second late costs nothing; a busy watcher costs the fork CPU
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Each row's log, followed from where the last poll stopped, and its measured passes of this fork so far. */
        private final Map<String, PassLog.Tail> tails = new java.util.HashMap<>();
        private final Map<String, Integer> measured = new java.util.HashMap<>();

        synchronized boolean done(Plan.Bench b) {
            try {
                PassLog.Tail t = tails.computeIfAbsent(b.key(), k -> new PassLog.Tail(PassLog.file(folder.dir(), k)));
                for (PassLog.Pass p : t.readNew()) {
                    if (!p.warmup() && p.fork() == round) {
                        measured.merge(b.key(), 1, Integer::sum);
                    }
                }
                return measured.getOrDefault(b.key(), 0) >= settings.passes(b.paths().size());
            } catch (IOException | RuntimeException e) {
                return false; // unreadable for now: not done yet
            }
        }

        private synchronized void poll() {
            for (Plan.Bench b : rows) {
                if (!printed.contains(b.key()) && done(b)) {
                    String outcome;
                    try {
                        outcome = summary(b);
                    } catch (IOException | RuntimeException e) {
                        outcome = "(pass log unreadable: " + e.getMessage() + ")";
                    }
                    print(b, outcome);
                }
            }
        }

        private void print(Plan.Bench b, String outcome) {
            printed.add(b.key());
            progress.step(round >= settings.forks());
            int index = plan.runnable().indexOf(b) + 1;
            out.println(Progress.line(round + 1, Math.max(settings.forks(), round + 1), index, plan.runnable().size(), b.key(),
                    outcome, progress.etaNanos(System.nanoTime() - start)));
            out.flush();
        }

        synchronized void failed(Plan.Bench b, String why) {
            failedOne = true;
            print(b, "FAILED: " + why + " (see " + folder.dir().relativize(logFile(folder.dir(), round, rows.get(0))) + ")");
        }

        synchronized boolean isFailed() {
            return failedOne;
        }

        void finish() {
            stop = true;
            interrupt();
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poll();
        }
    }

    /** Whether row {@code b}, with {@code done} forks behind it, gets another one. */
    boolean wantsFork(Plan.Bench b, int done) throws IOException {
        if (done < settings.forks()) {
            return true;
        }
        return done < settings.maxForks() && !withinTarget(b);
    }

    /** The row's estimate: the speedup of a paired row, the IOPS of a single-path one. */
    Paired.Estimate estimate(Plan.Bench b) throws IOException {
        List<PassLog.Pass> passes = passes(b);
        if (b.paths().size() < 2) {
            return Paired.iops(passes, b.paths().get(0));
        }
        // with three paths, the widest of the speedups against the base decides whether the row needs more forks
        Paired.Estimate widest = null;
        for (int i = 1; i < b.paths().size(); i++) {
            Paired.Estimate e = Paired.speedup(passes, b.paths().get(0), b.paths().get(i));
            if (widest == null || e == null || !e.hasInterval()
                    || (widest.hasInterval() && e.halfWidthPct() > widest.halfWidthPct())) {
                widest = e;
            }
            if (widest == null || !widest.hasInterval()) {
                break;
            }
        }
        return widest;
    }

    List<PassLog.Pass> passes(Plan.Bench b) throws IOException {
        Path f = PassLog.file(folder.dir(), b.key());
        return Files.exists(f) ? PassLog.read(f) : List.of();
    }

    boolean withinTarget(Plan.Bench b) throws IOException {
        Paired.Estimate e = estimate(b);
        return e != null && e.hasInterval() && e.halfWidthPct() <= settings.targetPct();
    }

    String interval(Plan.Bench b) throws IOException {
        Paired.Estimate e = estimate(b);
        return e == null ? "none" : !e.hasInterval() ? "none (" + e.forks() + " fork)" : "+-" + Format.pct(e.halfWidthPct());
    }

    /** The progress outcome of a row so far: per-path IOPS, speedup and its interval, disturbed passes. */
    String summary(Plan.Bench b) throws IOException {
        List<PassLog.Pass> passes = passes(b);
        StringBuilder sb = new StringBuilder();
        for (String p : b.paths()) {
            Paired.Estimate e = Paired.iops(passes, p);
            sb.append(p).append(' ').append(e == null ? "-" : Format.iops(e.value())).append("  ");
        }
        sb.append("IOPS");
        if (b.paths().size() >= 2) {
            Paired.Estimate s = estimate(b);
            if (s != null) {
                sb.append("  ").append(Format.progressSpeedup(s));
            }
        }
        long disturbed = passes.stream().filter(p -> !p.warmup() && p.disturbed()).count();
        long measured = passes.stream().filter(p -> !p.warmup()).count();
        if (disturbed > 0) {
            sb.append("  (").append(disturbed).append('/').append(measured).append(" passes disturbed)");
        }
        List<String> v = passes.stream().flatMap(p -> p.violations().stream()).distinct().toList();
        if (!v.isEmpty()) {
            sb.append("  VIOLATION: ").append(v.get(0));
            metadata.put(org.foliobench.layout.RunLayout.Meta.violation(b.key()), v.get(0));
        }
        return sb.toString();
    }

    /** JMH's output of one fork: {@code logs/fork<N>-<first row>.log}. */
    static Path logFile(Path runDir, int fork, Plan.Bench first) {
        return org.foliobench.layout.RunLayout.forkLog(runDir, fork, first.key());
    }

    RunResult runFork(List<Plan.Bench> rows, int fork) throws RunnerException, IOException {
        Files.createDirectories(folder.dir().resolve(org.foliobench.layout.RunLayout.LOGS_DIR));
        Options opts = options(rows, fork, settings, folder.dir());
        boolean inProcess = opts.getForkCount().orElse(1) == 0;
        Map<String, String> saved = new LinkedHashMap<>();
        if (inProcess) {
            // forks 0: the benchmark runs in this JVM and reads the properties from here
            for (Map.Entry<String, String> e : properties(settings, folder.dir()).entrySet()) {
                saved.put(e.getKey(), System.getProperty(e.getKey()));
                System.setProperty(e.getKey(), e.getValue());
            }
        }
        try {
            Collection<RunResult> r = new Runner(opts).run();
            if (r.isEmpty()) {
                throw new RunnerException("JMH returned no result");
            }
            return r.iterator().next();
        } finally {
            for (Map.Entry<String, String> e : saved.entrySet()) {
                if (e.getValue() == null) {
                    System.clearProperty(e.getKey());
                } else {
                    System.setProperty(e.getKey(), e.getValue());
                }
            }
        }
    }

    /** {@code jmh.json}: JMH's own JSON of every finished benchmark, replaced atomically. */
    void writeJmhJson() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        folder.writeAtomically(org.foliobench.layout.RunLayout.JMH_JSON, bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * The message of the innermost cause, looking into suppressed exceptions too (a failed JMH fork
     * reports its exceptions as suppressed ones of a {@code BenchmarkException}).
     */
    static String rootMessage(Throwable e) {
        Throwable root = root(e, 0);
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static Throwable root(Throwable t, int depth) {
        if (depth > 20) {
            return t;
        }
        if (t.getCause() != null && t.getCause() != t) {
            return root(t.getCause(), depth + 1);
        }
        for (Throwable s : t.getSuppressed()) {
            return root(s, depth + 1);
        }
        return t;
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    static String describe(Settings s) {
        return String.format(Locale.ROOT, "%d-%d forks of %d block%s (ABBA, or ABC CBA for three paths), %d ms passes, target +-%s,"
                + " latency %s", s.forks(), s.maxForks(), s.blocks(), s.blocks() == 1 ? "" : "s", s.passMs(), Format.pct(s.targetPct()),
                s.latency() ? "on" : "off");
    }
}
