package org.foliobench.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
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
 * Runs a plan one benchmark at a time ({@code new Runner(options).run()} per benchmark), printing a
 * progress line after each, rewriting {@code jmh.json} (JMH's own JSON format) after each, folding
 * the counter logs, and keeping {@code metadata.json} current. The run folder's {@code INCOMPLETE}
 * marker is removed only when every benchmark succeeded.
 */
final class TableRunner {
    /** How every benchmark runs. {@code jmh} are raw JMH options layered on top (may be null). */
    record Settings(int forks, int warmup, int iterations, boolean latency, CommandLineOptions jmh, Path jobFile,
            String nvmeSpec) {
    }

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
    private BiConsumer<Plan.Bench, RunResult> onResult = (b, r) -> { };

    TableRunner(Plan plan, Settings settings, RunFolder folder, Map<String, String> metadata, PrintStream out) {
        this.plan = plan;
        this.settings = settings;
        this.folder = folder;
        this.metadata = new LinkedHashMap<>(metadata);
        this.out = out;
    }

    /** Called after each successful benchmark (the {@code run} command prints its fio summary here). */
    TableRunner onResult(BiConsumer<Plan.Bench, RunResult> c) {
        this.onResult = c;
        return this;
    }

    List<RunResult> results() {
        return results;
    }

    List<String> failures() {
        return failures;
    }

    /** The JMH options of one benchmark. */
    static Options options(Plan.Bench b, Settings s, Path runDir) {
        CommandLineOptions cmd = s.jmh();
        ChainedOptionsBuilder o = new OptionsBuilder();
        if (cmd != null) {
            o.parent(cmd);
        }
        o.include("^" + Pattern.quote(PsyncBench.class.getName() + ".psync") + "$")
                .mode(Mode.SingleShotTime)
                .timeUnit(TimeUnit.MILLISECONDS)
                .warmupBatchSize(batch(b))
                .measurementBatchSize(batch(b))
                .shouldFailOnError(true)
                .output(runDir.resolve("logs").resolve(b.name() + ".log").toString());
        if (cmd == null || !cmd.getForkCount().hasValue()) {
            o.forks(s.forks());
        }
        if (cmd == null || !cmd.getWarmupIterations().hasValue()) {
            o.warmupIterations(s.warmup());
        }
        if (cmd == null || !cmd.getMeasurementIterations().hasValue()) {
            o.measurementIterations(s.iterations());
        }
        Map<String, String> params = params(b, s);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (cmd == null || !cmd.getParameter(e.getKey()).hasValue()) {
                o.param(e.getKey(), e.getValue());
            }
        }
        List<String> jvm = new ArrayList<>(jvmArgs(b, s, runDir));
        if (cmd != null && cmd.getJvmArgsAppend().hasValue()) {
            jvm.addAll(cmd.getJvmArgsAppend().get());
        }
        o.jvmArgsAppend(jvm.toArray(new String[0]));
        return o.build();
    }

    static int batch(Plan.Bench b) {
        long ios = b.iosPerPass();
        if (ios > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(b.key() + ": " + ios + " calls per pass is more than JMH's batch size allows");
        }
        return (int) ios;
    }

    /** The JMH params of a benchmark: the contract with the results module. */
    static Map<String, String> params(Plan.Bench b, Settings s) {
        Map<String, String> p = new LinkedHashMap<>();
        Workload.Tunables t = b.tunables();
        p.put("row", b.key());
        p.put("path", b.path());
        p.put("maxFolioOrder", String.valueOf(t.maxFolioOrder()));
        p.put("readAheadKb", String.valueOf(t.readAheadKb()));
        p.put("dirtyRatio", String.valueOf(t.dirtyRatio()));
        p.put("dirtyBackgroundRatio", String.valueOf(t.dirtyBackgroundRatio()));
        p.put("blockSize", String.valueOf(t.blockSize()));
        p.put("memBytes", String.valueOf(t.memBytes()));
        p.put("sizeDivisor", String.valueOf(b.divisor()));
        p.put("latency", String.valueOf(s.latency()));
        return p;
    }

    /** The fork's JVM: small heap, direct memory for the arena and ramdisk, the run's properties. */
    static List<String> jvmArgs(Plan.Bench b, Settings s, Path runDir) {
        List<String> a = new ArrayList<>();
        a.add("-Xms" + HEAP);
        a.add("-Xmx" + HEAP);
        a.add("-XX:MaxDirectMemorySize=" + (b.workload().directMemoryBytes() >> 20) + "m");
        a.addAll(properties(b, s, runDir).entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList());
        return a;
    }

    static Map<String, String> properties(Plan.Bench b, Settings s, Path runDir) {
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

    /** Memory the fork of {@code b} needs: heap plus direct memory. */
    static long forkMemory(Plan.Bench b) {
        return HEAP_BYTES + b.workload().directMemoryBytes();
    }

    /** Runs every runnable benchmark; returns true when all succeeded. */
    boolean run() throws IOException {
        List<Plan.Bench> run = plan.runnable();
        for (Plan.Bench b : plan.skipped()) {
            metadata.put("skipped." + b.key(), b.skip()); // the results module reads skipped.<rowkey>
        }
        metadata.put("status", "running");
        folder.writeMetadata(metadata);
        int passes = (settings.warmup() + settings.iterations()) * Math.max(1, settings.forks());
        Progress progress = Progress.of(run, passes);
        long start = System.nanoTime();
        for (int i = 0; i < run.size(); i++) {
            Plan.Bench b = run.get(i);
            String outcome;
            try {
                RunResult rr = runOne(b);
                results.add(rr);
                writeJmhJson();
                List<String> violations = CounterLog.finish(folder.dir(), b.name(), b.key(), b.path());
                double ms = rr.getPrimaryResult().getScore();
                double secs = ms / 1e3;
                outcome = Progress.rate(b.iosPerPass() / secs, b.workload().job().size() / secs / (1 << 20));
                if (!violations.isEmpty()) {
                    outcome += "  VIOLATION: " + violations.get(0) + (violations.size() > 1 ? " (+" + (violations.size() - 1)
                            + " more, see counters/" + b.name() + ".json)" : "");
                    metadata.put("violation." + b.key() + "." + b.path(), violations.get(0));
                }
                onResult.accept(b, rr);
            } catch (RunnerException | RuntimeException e) {
                String why = firstLine(rootMessage(e));
                failures.add(b.key() + " " + b.path() + ": " + why);
                metadata.put("failed." + b.key() + "." + b.path(), why);
                outcome = "FAILED: " + why + " (see " + folder.dir().relativize(logFile(b)) + ")";
                try {
                    CounterLog.finish(folder.dir(), b.name(), b.key(), b.path());
                } catch (IOException ignored) {
                    // the failure is what gets reported
                }
            }
            progress.step();
            out.println(Progress.line(i + 1, run.size(), b.key(), b.path(), outcome,
                    progress.etaNanos(System.nanoTime() - start)));
            out.flush();
            folder.writeMetadata(metadata);
        }
        writeJmhJson();
        metadata.put("finished", LocalDateTime.now().toString());
        metadata.put("elapsed", Progress.duration(System.nanoTime() - start));
        boolean ok = failures.isEmpty();
        metadata.put("status", ok ? "complete" : "failed: " + failures.size() + " of " + run.size() + " benchmarks failed");
        folder.writeMetadata(metadata);
        if (ok) {
            folder.complete();
        } else {
            folder.markFailed(failures.size() + " benchmarks failed: " + String.join("; ", failures));
        }
        return ok;
    }

    Path logFile(Plan.Bench b) {
        return folder.dir().resolve("logs").resolve(b.name() + ".log");
    }

    RunResult runOne(Plan.Bench b) throws RunnerException, IOException {
        Files.createDirectories(folder.dir().resolve("logs"));
        Options opts = options(b, settings, folder.dir());
        boolean inProcess = opts.getForkCount().orElse(1) == 0;
        Map<String, String> saved = new LinkedHashMap<>();
        if (inProcess) {
            // forks 0: the benchmark runs in this JVM and reads the properties from here
            for (Map.Entry<String, String> e : properties(b, settings, folder.dir()).entrySet()) {
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
        folder.writeAtomically("jmh.json", bytes.toString(StandardCharsets.UTF_8));
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
        return String.format(Locale.ROOT, "forks %d, warmup %d, iterations %d, latency %s", s.forks(), s.warmup(),
                s.iterations(), s.latency() ? "on" : "off");
    }
}
