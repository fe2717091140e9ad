package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.foliobench.Tunable;
import org.foliobench.Tunables;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DmaMemory;
import org.foliobench.iopath.IoPath;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.foliobench.workloads.FallocateMode;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.VerifyMode;

/**
 * The files of a row on its filesystem, as fio's file setup ({@code filesetup.c}) makes them: the
 * filesystem formatted and mounted with the job's tunables, the job's files laid out, recreated
 * (unlink, create, fallocate) and, for {@code fb_reflink=1}, copied by reflink before a sweep.
 */
final class FioFiles {
    private final Workload workload;
    private final JobSpec job;
    private final FileSystem fs;

    FioFiles(Workload workload, FileSystem fs) {
        this.workload = workload;
        this.job = workload.job();
        this.fs = fs;
    }

    /** {@code mkfs} and {@code mount} of the row's device with the job's tunables. */
    static FileSystem mount(BlockDevice device, JobSpec job) throws IOException {
        MountOptions opts = mountOptions(job);
        FileSystem.format(device, opts);
        return FileSystem.mount(device, opts);
    }

    static MountOptions mountOptions(JobSpec job) {
        MountOptions.Builder b = MountOptions.builder().populateMemory(true);
        for (Tunable<?> t : JobSpec.TUNABLES) {
            if (t != Tunables.MEM || job.memBytes() != 0) { // fb_mem unset: the engine's default
                set(b, t, job);
            }
        }
        return b.build();
    }

    private static <T> void set(MountOptions.Builder b, Tunable<T> t, JobSpec job) {
        b.set(t, job.get(t));
    }

    /**
     * fio's file setup ({@code filesetup.c}): the setup jobs first (recreate, fallocate), then the
     * measured job's: a read or overwrite job whose file is missing or short lays it out (written
     * sequentially, fsync'd with {@code create_fsync}); a file of at least {@code size} bytes is used
     * as it is. Append jobs ({@code append}) recreate their files before every sweep. Every clone's
     * file is set up.
     */
    void layOut(IoPath p, boolean append) throws IOException {
        List<String> files = job.files();
        for (JobSpec s : workload.setup()) {
            for (String name : s.files()) {
                if (files.contains(name)) {
                    recreate(name, s, p);
                    if (s.laysOutFile()) {
                        writeOut(name, s, p);
                    }
                }
            }
        }
        for (String name : files) {
            if (!append && currentSize(name, p) < job.size()) {
                recreate(name, job, p);
                writeOut(name, job, p);
            }
        }
    }

    long currentSize(String name, IoPath p) throws IOException {
        if (!fs.list().contains(name)) {
            return -1;
        }
        try (File f = fs.open(name, p)) {
            return f.size();
        }
    }

    /** unlink + create + fallocate of {@code s}'s file {@code name}, as fio's extend_file() starts. */
    void recreate(String name, JobSpec s, IoPath p) throws IOException {
        if (fs.list().contains(name)) {
            fs.unlink(name);
        }
        try (File f = fs.open(name, p, StandardOpenOption.CREATE_NEW)) {
            if (s.fallocate() == FallocateMode.TRUNCATE) {
                f.truncate(s.size());
            }
            // native/posix/keep preallocate nothing here: the parser allows them only for a file laid out next
        }
    }

    /**
     * Sequential writes of the whole file, fsync'd if create_fsync. When the measured job verifies,
     * every whole block of its {@code bs} carries fio's verify header, so its reads check out.
     */
    void writeOut(String name, JobSpec s, IoPath p) throws IOException {
        boolean verify = job.verify() == VerifyMode.CRC32C;
        int bs = job.bs();
        int chunk = verify ? Math.max(1, (1 << 20) / bs) * bs : 1 << 20;
        ByteBuffer b = DmaMemory.allocate(chunk, 4096);
        for (int i = 0; i < chunk; i++) {
            b.put(i, (byte) (i * 7 + 3));
        }
        long blocks = job.iosPerPass() * bs;
        try (File f = fs.open(name, p)) {
            for (long q = 0; q < s.size(); q += chunk) {
                b.clear().limit((int) Math.min(chunk, s.size() - q));
                for (int k = 0; verify && k + bs <= b.limit() && q + k + bs <= blocks; k += bs) {
                    ByteBuffer block = b.slice(k, bs);
                    FioVerify.fill(block, bs, 0, q + k, 0, 0, FioVerify.dataCrc(block, bs));
                }
                while (b.hasRemaining()) {
                    f.pwrite(b, q + b.position());
                }
            }
            if (s.createFsync()) {
                f.fsync();
            }
        }
    }

    /**
     * An append sweep's start (fio's recreate for overwrite=0): unlink the job's files, commit the
     * unlink so the freed blocks are reusable and the journal idle, drop the cache, recreate them.
     */
    void recreateForAppend(IoPath p) throws IOException {
        for (String name : job.files()) {
            if (fs.list().contains(name)) {
                fs.unlink(name);
            }
        }
        fs.sync(); // commit the unlink: the freed blocks are reusable, the journal is idle
        fs.dropCaches();
        for (String name : job.files()) {
            recreate(name, job, p);
        }
    }

    /**
     * {@code fb_reflink=1}: {@code cp --reflink} of every file of the job to
     * {@link JobSpec#reflinkName}, replacing the previous copy (whose unlink drops the blocks the
     * last sweep's copy on write left it alone holding), so this sweep overwrites shared blocks.
     */
    void reflink(IoPath p) throws IOException {
        for (String name : job.files()) {
            String copy = JobSpec.reflinkName(name);
            if (fs.list().contains(copy)) {
                fs.unlink(copy);
            }
            try (File src = fs.open(name, p); File dst = fs.open(copy, p, StandardOpenOption.CREATE_NEW)) {
                dst.cloneFrom(src);
            }
        }
    }
}
