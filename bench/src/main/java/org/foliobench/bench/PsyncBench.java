package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DmaMemory;
import org.foliobench.vfs.Errno;
import org.foliobench.vfs.ErrnoException;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.IoPath;
import org.foliobench.vfs.MountOptions;
import org.foliobench.workloads.DirtyLimits;
import org.foliobench.workloads.FallocateMode;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * fio's psync engine over the model: each invocation of {@link #psync} is ONE {@code pread} or
 * {@code pwrite} of {@code bs} bytes at the current offset (for {@code fsync=N}/{@code fdatasync=N}
 * jobs followed by the sync every N writes, as fio issues it). One JMH iteration is one pass over
 * the file, i.e. one fio run with its default (not time_based) semantics: the mode is
 * {@link Mode#SingleShotTime} and the runner sets the warmup and measurement batch sizes to the
 * job's calls per pass ({@code size / bs}), so the score is the time of one pass and
 * IOPS = batch size / score.
 *
 * <p>Preparing a pass is never measured: the trial lays out the file as fio's
 * {@code filesetup.c} does (hole rows: truncated to size, never written; read and Overwrite=Y rows:
 * written sequentially and fsync'd), and {@link Pass#prepare} before every iteration drops the cache
 * for cold reads ({@code invalidate=1}), syncs and drops it for Overwrite=Y writes, and unlinks and
 * recreates the file for Overwrite=N writes, so no dirty data of the previous pass remains and the
 * flusher is idle when the pass starts.
 *
 * <p>Secondary results: the engine's counters of the pass ({@link Events}); the full counter delta
 * of every measured pass goes to {@code counters/<path>-<rowfile>.json} and the latency of every call
 * to an HdrHistogram interval in {@code latency/<path>-<rowfile>.hlog} of the run folder
 * ({@code -Dfoliobench.out}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=10g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class PsyncBench {
    /** One psync call (see {@link Fio#psync}). */
    @Benchmark
    public long psync(Fio fio, Events ev) throws IOException {
        return fio.psync(ev);
    }

    /**
     * The engine's counters of one pass, JMH secondary results. {@code EVENTS}: totals per
     * iteration, not rates; filled from the counter delta when the pass ends.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Events {
        /** psync calls. */
        public long ops;
        /** Bytes read or written by the calls. */
        public long bytes;
        /** {@code path.map_calls}: get_block / iomap_begin calls. */
        public long mapCalls;
        /** {@code fs.es_lookups}: extent-status tree lookups. */
        public long esLookups;
        /** Folios allocated, every order ({@code pagecache.folio_alloc_order_*}). */
        public long folios;
        /** {@code buffer.bh_alloc}. */
        public long bufferHeads;
        /** {@code iomap.folio_state_alloc}. */
        public long folioStates;
        /** {@code xa.store + xa.load + xa.erase + xa.mark}. */
        public long xaOps;
        /** {@code bio.submitted}. */
        public long bios;
        /** {@code bio.segments}. */
        public long bioSegments;
        /** {@code bio.bytes}. */
        public long bioBytes;
        /** {@code writeback.throttle_pauses}: balance_dirty_pages pauses. */
        public long throttlePauses;
        /** {@code jbd2.commits}. */
        public long journalCommits;
        /** {@code writeback.pages_written}. */
        public long writebackPages;

        @Setup(Level.Iteration)
        public void clear() {
            ops = bytes = mapCalls = esLookups = folios = bufferHeads = folioStates = xaOps = 0;
            bios = bioSegments = bioBytes = throttlePauses = journalCommits = writebackPages = 0;
        }

        void set(Map<String, Long> d) {
            mapCalls = d.getOrDefault("path.map_calls", 0L);
            esLookups = d.getOrDefault("fs.es_lookups", 0L);
            folios = sumPrefix(d, "pagecache.folio_alloc_order_");
            bufferHeads = d.getOrDefault("buffer.bh_alloc", 0L);
            folioStates = d.getOrDefault("iomap.folio_state_alloc", 0L);
            xaOps = d.getOrDefault("xa.store", 0L) + d.getOrDefault("xa.load", 0L) + d.getOrDefault("xa.erase", 0L)
                    + d.getOrDefault("xa.mark", 0L);
            bios = d.getOrDefault("bio.submitted", 0L);
            bioSegments = d.getOrDefault("bio.segments", 0L);
            bioBytes = d.getOrDefault("bio.bytes", 0L);
            throttlePauses = d.getOrDefault("writeback.throttle_pauses", 0L);
            journalCommits = d.getOrDefault("jbd2.commits", 0L);
            writebackPages = d.getOrDefault("writeback.pages_written", 0L);
        }

        static long sumPrefix(Map<String, Long> d, String prefix) {
            long s = 0;
            for (Map.Entry<String, Long> e : d.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    s += e.getValue();
                }
            }
            return s;
        }
    }

    /** The job, its filesystem and file, and the pass in progress: one per benchmark thread. */
    @State(Scope.Thread)
    public static class Fio {
        /** The reference row ({@code read/hole/4K}, {@code write/ramdisk/Y/N/Y/4K}) or {@code job:<section>}. */
        @Param("read/hole/4K")
        public String row;
        /** The IO path: {@code bh} or {@code iomap}. */
        @Param({"bh", "iomap"})
        public String path;
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
        /** {@code fb_mem} (the model's RAM) in bytes before scaling; 0 keeps the job's. */
        @Param("0")
        public long memBytes;
        /** Sizes (file, fb_mem, dirty bytes) divided by this: 1 is the seed's sizes. */
        @Param("1")
        public int sizeDivisor;
        /**
         * Record per-call latency: two {@code System.nanoTime()} around the call into an HdrHistogram
         * recorder. The first pass times every call; after each pass, calls are timed at random 1 in P,
         * P (never lowered) the smallest power of two keeping two clock reads under 2% of a mean call
         * (P = 1, every call, for calls of a few microseconds and more; a clock read costs 25-60 ns on
         * this kind of VM, so a 0.7 us 4K hole read would pay 9% if every call were timed).
         */
        @Param("true")
        public boolean latency;

        Workload workload;
        JobSpec job;
        BlockDevice device;
        FileSystem fs;
        IoPath ioPath;
        File file;
        ByteBuffer buf;
        boolean write;
        int bs;
        long size;
        int fsyncEvery;
        int fdatasyncEvery;
        long offset;
        long writes;
        LatencyLog latencyLog;
        CounterLog counterLog;
        Pass pass;
        /** The counters of the pass in progress, as handed to {@link #psync}. */
        Events events;

        /** What happens between passes, by row kind. */
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

        @Setup(Level.Trial)
        public void setUpTrial() throws Exception {
            String jobFile = System.getProperty(Workload.JOBFILE_PROPERTY);
            JobFile file = Workload.jobFile(row, jobFile == null ? null : Path.of(jobFile));
            Workload.Tunables t = new Workload.Tunables(maxFolioOrder, readAheadKb, dirtyRatio, dirtyBackgroundRatio, blockSize,
                    memBytes);
            String nvme = System.getProperty(Workload.NVME_PROPERTY);
            workload = Workload.resolve(row, file, t, sizeDivisor, nvme);
            job = workload.job();
            if (workload.device() == null) {
                throw new IllegalStateException(row + " runs on the nvme device: pass -D" + Workload.NVME_PROPERTY
                        + "=direct:PATH (foliobench tables --nvme)");
            }
            if (job.rw().isRandom()) {
                throw new IllegalStateException(row + ": rw=" + job.rw().fioName() + " is not supported, psync rows are sequential");
            }
            ioPath = IoPath.parse(path);
            bs = job.bs();
            size = job.size();
            write = job.rw().isWrite();
            fsyncEvery = job.fsync();
            fdatasyncEvery = job.fdatasync();
            pass = Pass.of(job);

            device = DeviceSpec.parse(workload.device()).open();
            MountOptions opts = mountOptions(job);
            FileSystem.format(device, opts);
            fs = FileSystem.mount(device, opts);
            buf = DmaMemory.allocate(bs, 4096);
            for (int i = 0; i < bs; i++) {
                buf.put(i, (byte) (i * 31 + 17));
            }
            layOut();

            String out = System.getProperty(Workload.OUT_PROPERTY);
            if (out != null) {
                String name = Workload.logName(path, row);
                latencyLog = latency ? LatencyLog.open(Path.of(out), name) : null;
                counterLog = new CounterLog(Path.of(out), name);
            } else if (latency) {
                latencyLog = LatencyLog.inMemory();
            }
            clockCost = latency ? clockCost() : 0;
        }

        static MountOptions mountOptions(JobSpec job) {
            MountOptions.Builder b = MountOptions.builder()
                    .blockSize(job.blockSize())
                    .maxFolioOrder(job.maxFolioOrder())
                    .readAheadKb(job.readAheadKb())
                    .dirtyRatio(job.dirtyRatio())
                    .dirtyBackgroundRatio(job.dirtyBackgroundRatio())
                    .dirtyBytes(job.dirtyBytes())
                    .dirtyBackgroundBytes(job.dirtyBackgroundBytes())
                    .dirtyExpireCentisecs(job.dirtyExpireCentisecs())
                    .dirtyWritebackCentisecs(job.dirtyWritebackCentisecs())
                    .populateMemory(true);
            if (job.memBytes() != 0) {
                b.memBytes(job.memBytes());
            }
            return b.build();
        }

        /**
         * fio's file setup ({@code filesetup.c}): the setup jobs first (recreate, fallocate), then the
         * measured job's: a read or overwrite job whose file is missing or short lays it out (written
         * sequentially through the path under test, fsync'd with {@code create_fsync}); a file of at
         * least {@code size} bytes is used as it is. Append jobs recreate their file before every pass.
         */
        void layOut() throws IOException {
            for (JobSpec s : workload.setup()) {
                recreate(s);
                if (s.laysOutFile()) {
                    writeOut(s);
                }
            }
            if (pass != Pass.APPEND && currentSize() < size) {
                recreate(job);
                writeOut(job);
            }
        }

        long currentSize() throws IOException {
            if (!fs.list().contains(job.filename())) {
                return -1;
            }
            try (File f = fs.open(job.filename(), ioPath)) {
                return f.size();
            }
        }

        /** unlink + create + fallocate, as fio's extend_file() starts. */
        void recreate(JobSpec s) throws IOException {
            if (fs.list().contains(s.filename())) {
                fs.unlink(s.filename());
            }
            try (File f = fs.open(s.filename(), ioPath, StandardOpenOption.CREATE_NEW)) {
                if (s.fallocate() == FallocateMode.TRUNCATE) {
                    f.truncate(s.size());
                }
                // fallocate=native: the model has no fallocate(2); the file is left empty as with none
            }
        }

        /** Sequential writes of the whole file, fsync'd if create_fsync. */
        void writeOut(JobSpec s) throws IOException {
            int chunk = 1 << 20;
            ByteBuffer b = DmaMemory.allocate(chunk, 4096);
            for (int i = 0; i < chunk; i++) {
                b.put(i, (byte) (i * 7 + 3));
            }
            try (File f = fs.open(s.filename(), ioPath)) {
                for (long p = 0; p < s.size(); p += chunk) {
                    b.clear().limit((int) Math.min(chunk, s.size() - p));
                    while (b.hasRemaining()) {
                        f.pwrite(b, p + b.position());
                    }
                }
                if (s.createFsync()) {
                    f.fsync();
                }
            }
        }

        Map<String, Long> before;
        long passStart;
        /** Calls left until the next timed one (1: the next call is timed). */
        long untimed;
        /** Mean distance between timed calls: 1 times every call. */
        int samplePeriod = 1;
        /** xorshift state for the random gaps between timed calls (fixed seed: runs repeat). */
        long rng = 0x9E3779B97F4A7C15L;
        /** What two clock reads cost here, ns (measured at trial setup). */
        double clockCost;
        static volatile long clockSink;

        /** Prepares one pass, outside the measured time. */
        @Setup(Level.Iteration)
        public void prepare() throws IOException {
            if (file != null) {
                file.close();
                file = null;
            }
            switch (pass) {
                case READ:
                    if (job.invalidate()) {
                        fs.dropCaches();
                    }
                    break;
                case OVERWRITE:
                    fs.sync();
                    if (job.invalidate()) {
                        fs.dropCaches();
                    }
                    break;
                case APPEND:
                    if (fs.list().contains(job.filename())) {
                        fs.unlink(job.filename());
                    }
                    fs.sync(); // commit the unlink: the freed blocks are reusable, the journal is idle
                    fs.dropCaches();
                    recreate(job);
                    break;
                default:
                    throw new AssertionError(pass);
            }
            file = fs.open(job.filename(), ioPath);
            offset = 0;
            writes = 0;
            if (latencyLog != null) {
                latencyLog.startInterval();
            }
            untimed = 1;
            before = fs.counters().snapshot();
            passStart = System.nanoTime();
        }

        /**
         * The gap to the next timed call: uniform in [1, 2P-1] (mean P), random so that no periodic
         * pattern of the path (a folio allocation every 512 calls, a writeback batch) aliases with it.
         */
        long nextGap() {
            if (samplePeriod == 1) {
                return 1;
            }
            long x = rng;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            rng = x;
            return 1 + ((x >>> 1) % (2L * samplePeriod - 1));
        }

        /**
         * After each pass: time every call when two clock reads cost at most 2% of a mean call, else a
         * random 1 in P calls with P the smallest power of two that keeps the cost under 2%.
         */
        static int samplePeriod(double clockCostNanos, double meanCallNanos) {
            int p = 1;
            while (p < 1024 && clockCostNanos / p > 0.02 * meanCallNanos) {
                p <<= 1;
            }
            return p;
        }

        /** Two back-to-back clock reads, best of a few rounds: the cost of timing one call. */
        static double clockCost() {
            double best = Double.MAX_VALUE;
            long sink = 0;
            for (int r = 0; r < 5; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 20000; i++) {
                    sink += System.nanoTime();
                }
                long t1 = System.nanoTime();
                best = Math.min(best, (t1 - t0) / 20000.0);
            }
            clockSink = sink;
            return 2 * best;
        }

        /** One psync call: {@code pread}/{@code pwrite} of bs at the current offset (+ fsync/fdatasync every N writes). */
        public long psync(Events ev) throws IOException {
            events = ev;
            long off = offset;
            if (off >= size) {
                throw new IllegalStateException("pass over: " + size + " bytes done; the batch size must be "
                        + job.iosPerPass() + " (size / bs), not more");
            }
            int len = (int) Math.min(bs, size - off);
            ByteBuffer b = buf;
            b.clear().limit(len);
            int n;
            if (latency && --untimed <= 0) {
                long t0 = System.nanoTime();
                n = io(b, off);
                long t1 = System.nanoTime();
                latencyLog.record(t1 - t0);
                untimed = nextGap();
            } else {
                n = io(b, off);
            }
            offset = off + len;
            ev.ops++;
            ev.bytes += n;
            return n;
        }

        private int io(ByteBuffer b, long off) throws IOException {
            int n = 0;
            if (write) {
                while (b.hasRemaining()) {
                    n += file.pwrite(b, off + n);
                }
                long w = ++writes;
                if (fsyncEvery > 0 && w % fsyncEvery == 0) {
                    file.fsync();
                }
                if (fdatasyncEvery > 0 && w % fdatasyncEvery == 0) {
                    file.fdatasync();
                }
            } else {
                while (b.hasRemaining()) {
                    int r = file.pread(b, off + n);
                    if (r <= 0) {
                        throw new ErrnoException(Errno.EIO, "short read at " + (off + n) + " of a " + size + "-byte file");
                    }
                    n += r;
                }
            }
            return n;
        }

        /**
         * Collects the counter delta of the pass into the {@link Events} of the pass (JMH reads them
         * after this teardown), checks the row's meaning, writes the logs.
         */
        @TearDown(Level.Iteration)
        public void finishPass(IterationParams ip) throws IOException {
            Events ev = events != null ? events : new Events();
            long nanos = System.nanoTime() - passStart;
            Map<String, Long> delta = org.foliobench.stats.Counters.delta(before, fs.counters().snapshot());
            ev.set(delta);
            List<String> violations = violations(delta, ev);
            boolean measured = ip.getType() == IterationType.MEASUREMENT;
            if (latencyLog != null) {
                latencyLog.endInterval(measured);
                if (ev.ops > 0) {
                    // only ever up: the first (JIT-cold) passes are slow and would time too many calls
                    int p = samplePeriod(clockCost, (double) nanos / ev.ops);
                    if (p > samplePeriod) {
                        samplePeriod = p;
                        latencyLog.comment("sampling from the next pass: 1 in " + samplePeriod + " calls timed at random"
                                + " (mean call " + Math.round((double) nanos / ev.ops) + " ns, two clock reads "
                                + Math.round(clockCost) + " ns)");
                    }
                }
            }
            if (measured && counterLog != null) {
                counterLog.append(ev.ops, ev.bytes, nanos, latency ? samplePeriod : 0, violations, delta);
            }
        }

        /** What in this pass contradicts the row's meaning (DESIGN.md's workload table); reported, never hidden. */
        List<String> violations(Map<String, Long> delta, Events ev) {
            List<String> v = new ArrayList<>();
            if (ev.ops != job.iosPerPass()) {
                v.add("the pass made " + ev.ops + " calls, not " + job.iosPerPass() + " (size / bs)");
            }
            if (write && fsyncEvery == 0 && fdatasyncEvery == 0) {
                DirtyLimits l = job.dirtyLimits().orElse(null);
                boolean writebackRow = job.row().map(ReferenceRow::writeback).orElse(l != null && size >= l.bgThreshBytes());
                if (!writebackRow && ev.writebackPages > 0) {
                    v.add(ev.writebackPages + " pages were written back during a cache pass (size " + size
                            + " must stay below the background threshold" + (l != null ? " " + l.bgThreshBytes() : "") + ")");
                }
                if (writebackRow && ev.writebackPages == 0) {
                    v.add("no writeback during a Writeback=Y pass (size " + size + " must exceed the dirty threshold"
                            + (l != null ? " " + l.threshBytes() : "") + ")");
                }
            }
            return v;
        }

        @TearDown(Level.Trial)
        public void tearDownTrial() throws IOException {
            IOException first = null;
            try {
                if (file != null) {
                    file.close();
                }
                if (fs != null) {
                    fs.unmount();
                }
            } catch (IOException e) {
                first = e;
            } finally {
                if (latencyLog != null) {
                    latencyLog.close();
                }
                if (device != null) {
                    device.close();
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
