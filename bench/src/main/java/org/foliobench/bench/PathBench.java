package org.foliobench.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DmaMemory;
import org.foliobench.device.RamDisk;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
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

/**
 * The proof: the IO paths (bh, iomap, bhlf) on a RamDisk-backed filesystem at 4K, 64K and 1M, next to the memory
 * bandwidth a cache write can at most reach, in one run.
 *
 * <ul>
 * <li>{@link #cacheWrite}: sequential {@code pwrite}s of {@code bs} extending a new {@link #FILE}-byte
 *     file. The page cache ({@link #MEM} bytes) keeps the file far below the background dirty
 *     threshold (10% of it) and periodic writeback is off, so every byte stays dirty in the cache:
 *     the pass is folio allocation, lookup, locking, the copy, dirtying and accounting, delalloc
 *     reservation and size updates, the throttle check, and nothing else.</li>
 * <li>{@link #coldRead}: sequential {@code pread}s of a file laid out and fsync'd at trial setup,
 *     its cache dropped before every pass: readahead, bios from the ramdisk, the copy out.</li>
 * <li>{@link #copyBaseline}: the same {@code bs} put from a direct buffer into an off-heap region
 *     of the file's size (wrapping from pass to pass): the copy a cache write cannot avoid, with
 *     nothing around it, so {@code cacheWrite / copyBaseline} reads as the share of memory
 *     bandwidth the path keeps.</li>
 * </ul>
 *
 * <p>One invocation is one pass over the file ({@code FILE / bs} calls). A pass that extends a file
 * has an end, and starting the next one (unlink, sync, drop the cache, create) must not be
 * measured, so it is a {@link Level#Invocation} setup; with invocation fixtures JMH times each
 * invocation on its own and sums only those times, so {@link Mode#Throughput} stays honest (a pass
 * lasts milliseconds, far above the fixture's timestamp cost) and several passes make an iteration.
 * Throughput rather than {@link Mode#SingleShotTime}: JMH reports {@code OPERATIONS} auxiliary
 * counters only as rates of a timed mode, so the {@code mib} secondary result is MiB per second
 * straight from JMH's own clock, for all three benchmarks in the same run (read {@code cacheWrite:mib}
 * against {@code copyBaseline:mib}). The primary score is passes per second.
 *
 * <p>The baseline's region and the page cache's folios are different direct memory, and on a VM the
 * bandwidth of the same copy depends on where its memory lies (the same put loop can run at
 * markedly different speeds into two direct buffers of the same size in one JVM): the baseline is the ceiling of this copy into this region, and a cache write whose folios
 * sit in faster memory can exceed it. Read the ratio with that in mind.
 *
 * <p>The {@link Events} secondary results are the engine's counters per MiB moved, the reason for
 * the difference; they are counted between the invocation's start and end, so the resets never
 * count.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PathBench {
    /** Bytes per pass: 256 MiB, larger than any CPU cache, far below the background threshold. */
    static final long FILE = 256L << 20;
    /** The model's RAM: 4 GiB, background threshold 10% = 409 MiB, so a cache pass writes nothing back. */
    static final long MEM = 4L << 30;
    /** Bytes per sync-write pass: 16 MiB (4096 fsyncs at 4K). */
    static final long SYNC_FILE = 16L << 20;
    /** The model's RAM of a writeback pass: 64 MiB, background threshold 6.4 MiB, hard 12.8 MiB. */
    static final long WB_MEM = 64L << 20;

    static int parseBs(String bs) {
        return DeviceBench.parseBs(bs);
    }

    /** Secondary score: MiB moved per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double mib;

        @Setup(Level.Iteration)
        public void reset() {
            mib = 0;
        }
    }

    /**
     * The engine's counters per MiB moved in the iteration's passes. JMH sums {@code EVENTS} over the
     * measured iterations, so each iteration reports its value divided by their number: the result
     * is the mean per iteration (the per-iteration lines show that share).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Events {
        /** {@code path.map_calls} per MiB: get_block (bh) or iomap_begin (iomap) calls. */
        public double mapPerMiB;
        /** Folios allocated per MiB, every order ({@code pagecache.folio_alloc_order_*}). */
        public double foliosPerMiB;
        /** {@code buffer.bh_alloc} per MiB. */
        public double bhPerMiB;
        /** {@code iomap.folio_state_alloc} per MiB. */
        public double folioStatesPerMiB;
        /** Slab objects handed out per MiB, every cache ({@code slab.*.allocs}). */
        public double slabAllocsPerMiB;
        /** Slab objects constructed per MiB ({@code slab.*.grows}): the caches' own JVM allocations. */
        public double slabGrowsPerMiB;
        /**
         * Java heap bytes allocated per call inside the passes (all threads, from the JVM's
         * per-thread allocation counters read at the pass's start and end): the setup between
         * passes is excluded, unlike {@code gc.alloc.rate.norm}.
         */
        public double allocBytesPerCall;

        @Setup(Level.Iteration)
        public void clear() {
            mapPerMiB = foliosPerMiB = bhPerMiB = folioStatesPerMiB = slabAllocsPerMiB = slabGrowsPerMiB = 0;
            allocBytesPerCall = 0;
        }

        void set(Map<String, Long> d, long bytes, int iterations, long allocBytes, long calls) {
            double mib = (double) bytes / (1 << 20) * iterations;
            mapPerMiB = d.getOrDefault(CounterNames.PATH_MAP_CALLS, 0L) / mib;
            foliosPerMiB = org.foliobench.results.TableCounters.sumPrefix(d, CounterNames.PAGECACHE_FOLIO_ALLOC_ORDER_PREFIX) / mib;
            bhPerMiB = d.getOrDefault(CounterNames.BUFFER_BH_ALLOC, 0L) / mib;
            folioStatesPerMiB = d.getOrDefault(CounterNames.IOMAP_FOLIO_STATE_ALLOC, 0L) / mib;
            slabAllocsPerMiB = sumSlab(d, ".allocs") / mib;
            slabGrowsPerMiB = sumSlab(d, ".grows") / mib;
            allocBytesPerCall = calls == 0 ? 0 : (double) allocBytes / calls / iterations;
        }

        static long sumSlab(Map<String, Long> d, String suffix) {
            long n = 0;
            for (Map.Entry<String, Long> e : d.entrySet()) {
                if (e.getKey().startsWith("slab.") && e.getKey().endsWith(suffix)) {
                    n += e.getValue();
                }
            }
            return n;
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Heap bytes every live thread has allocated so far. */
    static long allocatedBytes() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }

    /** A mounted filesystem on a ramdisk, the file of the pass and its counters. */
    @State(Scope.Thread)
    public abstract static class Mount {
        /** The IO path: {@code bh}, {@code iomap} or {@code bhlf} (buffer_head + large folios). */
        @Param({"bh", "iomap", "bhlf"})
        public String path;
        @Param({"4k", "64k", "1m"})
        public String bs;

        long fileBytes = FILE;
        long memBytes = MEM;
        BlockDevice device;
        FileSystem fs;
        IoPath ioPath;
        File file;
        ByteBuffer buf;
        int size;
        Map<String, Long> before;
        /** Counter deltas of the iteration's passes, summed. */
        final Map<String, Long> counted = new HashMap<>();
        long bytesCounted;
        long allocBefore;
        long allocCounted;
        long callsCounted;

        void mount() throws IOException {
            ioPath = IoPath.parse(path);
            size = parseBs(bs);
            device = new RamDisk(2 * fileBytes);
            MountOptions opts = MountOptions.builder()
                    .memBytes(memBytes)
                    .populateMemory(true)
                    .dirtyWritebackCentisecs(0)
                    .build();
            FileSystem.format(device, opts);
            fs = FileSystem.mount(device, opts);
            buf = DmaMemory.allocate(size, 4096);
            for (int i = 0; i < size; i++) {
                buf.put(i, (byte) (i * 31 + 17));
            }
        }

        void startPass() {
            before = fs.counters().snapshot();
            allocBefore = allocatedBytes();
        }

        /** The pass's counter delta, added to the iteration's; returns it. */
        Map<String, Long> endPass() {
            long alloc = allocatedBytes() - allocBefore;
            Map<String, Long> d = Counters.delta(before, fs.counters().snapshot());
            d.forEach((k, v) -> counted.merge(k, v, Long::sum));
            bytesCounted += fileBytes;
            allocCounted += alloc;
            callsCounted += fileBytes / size;
            return d;
        }

        @Setup(Level.Iteration)
        public void startIteration() {
            counted.clear();
            bytesCounted = 0;
            allocCounted = 0;
            callsCounted = 0;
        }

        @TearDown(Level.Iteration)
        public void endIteration(Events ev, IterationParams ip) {
            if (bytesCounted > 0) {
                ev.set(counted, bytesCounted, ip.getCount(), allocCounted, callsCounted);
            }
        }

        int pwrite(long off) throws IOException {
            ByteBuffer b = buf;
            b.clear();
            int n = 0;
            while (b.hasRemaining()) {
                n += file.pwrite(b, off + n);
            }
            return n;
        }

        int pread(long off) throws IOException {
            ByteBuffer b = buf;
            b.clear();
            int n = 0;
            while (b.hasRemaining()) {
                int r = file.pread(b, off + n);
                if (r <= 0) {
                    throw new ErrnoException(Errno.EIO, "short read at " + (off + n) + " of a " + fileBytes + "-byte file");
                }
                n += r;
            }
            return n;
        }

        @TearDown(Level.Trial)
        public void unmount() throws IOException {
            try {
                if (file != null) {
                    file.close();
                    file = null;
                }
                if (fs != null) {
                    fs.unmount();
                }
            } finally {
                if (device != null) {
                    device.close();
                }
            }
        }
    }

    /** The file a cache-write pass extends, new for every pass. */
    @State(Scope.Thread)
    public static class WriteFile extends Mount {
        static final String NAME = "write.dat";

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount();
        }

        /** Not measured: the previous pass's file is unlinked, the unlink committed, the cache emptied, a new file created. */
        @Setup(Level.Invocation)
        public void newFile() throws IOException {
            if (file != null) {
                file.close();
                file = null;
            }
            if (fs.list().contains(NAME)) {
                fs.unlink(NAME);
            }
            fs.sync();
            fs.dropCaches();
            file = fs.open(NAME, ioPath, StandardOpenOption.CREATE_NEW);
            startPass();
        }

        /** Whether a pass must stay in the page cache (a cache write); the sync and writeback passes write back. */
        boolean cacheOnly = true;

        /** A cache pass that wrote anything back is not a cache write: fail rather than report it. */
        @TearDown(Level.Invocation)
        public void check() {
            Map<String, Long> d = endPass();
            long wb = d.getOrDefault(CounterNames.WRITEBACK_PAGES_WRITTEN, 0L);
            if (cacheOnly && wb != 0) {
                throw new IllegalStateException(wb + " pages were written back during a cache-write pass of " + fileBytes
                        + " bytes in " + memBytes + " bytes of page cache");
            }
        }
    }

    /** The file cold-read passes read: laid out and fsync'd once, its cache dropped before every pass. */
    @State(Scope.Thread)
    public static class ReadFile extends Mount {
        static final String NAME = "read.dat";

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount();
            ByteBuffer b = DmaMemory.allocate(1 << 20, 4096);
            for (int i = 0; i < b.capacity(); i++) {
                b.put(i, (byte) (i * 7 + 3));
            }
            try (File f = fs.open(NAME, ioPath, StandardOpenOption.CREATE_NEW)) {
                for (long p = 0; p < fileBytes; p += b.capacity()) {
                    b.clear().limit((int) Math.min(b.capacity(), fileBytes - p));
                    while (b.hasRemaining()) {
                        f.pwrite(b, p + b.position());
                    }
                }
                f.fsync();
            }
            file = fs.open(NAME, ioPath);
        }

        /** Not measured: {@code echo 1 > drop_caches}, so every byte of the pass comes from the device. */
        @Setup(Level.Invocation)
        public void dropCaches() {
            fs.dropCaches();
            startPass();
        }

        @TearDown(Level.Invocation)
        public void count() {
            endPass();
        }
    }

    /**
     * The file a sync-write pass extends (fio {@code fsync=1}, Overwrite=N): new for every pass, each
     * {@code pwrite} followed by {@code fsync}, so every call writes its data back and commits the
     * journal. {@link #SYNC_FILE} bytes per pass: an fsync per call is slow, the pass is kept small.
     */
    @State(Scope.Thread)
    public static class SyncFile extends WriteFile {
        public SyncFile() {
            fileBytes = SYNC_FILE;
            cacheOnly = false;
        }
    }

    /**
     * The file a writeback pass extends (Writeback=Y, Overwrite=N): new for every pass, in a page
     * cache of {@link #WB_MEM} bytes whose dirty thresholds (background 10%, hard 20%) lie far
     * below the file, so the flusher writes back concurrently and the writer is throttled.
     */
    @State(Scope.Thread)
    public static class WritebackFile extends WriteFile {
        public WritebackFile() {
            memBytes = WB_MEM;
            cacheOnly = false;
        }
    }

    /** The copy baseline: {@code bs} from a direct buffer into an off-heap region of the file's size. */
    @State(Scope.Thread)
    public static class Copy {
        @Param({"4k", "64k", "1m"})
        public String bs;

        long regionBytes = FILE;
        ByteBuffer buf;
        ByteBuffer region;
        int size;
        int pos;

        @Setup(Level.Trial)
        public void allocate() {
            size = parseBs(bs);
            buf = DmaMemory.allocate(size, 4096);
            for (int i = 0; i < size; i++) {
                buf.put(i, (byte) (i * 31 + 17));
            }
            region = DmaMemory.allocate((int) regionBytes, 4096);
            for (int i = 0; i < regionBytes; i += 4096) {
                region.put(i, (byte) i); // touched, as populateMemory touches the page cache
            }
        }
    }

    /** One pass of {@code FILE / bs} sequential {@code pwrite}s extending a new file, all in the page cache. */
    @Benchmark
    public long cacheWrite(WriteFile f, Rate rate) throws IOException {
        long n = 0;
        for (long off = 0; off < f.fileBytes; off += f.size) {
            n += f.pwrite(off);
        }
        rate.mib += (double) n / (1 << 20);
        return n;
    }

    /** One pass of sequential {@code pwrite} + {@code fsync} calls extending a new file ({@link #SYNC_FILE} bytes). */
    @Benchmark
    public long syncWrite(SyncFile f, Rate rate) throws IOException {
        long n = 0;
        for (long off = 0; off < f.fileBytes; off += f.size) {
            n += f.pwrite(off);
            f.file.fsync();
        }
        rate.mib += (double) n / (1 << 20);
        return n;
    }

    /** One pass of {@code FILE / bs} sequential {@code pwrite}s extending a new file, written back concurrently. */
    @Benchmark
    public long writebackWrite(WritebackFile f, Rate rate) throws IOException {
        long n = 0;
        for (long off = 0; off < f.fileBytes; off += f.size) {
            n += f.pwrite(off);
        }
        rate.mib += (double) n / (1 << 20);
        return n;
    }

    /** One pass of {@code FILE / bs} sequential {@code pread}s of a file whose cache was dropped. */
    @Benchmark
    public long coldRead(ReadFile f, Rate rate) throws IOException {
        long n = 0;
        for (long off = 0; off < f.fileBytes; off += f.size) {
            n += f.pread(off);
        }
        rate.mib += (double) n / (1 << 20);
        return n;
    }

    /** One pass of {@code FILE / bs} puts into the region: the memory-bandwidth ceiling of {@link #cacheWrite}. */
    @Benchmark
    public ByteBuffer copyBaseline(Copy c, Rate rate) {
        ByteBuffer r = c.region;
        for (long off = 0; off < c.regionBytes; off += c.size) {
            r.put(c.pos, c.buf, 0, c.size);
            c.pos = c.pos + c.size >= c.regionBytes ? 0 : c.pos + c.size;
        }
        rate.mib += (double) c.regionBytes / (1 << 20);
        return r;
    }
}
