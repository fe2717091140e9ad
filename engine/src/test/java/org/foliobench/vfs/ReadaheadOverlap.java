package org.foliobench.vfs;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.Counters;

/**
 * A measurement, not a test (surefire runs {@code *Test} classes only): a sequential buffered read
 * of a laid-out file with a cold cache, once per path, showing how async readahead overlaps the
 * device with the reader's copying on a device with a request queue. Per pass it prints the
 * reader's time, the device's busy time (diskstats), the time the reader slept on locked folios
 * (a read in flight: {@code filemap.read_locked_wait_ns}), and the request queue's depth.
 * Device time minus reader sleep is device time the reader did not wait for: overlapped.
 *
 * <pre>
 * mvn -B -ntp -o -q -pl engine test-compile
 * java -cp engine/target/classes:engine/target/test-classes org.foliobench.vfs.ReadaheadOverlap \
 *     direct:/var/tmp/ra.img,size=1g 256m 4k
 * </pre>
 */
public final class ReadaheadOverlap {
    private ReadaheadOverlap() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ReadaheadOverlap DEVICE-SPEC FILE-SIZE BS (e.g. direct:/var/tmp/ra.img,size=1g 256m 4k)");
            System.exit(2);
        }
        long size = DeviceSpec.parseSize(args[1], args[1]);
        int bs = (int) DeviceSpec.parseSize(args[2], args[2]);
        try (BlockDevice dev = DeviceSpec.parse(args[0]).open()) {
            System.out.println("# " + dev.describe());
            for (IoPath path : new IoPath[] {IoPath.BUFFER_HEAD, IoPath.IOMAP, IoPath.BUFFER_HEAD, IoPath.IOMAP}) {
                pass(dev, path, size, bs);
            }
        }
    }

    private static void pass(BlockDevice dev, IoPath path, long size, int bs) throws Exception {
        Counters c = new Counters();
        MountOptions o = MountOptions.builder().counters(c).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (File f = fs.open("seq", path, StandardOpenOption.CREATE)) {
            for (long p = 0; p < size; p += buf.capacity()) {
                f.pwrite(buf.clear(), p);
            }
            f.fsync();
        }
        fs.dropCaches();
        ByteBuffer rb = ByteBuffer.allocateDirect(bs);
        long ios0 = dev.stats().ios(Bio.Op.READ);
        long devNs0 = dev.stats().nanos(Bio.Op.READ);
        long req0 = dev.counters().get("blk.requests");
        long depth0 = dev.counters().get("blk.inflight_sum");
        long waits0 = c.get("filemap.read_locked_waits");
        long waitNs0 = c.get("filemap.read_locked_wait_ns");
        long t0 = System.nanoTime();
        try (File f = fs.open("seq", path)) {
            for (long p = 0; p < size; p += bs) {
                f.pread(rb.clear(), p);
            }
        }
        long readerNs = System.nanoTime() - t0;
        long ios = dev.stats().ios(Bio.Op.READ) - ios0;
        long devNs = dev.stats().nanos(Bio.Op.READ) - devNs0;
        long reqs = dev.counters().get("blk.requests") - req0;
        long depth = dev.counters().get("blk.inflight_sum") - depth0;
        long waits = c.get("filemap.read_locked_waits") - waits0;
        long waitNs = c.get("filemap.read_locked_wait_ns") - waitNs0;
        fs.unmount();
        System.out.printf(Locale.ROOT, "%-11s bs=%-7d reader %7.1f ms (%6.0f MiB/s) | device reads %6d, busy %7.1f ms"
                        + " | reader slept on locked folios %6d times, %7.1f ms | overlapped %7.1f ms"
                        + " | queue: %d requests, avg depth at submit %.2f, max in flight %d%n",
                path, bs, readerNs / 1e6, size / (readerNs / 1e9) / (1 << 20), ios, devNs / 1e6, waits, waitNs / 1e6,
                Math.max(0, devNs - waitNs) / 1e6, reqs, reqs == 0 ? 0.0 : (double) depth / reqs, dev.inflightMax());
    }
}
