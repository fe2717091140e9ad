package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DmaMemory;
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

/**
 * Raw device throughput: sequential {@code bs}-sized single-segment bios over a {@link #REGION}
 * region (wrapping) on each backend, next to a plain off-heap copy of the same sizes over a region
 * of the same size, so a backend's figure reads as a fraction of memory bandwidth. Score is bios
 * per second; the {@code bytes} secondary score is bytes per second.
 *
 * <p>File-backed devices live in a fresh directory under {@code -Dfoliobench.tmpdir} (default
 * {@code java.io.tmpdir}, which must be on a filesystem that supports O_DIRECT for {@code direct})
 * and are deleted at teardown.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DeviceBench {
    /** The region each benchmark walks: larger than any CPU cache, small enough for 2 cores / 24 GiB. */
    static final int REGION = 256 << 20;

    static int parseBs(String bs) {
        return (int) DeviceSpec.parseSize("bs=" + bs, bs);
    }

    /** Secondary score: bytes moved per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @State(Scope.Thread)
    public static class Device {
        @Param({"ramdisk", "file", "direct"})
        public String backend;
        @Param({"4k", "64k", "1m"})
        public String bs;

        BlockDevice dev;
        ByteBuffer buf;
        int size;
        long pos;
        Path dir;

        @Setup(Level.Trial)
        public void open() throws IOException {
            size = parseBs(bs);
            buf = DmaMemory.allocate(size, 4096);
            String spec;
            if (backend.equals("ramdisk")) {
                spec = "ramdisk:size=" + REGION;
            } else {
                Path base = Path.of(System.getProperty("foliobench.tmpdir", System.getProperty("java.io.tmpdir")));
                dir = Files.createTempDirectory(base, "foliobench-devicebench");
                spec = backend + ":" + dir.resolve(backend + ".img") + ",size=" + REGION;
            }
            dev = DeviceSpec.parse(spec).open();
            // Lay the whole region out once, so reads find data and the ramdisk's chunks exist.
            ByteBuffer fill = DmaMemory.allocate(1 << 20, 4096);
            for (int i = 0; i < fill.capacity(); i++) {
                fill.put(i, (byte) (i * 31 + 7));
            }
            for (long p = 0; p < REGION; p += fill.capacity()) {
                Bio b = new Bio(Bio.Op.WRITE, p >> Bio.SECTOR_SHIFT, 1);
                b.addSegment(fill, 0, fill.capacity());
                dev.submitWait(b);
                check(b);
            }
            dev.flush();
            System.out.println("\n# device: " + dev.describe());
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            System.out.println("\n# diskstats: " + dev.stats());
            dev.close();
            if (dir != null) {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                        Files.delete(p);
                    }
                }
            }
        }

        long next() {
            long p = pos;
            pos = p + size >= REGION ? 0 : p + size;
            return p;
        }
    }

    static void check(Bio b) {
        if (b.status() != null) {
            throw new IllegalStateException(b + " failed: " + b.status(), b.status());
        }
    }

    @Benchmark
    public Bio seqWrite(Device d, Bytes bytes) {
        Bio b = new Bio(Bio.Op.WRITE, d.next() >> Bio.SECTOR_SHIFT, 1);
        b.addSegment(d.buf, 0, d.size);
        d.dev.submitWait(b);
        check(b);
        bytes.bytes += d.size;
        return b;
    }

    @Benchmark
    public Bio seqRead(Device d, Bytes bytes) {
        Bio b = new Bio(Bio.Op.READ, d.next() >> Bio.SECTOR_SHIFT, 1);
        b.addSegment(d.buf, 0, d.size);
        d.dev.submitWait(b);
        check(b);
        bytes.bytes += d.size;
        return b;
    }

    /** The memory-bandwidth yardstick: the same bs and region, no device in between. */
    @State(Scope.Thread)
    public static class Copy {
        @Param({"4k", "64k", "1m"})
        public String bs;

        ByteBuffer buf;
        ByteBuffer region;
        int size;
        int pos;

        @Setup(Level.Trial)
        public void allocate() {
            size = parseBs(bs);
            buf = DmaMemory.allocate(size, 4096);
            region = DmaMemory.allocate(REGION, 4096);
            for (int i = 0; i < REGION; i += 4096) {
                region.put(i, (byte) i);
            }
        }

        int next() {
            int p = pos;
            pos = p + size >= REGION ? 0 : p + size;
            return p;
        }
    }

    /** Copy {@code bs} from one buffer into the region, as a write copies into the ramdisk. */
    @Benchmark
    public ByteBuffer copyBaseline(Copy c, Bytes bytes) {
        bytes.bytes += c.size;
        return c.region.put(c.next(), c.buf, 0, c.size);
    }

    /** Copy {@code bs} out of the region into one buffer, as a read copies out of the ramdisk. */
    @Benchmark
    public ByteBuffer copyBaselineRead(Copy c, Bytes bytes) {
        bytes.bytes += c.size;
        return c.buf.put(0, c.region, c.next(), c.size);
    }
}
