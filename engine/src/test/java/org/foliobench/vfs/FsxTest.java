package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DirectDevice;
import org.foliobench.device.FileDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * fsx (xfstests' file system exerciser) on the engine: random pwrite / pread / truncate / punch
 * hole / fsync / fdatasync / drop_caches / remount / path switch at unaligned offsets and lengths,
 * every read checked against a byte-array model. The page cache is small (8 MiB of memory), so
 * the flusher, dirty throttling and reclaim run all the time underneath. On the RamDisk
 * {@value #OPS} operations per case, and half as many on a {@link FileDevice} and an O_DIRECT
 * {@link DirectDevice}: 160k on bh, 110k on iomap, 70k on bhlf (half of its seeds with
 * {@code fb_bh_partial_walk=range}), 340k per run. A path switch goes to the next path of
 * {@link IoPath} in turn. A failure prints
 * its seed and the last operations.
 */
@Tag("slow") // a long suite: ./mvnw verify runs it, -Pfast leaves it out (see the README)
class FsxTest {
    static final int OPS = 10_000;
    static final int MAX_LEN = 3 << 20;
    static final long[] SEEDS = {1, 2, 3, 4, 5};
    static final long DEVICE_BYTES = 48L << 20;

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (IoPath p : IoPath.values()) {
            for (int bs : new int[] {1024, 4096}) {
                for (long seed : SEEDS) {
                    if (p == IoPath.BUFFER_HEAD_LARGE_FOLIO) {
                        if (seed > 3) {
                            continue; // CI time: bhlf shares all of bh's code but the walk and the folio order
                        }
                        l.add(Arguments.of(Backend.RAMDISK, p, bs, seed, null,
                                seed % 2 == 0 ? BhPartialWalk.RANGE : BhPartialWalk.FULL));
                        continue;
                    }
                    l.add(Arguments.of(Backend.RAMDISK, p, bs, seed, null, Defaults.BH_PARTIAL_WALK));
                }
                if (p == IoPath.BUFFER_HEAD) {
                    // the other side of the default dioread_nolock (on with 4K blocks, off with 1K)
                    for (long seed : new long[] {SEEDS[0], SEEDS[1]}) {
                        l.add(Arguments.of(Backend.RAMDISK, p, bs, seed, bs != 4096, Defaults.BH_PARTIAL_WALK));
                    }
                }
            }
            // every backend that works here: FileDevice through the OS cache, DirectDevice with
            // O_DIRECT (4 KiB alignment on this root filesystem, so 4 KiB blocks)
            l.add(Arguments.of(Backend.FILE, p, 1024, 6L, null, Defaults.BH_PARTIAL_WALK));
            l.add(Arguments.of(Backend.DIRECT, p, 4096, 7L, null,
                    p == IoPath.BUFFER_HEAD_LARGE_FOLIO ? BhPartialWalk.RANGE : Defaults.BH_PARTIAL_WALK));
            if (p == IoPath.BUFFER_HEAD) {
                l.add(Arguments.of(Backend.FILE, p, 1024, 6L, true, Defaults.BH_PARTIAL_WALK));
                l.add(Arguments.of(Backend.DIRECT, p, 4096, 7L, false, Defaults.BH_PARTIAL_WALK));
            }
        }
        return l.stream();
    }

    /** The case table itself: at least 200k operations per run over the three paths, bhlf with both walks. */
    @org.junit.jupiter.api.Test
    void aRunCoversAtLeast200kOperationsOverTheThreePaths() {
        java.util.Map<IoPath, Long> ops = new java.util.EnumMap<>(IoPath.class);
        java.util.Set<BhPartialWalk> walks = java.util.EnumSet.noneOf(BhPartialWalk.class);
        cases().forEach(a -> {
            Object[] x = a.get();
            IoPath p = (IoPath) x[1];
            ops.merge(p, (long) (x[0] == Backend.RAMDISK ? OPS : OPS / 2), Long::sum);
            if (p == IoPath.BUFFER_HEAD_LARGE_FOLIO) {
                walks.add((BhPartialWalk) x[5]);
            }
        });
        assertEquals(java.util.EnumSet.allOf(IoPath.class), ops.keySet(), "every path");
        long total = ops.values().stream().mapToLong(Long::longValue).sum();
        org.junit.jupiter.api.Assertions.assertTrue(total >= 200_000, ops + ": " + total);
        assertEquals(java.util.EnumSet.allOf(BhPartialWalk.class), walks, "bhlf with the full and the range walk");
    }

    @ParameterizedTest(name = "{0} {1} bs={2} seed={3} dioread_nolock={4} bh_partial_walk={5}")
    @MethodSource("cases")
    void fsx(Backend backend, IoPath path, int bs, long seed, Boolean dioreadNolock, BhPartialWalk walk,
            @TempDir Path dir) throws Exception {
        BlockDevice dev = backend.open(dir, DEVICE_BYTES, "FsxTest");
        try (BlockDevice d = dev) {
            new Fsx(d, path, bs, seed, dioreadNolock, walk).run(backend == Backend.RAMDISK ? OPS : OPS / 2);
        }
    }

    /**
     * fsx with O_DIRECT (fsx {@code -Z}) beside the buffered opens: a fifth of the operations are
     * direct reads and writes of whole blocks through a second, O_DIRECT open of the same file, so
     * every direct IO meets cached, dirty and under-writeback folios of the buffered one; on a
     * ramdisk that claims atomic writes, half the direct writes are {@code RWF_ATOMIC} of a power of
     * two, and one refused (EINVAL, ENOSPC) must leave the file as it was.
     */
    @ParameterizedTest(name = "{0} bs={1} seed={2} awu_max={3} on {4}")
    @org.junit.jupiter.params.provider.CsvSource({"BUFFER_HEAD, 1024, 21, 65536, RAMDISK", "BUFFER_HEAD, 4096, 22, 0, RAMDISK",
            "IOMAP, 1024, 23, 0, RAMDISK", "IOMAP, 4096, 24, 65536, RAMDISK", "BUFFER_HEAD_LARGE_FOLIO, 4096, 25, 65536, RAMDISK",
            "BUFFER_HEAD, 4096, 26, 0, DIRECT", "IOMAP, 4096, 27, 0, DIRECT"})
    void fsxDirect(IoPath path, int bs, long seed, int awuMax, Backend backend, @TempDir Path dir) throws Exception {
        try (BlockDevice d = backend == Backend.RAMDISK ? new RamDisk(DEVICE_BYTES, 512, awuMax)
                : backend.open(dir, DEVICE_BYTES, "FsxTest")) {
            Fsx f = new Fsx(d, path, bs, seed, null);
            f.direct = true;
            f.run(backend == Backend.RAMDISK ? OPS / 2 : OPS / 4);
            assertTrue(f.directOps > OPS / 40, "direct operations ran: " + f.directOps);
            if (awuMax > 0) {
                assertTrue(f.atomicOk > 0 && f.atomicRefused > 0, f.atomicOk + " atomic writes, " + f.atomicRefused + " refused");
            }
        }
    }

    /**
     * fsx with clone ranges (xfstests fsx's {@code OP_CLONE_RANGE}, plus a FICLONE snapshot into a
     * second file checked never to change while the first is rewritten): copy on write through
     * the iomap path's srcmap; on the buffer_head paths every clone fails with EOPNOTSUPP and
     * changes nothing.
     */
    @ParameterizedTest(name = "clone ranges {0} bs={1} seed={2}")
    @MethodSource("cloneCases")
    void fsxCloneRange(IoPath path, int bs, long seed) throws Exception {
        try (BlockDevice d = new RamDisk(DEVICE_BYTES)) {
            Fsx fsx = new Fsx(d, path, bs, seed, null);
            fsx.cloneOps = true;
            fsx.run(path == IoPath.IOMAP ? OPS : OPS / 4);
            System.out.println("fsx clone ranges " + path + " bs=" + bs + " seed=" + seed + ": " + fsx.clones
                    + " clones, cow remaps " + fsx.cowRemaps);
            if (path == IoPath.IOMAP) {
                org.junit.jupiter.api.Assertions.assertTrue(fsx.clones > 20 && fsx.cowRemaps > 0,
                        fsx.clones + " clones, " + fsx.cowRemaps + " CoW remaps");
            }
        }
    }

    static Stream<Arguments> cloneCases() {
        List<Arguments> l = new ArrayList<>();
        for (int bs : new int[] {1024, 4096}) {
            for (long seed : new long[] {21, 22, 23}) {
                l.add(Arguments.of(IoPath.IOMAP, bs, seed));
            }
        }
        l.add(Arguments.of(IoPath.BUFFER_HEAD, 4096, 24L));
        l.add(Arguments.of(IoPath.BUFFER_HEAD_LARGE_FOLIO, 1024, 25L));
        return l.stream();
    }

    /** One fsx run: a file, its model, and the operation log. */
    static final class Fsx {
        final IoPath firstPath;
        final int bs;
        final long seed;
        final Random rnd;
        final BlockDevice dev;
        final MountOptions opts;
        final byte[] model = new byte[MAX_LEN];
        long size;
        FileSystem fs;
        File file;
        /** With {@link #direct}: the O_DIRECT open of the same file. */
        File dfile;
        boolean direct;
        int directOps;
        int atomicOk;
        int atomicRefused;
        IoPath path;
        final ArrayDeque<String> log = new ArrayDeque<>();
        int opNo;
        /** Clone ranges within the file and FICLONE snapshots into {@link #SNAP} ({@link #fsxCloneRange}). */
        boolean cloneOps;
        static final String SNAP = "fsx.snap";
        /** The snapshot's contents (null: none yet). */
        byte[] snap;
        int clones;
        long cowRemaps;

        Fsx(BlockDevice dev, IoPath path, int bs, long seed, Boolean dioreadNolock) {
            this(dev, path, bs, seed, dioreadNolock, Defaults.BH_PARTIAL_WALK);
        }

        Fsx(BlockDevice dev, IoPath path, int bs, long seed, Boolean dioreadNolock, BhPartialWalk walk) {
            this.dev = dev;
            this.firstPath = path;
            this.path = path;
            this.bs = bs;
            this.seed = seed;
            this.rnd = new Random(seed * 7919 + bs + path.ordinal() * 31L);
            this.opts = MountOptions.builder().blockSize(bs).memBytes(8L << 20).commitIntervalSeconds(0)
                    .dioreadNolock(dioreadNolock).bhPartialWalk(walk).build();
        }

        void log(String s) {
            log.addLast(opNo + ": " + s);
            if (log.size() > 60) {
                log.removeFirst();
            }
        }

        void run(int ops) throws Exception {
            FileSystem.format(dev, opts);
            fs = FileSystem.mount(dev, opts);
            file = fs.open("fsx", path, StandardOpenOption.CREATE);
            openDirect();
            try {
                for (opNo = 0; opNo < ops; opNo++) {
                    step();
                    if (opNo % 2000 == 1999) {
                        verifyAll();
                    }
                }
                verifyAll();
                file.fsync();
                fs.sync();
                assertEquals(0, fs.reservedBlocks(), "delalloc reservations left after sync");
                closeDirect();
                file.close();
                cowRemaps += fs.counters().get("fs.cow_remaps");
                fs.unmount();
                assertEquals(List.of(), Fsck.check(dev), "fsck after the run");
            } catch (Throwable t) {
                fail("fsx " + dev.describe() + " " + firstPath + " bs=" + bs + " seed=" + seed + " failed at op " + opNo + ": " + t
                        + "\nlast operations:\n  " + String.join("\n  ", log), t);
            }
        }

        long randomOffset() {
            // favour the interesting places: block and page edges, around EOF
            switch (rnd.nextInt(4)) {
                case 0:
                    return (long) rnd.nextInt(MAX_LEN / bs) * bs;
                case 1:
                    return Math.max(0, Math.min(MAX_LEN - 1, size - bs + rnd.nextInt(2 * bs)));
                default:
                    return rnd.nextInt(MAX_LEN);
            }
        }

        int randomLength(long off) {
            int max = (int) Math.min(MAX_LEN - off, rnd.nextInt(10) == 0 ? (1 << 20) + 4096 : 65536 + 3);
            return 1 + rnd.nextInt(Math.max(1, max));
        }

        void openDirect() throws IOException {
            if (direct) {
                dfile = fs.open("fsx", path, com.sun.nio.file.ExtendedOpenOption.DIRECT);
            }
        }

        void closeDirect() {
            if (dfile != null) {
                dfile.close();
                dfile = null;
            }
        }

        /** A buffer for direct IO: heap or direct memory, as the device's DMA alignment allows. */
        ByteBuffer directBuffer(int len) {
            int a = dev.dmaAlignment();
            return a > 1 ? org.foliobench.device.DmaMemory.allocate(len, a)
                    : rnd.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
        }

        /** A direct read or write of whole blocks (an atomic one when the device claims them). */
        void directStep() throws IOException {
            directOps++;
            int blocks = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 256 : 16);
            long off = (long) bs * rnd.nextInt(MAX_LEN / bs - blocks);
            if (rnd.nextInt(3) == 0 && size > 0) {
                off = Math.min(off, size / bs * bs); // near and across EOF
            }
            int len = blocks * bs;
            if (rnd.nextBoolean()) {
                log("direct read " + off + "+" + len + " (size " + size + ")");
                ByteBuffer dst = directBuffer(len);
                int n = dfile.pread(dst, off);
                int expect = (int) Math.max(0, Math.min(len, size - off));
                assertEquals(expect, n, "direct pread returned");
                for (int i = 0; i < n; i++) {
                    if (dst.get(i) != model[(int) off + i]) {
                        fail("direct read data mismatch at file offset " + (off + i) + ": read " + dst.get(i) + ", expected "
                                + model[(int) off + i] + " (read " + off + "+" + len + ")");
                    }
                }
                return;
            }
            boolean atomic = dfile.statx().writeAtomic() && rnd.nextBoolean();
            if (atomic) {
                len = Integer.highestOneBit(len);
                if (rnd.nextInt(4) != 0) {
                    off = off / len * len; // mostly by the rules
                }
            }
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            ByteBuffer src = directBuffer(len);
            src.put(data).flip();
            log((atomic ? "atomic " : "direct ") + "write " + off + "+" + len + " (size " + size + ")");
            try {
                int n = dfile.pwritev2(src, off, atomic ? File.RWF_ATOMIC : 0);
                assertEquals(len, n, "direct pwrite returned");
            } catch (ErrnoException e) {
                if (!atomic || e.errno() != Errno.EINVAL && e.errno() != Errno.ENOSPC) {
                    throw e;
                }
                log("  refused: " + e.getMessage());
                atomicRefused++;
                return; // nothing written: the model stays, and the reads that follow check it
            }
            if (atomic) {
                atomicOk++;
            }
            System.arraycopy(data, 0, model, (int) off, len);
            size = Math.max(size, off + len);
        }

        void step() throws IOException {
            if (direct && rnd.nextInt(5) == 0) {
                directStep();
                assertEquals(size, file.size(), "i_size");
                return;
            }
            int r = rnd.nextInt(100);
            if (r < 32) {
                long off = randomOffset();
                int len = randomLength(off);
                write(off, len);
            } else if (r < 62) {
                long off = rnd.nextInt(4) == 0 ? randomOffset() : rnd.nextInt((int) Math.max(1, size + bs));
                int len = randomLength(Math.min(off, MAX_LEN - 1));
                read(off, len);
            } else if (r < 69) {
                long ns = rnd.nextInt(3) == 0 ? (long) rnd.nextInt(MAX_LEN / bs) * bs : rnd.nextInt(MAX_LEN);
                log("truncate " + ns + " (size " + size + ")");
                file.truncate(ns);
                if (ns < size) {
                    Arrays.fill(model, (int) ns, (int) size, (byte) 0);
                }
                size = ns;
            } else if (r < 76) {
                long off = randomOffset();
                int len = randomLength(off);
                log("punch " + off + "+" + len + " (size " + size + ")");
                file.punchHole(off, len);
                if (off < size) {
                    Arrays.fill(model, (int) off, (int) Math.min(size, off + len), (byte) 0);
                }
            } else if (r < 83) {
                log("fsync");
                file.fsync();
            } else if (r < 87) {
                log("fdatasync");
                file.fdatasync();
            } else if (r < 93) {
                log("drop_caches");
                fs.dropCaches();
            } else if (cloneOps && r < 95 && r >= 93 + (rnd.nextInt(3) == 0 ? 0 : 1)) {
                if (rnd.nextInt(4) == 0) {
                    snapshot();
                } else {
                    cloneRange();
                }
            } else if (r < 95) {
                switchPath();
            } else if (r < 96) {
                remount();
            } else {
                long off = rnd.nextInt((int) Math.max(1, size));
                read(off, (int) Math.min(MAX_LEN - off, 1 + rnd.nextInt(4 * bs)));
            }
            assertEquals(size, file.size(), "i_size");
        }

        void write(long off, int len) throws IOException {
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            log("write " + off + "+" + len + " (size " + size + ")");
            ByteBuffer src = rnd.nextBoolean() ? ByteBuffer.wrap(data) : ByteBuffer.allocateDirect(len).put(data).flip();
            int n = file.pwrite(src, off);
            assertEquals(len, n, "pwrite returned");
            assertEquals(0, src.remaining(), "pwrite consumed its buffer");
            System.arraycopy(data, 0, model, (int) off, len);
            size = Math.max(size, off + len);
        }

        void read(long off, int len) throws IOException {
            log("read " + off + "+" + len + " (size " + size + ")");
            ByteBuffer dst = rnd.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
            int n = file.pread(dst, off);
            int expect = (int) Math.max(0, Math.min(len, size - off));
            assertEquals(expect, n, "pread returned");
            byte[] got = new byte[n];
            dst.flip().get(got);
            for (int i = 0; i < n; i++) {
                if (got[i] != model[(int) off + i]) {
                    fail("data mismatch at file offset " + (off + i) + ": read " + got[i] + ", expected "
                            + model[(int) off + i] + " (read " + off + "+" + len + ")");
                }
            }
        }

        void verifyAll() throws IOException {
            for (long off = 0; off < size; off += 1 << 20) {
                read(off, (int) Math.min(1 << 20, size - off + 1));
            }
            if (snap != null) {
                try (File f = fs.open(SNAP, IoPath.IOMAP)) {
                    assertEquals(snap.length, f.size(), "snapshot size");
                    ByteBuffer b = ByteBuffer.allocate(snap.length);
                    assertEquals(snap.length, f.pread(b, 0));
                    int m = Arrays.mismatch(snap, b.array());
                    if (m >= 0) {
                        fail("snapshot changed at offset " + m + " (a write into shared blocks went in place)");
                    }
                }
            }
        }

        /** {@code OP_CLONE_RANGE}: block-aligned, not overlapping, maybe ending at EOF mid-block. */
        void cloneRange() throws IOException {
            if (size < bs) {
                return;
            }
            long src = (long) rnd.nextInt((int) (size / bs)) * bs;
            long len;
            long dst;
            if (rnd.nextInt(4) == 0) {
                len = size - src; // to EOF: the destination must end at or past EOF
                long first = ((size + bs - 1) / bs) * bs;
                if (first + len > MAX_LEN) {
                    return;
                }
                dst = first + (long) rnd.nextInt((int) Math.max(1, (MAX_LEN - first - len) / bs + 1)) * bs;
            } else {
                long maxBlocks = Math.min((size - src) / bs, (1 << 20) / bs);
                if (maxBlocks == 0) {
                    return;
                }
                len = (1 + rnd.nextInt((int) maxBlocks)) * (long) bs;
                dst = (long) rnd.nextInt((int) ((MAX_LEN - len) / bs + 1)) * bs;
                if (dst < src + len && src < dst + len) {
                    return;
                }
            }
            log("clone_range " + src + "+" + len + " -> " + dst + " (size " + size + ")");
            try {
                file.cloneRange(file, src, len, dst);
            } catch (ErrnoException e) {
                if (path != IoPath.IOMAP && e.errno() == Errno.EOPNOTSUPP) {
                    return; // ext4's buffer_head path: no reflink, nothing changed
                }
                throw e;
            }
            if (path != IoPath.IOMAP) {
                fail("clone_range on the " + path + " path succeeded");
            }
            System.arraycopy(model, (int) src, model, (int) dst, (int) len);
            size = Math.max(size, dst + len);
            clones++;
        }

        /** FICLONE of the whole file into {@link #SNAP}, whose contents must never change after. */
        void snapshot() throws IOException {
            log("ficlone -> " + SNAP + " (size " + size + ")");
            if (path != IoPath.IOMAP) {
                try (File f = fs.open(SNAP, IoPath.IOMAP, StandardOpenOption.CREATE)) {
                    ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class, () -> f.cloneFrom(file));
                    assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                }
                return;
            }
            try (File f = fs.open(SNAP, IoPath.IOMAP, StandardOpenOption.CREATE)) {
                f.truncate(0);
                f.cloneFrom(file);
            }
            snap = Arrays.copyOf(model, (int) size);
            clones++;
        }

        void switchPath() throws IOException {
            IoPath other = IoPath.values()[(path.ordinal() + 1) % IoPath.values().length];
            log("reopen on " + other);
            closeDirect();
            file.close();
            if (cloneOps && other != IoPath.IOMAP) {
                try {
                    file = fs.open("fsx", other);
                } catch (ErrnoException e) {
                    // ext4's buffer_head path has no copy on write: an inode sharing blocks stays on iomap
                    assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                    assertEquals(IoPath.IOMAP, path, "only an iomap inode can share blocks");
                    log("  EOPNOTSUPP: shares blocks, stays on " + path);
                    file = fs.open("fsx", path);
                    return;
                }
                path = other;
                return;
            }
            path = other;
            file = fs.open("fsx", path);
            openDirect();
        }

        void remount() throws IOException {
            log("remount");
            closeDirect();
            file.close();
            cowRemaps += fs.counters().get("fs.cow_remaps");
            fs.unmount();
            List<String> problems = Fsck.check(dev);
            assertEquals(List.of(), problems, "fsck at remount");
            fs = FileSystem.mount(dev, opts);
            file = fs.open("fsx", path);
            openDirect();
            assertEquals(size, file.size(), "i_size after remount");
        }
    }
}
