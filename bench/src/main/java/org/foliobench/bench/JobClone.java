package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.DmaMemory;
import org.foliobench.vfs.File;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.VerifyMode;

/**
 * One thread of a fio job ({@code numjobs} makes several, fio's clones): its file, its IO buffer, where
 * it is in the file and its latency sampling. {@link #run} is fio's {@code do_io()} loop for psync:
 * {@code bs}-byte calls at increasing offsets over the whole blocks of {@code size}, {@code fsync=N}
 * / {@code fdatasync=N} every N writes, with {@code time_based} wrapping to offset 0 until the
 * deadline, without it stopping at the end of the file or the deadline, whichever comes first;
 * {@code end_fsync} after the writes. With {@code verify=crc32c} every block written gets fio's
 * header and checksum and every block read is checked.
 */
final class JobClone {
    final int index;
    final String filename;
    private final int bs;
    private final long end;
    private final boolean write;
    private final int fsyncEvery;
    private final int fdatasyncEvery;
    private final boolean timeBased;
    private final boolean endFsync;
    private final boolean verify;
    /** {@code atomic=1}: every write is {@code pwritev2(..., RWF_ATOMIC)}. */
    private final int writeFlags;
    private final ByteBuffer buf;
    private final int dataCrc;

    /** The open file of the run in progress. */
    File file;
    /** The next offset. */
    long offset;
    /** Writes since the file was opened: {@code fsync=N} counts them, and fio's {@code numberio}. */
    long writes;
    /** Calls and bytes of the last {@link #run}. */
    long ops;
    long bytes;
    /** How far into the file the writes of the current run reached (all of it once wrapped): what do_verify reads back. */
    long reach;
    /** Calls left until the next timed one (1: the next call is timed). */
    private long untimed = 1;
    /** xorshift state for the random gaps between timed calls (fixed seed per clone: runs repeat). */
    private long rng;

    JobClone(JobSpec job, int index) {
        this.index = index;
        this.filename = job.filename(index);
        this.bs = job.bs();
        this.end = job.iosPerPass() * job.bs();
        this.write = job.rw().isWrite();
        this.fsyncEvery = job.fsync();
        this.fdatasyncEvery = job.fdatasync();
        this.timeBased = job.timeBased();
        this.endFsync = job.endFsync() && write;
        this.verify = job.verify() == VerifyMode.CRC32C;
        this.writeFlags = job.atomic() ? File.RWF_ATOMIC : 0;
        this.rng = 0x9E3779B97F4A7C15L + index;
        buf = DmaMemory.allocate(bs, 4096);
        fill(buf);
        dataCrc = verify ? FioVerify.dataCrc(buf, bs) : 0;
    }

    /** The data every write carries (after the verify header, when there is one). */
    static void fill(ByteBuffer b) {
        for (int j = 0; j < b.capacity(); j++) {
            b.put(j, (byte) (j * 31 + 17));
        }
    }

    /** How fio opens the job's file: {@code O_DIRECT} for {@code direct=1}. */
    static java.nio.file.OpenOption[] openOptions(JobSpec job) {
        return job.direct() ? new java.nio.file.OpenOption[] {com.sun.nio.file.ExtendedOpenOption.DIRECT}
                : new java.nio.file.OpenOption[0];
    }

    /** A fresh run over {@code f}: offset 0, nothing written yet. */
    void open(File f) {
        file = f;
        offset = 0;
        writes = 0;
        reach = 0;
        untimed = 1;
    }

    void close() {
        if (file != null) {
            file.close();
            file = null;
        }
    }

    /**
     * Issues the job's calls from {@link #offset} until the file's whole blocks are done or, when
     * {@code deadline} is not {@link Long#MAX_VALUE}, {@code System.nanoTime()} passes it (a time-based
     * job wraps to offset 0 until then), then {@code end_fsync} unless {@code ramp}. Calls are timed
     * into {@code lat} at random 1 in {@code period} (null: none).
     */
    void run(long deadline, boolean ramp, LatencyLog lat, int period) throws IOException {
        boolean timed = deadline != Long.MAX_VALUE;
        long n0 = 0;
        long b0 = 0;
        long off = offset;
        ByteBuffer b = buf;
        for (;;) {
            if (off >= end) {
                if (!timeBased) {
                    break;
                }
                off = 0;
                reach = end;
            }
            b.clear().limit(bs);
            int n;
            if (lat != null && --untimed <= 0) {
                long t0 = System.nanoTime();
                n = io(b, off);
                long t1 = System.nanoTime();
                lat.record(index, t1 - t0);
                if (syncDue()) {
                    sync();
                    lat.recordSync(index, System.nanoTime() - t1);
                }
                untimed = nextGap(period);
            } else {
                n = io(b, off);
                if (syncDue()) {
                    sync();
                }
            }
            n0++;
            b0 += n;
            off += bs;
            if (timed && System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        offset = off;
        reach = Math.max(reach, off);
        ops = n0;
        bytes = b0;
        if (endFsync && !ramp) {
            file.fsync();
        }
    }

    /** After the write just made, is an {@code fsync=N} or {@code fdatasync=N} due? */
    private boolean syncDue() {
        return write && (fsyncEvery > 0 && writes % fsyncEvery == 0 || fdatasyncEvery > 0 && writes % fdatasyncEvery == 0);
    }

    /** fio's sync after every N writes: fsync for {@code fsync=N}, fdatasync for {@code fdatasync=N} (both when both are due). */
    private void sync() throws IOException {
        if (fsyncEvery > 0 && writes % fsyncEvery == 0) {
            file.fsync();
        }
        if (fdatasyncEvery > 0 && writes % fdatasyncEvery == 0) {
            file.fdatasync();
        }
    }

    /** One data call: a {@code bs}-byte pwrite (counted in {@link #writes}) or pread at {@code off}. */
    private int io(ByteBuffer b, long off) throws IOException {
        int n = 0;
        if (write) {
            long w = ++writes;
            if (verify) {
                FioVerify.fill(b, bs, index, off, w, index, dataCrc);
            }
            while (b.hasRemaining()) {
                n += file.pwritev2(b, off + n, writeFlags);
            }
        } else {
            while (b.hasRemaining()) {
                int r = file.pread(b, off + n);
                if (r <= 0) {
                    throw new ErrnoException(Errno.EIO, "short read at " + (off + n) + " of " + filename + " ("
                            + file.size() + " bytes)");
                }
                n += r;
            }
            if (verify) {
                FioVerify.check(b, bs, off, filename);
            }
        }
        return n;
    }

    /**
     * fio's {@code do_verify()} for this clone's writes: every whole block up to {@link #reach} read
     * back from {@code f} (the caller synced and dropped the cache first) and checked.
     */
    void verifyWritten(File f) throws IOException {
        ByteBuffer b = buf;
        for (long off = 0; off < reach; off += bs) {
            b.clear().limit(bs);
            while (b.hasRemaining()) {
                if (f.pread(b, off + b.position()) <= 0) {
                    throw new FioVerify.Failure("verify: short read at file " + filename + " offset " + off);
                }
            }
            FioVerify.check(b, bs, off, filename);
        }
        fill(b); // the next writes carry the data again, whatever was read back
    }

    /**
     * The gap to the next timed call: uniform in [1, 2P-1] (mean P), random so that no periodic
     * pattern of the path (a folio allocation every 512 calls, a writeback batch) aliases with it.
     */
    long nextGap(int period) {
        if (period == 1) {
            return 1;
        }
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        return 1 + ((x >>> 1) % (2L * period - 1));
    }
}
