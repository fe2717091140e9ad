package org.foliobench.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.foliobench.Defaults;
import org.foliobench.Tunable;
import org.foliobench.Tunables;
import org.foliobench.results.Format;

/**
 * One run of a run command ({@code tables}, {@code run}) in its run folder: the {@link RunLock},
 * the folder, the shutdown hook that leaves an interrupted run marked {@code INCOMPLETE}, each
 * row's job options and metadata, the {@link TableRunner}, the command's report, and the last line
 * naming the folder. Its metadata starts from {@link #baseMetadata}.
 */
final class RunSession {
    private final Foliobench top;

    RunSession(Foliobench top) {
        this.top = top;
    }

    /** What a command writes from a finished run (its report), once the run folder is marked complete if every row succeeded. */
    interface Finish {
        void write(Path runDir) throws IOException, UsageException;
    }

    /** Everything that describes a run, flat. */
    Map<String, String> baseMetadata(String command, TableRunner.Settings s, int divisor, boolean quick, Foliobench.Common c,
            NvmeDevice nvme, Path runDir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("foliobench.command", "foliobench " + String.join(" ", top.argv));
        m.put("foliobench.subcommand", command);
        m.put(org.foliobench.layout.RunLayout.Meta.STARTED, java.time.OffsetDateTime.now().toString());
        m.put("run_folder", runDir.toString());
        m.put(org.foliobench.layout.RunLayout.Meta.GIT_COMMIT, org.foliobench.results.Build.commit());
        m.putAll(SystemInfo.machine());
        m.put("jmh.mode", "ss (SingleShotTime): one iteration = one invocation = one pass of one path, sweeps over the file"
                + " each timed by itself (its preparation untimed); one warmup iteration of the harness only; both paths"
                + " paired per fork in ABBA blocks");
        m.put("measure.forks", s.forks() + "-" + s.maxForks());
        m.put("measure.blocks_per_fork", String.valueOf(s.blocks()));
        m.put("measure.pass_ms", String.valueOf(s.passMs()));
        m.put("measure.warmup_ms", s.warmupMs() + "-" + s.warmupMaxMs());
        m.put("measure.target_pct", Format.pct(s.targetPct()));
        m.put("jmh.extra", c.jmh == null ? "" : c.jmh);
        m.put("quick", String.valueOf(quick));
        m.put("size_divisor", String.valueOf(divisor));
        m.put(org.foliobench.layout.BenchParams.LATENCY, String.valueOf(s.latency()));
        given(m, Tunables.MAX_FOLIO_ORDER, c.maxFolioOrder);
        given(m, Tunables.READ_AHEAD_KB, c.readAheadKb);
        given(m, Tunables.DIRTY_RATIO, c.dirtyRatio);
        given(m, Tunables.DIRTY_BACKGROUND_RATIO, c.dirtyBackgroundRatio);
        given(m, Tunables.BLOCK_SIZE, c.blockSize);
        given(m, Tunables.DIOREAD_NOLOCK, c.dioreadNolock);
        given(m, Tunables.BH_PARTIAL_WALK, c.bhPartialWalk);
        m.put(Tunables.MEM.metadataKey(), c.mem == null ? "job (fb_mem, 4g in the seeds, divided by the size divisor; mem.<row> has each)"
                : c.mem + " (as given, not divided)");
        m.put("numjobs", c.numjobs == null ? "job (1 in the seeds)" : String.join(",", c.numjobs.stream().map(String::strip).toList()));
        for (Tunable<Integer> t : List.of(Tunables.DIRTY_EXPIRE_CENTISECS, Tunables.DIRTY_WRITEBACK_CENTISECS)) {
            m.put(t.metadataKey(), t.format(t.defaultValue()));
        }
        m.put("tunable.journal_commit_interval_seconds", String.valueOf(Defaults.JOURNAL_COMMIT_INTERVAL_SECONDS));
        m.put("tunable.max_sectors_kb", String.valueOf(Defaults.MAX_SECTORS_KB));
        if (nvme.spec() != null || command.equals("tables")) {
            m.putAll(nvme.description());
        }
        return m;
    }

    /** The metadata of a tunable the command line may set: its value as given, or what the job's is. */
    private static <T> void given(Map<String, String> m, Tunable<T> t, String flag) {
        m.put(t.metadataKey(), flag != null ? t.format(t.parse(flag))
                : t.defaultValue() == null ? "job (the kernel's default: " + t.defaultText() + ")"
                : "job (" + t.defaultText() + " in the seeds)");
    }

    /**
     * Runs the plan in a fresh run folder, {@code runDir}, under the {@link RunLock} (a second run is
     * refused before anything is created), then {@code finish}; the folder stays marked
     * {@code INCOMPLETE}, with the reason, unless every step succeeded. The last line printed is
     * {@code label} and the folder.
     */
    int run(Plan plan, TableRunner.Settings s, Map<String, String> meta, Path runDir, NvmeDevice nvme,
            Function<TableRunner, TableRunner> customize, Finish finish, String label)
            throws IOException, UsageException {
        try (RunLock lock = RunLock.acquire()) {
            if (Files.exists(runDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException("run folder " + top.displayPath(runDir) + " was taken meanwhile", "start the run again");
            }
            lock.record(runDir);
            return runIn(RunFolder.createAt(runDir), plan, s, meta, nvme, customize, finish, label);
        }
    }

    /** {@link #run} in a folder already created. */
    int runIn(RunFolder folder, Plan plan, TableRunner.Settings s, Map<String, String> meta, NvmeDevice nvme,
            Function<TableRunner, TableRunner> customize, Finish finish, String label)
            throws IOException, UsageException {
        Path runDir = folder.dir();
        top.notes.forEach(top.err::println);
        top.notes.clear();
        TableRunner[] running = new TableRunner[1];
        boolean[] done = new boolean[1];
        Thread hook = new Thread(() -> {
            if (running[0] != null) {
                running[0].interrupted();
            } else {
                folder.markFailed("interrupted");
            }
            NvmeDevice.deleteImage(nvme);
            synchronized (done) {
                if (!done[0]) {
                    top.out.println();
                    top.out.println(label + top.displayPath(runDir) + " (INCOMPLETE: interrupted)");
                    top.out.flush();
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            for (Plan.Bench b : plan.skipped()) {
                meta.put(org.foliobench.layout.RunLayout.Meta.skipped(b.key()), b.skip());
            }
            for (Plan.Bench b : plan.runnable()) {
                meta.put("device." + b.key(), b.workload().device()); // what each benchmark ran on, as resolved
                meta.put("mem." + b.key(), String.valueOf(b.workload().memBytes()));
                Map<String, String> job = new LinkedHashMap<>(b.workload().job().fioOptions());
                job.put("fb_device", b.workload().device()); // as resolved: the run's nvme device, a ramdisk sized for the file
                org.foliobench.results.JobOptions.write(runDir, b.key(), job);
            }
            TableRunner runner = customize.apply(new TableRunner(plan, s, folder, meta, top.err)); // progress: stderr
            running[0] = runner;
            boolean rows = runner.run();
            if (!rows) {
                top.err.println("foliobench: " + runner.failures().size() + " row(s) failed; the run folder is marked INCOMPLETE");
            }
            if (rows) {
                folder.complete(); // before the report, which says whether the run is complete; a failing report puts it back
            }
            finish.write(runDir);
            ok = rows;
        } catch (IOException | UsageException | RuntimeException e) {
            folder.markFailed(TableRunner.firstLine(TableRunner.rootMessage(e)));
            throw e;
        } finally {
            NvmeDevice.deleteImage(nvme);
            synchronized (done) {
                done[0] = true;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
            top.out.println(label + top.displayPath(runDir) + (ok ? "" : " (INCOMPLETE)"));
        }
        return ok ? Foliobench.EXIT_OK : Foliobench.EXIT_FAILED;
    }
}
