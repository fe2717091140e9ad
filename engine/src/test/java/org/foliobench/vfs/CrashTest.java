package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RecordingDevice;
import org.foliobench.fs.Fsck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Power cuts. Random writes, truncates, punches and fsyncs run on a {@link RecordingDevice};
 * then the device is cut at many points of its write stream (including torn multi-block writes)
 * and mounted again. At every cut: the filesystem checker is clean, the journal replays, and
 * every byte that was fsync'd before the cut and not touched since reads back exactly; the size
 * is the fsync'd one when nothing changed it since. Unsynced data may be lost, nothing else; and
 * no block the file never wrote shows through (the device starts filled with {@link #STALE}).
 * The buffer_head cases run with dioread_nolock on and off at both block sizes.
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
}
