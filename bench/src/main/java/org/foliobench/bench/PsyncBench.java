package org.foliobench.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.foliobench.Tunable;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.iopath.IoPath;
import org.foliobench.results.Paired;
import org.foliobench.results.PassLog;
import org.foliobench.vfs.FileSystem;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.VerifyMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * fio's psync engine over the model, both IO paths of a row paired in ONE fork, their passes
 * interleaved; one fork runs a list of rows one after the other, like one boot of a test machine
 * running the whole fio script.
 *
 * <p>A <em>sweep</em> ({@link Fio#sweep}) is one fio run of the job: {@code size / bs} {@code pread} or
 * {@code pwrite} calls of {@code bs} bytes at increasing offsets (for {@code fsync=N} jobs followed by
 * the sync every N writes, as fio issues it) by each of its {@code numjobs} threads ({@link JobClone}),
 * looping until {@code runtime} for {@code time_based} jobs, {@code end_fsync} included; a
 * {@code ramp_time} runs before it and {@code do_verify} after it, both untimed. Each sweep is
 * prepared outside its timed span ({@link Fio#prepareSweep}): cold reads drop the cache
 * ({@code invalidate=1}), Overwrite=Y writes sync and drop it, Overwrite=N writes unlink and recreate
 * the file, so each sweep starts from the same state with the flusher idle.
 *
 * <p>One JMH iteration ({@link Mode#SingleShotTime}: one invocation of {@link #pass}) is one
 * <em>pass</em>: sweeps of one path until {@code passMs} has passed (at least one), timed sweep by
 * sweep. The warmup runs its passes through the same method ({@link Fio#runPass}), so the code the
 * JIT compiled while warming up is the code that is measured: with a per-sweep JMH loop
 * ({@code AverageTime} and {@code Level.Invocation} helpers) the generated measurement stub only ran,
 * and was compiled with the benchmark inlined into it, once the measured passes had begun.
 *
 * <p>A row gets {@code blocks} ABBA blocks of passes (bh, iomap, iomap, bh; odd forks start with
 * iomap: {@link Paired#pathIndex}; with three paths, ABC CBA blocks, odd forks CBA ABC) over the
 * same device, page-cache arena and laid-out file, so drift, JIT and memory placement hit both paths
 * alike; then the next row of the fork is set up (outside any pass) in its place. Before a row's
 * first measured pass both paths are warmed up the same way, interleaved, until the JIT has settled:
 * the last blocks, two passes long together, with compilation under {@value PassLog#DISTURBED_PCT}%
 * of their time, after at least {@code warmupMs} for the fork's first row (which warms the JVM up),
 * at most {@code warmupMaxMs} ({@code rowWarmupMaxMs} for later rows). JMH's own score (the wall
 * time of a pass, preparations included) mixes rows and paths; the record of truth is the pass log ({@link PassLog}: every pass with its row, path, timed
 * nanoseconds, counters, GC, JIT, CPU steal and allocation), from which {@link Paired} estimates the
 * speedups and per-path IOPS.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=10g", PsyncBench.NO_TYPE_PROFILE,
        PsyncBench.NO_TYPE_SPECULATION})
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 8, batchSize = 1)
public class PsyncBench {
    /** The fork's JIT: no receiver-type profiles (see {@link TableRunner#JIT}). */
    static final String NO_TYPE_PROFILE = "-XX:-UseTypeProfile";
    static final String NO_TYPE_SPECULATION = "-XX:-UseTypeSpeculation";

    /**
     * One pass: sweeps of the path in turn until {@code passMs} has passed (see {@link Fio#runPass});
     * nothing in a JMH warmup iteration ({@link Fio#harnessIteration}).
     */
    @Benchmark
    public long pass(Fio fio) throws IOException {
        return fio.harnessIteration ? 0 : fio.runPass(fio.passMs * 1_000_000L);
    }

    /** The job, its filesystem and file, both paths and the pass in progress: one per benchmark thread. */
    @State(Scope.Thread)
    public static class Fio {
        /**
         * The rows this fork runs, one after the other, comma-separated: reference rows
         * ({@code read/hole/4K}, {@code write/ramdisk/Y/N/Y/4K}) or {@code job:<section>}.
         */
        @Param("read/hole/4K")
        public String rows;
        /**
         * ABBA blocks (4 passes; 2 x paths passes with more than two paths) of each row in this fork:
         * the fork's measured iterations are rows x 2 x paths x blocks.
         */
        @Param("2")
        public int blocks;
        /** The IO paths whose passes interleave, comma-separated: {@code bh,iomap}, or one path alone. */
        @Param(IoPath.BH_NAME + "," + IoPath.IOMAP_NAME)
        public String paths;
        /** This fork's number in the run (0, 1, ...): even forks start their blocks with the first path, odd ones with the second. */
        @Param("0")
        public int fork;
        /** {@code MAX_PAGECACHE_ORDER}. */
        @Param("9")
        public int maxFolioOrder;
        /** {@code queue/read_ahead_kb}. */
        @Param("128")
        public int readAheadKb;
        /** {@code vm.dirty_ratio}. */
        @Param("20")
        public int dirtyRatio;
        /** {@code vm.dirty_background_ratio}. */
        @Param("10")
        public int dirtyBackgroundRatio;
        /** {@code mke2fs -b}. */
        @Param("4096")
        public int blockSize;
        /** ext4 {@code dioread_nolock}: {@code 1}, {@code 0}, or {@code default} (on with 4 KiB blocks). */
        @Param("default")
        public String dioreadNolock;
        /**
         * {@code fb_bh_partial_walk} of the bhlf path: {@code full}, {@code range}, or {@code default}
         * ({@link org.foliobench.Defaults#BH_PARTIAL_WALK}).
         */
        @Param("default")
        public String bhPartialWalk;
        /** {@code --mem}: the model's RAM in bytes, used as given; 0 keeps the job's {@code fb_mem} (scaled with the job). */
        @Param("0")
        public long memBytes;
        /**
         * Sizes (file, fb_mem, dirty bytes) divided by this, one per row of {@link #rows},
         * comma-separated: 1 is the seed's sizes (nvme Sync=Y rows of a quick table divide more).
         */
        @Param("1")
        public String sizeDivisors;
        /** The fork's first row warms up at least this long (ms), and until the JIT settles. */
        @Param("2000")
        public int warmupMs;
        /** The fork's first row warms up at most this long (ms). */
        @Param("6000")
        public int warmupMaxMs;
        /** Later rows warm up until the JIT settles or this long (ms): the JVM is warm by then. */
        @Param("600")
        public int rowWarmupMaxMs;
        /** The length of a pass (JMH's iteration time, ms): a settled warmup is quiet for two of them. */
        @Param("100")
        public int passMs;
        /**
         * Record per-call latency: two {@code System.nanoTime()} around the call into an HdrHistogram
         * recorder, every call or a random 1 in P of them ({@link LatencySampler}).
         */
        @Param("true")
        public boolean latency;

        Workload workload;
        JobSpec job;
        BlockDevice device;
        FileSystem fs;
        /** The job's threads ({@code numjobs}); clone 0 runs on the benchmark thread. */
        JobClone[] clones;
        /** Threads for clones 1.. of a sweep; null for one clone. */
        ExecutorService cloneThreads;
        boolean write;
        Pass pass;
        Path out;
        /** The paths of this fork, in {@link #paths} order. */
        IoPath[] ioPaths;
        String[] pathNames;
        /** The row's files on its filesystem. */
        FioFiles files;
        /** The row's latency logs and sampling; null between rows. */
        LatencySampler sampler;
        /** What the row's sweeps must be. */
        RowChecks checks;
        /** The path index of the pass in progress. */
        int current;
        /** Measured passes started so far. */
        int measured;

        /** What happens before each sweep, by row kind. */
        enum Pass {
            /** Cold read of a file laid out (or left sparse) at trial setup: drop caches. */
            READ,
            /** Write over a file laid out and fsync'd at trial setup: sync, drop caches. */
            OVERWRITE,
            /** Write extending a new file: unlink, recreate (fio's recreate for overwrite=0). */
            APPEND;

            static Pass of(JobSpec j) {
                return !j.rw().isWrite() ? READ : j.overwrite() ? OVERWRITE : APPEND;
            }
        }

        /** The row being measured, and its size divisor. */
        String row;
        int sizeDivisor;
        String[] rowList;
        /** Index in {@link #rowList} of the row set up, -1 for none. */
        int rowIndex = -1;
        /** The rows' tunables (row-independent: the run's). */
        Workload.Tunables tunables;

        @Setup(Level.Trial)
        public void setUpTrial() {
            rowList = rows.split(",");
            String[] names = paths.split(",");
            ioPaths = new IoPath[names.length];
            pathNames = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                ioPaths[i] = IoPath.parse(names[i].trim());
                pathNames[i] = ioPaths[i].shortName();
            }
            tunables = Workload.Tunables.fromParams(this::param);
            String o = System.getProperty(Workload.OUT_PROPERTY);
            out = o == null ? null : Path.of(o);
            clockCost = latency ? LatencySampler.clockCost() : 0;
        }

        /**
         * Sets up row {@code i} of the fork: its device, filesystem and laid-out file, its latency
         * logs, then the interleaved warmup. Not measured.
         */
        void setUpRow(int i) throws IOException {
            row = rowList[i].trim();
            rowIndex = i;
            String[] d = sizeDivisors.split(",");
            sizeDivisor = Integer.parseInt(d[Math.min(i, d.length - 1)].trim());
            measured = 0;
            try {
                String jobFile = System.getProperty(Workload.JOBFILE_PROPERTY);
                JobFile file = Workload.jobFile(row, jobFile == null ? null : Path.of(jobFile));
                String nvme = System.getProperty(Workload.NVME_PROPERTY);
                workload = Workload.resolve(row, file, tunables, sizeDivisor, nvme);
            } catch (Exception e) {
                throw new IllegalStateException(row + ": " + e.getMessage(), e);
            }
            job = workload.job();
            if (workload.device() == null) {
                throw new IllegalStateException(row + " runs on the nvme device: pass -D" + Workload.NVME_PROPERTY
                        + "=direct:PATH (foliobench tables --nvme)");
            }
            write = job.rw().isWrite();
            pass = Pass.of(job);
            RowChecks.checkPaths(row, job, ioPaths);
            checks = new RowChecks(job);

            device = DeviceSpec.parse(workload.device()).open();
            fs = FioFiles.mount(device, job);
            files = new FioFiles(workload, fs);
            clones = new JobClone[job.numjobs()];
            for (int c = 0; c < clones.length; c++) {
                clones[c] = new JobClone(job, c);
            }
            if (clones.length > 1) {
                cloneThreads = Executors.newFixedThreadPool(clones.length - 1, r -> {
                    Thread t = new Thread(r, "fio-clone");
                    t.setDaemon(true);
                    return t;
                });
            }
            // the file is laid out once, by the first path (bh in a table); both paths then read or overwrite
            // the same blocks
            files.layOut(ioPaths[0], pass == Pass.APPEND);
            sampler = LatencySampler.open(latency, clockCost, out, pathNames, row, clones.length,
                    job.fsync() > 0 || job.fdatasync() > 0);
            warmUp();
        }

        /** What two clock reads cost here, ns (measured at trial setup). */
        double clockCost;

        /** What the pass in progress has accumulated over its timed sweeps. */
        final Disturbances sweepStart = new Disturbances();
        final Disturbances sweepEnd = new Disturbances();
        Map<String, Long> counterStart;
        Map<String, Long> passCounters;
        List<String> passViolations;
        long passOps;
        long passBytes;
        long passNanos;
        int passSweeps;
        long passGcCount;
        long passGcMillis;
        long passJitMillis;
        long passStealMillis;
        long passAlloc;

        /**
         * The interleaved warmup of a row: ABBA blocks of passes like the measured ones, both paths,
         * until the last blocks, together at least two passes long, saw JIT compilation under
         * {@value PassLog#DISTURBED_PCT}% of their time (and, for the fork's first row, which warms
         * the JVM up, at least {@code warmupMs} has passed), or its cap is over ({@code warmupMaxMs}
         * for the first row, {@code rowWarmupMaxMs} for later ones: whatever the JIT still does then
         * lands in ABBA blocks alike for both paths and is flagged per pass). Every warmup pass
         * is logged (warmup: true) so the report can say how long the JIT took to settle.
         */
        void warmUp() throws IOException {
            long start = System.nanoTime();
            // the fork's first row warms the JVM up; later rows find most of the engine compiled
            long minMs = rowIndex == 0 ? warmupMs : 0;
            long maxMs = rowIndex == 0 ? warmupMaxMs : rowWarmupMaxMs;
            long quietNanos = 0;
            int block = 0;
            while (true) {
                long t0 = System.nanoTime();
                long jit0 = Disturbances.jitMillis();
                for (int slot = 0; slot < slotsPerBlock(); slot++) {
                    startPass(Paired.pathIndex(fork, slot, ioPaths.length));
                    // a whole pass, as measured ones are: a warmup of one-sweep passes leaves the
                    // pass loop's back edge unprofiled, and the first measured pass deoptimizes
                    runPass(passMs * 1_000_000L);
                    endPass(true, block, slot);
                }
                block++;
                long blockNanos = System.nanoTime() - t0;
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                boolean quiet = (Disturbances.jitMillis() - jit0) * 1_000_000 * 100 <= PassLog.DISTURBED_PCT * blockNanos;
                quietNanos = quiet ? quietNanos + blockNanos : 0;
                // settled: whole blocks without compilation worth two passes
                if ((quietNanos >= 2 * passMs * 1_000_000L && elapsed >= minMs) || elapsed >= maxMs) {
                    return;
                }
            }
        }

        /**
         * In a JMH warmup iteration: the harness's own, which runs no pass (see {@link PsyncBench#pass}).
         * JMH ends every iteration by aggregating its result and sending it to the host JVM, and the
         * first time it does so it loads classes (the lock framework's queue nodes among them) that
         * invalidate what C2 had compiled against the class hierarchy before, the IO paths' hot code
         * included: a harness iteration first makes that happen before the model's code is compiled.
         */
        boolean harnessIteration;

        /** Measured JMH iterations so far in this fork, every row. */
        int iterations;

        /**
         * Starts a pass of a JMH iteration: the row is iteration / (4 x blocks) (set up when it
         * changes), the path comes from the fork's ABBA schedule.
         */
        @Setup(Level.Iteration)
        public void startIteration(IterationParams ip) throws IOException {
            harnessIteration = ip.getType() == IterationType.WARMUP;
            if (harnessIteration) {
                return;
            }
            int r = Math.min(rowList.length - 1, iterations / (slotsPerBlock() * blocks));
            if (r != rowIndex) {
                tearDownRow();
                setUpRow(r);
            }
            startPass(Paired.pathIndex(fork, measured % slotsPerBlock(), ioPaths.length));
        }

        /** Passes per block: ABBA (4) for one or two paths, ABC CBA (6) for three. */
        int slotsPerBlock() {
            return 2 * Math.max(2, ioPaths.length);
        }

        void startPass(int pathIndex) {
            current = pathIndex;
            sampler.startPass(pathIndex);
            passCounters = new TreeMap<>();
            passViolations = new ArrayList<>();
            passOps = passBytes = passNanos = passGcCount = passGcMillis = passJitMillis = passStealMillis = passAlloc = 0;
            passSweeps = 0;
        }

        /**
         * The sweeps of one pass of the current path, each prepared and accounted outside its timed
         * span, until {@code minNanos} of wall time has passed (at least one sweep). Returns the bytes
         * moved. The warmup's passes and JMH's measured ones both run here.
         */
        public long runPass(long minNanos) throws IOException {
            long end = System.nanoTime() + minNanos;
            long bytes = 0;
            do {
                prepareSweep();
                bytes += sweep();
                endSweep();
            } while (System.nanoTime() - end < 0);
            return bytes;
        }

        /** Prepares one sweep, outside its timed span. */
        void prepareSweep() throws IOException {
            for (JobClone c : clones) {
                c.close();
            }
            IoPath p = ioPaths[current];
            switch (pass) {
                case READ:
                    if (job.invalidate()) {
                        fs.dropCaches();
                    }
                    break;
                case OVERWRITE:
                    if (job.reflink()) {
                        files.reflink(p);
                    }
                    fs.sync();
                    if (job.invalidate()) {
                        fs.dropCaches();
                    }
                    break;
                case APPEND:
                    files.recreateForAppend(p);
                    break;
                default:
                    throw new AssertionError(pass);
            }
            for (JobClone c : clones) {
                c.open(fs.open(c.filename, p, JobClone.openOptions(job)));
            }
            if (job.rampTimeMicros() > 0) {
                // ramp_time: the job's IO, unmeasured; the measured run goes on from where it stopped
                runClones(System.nanoTime() + job.rampTimeMicros() * 1000, true, null);
            }
            counterStart = fs.counters().snapshot();
            sweepStart.readStart(); // last: nothing of the preparation is counted
        }

        /** Ends one sweep: what it did and what disturbed it go into the pass. */
        void endSweep() throws IOException {
            sweepEnd.readEnd(); // first: nothing of the bookkeeping is counted
            Map<String, Long> delta = org.foliobench.stats.Counters.delta(counterStart, fs.counters().snapshot());
            delta.forEach((k, v) -> passCounters.merge(k, v, Long::sum));
            passSweeps++;
            passNanos += sweepEnd.nanos - sweepStart.nanos;
            passGcCount += sweepEnd.gcCount - sweepStart.gcCount;
            passGcMillis += sweepEnd.gcMillis - sweepStart.gcMillis;
            passJitMillis += sweepEnd.jitMillis - sweepStart.jitMillis;
            passStealMillis += sweepEnd.stealMillis - sweepStart.stealMillis;
            passAlloc += Math.max(0, sweepEnd.allocBytes - sweepStart.allocBytes);
            for (String v : checks.violations(delta, sweepOps)) {
                if (!passViolations.contains(v)) {
                    passViolations.add(v);
                }
            }
            passOps += sweepOps;
            passBytes += sweepBytes;
            if (write && job.verify() != VerifyMode.NONE && job.doVerify()) {
                verifyWritten();
            }
        }

        /**
         * fio's {@code do_verify()} after a write run, outside its measured time: sync, drop the cache
         * so the blocks come from the device, read back what every clone wrote and check it; a bad
         * block fails the job.
         */
        void verifyWritten() throws IOException {
            for (JobClone c : clones) {
                c.file.fsync();
            }
            fs.dropCaches();
            for (JobClone c : clones) {
                c.verifyWritten(c.file);
            }
        }

        /** Ends the pass of a JMH iteration: one line of the pass log, one latency interval if measured. */
        @TearDown(Level.Iteration)
        public void endIteration(IterationParams ip) throws IOException {
            if (!harnessIteration) {
                int per = slotsPerBlock();
                endPass(false, measured / per, measured % per);
                measured++;
                iterations++;
                if (measured == per * blocks && rowIndex < rowList.length - 1) {
                    tearDownRow(); // free this row's memory before the next one's setup
                }
            }
        }

        void endPass(boolean warmup, int block, int slot) throws IOException {
            sampler.endPass(warmup, passOps, passNanos);
            if (out != null) {
                PassLog.append(out, new PassLog.Pass(row, fork, ProcessHandle.current().pid(),
                        ManagementFactory.getRuntimeMXBean().getUptime(), warmup, block, slot,
                        pathNames[current], passSweeps, passOps, passBytes, passNanos, passGcCount, passGcMillis,
                        passJitMillis, passStealMillis, passAlloc, latency ? sampler.period() : 0, passViolations, params(),
                        passCounters));
            }
        }

        /**
         * The JMH param {@code name} of this fork, as given: a tunable's travels by its declared name
         * ({@link Tunable#param}), the name of its {@code @Param} field here.
         */
        String param(String name) {
            try {
                return String.valueOf(Fio.class.getField(name).get(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no @Param field " + name + " in " + Fio.class.getName(), e);
            }
        }

        /** The tunables of this fork as the pass log records them (what a variant is told apart by). */
        Map<String, String> params() {
            Map<String, String> p = new TreeMap<>();
            for (Tunable<?> t : Workload.CARRIED) {
                p.put(t.param(), param(t.param()));
            }
            p.put(org.foliobench.layout.BenchParams.SIZE_DIVISOR, String.valueOf(sizeDivisor));
            p.put(org.foliobench.layout.BenchParams.LATENCY, String.valueOf(latency));
            return p;
        }

        long sweepOps;
        long sweepBytes;

        /**
         * One fio run of the job: each clone's {@code size / bs} psync calls at increasing offsets
         * (clone 0 on this thread, the others on theirs, all started together), or with
         * {@code runtime} until it has passed; {@code end_fsync} inside. Returns the bytes moved.
         */
        public long sweep() throws IOException {
            long deadline = job.runtimeMicros() > 0 ? System.nanoTime() + job.runtimeMicros() * 1000 : Long.MAX_VALUE;
            runClones(deadline, false, latency ? sampler.log() : null);
            long ops = 0;
            long bytes = 0;
            for (JobClone c : clones) {
                ops += c.ops;
                bytes += c.bytes;
            }
            sweepOps = ops;
            sweepBytes = bytes;
            return bytes;
        }

        /** Runs every clone until {@code deadline} (or its size is done) and waits for all; the first failure is thrown. */
        void runClones(long deadline, boolean ramp, LatencyLog lat) throws IOException {
            int samplePeriod = sampler.period();
            if (clones.length == 1) {
                clones[0].run(deadline, ramp, lat, samplePeriod);
                return;
            }
            List<Future<?>> others = new ArrayList<>(clones.length - 1);
            for (int i = 1; i < clones.length; i++) {
                JobClone c = clones[i];
                others.add(cloneThreads.submit(() -> {
                    c.run(deadline, ramp, lat, samplePeriod);
                    return null;
                }));
            }
            IOException failed = null;
            try {
                clones[0].run(deadline, ramp, lat, samplePeriod);
            } catch (IOException e) {
                failed = e;
            }
            for (Future<?> f : others) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (failed == null) {
                        failed = e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for the job's clones");
                }
            }
            if (failed != null) {
                throw failed;
            }
        }

        @TearDown(Level.Trial)
        public void tearDownTrial() throws IOException {
            tearDownRow();
        }

        /** Unmounts the row's filesystem and closes its device and logs; its memory goes with the next GC. */
        void tearDownRow() throws IOException {
            if (rowIndex < 0 || fs == null) {
                return;
            }
            IOException first = null;
            try {
                for (JobClone c : clones) {
                    c.close();
                }
                if (cloneThreads != null) {
                    cloneThreads.shutdownNow();
                }
                if (fs != null) {
                    fs.unmount();
                }
            } catch (IOException e) {
                first = e;
            } finally {
                if (sampler != null) {
                    sampler.close();
                }
                if (device != null) {
                    device.close();
                }
                clones = null;
                cloneThreads = null;
                fs = null;
                device = null;
                sampler = null;
                files = null;
                // the row's ramdisk and page-cache arena are direct buffers: release them now, outside
                // any measured pass, rather than in a collection during the next row's passes
                System.gc();
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * What the JVM and the machine did besides the path, read at the edges of a timed sweep: the
     * clock, garbage collections (count and time), JIT compilation time, CPU steal (/proc/stat, in
     * USER_HZ ticks of 10 ms, all CPUs) and the bytes every thread has allocated.
     */
    static final class Disturbances {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private static final List<GarbageCollectorMXBean> GCS = ManagementFactory.getGarbageCollectorMXBeans();
        private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
        private static final Path PROC_STAT = Path.of("/proc/stat");
        /** {@code USER_HZ}: /proc/stat counts in 1/100 s on every Linux architecture foliobench runs on. */
        private static final int USER_HZ = 100;

        long nanos;
        long gcCount;
        long gcMillis;
        long jitMillis;
        long stealMillis;
        long allocBytes;

        /** At the start of a timed sweep: the clock last, so reading the rest is not timed. */
        void readStart() {
            stealMillis = stealMillis();
            readGc();
            jitMillis = jitMillis();
            allocBytes = allocatedBytes();
            nanos = System.nanoTime();
        }

        /** At the end of a timed sweep: the clock first. */
        void readEnd() {
            nanos = System.nanoTime();
            allocBytes = allocatedBytes();
            readGc();
            jitMillis = jitMillis();
            stealMillis = stealMillis();
        }

        private void readGc() {
            long c = 0;
            long t = 0;
            for (GarbageCollectorMXBean g : GCS) {
                c += Math.max(0, g.getCollectionCount());
                t += Math.max(0, g.getCollectionTime());
            }
            gcCount = c;
            gcMillis = t;
        }

        static long jitMillis() {
            return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
        }

        /** Bytes allocated so far by every live thread (the flusher's allocations count as the path's). */
        static long allocatedBytes() {
            long s = 0;
            for (long a : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
                s += Math.max(0, a);
            }
            return s;
        }

        /** The {@code steal} column of /proc/stat's {@code cpu} line in ms; 0 where there is none. */
        static long stealMillis() {
            try {
                String first = Files.readAllLines(PROC_STAT).get(0);
                String[] f = first.trim().split("\\s+");
                return f.length > 8 && "cpu".equals(f[0]) ? Long.parseLong(f[8]) * 1000 / USER_HZ : 0;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }
}
