package org.foliobench.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.foliobench.results.FioJsonImport;
import org.foliobench.results.Format;
import org.foliobench.results.Paired;
import org.foliobench.results.PassLog;
import org.foliobench.layout.RowKey;
import org.foliobench.layout.RunLayout;
import org.foliobench.workloads.FioJobWriter;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;

/**
 * Runs seed rows through real fio on the machine's kernel, two filesystems side by side, measured
 * like the model's rows (DESIGN.md, "Measurement"):
 * <ul>
 * <li>a <b>sweep</b> is one fio run of the row's exported job ({@link FioJobWriter}) in the
 *     filesystem's mount, so fio prepares it as the seed says (lays the file out, recreates it,
 *     drops its cache with {@code invalidate=1}); before every sweep both filesystems are synced
 *     ({@code syncfs}), so each starts with nothing dirty. fio's {@code runtime} is whole
 *     milliseconds, so a row whose sweeps at the run's size divisor take less than
 *     {@link Settings#minSweepMs} is run with larger files (the divisor halved, file, fb_mem and dirty
 *     limits together, as {@link JobSpec#scaledDown} keeps a row's meaning), found by warmup sweeps;</li>
 * <li>a <b>block</b> is four sweeps, ext4 xfs xfs ext4, or xfs ext4 ext4 xfs on odd blocks; each
 *     block is a fork of the paired estimator ({@link FioJsonImport#passes}), so a drift linear in
 *     time cancels and the interval sees block-to-block variance;</li>
 * <li>a row runs {@link Settings#minBlocks} blocks, then more while its xfs/ext4 interval is wider
 *     than {@link Settings#targetPct}, up to {@link Settings#maxBlocks};</li>
 * <li>the kernel's dirty limits are set per row as its model memory implies ({@link DirtySysctls});
 *     the device counters of each sweep ({@code /sys/block/DEV/stat}) check the row's meaning (a cache
 *     row writes nothing back, a Writeback=Y row does, a cold read reads the device, a hole read does
 *     not); what contradicts it is recorded with the pass and printed, never hidden.</li>
 * </ul>
 * Every fio JSON is kept ({@code kernel/<fs>/}, warmups in {@code kernel/warmup/<fs>/}) with the job
 * files that produced them ({@code kernel/jobs/}); {@code import-fio kernel/ext4 kernel/xfs} of a run
 * folder gives the same tables.
 */
final class KernelRunner {
    /**
     * How a kernel run measures.
     *
     * @param divisor    seed sizes divided by this (quick: 8), at most: rows with short sweeps get less
     * @param minBlocks  ABBA blocks per row at least
     * @param maxBlocks  at most
     * @param targetPct  half-width of the 95% xfs/ext4 interval a row should reach
     * @param minSweepMs a sweep shorter than this gets a larger file (while the divisor allows)
     */
    record Settings(int divisor, int minBlocks, int maxBlocks, double targetPct, int minSweepMs) {
        static Settings quick() {
            return new Settings(Foliobench.QUICK_DIVISOR, 6, 12, 10, 100);
        }

        static Settings full() {
            return new Settings(1, 6, 16, 3, 250);
        }

        Settings with(Integer divisor, Integer minBlocks, Integer maxBlocks, Double targetPct, Integer minSweepMs) {
            return new Settings(divisor != null ? divisor : this.divisor, minBlocks != null ? minBlocks : this.minBlocks,
                    maxBlocks != null ? maxBlocks : Math.max(this.maxBlocks, minBlocks != null ? minBlocks : 0),
                    targetPct != null ? targetPct : this.targetPct, minSweepMs != null ? minSweepMs : this.minSweepMs);
        }
    }

    private final List<ReferenceRow> rows;
    private final Settings settings;
    private final KernelMount base;
    private final KernelMount test;
    private final KernelMount nvmeBase;
    private final KernelMount nvmeTest;
    private final DirtySysctls sysctls;
    private final Path runDir;
    private final Map<String, String> metadata;
    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param ram  the two filesystems (ext4, xfs) on RAM-backed loop devices: hole, ramdisk and cache rows
     * @param nvme the two on the user's block devices: nvme rows; null when none were given
     */
    KernelRunner(List<ReferenceRow> rows, Settings settings, List<KernelMount> ram, List<KernelMount> nvme,
            DirtySysctls sysctls, Path runDir, Map<String, String> metadata, PrintStream out) {
        this.rows = List.copyOf(rows);
        this.settings = settings;
        this.base = ram.get(0);
        this.test = ram.get(1);
        this.nvmeBase = nvme == null ? null : nvme.get(0);
        this.nvmeTest = nvme == null ? null : nvme.get(1);
        this.sysctls = sysctls;
        this.runDir = runDir;
        this.metadata = metadata;
        this.out = out;
    }

    /** Rows that failed, with why. */
    List<String> failures() {
        return failures;
    }

    /** Runs every row; a failing row is recorded and the next one runs. True when all succeeded. */
    boolean run() throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < rows.size(); i++) {
            ReferenceRow row = rows.get(i);
            String prefix = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, rows.size(), row.key());
            try {
                out.println(prefix + "  " + runRow(row) + "  (" + elapsed(start) + ")");
            } catch (IOException | RuntimeException e) {
                String why = TableRunner.firstLine(TableRunner.rootMessage(e));
                failures.add(row.key() + ": " + why);
                metadata.put(org.foliobench.layout.RunLayout.Meta.failed(row.key()), why);
                out.println(prefix + "  FAILED: " + why);
            }
        }
        return failures.isEmpty();
    }

    private static String elapsed(long start) {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }

    /** Warmup, then blocks until the interval is tight or the cap; writes the row's passes; returns the progress text. */
    private String runRow(ReferenceRow row) throws IOException {
        boolean nvme = row.type() == ReferenceRow.Type.NVME;
        List<KernelMount> mounts = nvme ? List.of(nvmeBase, nvmeTest) : List.of(base, test);
        int divisor = settings.divisor();
        Workload w = prepare(row, divisor, mounts);
        // the first fio run after a layout is slower than the rest: size the files by a second one
        long warm = Long.MAX_VALUE;
        for (KernelMount m : mounts) {
            warm = Math.min(warm, sweep(m, mounts, jobFile(row, divisor), output(Path.of(RunLayout.KERNEL_DIR, RunLayout.KERNEL_WARMUP_DIR, m.fs().type()), row,
                    "d" + divisor + "-2"), row, w.job()).runtimeMillis());
        }
        int larger = divisor;
        while (larger > 1 && warm * divisor / larger < settings.minSweepMs()) {
            larger /= 2;
        }
        if (larger != divisor) {
            divisor = larger;
            w = prepare(row, divisor, mounts);
        }
        Path jobFile = jobFile(row, divisor);
        metadata.put("kernel.size_divisor." + row.key(), Integer.toString(divisor));
        List<FioJsonImport.Sweep> sweeps = new ArrayList<>();
        Paired.Estimate e = null;
        int blocks = 0;
        while (blocks < settings.maxBlocks()) {
            List<KernelMount> order = (blocks & 1) == 0 ? List.of(mounts.get(0), mounts.get(1), mounts.get(1), mounts.get(0))
                    : List.of(mounts.get(1), mounts.get(0), mounts.get(0), mounts.get(1));
            for (int slot = 0; slot < 4; slot++) {
                KernelMount m = order.get(slot);
                Path o = output(Path.of(RunLayout.KERNEL_DIR, m.fs().type()), row, String.format(Locale.ROOT, "b%02d-s%d", blocks, slot));
                sweeps.add(sweep(m, mounts, jobFile, o, row, w.job()));
            }
            blocks++;
            e = Paired.speedup(FioJsonImport.passes(sweeps), mounts.get(0).fs().type(), mounts.get(1).fs().type());
            if (blocks >= settings.minBlocks() && e != null && e.hasInterval() && e.halfWidthPct() <= settings.targetPct()) {
                break;
            }
        }
        if (e == null || !e.hasInterval() || e.halfWidthPct() > settings.targetPct()) {
            metadata.put(org.foliobench.layout.RunLayout.Meta.capped(row.key()), e == null || !e.hasInterval() ? "no interval"
                    : "+-" + Format.pct(e.halfWidthPct()) + " after " + blocks + " blocks");
        }
        List<PassLog.Pass> passes = FioPassLog.appendRow(runDir, sweeps);
        List<String> violations = passes.stream().flatMap(p -> p.violations().stream()).distinct().toList();
        if (!violations.isEmpty()) {
            metadata.put(org.foliobench.layout.RunLayout.Meta.violation(row.key()), violations.get(0));
        }
        return progress(mounts, passes, e, blocks, divisor) + (violations.isEmpty() ? "" : "  VIOLATION: " + violations.get(0));
    }

    private String progress(List<KernelMount> mounts, List<PassLog.Pass> passes, Paired.Estimate e, int blocks, int divisor) {
        StringBuilder b = new StringBuilder();
        for (KernelMount m : mounts) {
            Paired.Estimate iops = Paired.iops(passes, m.fs().type());
            b.append(m.fs().type()).append(' ').append(iops == null ? Format.NONE : Format.iops(iops.value())).append("  ");
        }
        b.append("IOPS  ").append(e == null ? Format.NONE : Format.progressSpeedup(e));
        long[] ms = passes.stream().mapToLong(p -> p.nanos() / 1_000_000).sorted().toArray();
        return b.append(String.format(Locale.ROOT, "  (%d blocks, sizes /%d, fio runs %d-%d ms, median %d)", blocks, divisor, ms[0],
                ms[ms.length - 1], ms[ms.length / 2])).toString();
    }

    /** One fio run of the row on {@code m}, from a synced state; its device counters and what they say about the row. */
    private FioJsonImport.Sweep sweep(KernelMount m, List<KernelMount> all, Path jobFile, Path output, ReferenceRow row,
            JobSpec job) throws IOException {
        for (KernelMount k : all) {
            k.sync();
        }
        KernelMount.DiskCounters before = m.counters();
        Exec.run(m.mountPoint(), List.of("fio", "--output-format=json+", "--output=" + output, jobFile.toString()));
        KernelMount.DiskCounters after = m.counters();
        String where = runDir.relativize(output).toString();
        FioJsonImport.FioRun r = FioJsonImport.read(Files.readString(output, StandardCharsets.UTF_8), where, m.fs().label());
        if (r.sweeps().size() != 1) {
            throw new IOException(where + ": expected one job with IO, found " + r.sweeps().size()
                    + (r.skipped().isEmpty() ? "" : " (" + r.skipped().get(0) + ")"));
        }
        metadata.putIfAbsent("fio.version", r.fioVersion());
        Map<String, Long> counters = after.since(before);
        return r.sweeps().get(0).with(counters, violations(row, job, counters));
    }

    /**
     * What the device counters of a sweep say against the row's meaning (DESIGN.md's workload table).
     * "Reached the device" is a quarter of the file: the journal's few blocks of a cache row stay
     * far below it, a Writeback=Y row writes at least the file less the dirty threshold.
     */
    static List<String> violations(ReferenceRow row, JobSpec job, Map<String, Long> c) {
        List<String> v = new ArrayList<>();
        long size = job.size();
        long quarter = size / 4;
        if (row.table() == ReferenceRow.Table.WRITE && !row.sync()) {
            long written = c.getOrDefault("disk.write_bytes", 0L);
            if (!row.writeback() && written > quarter) {
                v.add((written >> 20) + " MiB of a " + (size >> 20) + " MiB file reached the device during a cache sweep"
                        + " (writeback ran: dirty data above the background threshold)");
            }
            if (row.writeback() && written <= quarter) {
                v.add("only " + (written >> 20) + " MiB of a " + (size >> 20) + " MiB file reached the device during a"
                        + " Writeback=Y sweep (the dirty threshold was not crossed)");
            }
        }
        if (row.table() == ReferenceRow.Table.READ) {
            long read = c.getOrDefault("disk.read_bytes", 0L);
            if (row.type() == ReferenceRow.Type.HOLE && read > quarter) {
                v.add((read >> 20) + " MiB read from the device during a hole read");
            }
            if (row.type() != ReferenceRow.Type.HOLE && read < size / 2) {
                v.add("only " + (read >> 20) + " MiB of a " + (size >> 20) + " MiB file read from the device:"
                        + " the reads were not cold");
            }
        }
        return v;
    }

    /**
     * The row's workload at {@code divisor}: its dirty limits set, its job file written, and one
     * warmup sweep on each filesystem, which lays the file out at that size.
     */
    private Workload prepare(ReferenceRow row, int divisor, List<KernelMount> mounts) throws IOException {
        Workload w = ExportFioCommand.workload(row, divisor);
        Map<String, String> set = sysctls.apply(w.job());
        metadata.put("kernel.sysctl." + row.key(), set.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                .reduce((a, b) -> a + " " + b).orElse(""));
        Path f = jobFile(row, divisor);
        Files.createDirectories(f.getParent());
        Files.writeString(f, ExportFioCommand.text(w, divisor), StandardCharsets.UTF_8);
        for (KernelMount m : mounts) {
            sweep(m, mounts, f, output(Path.of(RunLayout.KERNEL_DIR, RunLayout.KERNEL_WARMUP_DIR, m.fs().type()), row, "d" + divisor), row, w.job());
        }
        return w;
    }

    private Path jobFile(ReferenceRow row, int divisor) {
        return runDir.resolve(RunLayout.KERNEL_DIR).resolve(RunLayout.KERNEL_JOBS_DIR).resolve(row.fileName().replace(".fio", "-d" + divisor + ".fio"));
    }

    private Path output(Path dir, ReferenceRow row, String suffix) throws IOException {
        Path d = runDir.resolve(dir);
        Files.createDirectories(d);
        return d.resolve(RowKey.parse(row.key()).fileName() + "-" + suffix + ".json");
    }
}
