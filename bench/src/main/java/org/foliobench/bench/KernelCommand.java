package org.foliobench.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DeviceSafety;
import org.foliobench.results.Format;
import org.foliobench.results.ModelVsKernel;
import org.foliobench.results.PathLabel;
import org.foliobench.layout.RowKey;
import org.foliobench.results.SeedTables;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code foliobench kernel}: the seed rows through real fio on the machine's own kernel, ext4 beside
 * xfs ({@link KernelRunner}), into a run folder that reads like a model run, then the kernel's table
 * beside the model's ({@link ModelVsKernel}). Needs root (mkfs, mount, losetup, sysctls) and fio;
 * without them, one line says how to get them and it exits 2 before anything is created.
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Run the seed jobs through real fio on this kernel's ext4 and xfs, side by side (needs root and fio), "
                + "and print the kernel's table beside the model's.")
final class KernelCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Option(names = "--fs", split = ",", paramLabel = "FS", description = "The filesystems, base first (default ext4,xfs).")
    List<String> fs = new ArrayList<>(List.of("ext4", "xfs"));
    @Option(names = "--device", paramLabel = "SPEC", description = "A block device for the nvme rows, direct:/dev/DEV[,force], once per "
            + "filesystem in --fs order (their contents are destroyed; force is needed when one carries a filesystem). "
            + "Without it the nvme rows are skipped; the other rows always run on loop devices over tmpfs images.")
    List<String> devices = new ArrayList<>();
    @Option(names = "--quick", description = "Seed sizes / " + Foliobench.QUICK_DIVISOR + " (at most: rows whose fio runs would be"
            + " too short to time get larger files), 6-12 blocks, target 10 percent.")
    boolean quick;
    @Option(names = "--rows", split = ",", paramLabel = "ROW", description = "Row keys or globs (default: every row the devices allow).")
    List<String> rows = new ArrayList<>();
    @Option(names = "--bs", split = ",", paramLabel = "BS", description = "Block sizes: 4k, 64k, 1m (default all).")
    List<String> bs = new ArrayList<>();
    @Option(names = "--blocks", paramLabel = "N", description = "ABBA blocks (ext4 xfs xfs ext4) per row at least (default 6).")
    Integer blocks;
    @Option(names = "--max-blocks", paramLabel = "N", description = "More blocks, up to N, for rows wider than --target (default 16, quick 12).")
    Integer maxBlocks;
    @Option(names = "--target", paramLabel = "PCT", description = "Half-width of the 95%% xfs/ext4 interval to reach (default 3, quick 10).")
    Double target;
    @Option(names = "--size-divisor", paramLabel = "N", description = "Divide seed sizes by N at most (default 1, quick 8).")
    Integer sizeDivisor;
    @Option(names = "--min-sweep-ms", paramLabel = "MS", description = "A fio run shorter than this gets a larger file (default 250, quick 100).")
    Integer minSweepMs;
    @Option(names = "--model", paramLabel = "RUN", description = "The model run to set beside it (default: the newest one of these rows "
            + "under --out; when there is none, the model's table of these rows is run after the kernel's).")
    Path model;
    @Option(names = "--out", paramLabel = "DIR", description = "Where run folders go (default ./runs).")
    Path out;

    /** Where the loop devices' images and the mounts go: a tmpfs the run makes a folder in. */
    static final Path TMPFS = Path.of("/dev/shm");

    @Override
    public Integer call() throws Exception {
        List<KernelFs> pair = KernelFs.parse(fs);
        checkPrerequisites(uid(), Exec::which, pair);
        if (!"tmpfs".equals(SystemInfo.storageUnder(TMPFS, "t").get("t.filesystem"))) {
            throw new UsageException("kernel needs a tmpfs at " + TMPFS + " for its loop devices' images",
                    "mount one: mount -t tmpfs tmpfs " + TMPFS);
        }
        KernelRunner.Settings s = (quick ? KernelRunner.Settings.quick() : KernelRunner.Settings.full())
                .with(sizeDivisor, blocks, maxBlocks, target, minSweepMs);
        Foliobench.positive("--blocks", s.minBlocks(), 1);
        Foliobench.positive("--size-divisor", s.divisor(), 1);
        Foliobench.positive("--min-sweep-ms", s.minSweepMs(), 0);
        if (s.maxBlocks() < s.minBlocks()) {
            throw new UsageException("--max-blocks " + s.maxBlocks() + " is below --blocks " + s.minBlocks(), "give --max-blocks >= --blocks");
        }
        if (!(s.targetPct() > 0)) {
            throw new UsageException("--target must be a positive percentage, not " + s.targetPct(), "use e.g. --target 5");
        }
        List<NvmeTarget> nvme = nvmeTargets(devices, pair);
        List<ReferenceRow> selected = Plan.selectRows(SeedJobs.rows(), rows, Plan.parseBlockSizes(bs));
        List<ReferenceRow> runnable = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (ReferenceRow r : selected) {
            if (r.type() == ReferenceRow.Type.NVME && nvme.isEmpty()) {
                skipped.put(r.key(), "no --device for the nvme rows (give two block devices: --device direct:/dev/A --device direct:/dev/B)");
            } else {
                runnable.add(r);
            }
        }
        if (runnable.isEmpty()) {
            throw new UsageException("no row to run: " + skipped.values().iterator().next(), "choose --rows that run on tmpfs, or give --device");
        }
        Path runBase = top.cwd.resolve(out != null ? out : Path.of("runs")).toAbsolutePath().normalize();
        RunFolder.checkWritable(runBase);
        boolean threeWay = PathLabel.EXT4.modelPath(SystemInfo.kernelRelease()) == PathLabel.BHLF;
        Path modelRun = model != null ? checkModel(top.cwd.resolve(model)) : newestModel(runBase, runnable, threeWay);

        RunFolder folder = RunFolder.createAt(runBase.resolve(RunFolder.name(LocalDateTime.now(), RunFolder.host())));
        Path runDir = folder.dir();
        Map<String, String> meta = metadata(s, runDir, pair);
        skipped.forEach((k, v) -> meta.put(org.foliobench.layout.RunLayout.Meta.SKIPPED_PREFIX + k, v));
        top.out.println(String.format(java.util.Locale.ROOT, "foliobench kernel: %d rows on %s and %s (kernel %s, %s), %d-%d ABBA blocks,"
                + " target +-%s, sizes / %d at most, fio runs >= %d ms", runnable.size(), pair.get(0).type(), pair.get(1).type(),
                meta.get(org.foliobench.layout.RunLayout.Meta.KERNEL), meta.get("fio.version"), s.minBlocks(), s.maxBlocks(), Format.pct(s.targetPct()),
                s.divisor(), s.minSweepMs()));
        skipped.forEach((k, v) -> top.out.println("skipping " + k + ": " + v));
        boolean ok = false;
        Path work = Files.createTempDirectory(TMPFS, "foliobench-kernel-");
        List<KernelMount> mounts = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread hook = new Thread(() -> {
            folder.markFailed("interrupted");
            if (closeAll(mounts) == null) {
                try {
                    Files.deleteIfExists(work.resolve("nvme"));
                    Files.deleteIfExists(work);
                } catch (IOException e) {
                    // an empty folder left in tmpfs: harmless
                }
            }
        }, "foliobench-kernel-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try (DirtySysctls sysctls = DirtySysctls.live()) {
            meta.putAll(prefixed("sysctl.before.", sysctls.saved()));
            // every seed job has the kernel's defaults here: 4 KiB blocks, read_ahead_kb 128
            org.foliobench.workloads.JobSpec first = SeedJobs.load(runnable.get(0)).job();
            int blockSize = first.blockSize();
            int readAhead = first.readAheadKb();
            long image = imageBytes(runnable);
            List<KernelMount> ram = new ArrayList<>();
            for (KernelFs f : pair) {
                KernelMount m = KernelMount.onTmpfs(f, work, image, blockSize, readAhead);
                mounts.add(m);
                ram.add(m);
                meta.putAll(prefixed("kernel." + f.type() + ".", m.metadata()));
            }
            List<KernelMount> nv = null;
            if (!nvme.isEmpty() && runnable.stream().anyMatch(r -> r.type() == ReferenceRow.Type.NVME)) {
                nv = new ArrayList<>();
                for (NvmeTarget t : nvme) {
                    KernelMount m = KernelMount.onDevice(t.fs(), t.device(), t.force(), work.resolve("nvme"), blockSize, readAhead);
                    mounts.add(m);
                    nv.add(m);
                    meta.putAll(prefixed("kernel.nvme." + t.fs().type() + ".", m.metadata()));
                }
            }
            folder.writeMetadata(meta);
            KernelRunner runner = new KernelRunner(runnable, s, ram, nv, sysctls, runDir, meta, top.out);
            ok = runner.run();
            if (!ok) {
                top.err.println("foliobench: " + runner.failures().size() + " row(s) failed; the run folder is marked INCOMPLETE");
            }
        } catch (IOException | RuntimeException e) {
            folder.markFailed(TableRunner.firstLine(TableRunner.rootMessage(e)));
            throw e;
        } finally {
            IOException first = closeAll(mounts);
            try {
                Files.deleteIfExists(work.resolve("nvme"));
                Files.deleteIfExists(work);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            meta.put(org.foliobench.layout.RunLayout.Meta.FINISHED, java.time.OffsetDateTime.now().toString());
            try {
                meta.putAll(prefixed("sysctl.after.", DirtySysctls.current()));
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            folder.writeMetadata(meta);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
            if (first != null) {
                top.err.println("foliobench: cleanup: " + TableRunner.firstLine(String.valueOf(first.getMessage()))
                        + " (see losetup -a and /proc/mounts for what is left under " + work + ")");
            }
        }
        if (ok) {
            folder.complete();
        }
        if (modelRun == null) {
            modelRun = runModel(runBase, runnable, threeWay);
        }
        if (modelRun != null) {
            meta.put(org.foliobench.layout.RunLayout.Meta.MODEL_RUN, modelRun.toString());
            folder.writeMetadata(meta);
        }
        report(top, runDir);
        return ok ? Foliobench.EXIT_OK : Foliobench.EXIT_FAILED;
    }

    /** A block device of the nvme rows for one filesystem. */
    record NvmeTarget(KernelFs fs, Path device, boolean force) {
    }

    /**
     * {@code --device} specs, checked before anything is created: a {@code direct:} spec of a block
     * device per filesystem, not mounted, without a signature unless {@code force}.
     */
    static List<NvmeTarget> nvmeTargets(List<String> specs, List<KernelFs> pair) throws UsageException {
        if (specs.isEmpty()) {
            return List.of();
        }
        if (specs.size() != pair.size()) {
            throw new UsageException("--device given " + specs.size() + " time(s) for " + pair.size() + " filesystems",
                    "give one block device per filesystem: --device direct:/dev/A --device direct:/dev/B");
        }
        List<NvmeTarget> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            DeviceSpec d;
            try {
                d = DeviceSpec.parse(specs.get(i));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), "give --device direct:/dev/DEV[,force]");
            }
            if (d.kind() != DeviceSpec.Kind.DIRECT || d.size() != 0) {
                throw new UsageException("--device " + specs.get(i) + " is not a block device spec", "give --device direct:/dev/DEV[,force]");
            }
            try {
                Path real = d.path().toRealPath();
                if (!Files.exists(Path.of("/sys/class/block", real.getFileName().toString()))) {
                    throw new UsageException("--device " + d.path() + " is not a block device", "give a disk or partition such as /dev/nvme0n1p3");
                }
                DeviceSafety.checkBeforeFormat(real, d.force());
                if (out.stream().anyMatch(t -> t.device().equals(real))) {
                    throw new UsageException("--device " + d.path() + " is given twice", "give one device per filesystem");
                }
                out.add(new NvmeTarget(pair.get(i), real, d.force()));
            } catch (IOException e) {
                throw new UsageException("--device " + d.path() + ": " + TableRunner.firstLine(String.valueOf(e.getMessage())),
                        "give an existing block device");
            } catch (IllegalArgumentException e) {
                throw new UsageException("--device " + TableRunner.firstLine(e.getMessage()), "");
            }
        }
        return out;
    }

    /**
     * Root and the programs a kernel run uses, or the one line that says how to get them: fio, the
     * filesystems' mkfs, losetup, mount, and a tmpfs for the images.
     */
    static void checkPrerequisites(int uid, java.util.function.Function<String, Path> which, List<KernelFs> pair)
            throws UsageException {
        if (uid != 0) {
            throw new UsageException("kernel needs root: it formats and mounts loop devices and sets vm.dirty_*",
                    "run it as root, e.g. sudo ./foliobench kernel --fs ext4,xfs --quick");
        }
        if (which.apply("fio") == null) {
            throw new UsageException("kernel needs fio on the PATH", "apt-get install fio xfsprogs");
        }
        for (KernelFs f : pair) {
            if (which.apply(f.mkfsProgram()) == null) {
                throw new UsageException("kernel needs " + f.mkfsProgram() + " for " + f.type(), "apt-get install " + f.debianPackage());
            }
        }
        for (String p : List.of("losetup", "mount", "umount", "sync")) {
            if (which.apply(p) == null) {
                throw new UsageException("kernel needs " + p, "apt-get install util-linux coreutils");
            }
        }
    }

    /** The real user id ({@code Uid:} of {@code /proc/self/status}); -1 when unknown. */
    static int uid() {
        for (String l : SystemInfo.read("/proc/self/status").split("\n")) {
            if (l.startsWith("Uid:")) {
                return Integer.parseInt(l.substring(4).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** The images' size: the largest seed device of the rows (sparse: memory is spent only on what is written). */
    static long imageBytes(List<ReferenceRow> rows) throws IOException {
        long max = 0;
        for (ReferenceRow r : rows) {
            try {
                SeedJobs.Seed seed = SeedJobs.load(r);
                String d = Workload.deviceSpec(seed.job(), seed.job(), 1, null);
                if (d != null && d.startsWith("ramdisk")) {
                    max = Math.max(max, DeviceSpec.parse(d).size());
                }
            } catch (org.foliobench.workloads.JobFileException e) {
                throw new IllegalStateException("packaged seed job is broken: " + e.getMessage(), e);
            }
        }
        return Math.max(max, 1L << 30);
    }

    private Map<String, String> metadata(KernelRunner.Settings s, Path runDir, List<KernelFs> pair) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("foliobench.command", "foliobench " + String.join(" ", top.argv));
        m.put("foliobench.subcommand", "kernel");
        m.put(org.foliobench.layout.RunLayout.Meta.STARTED, java.time.OffsetDateTime.now().toString());
        m.put("run_folder", runDir.toString());
        m.put(org.foliobench.layout.RunLayout.Meta.GIT_COMMIT, org.foliobench.results.Build.commit());
        m.putAll(SystemInfo.machine());
        m.put("fio.version", Exec.run(null, List.of("fio", "--version")).strip());
        m.put("kernel.pair", pair.get(0).type() + " (base) vs " + pair.get(1).type() + " (test): speedup = "
                + pair.get(1).type() + " IOPS / " + pair.get(0).type() + " IOPS");
        for (KernelFs f : pair) {
            m.put("kernel." + f.type() + ".model_path", f.label().modelCounterpart(m.get(org.foliobench.layout.RunLayout.Meta.KERNEL)));
        }
        m.put("measure.blocks", s.minBlocks() + "-" + s.maxBlocks());
        m.put("measure.target_pct", Format.pct(s.targetPct()));
        m.put("measure.min_sweep_ms", Integer.toString(s.minSweepMs()));
        m.put("quick", Boolean.toString(quick));
        m.put("size_divisor", Integer.toString(s.divisor()));
        m.put("measure.sweep", "one fio run (--output-format=json+) of the row's job in the filesystem's mount, after syncfs of"
                + " both; IOPS = fio's total_ios / runtime (ms); one ABBA block of sweeps per fork");
        return m;
    }

    private static Map<String, String> prefixed(String prefix, Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    private static IOException closeAll(List<KernelMount> mounts) {
        IOException first = null;
        List<KernelMount> all;
        synchronized (mounts) {
            all = new ArrayList<>(mounts);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        return first;
    }

    /** {@code --model RUN}: a readable run folder of the model. */
    static Path checkModel(Path dir) throws UsageException {
        try {
            org.foliobench.results.RunFolder r = org.foliobench.results.RunFolder.read(dir);
            if (!r.paths().equals(PathLabel.MODEL) || r.rows().isEmpty()) {
                throw new UsageException("--model " + dir + " is not a model run", "pass a folder written by foliobench tables");
            }
            return dir.toAbsolutePath().normalize();
        } catch (org.foliobench.results.RunFolderException e) {
            throw new UsageException("--model: " + TableRunner.firstLine(e.getMessage()), "pass a folder written by foliobench tables");
        }
    }

    /**
     * The newest complete model run under {@code base} that measured one of {@code rows}, with a bhlf
     * column when {@code threeWay} (ext4 is bhlf on this kernel); null when none.
     */
    static Path newestModel(Path base, List<ReferenceRow> rows, boolean threeWay) throws IOException {
        if (!Files.isDirectory(base)) {
            return null;
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, Files::isDirectory)) {
            ds.forEach(dirs::add);
        }
        dirs.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        for (Path d : dirs) {
            if (!Files.isDirectory(d.resolve(org.foliobench.layout.RunLayout.PASSES_DIR))
                    || Files.exists(d.resolve(org.foliobench.layout.RunLayout.INCOMPLETE))) {
                continue;
            }
            try {
                org.foliobench.results.RunFolder r = org.foliobench.results.RunFolder.read(d);
                if (r.paths().equals(PathLabel.MODEL) && (!threeWay || org.foliobench.results.ThreeWayTable.applies(r))
                        && rows.stream().anyMatch(x -> r.row(RowKey.parse(x.key())) != null)) {
                    return d.toAbsolutePath().normalize();
                }
            } catch (org.foliobench.results.RunFolderException e) {
                // not a readable run: look further
            }
        }
        return null;
    }

    /**
     * Runs the model's table of {@code rows} ({@code tables}, quick when this run is; with bhlf beside
     * bh and iomap when {@code threeWay}) and returns its folder.
     */
    private Path runModel(Path base, List<ReferenceRow> rows, boolean threeWay) throws IOException {
        List<String> args = new ArrayList<>(List.of("tables", "--rows", String.join(",", rows.stream().map(ReferenceRow::key).toList()),
                "--out", base.toString()));
        if (quick) {
            args.add("--quick");
        }
        if (threeWay) {
            args.addAll(List.of("--paths", String.join(",", PathLabel.MODEL3.stream().map(PathLabel::param).toList())));
        }
        top.out.println("no model run of these rows" + (threeWay ? " with the bhlf column (ext4 runs buffer_head + large folios here)" : "")
                + " under " + top.displayPath(base) + ": running foliobench "
                + String.join(" ", args) + " to set beside it");
        int rc = Foliobench.execute(args.toArray(String[]::new), top.out, top.err, top.cwd);
        return rc == Foliobench.EXIT_OK ? newestModel(base, rows, threeWay) : null;
    }

    /** Writes the kernel run's report and prints its table beside the model's. */
    static void report(Foliobench top, Path runDir) throws IOException, UsageException {
        org.foliobench.results.RunFolder run;
        try {
            run = org.foliobench.results.RunFolder.read(runDir);
        } catch (org.foliobench.results.RunFolderException e) {
            throw new UsageException(TableRunner.firstLine(e.getMessage()), "pass a folder written by foliobench kernel or import-fio");
        }
        org.foliobench.plots.Report.Written w = org.foliobench.plots.Report.write(run);
        top.out.print(SeedTables.seedText(run));
        top.out.println();
        if (w.beside() != null) {
            top.out.println("model vs kernel (" + top.displayPath(w.beside().model().dir()) + " beside this run):");
            top.out.println(w.beside().correspondence());
            top.out.print(w.beside().table().markdown());
            top.out.print(w.beside().summaryMarkdown());
        } else {
            top.out.println("no model run beside it (give --model RUN, a folder of foliobench tables)");
        }
        if (!w.complete()) {
            top.out.println(w.message());
        }
        top.out.println("report: " + top.displayPath(w.index()) + " (tables.md, model-vs-kernel.md, charts/, " + org.foliobench.layout.RunLayout.KERNEL_DIR
                + "/ holds every fio JSON)");
        top.out.println("results: " + top.displayPath(runDir));
    }
}
