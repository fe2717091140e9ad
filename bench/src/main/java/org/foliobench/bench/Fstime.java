package org.foliobench.bench;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.device.RamDisk;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.CounterNames;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;

/**
 * Unixbench's fstime file-copy tests ({@code ./Run -c N fstime fsbuffer fsdisk}, the table of
 * patch 33/34): each of N parallel copies owns a source file of {@code maxblocks} blocks of
 * {@code bufsize} bytes and a destination, and for the duration reads the source
 * {@code bufsize} bytes at a time and writes each block to the destination, starting both over
 * at the source's end ({@code c_test} in fstime.c); its score is the KiB copied per second, the
 * test's the sum over copies (Unixbench's "KBps"). Here the copies are threads on one mounted
 * RamDisk filesystem (Unixbench's are processes in one directory tree on a 100 GB ramdisk), and
 * the duration is a wall-clock deadline checked by the copies, as fstime's {@code alarm()}; each
 * copy first runs as long unmeasured (the JIT compiles the copy loop meanwhile).
 *
 * <p>Besides the score it records the journal state-lock acquisitions ({@code
 * jbd2_transaction_committed} from {@code ext4_inode_datasync_dirty}) per MiB copied and how many
 * found the lock held: the mechanism patch 33 removes from the buffered iomap path.
 */
final class Fstime {
    /** One fstime test: "File Copy {bufsize} bufsize {maxblocks} maxblocks". */
    record Test(String name, int bufsize, int maxblocks) {
        @Override
        public String toString() {
            return "File Copy " + bufsize + " bufsize " + maxblocks + " maxblocks";
        }
    }

    /** The three copy tests of {@code fstime fsbuffer fsdisk}, in the order of the patch's table. */
    static final List<Test> TESTS = List.of(new Test("fstime", 1024, 2000), new Test("fsbuffer", 256, 500),
            new Test("fsdisk", 4096, 8000));

    /** What one case measured. */
    record Result(Test test, IoPath path, IomapDirtyCheck check, int copies, double kbps, double seconds, long bytes,
            long lockChecks, long lockContended) {
        double checksPerMiB() {
            return lockChecks / (bytes / 1048576.0);
        }

        double contendedPerMiB() {
            return lockContended / (bytes / 1048576.0);
        }
    }

    private Fstime() {
    }

    /** Runs {@code copies} copies of {@code test} for {@code seconds} on {@code path} with the dirty check {@code check}. */
    static Result run(Test test, IoPath path, IomapDirtyCheck check, int copies, double seconds) throws Exception {
        long fileBytes = (long) test.bufsize * test.maxblocks;
        RamDisk dev = new RamDisk(2 * copies * fileBytes + (64L << 20));
        MountOptions o = MountOptions.builder().memBytes(Math.max(64L << 20, 2 * copies * fileBytes + (32L << 20)))
                .iomapDirtyCheck(check).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        try {
            List<File[]> files = new ArrayList<>();
            byte[] src = new byte[(int) fileBytes];
            new java.util.Random(33).nextBytes(src);
            for (int i = 0; i < copies; i++) {
                File s = fs.open("copy" + i + ".dummy0", path, StandardOpenOption.CREATE_NEW);
                s.pwrite(ByteBuffer.wrap(src), 0); // fstime's write test leaves the source
                File d = fs.open("copy" + i + ".dummy1", path, StandardOpenOption.CREATE_NEW);
                files.add(new File[] {s, d});
            }
            fs.sync();
            long[] base = new long[2];
            long[] blocks = new long[copies];
            double[] secs = new double[copies];
            CyclicBarrier start = new CyclicBarrier(copies);
            // after the warmup (as long as the measurement, for the JIT): the counters' baseline
            CyclicBarrier measure = new CyclicBarrier(copies, () -> {
                base[0] = fs.counters().get(CounterNames.JBD2_STATE_LOCK_COMMITTED_CHECKS);
                base[1] = fs.counters().get(CounterNames.JBD2_STATE_LOCK_COMMITTED_CONTENDED);
            });
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                final int c = i;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        long[] pos = {0};
                        copy(files.get(c)[0], files.get(c)[1], test.bufsize, seconds, pos, blocks, secs, c);
                        measure.await();
                        copy(files.get(c)[0], files.get(c)[1], test.bufsize, seconds, pos, blocks, secs, c);
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                        start.reset();
                        measure.reset();
                    }
                }, "fstime-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("fstime copy failed: " + failed.get(), failed.get());
            }
            long checks0 = base[0];
            long cont0 = base[1];
            long checks = fs.counters().get(CounterNames.JBD2_STATE_LOCK_COMMITTED_CHECKS) - checks0;
            long cont = fs.counters().get(CounterNames.JBD2_STATE_LOCK_COMMITTED_CONTENDED) - cont0;
            double kbps = 0;
            long bytes = 0;
            double maxSecs = 0;
            for (int i = 0; i < copies; i++) {
                kbps += blocks[i] * test.bufsize / 1024.0 / secs[i];
                bytes += blocks[i] * test.bufsize;
                maxSecs = Math.max(maxSecs, secs[i]);
            }
            for (File[] f : files) {
                verifyCopy(f[0], f[1], test.bufsize);
                f[0].close();
                f[1].close();
            }
            return new Result(test, path, check, copies, kbps, maxSecs, bytes, checks, cont);
        } finally {
            fs.unmount();
            dev.close(); // its memory goes back now, not when the collector finds it
        }
    }

    /** fstime.c {@code c_test}: read a block, write it, start both files over at the source's end. */
    private static void copy(File s, File d, int bufsize, double seconds, long[] at, long[] blocks, double[] secs, int c)
            throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(bufsize);
        long pos = at[0];
        long n = 0;
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (seconds * 1e9);
        long now;
        do {
            for (int k = 0; k < 64; k++) {
                buf.clear();
                int r = s.pread(buf, pos);
                if (r <= 0) {
                    pos = 0; // lseek(f, 0, 0); lseek(g, 0, 0)
                    continue;
                }
                buf.flip();
                d.pwrite(buf, pos);
                pos += r;
                n++;
            }
            now = System.nanoTime();
        } while (now < deadline);
        at[0] = pos;
        blocks[c] = n;
        secs[c] = (now - t0) / 1e9;
    }

    /** The destination holds the source's bytes wherever the copy reached. */
    private static void verifyCopy(File s, File d, int bufsize) throws Exception {
        long len = d.size();
        ByteBuffer a = ByteBuffer.allocate((int) len);
        ByteBuffer b = ByteBuffer.allocate((int) len);
        s.pread(a, 0);
        d.pread(b, 0);
        a.flip();
        b.flip();
        if (len == 0 || !a.equals(b)) {
            throw new IllegalStateException("fstime: " + d.name() + " differs from its source over " + len + " bytes");
        }
    }
}
