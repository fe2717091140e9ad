package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.device.RecordingDevice;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The vfs face: errors (ENOSPC, EIO through errseq, EBUSY, EBADF), path switching, concurrency. */
class FileSystemTest {
    static MountOptions small(int bs) {
        return MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0).build();
    }

    static byte[] random(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] readAll(File f) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        int n = f.pread(b, 0);
        assertEquals(f.size(), n);
        return b.array();
    }

    @ParameterizedTest
    @EnumSource(IoPath.class)
    void enospcIsReportedAndNothingLeaks(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(4L << 20);
        MountOptions o = small(4096);
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        File f = fs.open("big", path, StandardOpenOption.CREATE);
        byte[] chunk = random(1, 64 << 10);
        long written = 0;
        ErrnoException e = null;
        while (written < (8L << 20)) {
            try {
                int n = f.pwrite(ByteBuffer.wrap(chunk), written);
                written += n;
                if (n < chunk.length) {
                    break;
                }
            } catch (ErrnoException x) {
                e = x;
                break;
            }
        }
        if (e == null) {
            e = assertThrows(ErrnoException.class, () -> f.pwrite(ByteBuffer.wrap(chunk), f.size()));
        }
        assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
        assertTrue(written > (1L << 20), "wrote " + written + " bytes before ENOSPC");
        assertEquals(written, f.size());
        f.fsync();
        assertEquals(0, fs.reservedBlocks(), "no reservation left after fsync");
        f.close();
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File g = fs.open("big", path)) {
            byte[] all = readAll(g);
            for (long off = 0; off + chunk.length <= written; off += chunk.length) {
                byte[] part = new byte[chunk.length];
                System.arraycopy(all, (int) off, part, 0, chunk.length);
                assertArrayEquals(chunk, part, "data at " + off + " after ENOSPC and remount");
            }
        }
        fs.unmount();
    }

    @ParameterizedTest(name = "{0} {1} dioread_nolock={2}")
    @CsvSource({"RAMDISK,BUFFER_HEAD,true", "RAMDISK,BUFFER_HEAD,false", "RAMDISK,IOMAP,",
            "FILE,BUFFER_HEAD,true", "FILE,BUFFER_HEAD,false", "FILE,IOMAP,",
            "DIRECT,BUFFER_HEAD,true", "DIRECT,BUFFER_HEAD,false", "DIRECT,IOMAP,",
            "RAMDISK,BUFFER_HEAD_LARGE_FOLIO,true", "RAMDISK,BUFFER_HEAD_LARGE_FOLIO,false",
            "FILE,BUFFER_HEAD_LARGE_FOLIO,true", "DIRECT,BUFFER_HEAD_LARGE_FOLIO,false"})
    void writebackEioReachesEveryOpenerOnce(Backend backend, IoPath path, Boolean dioreadNolock, @TempDir java.nio.file.Path dir)
            throws Exception {
        RecordingDevice dev = new RecordingDevice(backend.open(dir, 32L << 20, "FileSystemTest.writebackEio"));
        MountOptions o = MountOptions.builder().blockSize(4096).memBytes(16L << 20).commitIntervalSeconds(0)
                .dioreadNolock(dioreadNolock).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        File a = fs.open("f", path, StandardOpenOption.CREATE);
        File b = fs.open("f", path);
        a.pwrite(ByteBuffer.wrap(random(2, 256 << 10)), 0);
        dev.failWriteAfter(0);
        ErrnoException e = assertThrows(ErrnoException.class, a::fsync);
        assertEquals(Errno.EIO, e.errno(), e.getMessage());
        dev.clearFaults();
        a.fsync(); // reported once per opener
        ErrnoException e2 = assertThrows(ErrnoException.class, b::fsync);
        assertEquals(Errno.EIO, e2.errno());
        b.fsync();
        File c = fs.open("f", path); // opened after the error: does not see it
        c.fsync();
        // the data is rewritten and survives a remount
        byte[] d = random(3, 256 << 10);
        a.pwrite(ByteBuffer.wrap(d), 0);
        a.fsync();
        a.close();
        b.close();
        c.close();
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        fs = FileSystem.mount(dev, o);
        try (File g = fs.open("f", path)) {
            assertArrayEquals(d, readAll(g));
        }
        fs.unmount();
        dev.close();
    }

    @ParameterizedTest
    @EnumSource(IoPath.class)
    void badInputNamesTheErrno(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = small(4096);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> fs.open("nope", path)).errno());
            File f = fs.open("x", path, StandardOpenOption.CREATE_NEW);
            assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class,
                    () -> fs.open("x", path, StandardOpenOption.CREATE_NEW)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> f.pwrite(ByteBuffer.allocate(1), -1)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> f.truncate(-1)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> f.punchHole(0, 0)).errno());
            IoPath other = IoPath.values()[(path.ordinal() + 1) % IoPath.values().length];
            assertEquals(Errno.EBUSY, assertThrows(ErrnoException.class, () -> fs.open("x", other)).errno());
            assertEquals(Errno.EBUSY, assertThrows(ErrnoException.class, () -> fs.unlink("x")).errno());
            f.close();
            assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, () -> f.pread(ByteBuffer.allocate(1), 0)).errno());
            fs.unlink("x");
            assertEquals(List.of(), fs.list());
        }
    }

    @ParameterizedTest
    @EnumSource(IoPath.class)
    void switchingPathKeepsTheData(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = small(1024);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            byte[] d = random(4, 3_000_001);
            try (File f = fs.open("s", path, StandardOpenOption.CREATE)) {
                f.pwrite(ByteBuffer.wrap(d), 0);
            }
            IoPath other = IoPath.values()[(path.ordinal() + 1) % IoPath.values().length];
            try (File f = fs.open("s", other)) {
                assertArrayEquals(d, readAll(f));
                f.pwrite(ByteBuffer.wrap(new byte[] {42}), 1_000_000);
            }
            d[1_000_000] = 42;
            try (File f = fs.open("s", path)) {
                fs.dropCaches();
                assertArrayEquals(d, readAll(f));
            }
        }
    }

    /**
     * Several writers (own files and disjoint regions of a shared file), readers, fsync and
     * drop_caches at once, under a small page cache; everything checked at the end and after a
     * remount.
     */
    @ParameterizedTest
    @EnumSource(IoPath.class)
    void concurrentReadersAndWriters(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(96L << 20);
        MountOptions o = MountOptions.builder().blockSize(4096).memBytes(8L << 20).commitIntervalSeconds(0).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        int writers = 3;
        int region = 2 << 20;
        byte[][] expectOwn = new byte[writers][];
        byte[] expectShared = new byte[writers * region];
        ExecutorService ex = Executors.newFixedThreadPool(writers + 2);
        try (File shared = fs.open("shared", path, StandardOpenOption.CREATE)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                expectOwn[w] = random(100 + w, 3 << 20);
                futures.add(ex.submit(() -> {
                    Random r = new Random(id);
                    try (File own = fs.open("own" + id, path, StandardOpenOption.CREATE)) {
                        byte[] mine = expectOwn[id];
                        for (int off = 0; off < mine.length; ) {
                            int len = Math.min(mine.length - off, 1 + r.nextInt(200_000));
                            own.pwrite(ByteBuffer.wrap(mine, off, len), off);
                            off += len;
                            byte[] part = random(1000L * id + off, Math.min(len, region / 4));
                            long at = (long) id * region + r.nextInt(region - part.length);
                            shared.pwrite(ByteBuffer.wrap(part), at);
                            synchronized (expectShared) {
                                System.arraycopy(part, 0, expectShared, (int) at, part.length);
                            }
                            if (r.nextInt(8) == 0) {
                                own.fsync();
                            }
                        }
                    }
                    return null;
                }));
            }
            futures.add(ex.submit(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                for (int i = 0; i < 300; i++) {
                    b.clear();
                    shared.pread(b, (long) (i % (writers * 2)) * (1 << 20));
                    if (i % 50 == 0) {
                        fs.dropCaches();
                    }
                }
                return null;
            }));
            futures.add(ex.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    shared.fsync();
                }
                return null;
            }));
            for (Future<?> fu : futures) {
                fu.get();
            }
            fs.dropCaches();
            byte[] got = readAll(shared);
            byte[] want = new byte[got.length];
            System.arraycopy(expectShared, 0, want, 0, Math.min(got.length, expectShared.length));
            assertArrayEquals(want, got, "shared file");
        } finally {
            ex.shutdownNow();
        }
        fs.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        FileSystem again = FileSystem.mount(dev, o);
        for (int w = 0; w < writers; w++) {
            try (File f = again.open("own" + w, path)) {
                assertArrayEquals(expectOwn[w], readAll(f), "own" + w + " after remount");
            }
        }
        again.unmount();
    }

    /**
     * Objects come from the slab caches and go back: after the first round (write, fsync, drop the
     * cache, read back, unlink) the caches hand out freed objects (they grow by less than a tenth of
     * what they hand out: the flusher's timing moves the peak a little), nothing stays active (no
     * BufferHead, folio state, bio or bio completion list: every bio was put at its completion), and
     * every byte reads back as written, with 1 KiB blocks (several BufferHeads and per-block folio state per folio)
     * and 4 KiB blocks.
     */
    @ParameterizedTest
    @EnumSource(IoPath.class)
    void slabObjectsAreReusedAndDataSurvives(IoPath path) throws Exception {
        for (int bs : new int[] {1024, 4096}) {
            RamDisk dev = new RamDisk(32L << 20);
            MountOptions o = small(bs);
            FileSystem.format(dev, o);
            FileSystem fs = FileSystem.mount(dev, o);
            long grownBefore = 0;
            long allocsBefore = 0;
            for (int round = 0; round < 4; round++) {
                byte[] data = random(round, 3 << 20);
                try (File f = fs.open("s", path, StandardOpenOption.CREATE_NEW)) {
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(data.length - off, 1000 + 7919 * (off % 13)); // unaligned, partial blocks
                        f.pwrite(ByteBuffer.wrap(data, off, n), off);
                        off += n;
                    }
                    f.fsync();
                    fs.dropCaches();
                    assertArrayEquals(data, readAll(f), path + " bs " + bs + " round " + round);
                    f.pwrite(ByteBuffer.wrap(data, 5000, 3000), 5000); // a partial overwrite of cached data
                    fs.dropCaches(); // dirty folios stay
                    assertArrayEquals(data, readAll(f));
                }
                fs.unlink("s");
                fs.sync();
                fs.dropCaches();
                long grown = 0;
                long allocs = 0;
                for (java.util.Map.Entry<String, Long> e : fs.counters().snapshot().entrySet()) {
                    String k = e.getKey();
                    if (k.startsWith("slab.") && k.endsWith(".grows")) {
                        grown += e.getValue();
                    }
                    if (k.startsWith("slab.") && k.endsWith(".allocs")) {
                        allocs += e.getValue();
                    }
                    if (k.startsWith("slab.") && k.endsWith(".active")
                            && (k.contains("buffer_head") || k.contains("iomap_folio_state") || k.equals("slab.bio.active")
                                    || k.contains("iomap_read_bio") || k.contains("buffer_bio_private"))) {
                        assertEquals(0L, e.getValue(), k + " after the file's cache is gone");
                    }
                }
                if (round > 0) {
                    assertTrue((grown - grownBefore) * 10 <= allocs - allocsBefore, path + " bs " + bs + " round " + round
                            + ": " + (grown - grownBefore) + " objects constructed for " + (allocs - allocsBefore)
                            + " handed out " + fs.counters().snapshot());
                }
                grownBefore = grown;
                allocsBefore = allocs;
            }
            fs.unmount();
        }
    }

    /**
     * Async readahead on a device with a request queue: the read that meets the readahead mark
     * submits the next window and returns while that window is still at the device (its folios
     * locked), which is what lets the device work while the reader copies. The device is gated, so
     * the window cannot complete behind the test's back; then it is let go and every byte is checked.
     */
    @ParameterizedTest
    @EnumSource(IoPath.class)
    void asyncReadaheadReturnsWithTheNextWindowInFlight(IoPath path) throws Exception {
        org.foliobench.device.GatedDisk dev = new org.foliobench.device.GatedDisk(32L << 20, 1, 64);
        try (dev) {
            org.foliobench.stats.Counters c = new org.foliobench.stats.Counters();
            MountOptions o = MountOptions.builder().blockSize(4096).memBytes(16L << 20).commitIntervalSeconds(0)
                    .counters(c).build();
            FileSystem.format(dev, o);
            FileSystem fs = FileSystem.mount(dev, o);
            byte[] data = random(21, 4 << 20);
            try (File f = fs.open("ra", path, StandardOpenOption.CREATE)) {
                f.pwrite(ByteBuffer.wrap(data), 0);
                f.fsync();
            }
            fs.dropCaches();
            try (File f = fs.open("ra", path)) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                assertEquals(4096, f.pread(b, 0)); // the synchronous window, through the open gate
                // the pread returned once its own folio was unlocked; the rest of the window's folios are
                // unlocked by the same completions, on the IO thread, a moment later: wait for those too
                dev.drain();
                dev.open = false; // from here the device performs nothing until released
                long slept = c.get("filemap.read_locked_waits"); // the synchronous window's own wait, if it was still in flight
                long pos = 4096;
                while (c.get("readahead.async_calls") == 0) {
                    assertEquals(4096, f.pread(b.clear(), pos), "a page of the first window, from the cache");
                    pos += 4096;
                    assertTrue(pos < data.length, "the first window never met its readahead mark");
                }
                assertTrue(dev.inflight() > 0, "the pread that started async readahead returned with it in flight");
                assertEquals(slept, c.get("filemap.read_locked_waits"), "the reader did not sleep on a folio since");
                dev.release();
                byte[] got = new byte[data.length];
                ByteBuffer all = ByteBuffer.allocate(data.length);
                assertEquals(data.length, f.pread(all, 0));
                all.get(0, got);
                assertArrayEquals(data, got);
            }
            fs.unmount();
        }
    }

    /**
     * iomap writeback starts its allocation handle with the folio locked and under writeback
     * ({@code ext4_iomap_map_blocks}); buffer_head writeback holds handles with its folios locked
     * too. With a journal so small that handles keep filling the running transaction (so commits
     * run in the threads starting handles, with their folios locked), a bh file and an iomap file
     * per thread pair are appended and fsync'd concurrently while the flusher and sync run. A lock
     * order broken between a folio lock and a commit would hang here: the timeout turns that into
     * a failure. Afterwards every byte reads back, after a remount too.
     */
    @ParameterizedTest(name = "dioread_nolock={0}")
    @CsvSource({"true", "false"})
    void handlesUnderFolioLocksNeverDeadlockWithCommits(boolean dioreadNolock) throws Exception {
        RamDisk dev = new RamDisk(64L << 20);
        MountOptions o = MountOptions.builder().blockSize(4096).memBytes(16L << 20).commitIntervalSeconds(1)
                .journalBlocks(org.foliobench.fs.Ext4.JOURNAL_MIN_BLOCKS).dirtyBytes(1L << 20)
                .dirtyBackgroundBytes(256L << 10).dirtyExpireCentisecs(1).dirtyWritebackCentisecs(1)
                .dioreadNolock(dioreadNolock).build();
        FileSystem.format(dev, o);
        FileSystem mounted = FileSystem.mount(dev, o);
        int pairs = 2;
        int perFile = 2 << 20;
        List<File> files = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            files.add(mounted.open("bh" + i, IoPath.BUFFER_HEAD, StandardOpenOption.CREATE));
            files.add(mounted.open("iomap" + i, IoPath.IOMAP, StandardOpenOption.CREATE));
        }
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(3), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(files.size() + 1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < files.size(); i++) {
                    File f = files.get(i);
                    long seed = 100 + i;
                    done.add(pool.submit(() -> {
                        byte[] all = random(seed, perFile);
                        Random sizes = new Random(seed);
                        int pos = 0;
                        while (pos < perFile) {
                            int n = Math.min(perFile - pos, 1 + sizes.nextInt(24 << 10));
                            f.pwrite(ByteBuffer.wrap(all, pos, n), pos);
                            pos += n;
                            if (sizes.nextInt(4) == 0) {
                                f.fsync();
                            }
                        }
                        f.fsync();
                        return null;
                    }));
                }
                done.add(pool.submit(() -> {
                    for (int k = 0; k < 20; k++) {
                        mounted.sync();
                    }
                    return null;
                }));
                for (Future<?> d : done) {
                    d.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }, "a handle taken under a folio lock deadlocked with a commit");
        assertTrue(mounted.counters().get("jbd2.commits") > 20, "the tiny journal committed often: "
                + mounted.counters().get("jbd2.commits"));
        for (int i = 0; i < files.size(); i++) {
            assertArrayEquals(random(100 + i, perFile), readAll(files.get(i)), files.get(i).name());
            files.get(i).close();
        }
        mounted.unmount();
        assertEquals(List.of(), Fsck.check(dev));
        FileSystem fs = FileSystem.mount(dev, o);
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).name();
            try (File g = fs.open(name, files.get(i).path())) {
                assertArrayEquals(random(100 + i, perFile), readAll(g), name + " after remount");
            }
        }
        fs.unmount();
    }
}
