package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.device.RecordingDevice;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Power cuts. Random writes, truncates, punches and fsyncs run on a {@link RecordingDevice};
 * then the device is cut at many points of its write stream (including torn multi-block writes)
 * and mounted again. At every cut: the filesystem checker is clean, the journal replays, and
 * every byte that was fsync'd before the cut and not touched since reads back exactly; the size
 * is the fsync'd one when nothing changed it since. Unsynced data may be lost, nothing else; and
 * no block the file never wrote shows through (the device starts filled with {@link #STALE}).
 * The buffer_head cases run with dioread_nolock on and off at both block sizes.
 * {@link #atomicWritesAreWholeOrAbsentAfterAnyCut} does the same for O_DIRECT writes, atomic
 * ({@code RWF_ATOMIC}) and not: an atomic write is never torn by a cut, a non-atomic one can be.
 */
@Tag("slow") // a long suite: ./mvnw verify runs it, -Pfast leaves it out (see the README)
class CrashTest {
    static final int OPS = 400;
    static final int CUTS = 120;
    static final int MAX_LEN = 1 << 20;

    /** What the device holds before mkfs: a block the file shows with it is stale. */
    static final byte STALE = (byte) 0xA5;
    /** A run of this many {@link #STALE} bytes at a block's start is taken as stale data, not random data. */
    static final int STALE_RUN = 64;

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (IoPath p : IoPath.values()) {
            for (int bs : new int[] {1024, 4096}) {
                for (long seed : new long[] {11, 12}) {
                    l.add(Arguments.of(Backend.RAMDISK, p, bs, seed, null));
                }
                if (p == IoPath.BUFFER_HEAD) {
                    // the other side of the default (on with 4K blocks, off with 1K)
                    l.add(Arguments.of(Backend.RAMDISK, p, bs, 13L, bs != 4096));
                }
            }
            // the asynchronous request queues: requests in flight at the cut (DirectDevice's
            // O_DIRECT alignment here is 4 KiB, so 4 KiB blocks)
            l.add(Arguments.of(Backend.FILE, p, 1024, 14L, null));
            l.add(Arguments.of(Backend.DIRECT, p, 4096, 15L, null));
            if (p == IoPath.BUFFER_HEAD) {
                l.add(Arguments.of(Backend.FILE, p, 1024, 16L, true));
                l.add(Arguments.of(Backend.DIRECT, p, 4096, 17L, false));
            }
        }
        return l.stream();
    }

    /** Fills {@code dev} with {@link #STALE}, as a disk holding someone else's old data. */
    static void fillStale(BlockDevice dev) {
        int chunk = 1 << 20;
        ByteBuffer buf = org.foliobench.device.DmaMemory.allocate(chunk, 4096); // O_DIRECT alignment
        while (buf.hasRemaining()) {
            buf.put(STALE);
        }
        for (long pos = 0; pos < dev.capacity(); pos += chunk) {
            org.foliobench.device.Bio bio = new org.foliobench.device.Bio(org.foliobench.device.Bio.Op.WRITE,
                    pos >> org.foliobench.device.Bio.SECTOR_SHIFT);
            assertTrue(bio.addSegment(buf, 0, (int) Math.min(chunk, dev.capacity() - pos)));
            dev.submitWait(bio);
            assertEquals(null, bio.status());
        }
    }

    /** What an fsync guaranteed: the file as it was, and the event count once it returned. */
    static final class Synced {
        final int events;
        final byte[] data;
        final long size;
        final BitSet touched = new BitSet(MAX_LEN);
        boolean sizeChanged;

        Synced(int events, byte[] data, long size) {
            this.events = events;
            this.data = data;
            this.size = size;
        }
    }

    @ParameterizedTest(name = "{0} {1} bs={2} seed={3} dioread_nolock={4}")
    @MethodSource("cases")
    void powerCut(Backend backend, IoPath path, int bs, long seed, Boolean dioreadNolock, @TempDir Path dir) throws Exception {
        Random rnd = new Random(seed * 31 + bs + path.ordinal());
        BlockDevice disk = backend.open(dir, 32L << 20, "CrashTest");
        fillStale(disk);
        try (RecordingDevice dev = new RecordingDevice(disk)) {
            // half the cuts on the file-backed devices: the images are in memory either way
            powerCut(dev, rnd, path, bs, seed, dioreadNolock, backend == Backend.RAMDISK ? CUTS : CUTS / 2);
            if (backend != Backend.RAMDISK) {
                assertTrue(dev.isAsync() && dev.inflightMax() > 1, "requests were in flight together (max "
                        + dev.inflightMax() + "): the cuts fall among queued and completing writes");
            }
        }
    }

    private void powerCut(RecordingDevice dev, Random rnd, IoPath path, int bs, long seed, Boolean dioreadNolock, int cuts)
            throws Exception {
        MountOptions opts = MountOptions.builder().blockSize(bs).memBytes(8L << 20).commitIntervalSeconds(0)
                .dioreadNolock(dioreadNolock).build();
        FileSystem.format(dev, opts);
        FileSystem fs = FileSystem.mount(dev, opts);
        File f = fs.open("crash", path, StandardOpenOption.CREATE);
        fs.sync();
        dev.startRecording();
        byte[] model = new byte[MAX_LEN];
        long size = 0;
        List<Synced> syncs = new ArrayList<>();
        syncs.add(new Synced(0, new byte[0], 0));
        StringBuilder ops = new StringBuilder();
        for (int i = 0; i < OPS; i++) {
            Synced last = syncs.get(syncs.size() - 1);
            int r = rnd.nextInt(100);
            if (r < 60) {
                long off = rnd.nextInt(MAX_LEN - 1);
                int len = 1 + rnd.nextInt((int) Math.min(MAX_LEN - off, rnd.nextInt(8) == 0 ? 300_000 : 20_000));
                byte[] d = new byte[len];
                rnd.nextBytes(d);
                ops.append(" w").append(off).append('+').append(len);
                f.pwrite(ByteBuffer.wrap(d), off);
                System.arraycopy(d, 0, model, (int) off, len);
                last.touched.set((int) off, (int) off + len);
                if (off + len > size) {
                    size = off + len;
                    last.sizeChanged = true;
                }
            } else if (r < 67) {
                long ns = rnd.nextInt(MAX_LEN);
                ops.append(" t").append(ns);
                f.truncate(ns);
                if (ns < size) {
                    Arrays.fill(model, (int) ns, (int) size, (byte) 0);
                }
                last.touched.set((int) Math.min(ns, size), MAX_LEN);
                last.sizeChanged |= ns != size;
                size = ns;
            } else if (r < 72) {
                long off = rnd.nextInt(MAX_LEN - 1);
                int len = 1 + rnd.nextInt(100_000);
                ops.append(" p").append(off).append('+').append(len);
                f.punchHole(off, len);
                if (off < size) {
                    Arrays.fill(model, (int) off, (int) Math.min(size, off + len), (byte) 0);
                }
                last.touched.set((int) off, (int) Math.min(MAX_LEN, off + len));
            } else if (r < 90) {
                boolean data = rnd.nextBoolean();
                ops.append(data ? " fdatasync" : " fsync");
                if (data) {
                    f.fdatasync();
                } else {
                    f.fsync();
                }
                syncs.add(new Synced(dev.events(), Arrays.copyOf(model, (int) size), size));
                ops.append('@').append(dev.events()).append("/size=").append(size);
            } else {
                ops.append(" drop");
                fs.dropCaches();
            }
        }
        fs.crash();
        dev.stopRecording();
        int events = dev.events();
        assertTrue(syncs.size() > 10, "the run fsync'd");
        for (int k = 0; k < cuts; k++) {
            int cut = k == 0 ? events : rnd.nextInt(events + 1);
            int torn = 0;
            if (cut < events && dev.units(cut) > 1 && rnd.nextBoolean()) {
                torn = 1 + rnd.nextInt(dev.units(cut) - 1);
            }
            try {
                checkImage(dev.imageAt(cut, torn), opts, path, lastSyncedBefore(syncs, cut));
            } catch (Throwable t) {
                fail(path + " bs=" + bs + " seed=" + seed + " dioread_nolock=" + dioreadNolock + " cut " + cut + "/" + events + " torn " + torn + ": " + t
                        + "\nops:" + ops, t);
            }
        }
    }

    /**
     * Power cuts with shared blocks (iomap only: the buffer_head paths have no reflink). A source
     * file is written and cloned (FICLONE) before the recording starts; then writes land on both
     * (copy on write: staging blocks written, remapped at IO completion), clone ranges from the
     * source into the clone, truncates and punches of the clone, and fsyncs of either. At every
     * cut: Fsck is clean (refcounts included), and each file's bytes fsync'd and not touched
     * since read back exactly: the source's never-rewritten bytes stay the original data, a
     * cloned range shows either the clone's old bytes or the source's, per its synced state.
     */
    @ParameterizedTest(name = "reflink bs={0} seed={1}")
    @org.junit.jupiter.params.provider.CsvSource({"1024, 31", "4096, 32", "4096, 33"})
    void powerCutReflink(int bs, long seed) throws Exception {
        Random rnd = new Random(seed);
        BlockDevice disk = new org.foliobench.device.RamDisk(32L << 20);
        fillStale(disk);
        try (RecordingDevice dev = new RecordingDevice(disk)) {
            MountOptions opts = MountOptions.builder().blockSize(bs).memBytes(8L << 20).commitIntervalSeconds(0).build();
            FileSystem.format(dev, opts);
            FileSystem fs = FileSystem.mount(dev, opts);
            String[] names = {"src", "clone"};
            File[] f = {fs.open(names[0], IoPath.IOMAP, StandardOpenOption.CREATE),
                fs.open(names[1], IoPath.IOMAP, StandardOpenOption.CREATE)};
            byte[][] model = {new byte[MAX_LEN], new byte[MAX_LEN]};
            long[] size = {MAX_LEN / 2 + 777, 0};
            byte[] orig = new byte[(int) size[0]];
            rnd.nextBytes(orig);
            f[0].pwrite(ByteBuffer.wrap(orig), 0);
            System.arraycopy(orig, 0, model[0], 0, orig.length);
            f[0].fsync();
            f[1].cloneFrom(f[0]);
            System.arraycopy(orig, 0, model[1], 0, orig.length);
            size[1] = size[0];
            f[1].fsync();
            fs.sync();
            dev.startRecording();
            List<List<Synced>> syncs = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 2; i++) {
                syncs.get(i).add(new Synced(0, Arrays.copyOf(model[i], (int) size[i]), size[i]));
            }
            StringBuilder ops = new StringBuilder();
            for (int op = 0; op < 300; op++) {
                int r = rnd.nextInt(100);
                int i = r % 4 == 0 ? 0 : 1; // the clone changes most
                Synced last = syncs.get(i).get(syncs.get(i).size() - 1);
                if (r < 50) {
                    long off = rnd.nextInt(MAX_LEN - 1);
                    int len = 1 + rnd.nextInt((int) Math.min(MAX_LEN - off, rnd.nextInt(8) == 0 ? 200_000 : 12_000));
                    byte[] d = new byte[len];
                    rnd.nextBytes(d);
                    ops.append(' ').append(names[i]).append(":w").append(off).append('+').append(len);
                    f[i].pwrite(ByteBuffer.wrap(d), off);
                    System.arraycopy(d, 0, model[i], (int) off, len);
                    last.touched.set((int) off, (int) off + len);
                    if (off + len > size[i]) {
                        size[i] = off + len;
                        last.sizeChanged = true;
                    }
                } else if (r < 62) {
                    // clone a range of the source into the clone
                    if (size[0] < bs) {
                        continue;
                    }
                    Synced lc = syncs.get(1).get(syncs.get(1).size() - 1);
                    long src = (long) rnd.nextInt((int) (size[0] / bs)) * bs;
                    long len = Math.min((size[0] - src) / bs, 1 + rnd.nextInt(64)) * bs;
                    long dst = (long) rnd.nextInt((int) ((MAX_LEN - len) / bs)) * bs;
                    if (len == 0) {
                        continue;
                    }
                    ops.append(" clone:").append(src).append('+').append(len).append("->").append(dst);
                    f[1].cloneRange(f[0], src, len, dst);
                    System.arraycopy(model[0], (int) src, model[1], (int) dst, (int) len);
                    lc.touched.set((int) dst, (int) (dst + len));
                    if (dst + len > size[1]) {
                        size[1] = dst + len;
                        lc.sizeChanged = true;
                    }
                } else if (r < 67) {
                    long ns = rnd.nextInt(MAX_LEN);
                    Synced lc = syncs.get(1).get(syncs.get(1).size() - 1);
                    ops.append(" clone:t").append(ns);
                    f[1].truncate(ns);
                    if (ns < size[1]) {
                        Arrays.fill(model[1], (int) ns, (int) size[1], (byte) 0);
                    }
                    lc.touched.set((int) Math.min(ns, size[1]), MAX_LEN);
                    lc.sizeChanged |= ns != size[1];
                    size[1] = ns;
                } else if (r < 71) {
                    long off = rnd.nextInt(MAX_LEN - 1);
                    int len = 1 + rnd.nextInt(100_000);
                    Synced lc = syncs.get(1).get(syncs.get(1).size() - 1);
                    ops.append(" clone:p").append(off).append('+').append(len);
                    f[1].punchHole(off, len);
                    if (off < size[1]) {
                        Arrays.fill(model[1], (int) off, (int) Math.min(size[1], off + len), (byte) 0);
                    }
                    lc.touched.set((int) off, (int) Math.min(MAX_LEN, off + len));
                } else if (r < 92) {
                    ops.append(' ').append(names[i]).append(":fsync");
                    f[i].fsync();
                    syncs.get(i).add(new Synced(dev.events(), Arrays.copyOf(model[i], (int) size[i]), size[i]));
                } else {
                    ops.append(" drop");
                    fs.dropCaches();
                }
            }
            fs.crash();
            dev.stopRecording();
            int events = dev.events();
            for (int k = 0; k < 80; k++) {
                int cut = k == 0 ? events : rnd.nextInt(events + 1);
                int torn = 0;
                if (cut < events && dev.units(cut) > 1 && rnd.nextBoolean()) {
                    torn = 1 + rnd.nextInt(dev.units(cut) - 1);
                }
                try {
                    BlockDevice img = dev.imageAt(cut, torn);
                    assertEquals(List.of(), Fsck.check(img), "fsck of the crashed image");
                    FileSystem cfs = FileSystem.mount(img, opts);
                    try {
                        for (int i = 0; i < 2; i++) {
                            checkFile(cfs, names[i], lastSyncedBefore(syncs.get(i), cut));
                        }
                    } finally {
                        cfs.crash();
                    }
                    assertEquals(List.of(), Fsck.check(img), "fsck after replay");
                } catch (Throwable t) {
                    fail("reflink bs=" + bs + " seed=" + seed + " cut " + cut + "/" + events + " torn " + torn + ": " + t
                            + "\nops:" + ops, t);
                }
            }
        }
    }

    /** One file of a crashed image against what its last fsync before the cut guaranteed. */
    private static void checkFile(FileSystem fs, String name, Synced s) throws IOException {
        try (File f = fs.open(name, IoPath.IOMAP)) {
            long size = f.size();
            if (!s.sizeChanged) {
                assertEquals(s.size, size, name + ": size fsync'd and not changed since");
            }
            long n = Math.min(size, s.size);
            ByteBuffer buf = ByteBuffer.allocate((int) n);
            assertEquals(n, f.pread(buf, 0), name + ": read of the surviving size");
            byte[] b = buf.array();
            for (int i = s.touched.nextClearBit(0); i < n; i = s.touched.nextClearBit(i + 1)) {
                if (b[i] != s.data[i]) {
                    fail(name + ": fsync'd byte at offset " + i + " lost: read " + b[i] + ", fsync'd " + s.data[i]);
                }
            }
        }
    }

    static Synced lastSyncedBefore(List<Synced> syncs, int cut) {
        Synced s = syncs.get(0);
        for (Synced x : syncs) {
            if (x.events <= cut) {
                s = x;
            }
        }
        return s;
    }

    static void checkImage(BlockDevice img, MountOptions opts, IoPath path, Synced s) throws IOException {
        assertEquals(List.of(), Fsck.check(img), "fsck of the crashed image");
        FileSystem fs = FileSystem.mount(img, opts);
        try (File f = fs.open("crash", path)) {
            long size = f.size();
            if (!s.sizeChanged) {
                assertEquals(s.size, size, "size fsync'd and not changed since");
            }
            long n = Math.min(size, s.size);
            ByteBuffer buf = ByteBuffer.allocate((int) n);
            int got = f.pread(buf, 0);
            assertEquals(n, got, "read of the surviving size");
            byte[] b = buf.array();
            int bs = fs.blockSize();
            for (int blk = 0; blk + STALE_RUN <= n; blk += bs) {
                int k = 0;
                while (k < STALE_RUN && b[blk + k] == STALE) {
                    k++;
                }
                if (k == STALE_RUN) {
                    fail("stale data at offset " + blk + ": the block was never written through this file");
                }
            }
            for (int i = s.touched.nextClearBit(0); i < n; i = s.touched.nextClearBit(i + 1)) {
                if (b[i] != s.data[i]) {
                    fail("fsync'd byte at offset " + i + " lost: read " + b[i] + ", fsync'd " + s.data[i]);
                }
            }
        } finally {
            fs.crash();
        }
        assertEquals(List.of(), Fsck.check(img), "fsck after replay");
    }

    // ---------------------------------------------------------------- atomic writes

    /** The file region the atomic power-cut runs write in. */
    static final int ATOMIC_REGION = 4 << 20;
    /** The ramdisk's atomic write unit max in the atomic power-cut runs. */
    static final int AWU_MAX = 64 << 10;
    static final int SECTOR = 512;

    /** One direct write of an atomic power-cut run: its stamp id, range, kind and device events. */
    record DioWrite(int id, long off, int len, boolean atomic, int eventsBefore, int eventsAfter) {
    }

    /** Every 512-byte sector of a write carries the write's id and the sector's file offset, then filler. */
    static byte[] stamped(int id, long off, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        for (int s = 0; s < len; s += SECTOR) {
            b.putInt(s, id).putLong(s + 4, off + s);
            for (int i = 12; i < SECTOR; i++) {
                b.put(s + i, (byte) (id * 7 + i));
            }
        }
        return b.array();
    }

    /**
     * Power cuts among O_DIRECT writes, atomic ({@code RWF_ATOMIC}, power-of-two sizes up to the
     * ramdisk's {@code awu_max}, naturally aligned) and not (whole blocks, any size up to 64), on a
     * {@link RecordingDevice} whose fault model tears any multi-block write at a cut except an atomic
     * one. Each atomic write reaches the device as one {@code REQ_ATOMIC} request. At every cut
     * (random ones, plus cuts tearing the data of non-atomic writes): fsck is clean, every sector
     * reads as written by some write of the run (or never written: zeros, never stale), every atomic
     * write is wholly there or wholly absent (no sector of it shows it while another shows an older
     * write), and every write fsync'd before the cut is wholly there. Torn non-atomic writes must be
     * seen at some cut: the check has teeth.
     */
    @ParameterizedTest(name = "{0} bs={1}")
    @CsvSource({"BUFFER_HEAD, 1024", "BUFFER_HEAD, 4096", "IOMAP, 1024", "IOMAP, 4096", "BUFFER_HEAD_LARGE_FOLIO, 4096"})
    void atomicWritesAreWholeOrAbsentAfterAnyCut(IoPath path, int bs) throws Exception {
        Random rnd = new Random(41L * bs + path.ordinal());
        RamDisk ram = new RamDisk(32L << 20, SECTOR, AWU_MAX);
        fillStale(ram);
        try (RecordingDevice dev = new RecordingDevice(ram)) {
            MountOptions opts = MountOptions.builder().blockSize(bs).memBytes(8L << 20).commitIntervalSeconds(0).build();
            FileSystem.format(dev, opts);
            FileSystem fs = FileSystem.mount(dev, opts);
            File f = fs.open("atomic", path, StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT);
            fs.sync();
            dev.startRecording();
            List<DioWrite> writes = new ArrayList<>();
            List<int[]> syncs = new ArrayList<>(); // {events after the fsync, writes before it}
            int rejected = 0;
            int id = 0;
            for (int i = 0; i < 160; i++) {
                int r = rnd.nextInt(100);
                if (r < 90) {
                    boolean atomic = r < 55;
                    int len;
                    long off;
                    if (atomic) {
                        len = bs << rnd.nextInt(Integer.numberOfTrailingZeros(AWU_MAX / bs) + 1);
                        off = (long) len * rnd.nextInt(ATOMIC_REGION / len);
                    } else {
                        len = bs * (1 + rnd.nextInt(64));
                        off = (long) bs * rnd.nextInt((ATOMIC_REGION - len) / bs);
                        if (!writes.isEmpty() && rnd.nextBoolean()) {
                            // over an earlier write: a torn overwrite shows, a torn write into a hole reads as zeros
                            DioWrite w = writes.get(rnd.nextInt(writes.size()));
                            off = Math.min(w.off, ATOMIC_REGION - len);
                        }
                    }
                    int before = dev.events();
                    try {
                        f.pwritev2(ByteBuffer.wrap(stamped(++id, off, len)), off, atomic ? File.RWF_ATOMIC : 0);
                    } catch (ErrnoException e) {
                        assertTrue(atomic && e.errno() == Errno.EINVAL, "only atomic writes over unaligned blocks fail: " + e);
                        rejected++;
                        continue;
                    }
                    writes.add(new DioWrite(id, off, len, atomic, before, dev.events()));
                } else {
                    f.fsync();
                    syncs.add(new int[] {dev.events(), writes.size()});
                }
            }
            fs.crash();
            dev.stopRecording();
            long atomics = writes.stream().filter(DioWrite::atomic).count();
            assertTrue(atomics > 30 && rejected > 0, atomics + " atomic writes, " + rejected + " refused");
            for (DioWrite w : writes) {
                if (w.atomic) {
                    int n = 0;
                    for (int e = w.eventsBefore; e < w.eventsAfter; e++) {
                        RecordingDevice.Event ev = dev.event(e);
                        if (ev.atomic) {
                            assertEquals(w.len, ev.data.length, "the atomic write is one request");
                            n++;
                        }
                    }
                    assertEquals(1, n, "write " + w + ": one REQ_ATOMIC request");
                }
            }
            // random cuts, then cuts tearing the data of non-atomic multi-sector writes
            List<int[]> cuts = new ArrayList<>();
            int events = dev.events();
            for (int k = 0; k < 60; k++) {
                int cut = k == 0 ? events : rnd.nextInt(events + 1);
                cuts.add(new int[] {cut, cut < events && dev.units(cut) > 1 ? 1 + rnd.nextInt(dev.units(cut) - 1) : 0});
            }
            for (DioWrite w : writes) {
                if (!w.atomic && cuts.size() < 160) {
                    for (int e = w.eventsBefore; e < w.eventsAfter; e++) {
                        RecordingDevice.Event ev = dev.event(e);
                        if (!ev.flush && dev.units(e) > 1 && ev.data.length == w.len) {
                            cuts.add(new int[] {e, dev.units(e) / 2});
                            break;
                        }
                    }
                }
            }
            int tornNonAtomic = 0;
            for (int[] c : cuts) {
                try {
                    tornNonAtomic += checkAtomicImage(dev.imageAt(c[0], c[1]), opts, path, writes, syncs, c[0]);
                } catch (Throwable t) {
                    fail(path + " bs=" + bs + " cut " + c[0] + "/" + events + " torn " + c[1] + ": " + t, t);
                }
            }
            assertTrue(tornNonAtomic > 0, "no cut tore a non-atomic write: the fault model did not bite");
        }
    }

    /**
     * Checks one image of an atomic power-cut run (see above); returns how many non-atomic writes it
     * shows torn.
     */
    static int checkAtomicImage(BlockDevice img, MountOptions opts, IoPath path, List<DioWrite> writes,
            List<int[]> syncs, int cut) throws IOException {
        assertEquals(List.of(), Fsck.check(img), "fsck of the crashed image");
        FileSystem fs = FileSystem.mount(img, opts);
        int[] stamp = new int[ATOMIC_REGION / SECTOR];
        try (File f = fs.open("atomic", path)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(f.size(), ATOMIC_REGION));
            f.pread(b, 0);
            for (int s = 0; s + SECTOR <= b.capacity(); s += SECTOR) {
                int id = b.getInt(s);
                if (b.get(s) == STALE && b.get(s + 1) == STALE) {
                    fail("stale data at offset " + s + ": the sector was never written through this file");
                }
                if (id != 0) {
                    assertEquals(s, b.getLong(s + 4), "sector at " + s + " holds write " + id + "'s data for another offset");
                    assertTrue(id > 0 && id <= writes.get(writes.size() - 1).id, "sector at " + s + ": unknown write " + id);
                }
                stamp[s / SECTOR] = id;
            }
        } finally {
            fs.crash();
        }
        assertEquals(List.of(), Fsck.check(img), "fsck after replay");
        int synced = 0;
        for (int[] s : syncs) {
            if (s[0] <= cut) {
                synced = s[1];
            }
        }
        int torn = 0;
        for (int i = 0; i < writes.size(); i++) {
            DioWrite w = writes.get(i);
            boolean seen = false;
            boolean older = false;
            for (long o = w.off; o < w.off + w.len; o += SECTOR) {
                int id = stamp[(int) (o / SECTOR)];
                seen |= id == w.id;
                older |= id < w.id;
            }
            if (i < synced) {
                assertFalse(older, "write " + w + " was fsync'd before the cut, yet part of it is missing");
            }
            if (seen && older) {
                assertFalse(w.atomic, "atomic write " + w + " is torn: part of it is on disk, part shows older data");
                torn++;
            }
        }
        return torn;
    }
}
