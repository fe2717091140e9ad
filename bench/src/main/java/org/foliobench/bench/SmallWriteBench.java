package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.foliobench.BhPartialWalk;
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
 * Small writes rewriting a cached file, per call, in the spirit of libMicro's {@code write_u1k} /
 * {@code write_u10k} (the cases of the packaged small-overwrite-regression-2026.csv):
 * sequential {@code pwrite}s of {@code bs} (1 KiB or 10 KiB) from offset 0 over a {@link #FILE}-byte
 * file that was written in 2 MiB calls and fsync'd at trial setup, wrapping to 0 at its end. The
 * file stays in the page cache (large folios on bhlf and iomap, order-0 on bh); its blocks are
 * allocated, so a call is {@code write_begin} on a cached, uptodate folio, the copy and
 * {@code write_end}: on bhlf a partial write into an order-9 folio of 512 BufferHeads. Nothing is
 * written back during the measurement (periodic writeback off, the file far below the dirty
 * thresholds).
 *
 * <p>{@code path}: {@code bh} (order-0 buffer_head, v6.12), {@code bhlf} (buffer_head + large
 * folios walking every buffer, v6.16-6.18), {@code bhlf-range} (the same with
 * {@code fb_bh_partial_walk=range}, the June 2026 fix) and {@code iomap}. The score is time per
 * call; {@link Walk} reports the buffers each call's write_begin and commit_write examined, the
 * {@code b_this_page} links followed to reach the written range ({@code get_nth_bh}) and the bytes
 * the benchmark thread allocated per call.
 * {@code foliobench smallwrite} runs it and prints the table beside the published one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SmallWriteBench {
    /** The rewritten file: 8 MiB, four order-9 folios on the large-folio paths. */
    static final long FILE = 8L << 20;
    /** The model's RAM: 512 MiB, background threshold 51 MiB, far above the file. */
    static final long MEM = 512L << 20;
    /** The chunk the file is laid out with: one order-9 folio per call on bhlf and iomap. */
    static final int LAYOUT_CHUNK = 2 << 20;

    /** The variants, in table order: the path and, for bhlf, its {@code fb_bh_partial_walk}. */
    static final String[] PATHS = {IoPath.BH_NAME, IoPath.BHLF_NAME, SmallWriteBench.BHLF_RANGE, IoPath.IOMAP_NAME};
    /** The variant bhlf with {@code fb_bh_partial_walk=range}. */
    static final String BHLF_RANGE = IoPath.BHLF_NAME + "-range";

    /** The IO path of a variant ({@code bhlf-range} is bhlf). */
    static IoPath ioPath(String variant) {
        return variant.equals(BHLF_RANGE) ? IoPath.BUFFER_HEAD_LARGE_FOLIO : IoPath.parse(variant);
    }

    /** The partial walk of a variant. */
    static BhPartialWalk walk(String variant) {
        return variant.equals(BHLF_RANGE) ? BhPartialWalk.RANGE : BhPartialWalk.FULL;
    }

    /** Buffers examined per call (write_begin + commit_write), from {@code buffer.walk_bhs}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Walk {
        public double bhsPerCall;
        /** Buffers examined per write_begin ({@code buffer.walk_bhs / buffer.walk_writes}; 0 on iomap). */
        public double bhsPerWrite;
        /** Links followed to the range's first buffer without examining it ({@code buffer.walk_skips}). */
        public double skipsPerCall;
        /** get_block / iomap_begin calls per call. */
        public double mapPerCall;
        /** Bytes the benchmark thread allocated per call on the Java heap (the JVM's per-thread count). */
        public double allocBytesPerCall;

        @Setup(Level.Iteration)
        public void clear() {
            bhsPerCall = bhsPerWrite = skipsPerCall = mapPerCall = allocBytesPerCall = 0;
        }
    }

    /** The JVM's count of bytes the current thread allocated, or -1 when the JVM does not keep it. */
    static long threadAllocatedBytes() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        if (t instanceof com.sun.management.ThreadMXBean) {
            com.sun.management.ThreadMXBean s = (com.sun.management.ThreadMXBean) t;
            if (s.isThreadAllocatedMemorySupported() && s.isThreadAllocatedMemoryEnabled()) {
                return s.getThreadAllocatedBytes(Thread.currentThread().getId());
            }
        }
        return -1;
    }

    @State(Scope.Thread)
    public static class Cached {
        @Param({IoPath.BH_NAME, IoPath.BHLF_NAME, SmallWriteBench.BHLF_RANGE, IoPath.IOMAP_NAME})
        public String path;
        @Param({"1k", "10k"})
        public String bs;

        BlockDevice device;
        FileSystem fs;
        File file;
        ByteBuffer buf;
        int size;
        long off;
        long calls;
        Map<String, Long> before;
        long allocBefore;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            size = PathBench.parseBs(bs);
            device = new RamDisk(4 * FILE);
            MountOptions opts = MountOptions.builder()
                    .memBytes(MEM)
                    .populateMemory(true)
                    .dirtyWritebackCentisecs(0)
                    .bhPartialWalk(walk(path))
                    .build();
            FileSystem.format(device, opts);
            fs = FileSystem.mount(device, opts);
            ByteBuffer chunk = DmaMemory.allocate(LAYOUT_CHUNK, 4096);
            for (int i = 0; i < LAYOUT_CHUNK; i++) {
                chunk.put(i, (byte) (i * 7 + 3));
            }
            file = fs.open("small.dat", ioPath(path), StandardOpenOption.CREATE_NEW);
            for (long p = 0; p < FILE; p += LAYOUT_CHUNK) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    file.pwrite(chunk, p + chunk.position());
                }
            }
            file.fsync();
            buf = DmaMemory.allocate(size, 4096);
            for (int i = 0; i < size; i++) {
                buf.put(i, (byte) (i * 31 + 17));
            }
        }

        @Setup(Level.Iteration)
        public void startIteration() {
            calls = 0;
            before = fs.counters().snapshot();
            allocBefore = threadAllocatedBytes(); // last: the snapshot's own allocation is not counted
        }

        @TearDown(Level.Iteration)
        public void endIteration(Walk w, IterationParams ip) throws IOException {
            long allocAfter = threadAllocatedBytes(); // first, before this method allocates
            Map<String, Long> d = Counters.delta(before, fs.counters().snapshot());
            long wb = d.getOrDefault(CounterNames.WRITEBACK_PAGES_WRITTEN, 0L);
            if (wb != 0) {
                throw new IllegalStateException(wb + " pages were written back while rewriting a cached file");
            }
            if (calls > 0) {
                // JMH sums EVENTS over the measured iterations: report each iteration's share of the mean
                double n = (double) calls * ip.getCount();
                w.bhsPerCall = d.getOrDefault(CounterNames.BUFFER_WALK_BHS, 0L) / n;
                w.skipsPerCall = d.getOrDefault(CounterNames.BUFFER_WALK_SKIPS, 0L) / n;
                w.mapPerCall = d.getOrDefault(CounterNames.PATH_MAP_CALLS, 0L) / n;
                long writes = d.getOrDefault(CounterNames.BUFFER_WALK_WRITES, 0L);
                w.bhsPerWrite = writes == 0 ? 0 : d.getOrDefault(CounterNames.BUFFER_WALK_BHS, 0L) / (double) writes / ip.getCount();
                w.allocBytesPerCall = allocBefore < 0 || allocAfter < 0 ? Double.NaN : (allocAfter - allocBefore) / n;
            }
            file.fsync(); // the next iteration starts clean, as a libMicro batch on a written-back file
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                if (file != null) {
                    file.close();
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

    /** One {@code pwrite} of {@code bs} at the next offset, wrapping at the end of the file. */
    @Benchmark
    public int write(Cached c) throws IOException {
        ByteBuffer b = c.buf;
        b.clear();
        long off = c.off;
        if (off + c.size > FILE) {
            off = 0;
        }
        int n = 0;
        while (b.hasRemaining()) {
            n += c.file.pwrite(b, off + n);
        }
        c.off = off + n;
        c.calls++;
        return n;
    }
}
