package org.foliobench.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.concurrent.Callable;
import org.foliobench.device.DeviceSpec;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine;

/**
 * The one flow of the run commands ({@code tables}, {@code run}): the common flags, the command's
 * own input, a free run folder, the nvme device, the plan and its checks, the settings and
 * metadata, then the run in a {@link RunSession} and the command's report. The commands give
 * what differs; bad input is refused before anything is created.
 */
abstract class RunCommand implements Callable<Integer> {
    /** {@code --jmh}, parsed by the command's {@link #parse}. */
    CommandLineOptions jmh;

    @CommandLine.ParentCommand
    Foliobench top;
    /** The flags {@code tables} and {@code run} share. */
    @CommandLine.Mixin
    Foliobench.Common c = new Foliobench.Common();

    /** Before any check: a non-null exit code ends the command here ({@code tables --list}). */
    Integer early() {
        return null;
    }

    /** The command's own flags and input, after the common ones; sets {@link #jmh}. */
    abstract void parse(Workload.Overrides ov) throws IOException, UsageException;

    /** The size divisor of the run. */
    abstract int divisor();

    /** The sizes of the files the nvme rows would have, before the nvme device is known (none: no device). */
    abstract long[] nvmeFiles() throws UsageException;

    /** The plan on the run's nvme device, its rows checked against it. */
    abstract Plan plan(NvmeDevice nvme) throws UsageException;

    /** The measurement settings of the run. */
    abstract TableRunner.Settings settings(NvmeDevice nvme);

    /**
     * What the command says about the run ({@link Foliobench#notes}, printed once it holds the run
     * lock); a non-null exit code ends the command before anything is created ({@code --dry-run}).
     */
    abstract Integer announce(Plan plan, TableRunner.Settings s, NvmeDevice nvme) throws UsageException;

    /** The subcommand's name, in the metadata. */
    abstract String name();

    boolean quick() {
        return false;
    }

    /** The command's own metadata, beside {@link RunSession#baseMetadata}. */
    abstract void metadata(Map<String, String> meta) throws UsageException;

    /** The runner as the command wants it (per-row output). */
    TableRunner customize(TableRunner r, Path runDir) {
        return r;
    }

    /** The report of the finished run ({@link RunSession.Finish}). */
    abstract void finish(Path runDir) throws IOException, UsageException;

    /** The last line's start, before the run folder. */
    abstract String label();

    @Override
    public final Integer call() throws Exception {
        Integer early = early();
        if (early != null) {
            return early;
        }
        Foliobench.checkMeasure(c);
        Foliobench.positive("--size-divisor", c.sizeDivisor, 1);
        parse(Foliobench.overrides(c));
        Path runBase = (c.out != null ? c.out : top.cwd.resolve("runs")).toAbsolutePath().normalize();
        RunFolder.checkWritable(runBase);
        Path runDir = RunFolder.freeDir(runBase, LocalDateTime.now(), RunFolder.host());
        NvmeDevice nvme = NvmeDevice.forRun(c.nvme, runDir, nvmeFiles());
        Plan plan = plan(nvme);
        nvme.checkAlignment(plan.benches());
        checkMemory(plan, jmh);
        TableRunner.Settings s = settings(nvme);
        Integer stop = announce(plan, s, nvme);
        if (stop != null) {
            return stop;
        }
        RunSession session = new RunSession(top);
        Map<String, String> meta = session.baseMetadata(name(), s, divisor(), quick(), c, nvme, runDir);
        metadata(meta);
        return session.run(plan, s, meta, runDir, nvme, r -> customize(r, runDir), this::finish, label());
    }

    /**
     * Memory check: every fork must fit in MemAvailable; with {@code --jmh "-f 0"} the benchmarks run in
     * this JVM, so every row's arena and ramdisk must fit its direct memory limit.
     */
    static void checkMemory(Plan plan, CommandLineOptions jmh) throws UsageException {
        if (jmh != null && jmh.getForkCount().orElse(1) == 0) {
            long limit = DeviceSpec.maxDirectMemory();
            for (Plan.Bench b : plan.runnable()) {
                long need = b.workload().directMemoryBytes();
                if (need > limit) {
                    throw new UsageException("--jmh -f 0 runs " + b.key() + " in this JVM, whose direct memory limit is "
                            + (limit >> 20) + " MiB, but it needs " + (need >> 20) + " MiB (fb_mem, device, buffers)",
                            "drop -f 0, or use a larger --size-divisor or a smaller --mem");
                }
            }
        }
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
}
