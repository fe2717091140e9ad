package org.foliobench.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.BhPartialWalk;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.foliobench.device.RecordingDevice;
import org.foliobench.fs.Fsck;
import org.foliobench.fs.MapBlocks;
import org.foliobench.iopath.IoPath;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.WritebackControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferHeadPathTest {
    static byte[] pattern(long seed, long pos, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            long x = (pos + i) * 0x9E3779B97F4A7C15L + seed * 0xBF58476D1CE4E5B9L;
            x ^= x >>> 29;
            b[i] = (byte) (x ^ (x >>> 17));
        }
        return b;
    }

    static void assertRange(byte[] model, long pos, byte[] got, String what) {
        byte[] want = Arrays.copyOfRange(model, (int) pos, (int) pos + got.length);
        int mismatch = Arrays.mismatch(want, got);
        assertEquals(-1, mismatch, what + ": first difference at file offset " + (pos + Math.max(0, mismatch)));
    }

    static final long[][] WRITES = {
        {0, 1}, {1, 4095}, {4095, 2}, {10000, 30000}, {5000, 100}, {70000, 4096}, {131071, 65538},
        {200000, 1}, {1023, 1026}, {2047, 2050}, {300000, 257 * 1024}, {8192, 4096}, {40000, 1},
    };

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    void writeReadBackAcrossDropCachesAndRemount(int bs) throws IOException {
        RamDisk disk = new RamDisk(64L << 20);
        BhHarness h = BhHarness.format(disk, bs);
        BhHarness.Open f = h.create("f");
        byte[] model = new byte[600_000];
        long size = 0;
        for (long[] w : WRITES) {
            byte[] d = pattern(w[0], w[0], (int) w[1]);
            assertEquals(w[1], f.write(w[0], d));
            System.arraycopy(d, 0, model, (int) w[0], d.length);
            size = Math.max(size, w[0] + w[1]);
            assertEquals(size, f.inode.size());
            assertRange(model, 0, f.read(0, (int) size), "cached, after write " + w[0] + "+" + w[1]);
        }
        assertTrue(h.fs.dirtyClusters() > 0, "delalloc reserved blocks");
        f.fsync();
        assertEquals(0, h.fs.dirtyClusters(), "writeback consumed every reservation");
        assertEquals(0, f.inode.reservedBlocks());
        assertEquals(size, f.inode.diskSize());
        assertTrue(h.cache.dropCaches() > 0);
        assertEquals(0, f.mapping.nrPages());
        assertEquals(h.counters.get("buffer.bh_alloc"), h.counters.get("buffer.bh_free"), "every bh freed with its folio");
        assertRange(model, 0, f.read(0, (int) size), "after drop_caches");
        for (long[] w : WRITES) {
            assertRange(model, w[0], f.read(w[0], (int) w[1]), "after drop_caches at " + w[0]);
        }
        BhHarness h2 = h.remount();
        assertEquals(List.of(), Fsck.check(disk));
        BhHarness.Open g = h2.open("f");
        assertEquals(size, g.inode.size());
        assertRange(model, 0, g.read(0, (int) size), "after remount");
        h2.close();
        assertEquals(List.of(), Fsck.check(disk));
    }

    @Test
    void oneMiBOn4kBlocksCountsPerBlockWork() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(64L << 20), 4096);
        BhHarness.Open f = h.create("f");
        h.counters.reset();
        byte[] d = pattern(1, 0, 1 << 20);
        for (int off = 0; off < d.length; off += 4096) {
            f.write(off, Arrays.copyOfRange(d, off, off + 4096));
        }
        assertEquals(256, h.counters.get("path.map_calls"), "one get_block per block");
        assertEquals(256, h.counters.get("buffer.bh_alloc"));
        assertEquals(256, h.counters.get("pagecache.folio_alloc_order_0"));
        assertEquals(256, h.counters.get("fs.da_reserve"), "one reservation per block");
        assertEquals(0, h.counters.get("bio.submitted"), "delalloc: nothing written yet");
        f.fsync();
        assertEquals(1, h.counters.get("path.wb_map_calls"), "one allocation for the whole extent");
        assertEquals(1, h.counters.get("buffer.wb_extents"));
        assertEquals(1 << 20, h.counters.get("bio.bytes"));
        assertEquals(1, h.counters.get("bio.submitted"), "disk-contiguous buffers fill one bio");
        assertEquals(256, h.counters.get("path.map_calls"), "writeback counts separately");
        MapBlocks m = h.fs.ext4MapBlocks(null, f.inode, 0, 256, 0);
        assertTrue(m.isMapped());
        assertEquals(256, m.len(), "one extent");
        // cold read: one mapping call per readahead batch, bios of contiguous folios
        h.cache.dropCaches();
        h.counters.reset();
        assertRange(d, 0, f.read(0, d.length), "cold read");
        assertEquals(0, h.counters.get("buffer.bh_reads"), "no per-bh fallback on a contiguous file");
        assertEquals(0, h.counters.get("buffer.read_fallback_folios"));
        assertEquals(0, h.counters.get("buffer.bh_alloc"), "mpage reads attach no buffers");
        assertEquals(1 << 20, h.counters.get("bio.bytes"));
        long calls = h.counters.get("path.map_calls");
        assertTrue(calls >= 1 && calls <= 16, "one map call per readahead batch, got " + calls);
        h.close();
    }

    @Test
    void partialBlockIsReadBeforeWrite() throws IOException {
        for (int bs : new int[] {1024, 4096}) {
            BhHarness h = BhHarness.format(new RamDisk(16L << 20), bs);
            BhHarness.Open f = h.create("f");
            byte[] model = pattern(7, 0, 64 * 1024);
            f.write(0, model);
            f.fsync();
            h.cache.dropCaches();
            h.counters.reset();
            byte[] d = pattern(8, 5000, 100);
            f.write(5000, d);
            System.arraycopy(d, 0, model, 5000, 100);
            assertEquals(1, h.counters.get("buffer.bh_reads"), "the one partial block is read (bs " + bs + ")");
            // spanning two partial blocks: both read
            h.counters.reset();
            byte[] e = pattern(9, 20000 + bs / 2, bs);
            f.write(20000 + bs / 2, e);
            System.arraycopy(e, 0, model, 20000 + bs / 2, bs);
            assertEquals(2, h.counters.get("buffer.bh_reads"), "both partial blocks are read (bs " + bs + ")");
            assertRange(model, 0, f.read(0, model.length), "cached");
            f.fsync();
            h.cache.dropCaches();
            assertRange(model, 0, f.read(0, model.length), "on disk");
            h.close();
        }
    }

    @Test
    void holesReadAsZerosWithoutIo() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(16L << 20), 4096);
        BhHarness.Open f = h.create("f");
        f.truncate(1 << 20);
        h.counters.reset();
        byte[] got = f.read(0, 1 << 20);
        assertEquals(1 << 20, got.length);
        assertArrayEquals(new byte[1 << 20], got);
        assertEquals(0, h.counters.get("bio.submitted"), "a hole needs no IO");
        // a write beyond a hole, synced and dropped: the hole still reads as zeros
        byte[] d = pattern(3, 3 << 20, 10000);
        f.write(3 << 20, d);
        f.fsync();
        h.cache.dropCaches();
        byte[] all = f.read(0, (3 << 20) + 10000);
        assertArrayEquals(new byte[3 << 20], Arrays.copyOf(all, 3 << 20));
        assertArrayEquals(d, Arrays.copyOfRange(all, 3 << 20, all.length));
        h.close();
    }

    @Test
    void enospcFromTheReservationDirtiesNothing() throws IOException {
        for (int bs : new int[] {1024, 4096}) {
            BhHarness h = BhHarness.format(new RamDisk(4L << 20), bs);
            BhHarness.Open f = h.create("f");
            long pos = 0;
            int chunk = 64 * 1024;
            ErrnoException enospc = null;
            while (pos < (8L << 20)) {
                long before = f.inode.size();
                long dirty = h.cache.nrDirty();
                try {
                    long n = f.write(pos, pattern(5, pos, chunk));
                    pos += n;
                    if (n < chunk) {
                        // a short write: the next call fails at once
                        long size = f.inode.size();
                        long d2 = h.cache.nrDirty();
                        enospc = assertThrows(ErrnoException.class, () -> f.write(size, new byte[4096]));
                        assertEquals(size, f.inode.size());
                        assertEquals(d2, h.cache.nrDirty(), "a failed write dirties nothing");
                        break;
                    }
                } catch (ErrnoException e) {
                    enospc = e;
                    assertEquals(before, f.inode.size(), "i_size unchanged");
                    assertEquals(dirty, h.cache.nrDirty(), "a failed write dirties nothing");
                    break;
                }
            }
            assertNotNull(enospc, "the 4 MiB device filled up");
            assertEquals(Errno.ENOSPC, enospc.errno());
            assertEquals(f.inode.reservedBlocks(), h.fs.dirtyClusters(), "reservation matches the delayed blocks");
            assertEquals((f.inode.size() + bs - 1) / bs, f.inode.reservedBlocks(), "one reservation per written block");
            f.fsync();
            assertEquals(0, h.fs.dirtyClusters());
            h.cache.dropCaches();
            long size = f.inode.size();
            byte[] want = new byte[(int) size];
            for (long p = 0; p < size; p += chunk) {
                byte[] d = pattern(5, p, chunk);
                System.arraycopy(d, 0, want, (int) p, (int) Math.min(chunk, size - p));
            }
            assertRange(want, 0, f.read(0, (int) size), "data written before ENOSPC");
            h.close();
        }
    }

    @Test
    void writebackEioReachesFsyncOnce() throws IOException {
        RecordingDevice dev = new RecordingDevice(new RamDisk(16L << 20));
        BhHarness h = BhHarness.format(dev, 4096);
        BhHarness.Open f = h.create("f");
        f.fsync();
        f.write(0, pattern(1, 0, 64 * 1024));
        dev.failWriteAfter(0); // the data bio
        ErrnoException e = assertThrows(ErrnoException.class, f::fsync);
        assertEquals(Errno.EIO, e.errno());
        dev.clearFaults();
        f.fsync(); // reported once
        BufferHead bh = Buffers.folioBuffers(folioAt(f, 0));
        assertTrue(bh.test(BufferHead.BH_WRITE_EIO), "the buffer carries the write error");
        assertFalse(bh.dirty());
        h.close();
    }

    private static Folio folioAt(BhHarness.Open f, long index) {
        Folio folio = f.mapping.filemapGetFolio(index);
        assertNotNull(folio);
        folio.put();
        return folio;
    }

    @Test
    void orderedCommitWritesDataBeforeTheCommitBlockAndAllocatesNothing() throws IOException {
        RecordingDevice dev = new RecordingDevice(new RamDisk(16L << 20));
        BhHarness h = BhHarness.format(dev, 4096, false); // nodioread_nolock: data=ordered
        BhHarness.Open f = h.create("f");
        f.write(0, pattern(1, 0, 64 * 1024));
        // allocate through background writeback: the handle puts the inode on the ordered list
        f.mapping.doWritepages(WritebackControl.background(Long.MAX_VALUE));
        long pblk = h.fs.ext4MapBlocks(null, f.inode, 0, 1, 0).pblk();
        // overwrite the allocated blocks (dirty, mapped) and add a delalloc range
        f.write(0, pattern(2, 0, 16 * 1024));
        f.write(1 << 20, pattern(3, 1 << 20, 16 * 1024));
        long reserved = h.fs.dirtyClusters();
        assertEquals(4, reserved);
        dev.startRecording();
        h.fs.commit();
        dev.stopRecording();
        int dataAt = -1;
        int journalAt = -1;
        for (int i = 0; i < dev.events(); i++) {
            RecordingDevice.Event ev = dev.event(i);
            if (!ev.flush && ev.pos == pblk * 4096 && dataAt < 0) {
                dataAt = i;
            }
            if (!ev.flush && ev.pos != pblk * 4096 && journalAt < 0 && dataAt >= 0) {
                journalAt = i;
            }
        }
        assertTrue(dataAt >= 0, "the commit wrote the inode's dirty mapped data: " + events(dev));
        assertTrue(journalAt > dataAt, "data precedes the journal blocks: " + events(dev));
        assertEquals(reserved, h.fs.dirtyClusters(), "the commit allocated nothing");
        assertEquals(1, h.counters.get("buffer.ordered_writes"));
        assertTrue(folioAt(f, 256).isDirty(), "delalloc data stays dirty");
        assertFalse(folioAt(f, 0).isDirty());
        h.close();
    }

    private static String events(RecordingDevice dev) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < dev.events(); i++) {
            l.add(dev.event(i).toString());
        }
        return l.toString();
    }

    @Test
    void truncateZeroesTheTailOfTheLastBlock() throws IOException {
        for (int bs : new int[] {1024, 4096}) {
            BhHarness h = BhHarness.format(new RamDisk(16L << 20), bs);
            BhHarness.Open f = h.create("f");
            byte[] d = pattern(4, 0, 20000);
            f.write(0, d);
            f.fsync();
            h.cache.dropCaches();
            f.truncate(5000);
            f.truncate(20000);
            byte[] want = Arrays.copyOf(Arrays.copyOf(d, 5000), 20000);
            assertRange(want, 0, f.read(0, 20000), "cached");
            f.fsync();
            h.cache.dropCaches();
            assertRange(want, 0, f.read(0, 20000), "on disk");
            // punch-style zeroing of partial blocks in the cache
            f.write(0, d);
            f.inode.iRwsem().writeLock().lock();
            try {
                h.path.zeroPartialBlocks(f.inode, f.mapping, 1500, 9000);
            } finally {
                f.inode.iRwsem().writeLock().unlock();
            }
            byte[] z = d.clone();
            long ps = (1500 + bs - 1) / bs * bs;
            long pe = (1500 + 9000) / bs * bs;
            Arrays.fill(z, 1500, (int) Math.min(ps, 10500), (byte) 0);
            Arrays.fill(z, (int) Math.max(pe, 1500), 10500, (byte) 0);
            byte[] got = f.read(0, 20000);
            assertRange(z, 0, Arrays.copyOf(got, (int) ps), "zeroed head");
            assertRange(z, pe, Arrays.copyOfRange(got, (int) pe, 20000), "zeroed tail");
            h.close();
        }
    }

    @Test
    void truncateOfDelallocDataReleasesTheReservation() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(16L << 20), 1024);
        BhHarness.Open f = h.create("f");
        f.write(0, pattern(1, 0, 100_000));
        assertEquals(98, h.fs.dirtyClusters());
        f.truncate(10_000);
        assertEquals(10, h.fs.dirtyClusters());
        assertEquals(10, f.inode.reservedBlocks());
        f.truncate(0);
        assertEquals(0, h.fs.dirtyClusters());
        f.fsync();
        assertEquals(0, h.fs.dirtyClusters());
        assertEquals(h.counters.get("buffer.bh_alloc"), h.counters.get("buffer.bh_free"));
        h.close();
    }

    @Test
    void writersFlusherAndFsyncConcurrently() throws Exception {
        BhHarness h = BhHarness.format(new RamDisk(64L << 20), 4096);
        BhHarness.Open f = h.create("f");
        int size = 4 << 20;
        byte[] d = pattern(11, 0, size);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int off = 0; off < size; off += 12345) {
                    int n = Math.min(12345, size - off);
                    f.write(off, Arrays.copyOfRange(d, off, off + n));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread flusher = new Thread(() -> {
            try {
                while (writer.isAlive()) {
                    f.mapping.doWritepages(WritebackControl.background(1024));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread syncer = new Thread(() -> {
            try {
                while (writer.isAlive()) {
                    f.fsync();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        writer.start();
        flusher.start();
        syncer.start();
        writer.join();
        flusher.join();
        syncer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        f.fsync();
        assertEquals(0, h.fs.dirtyClusters());
        assertEquals(0, h.cache.nrDirty());
        h.cache.dropCaches();
        assertRange(d, 0, f.read(0, size), "after concurrent writeback");
        BhHarness h2 = h.remount();
        assertEquals(List.of(), Fsck.check(h2.dev));
        assertRange(d, 0, h2.open("f").read(0, size), "after remount");
        h2.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void throttledWriterWithTheFlusherReclaimReadersAndFsync(int bs) throws Exception {
        org.foliobench.stats.Counters c = new org.foliobench.stats.Counters();
        RamDisk disk = new RamDisk(64L << 20);
        org.foliobench.fs.Ext4.format(disk, BhHarness.fsOptions(bs, c));
        // 8 MiB of memory for a 12 MiB file: background writeback, throttling and reclaim
        BhHarness h = new BhHarness(disk, c, BhHarness.fsOptions(bs, c),
                org.foliobench.pagecache.PageCacheOptions.builder().arenaBytes(8L << 20).counters(c).build(), null);
        BhHarness.Open f = h.create("f");
        int size = 12 << 20;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                java.util.Random r = new java.util.Random(bs);
                for (int off = 0; off < size; off += 40000) {
                    int n = Math.min(40000, size - off);
                    f.write(off, pattern(21, off, n));
                    written.set(off + n);
                    if (r.nextInt(4) == 0) { // rewrite something older with the same bytes
                        int o = r.nextInt(off + n);
                        int l = Math.min(1 + r.nextInt(9000), off + n - o);
                        f.write(o, pattern(21, o, l));
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                BhHarness.Open rf = f;
                java.util.Random r = new java.util.Random(bs + 1);
                org.foliobench.pagecache.FileRaState ra = h.cache.newRaState();
                while (writer.isAlive()) {
                    long w = written.get();
                    if (w == 0) {
                        continue;
                    }
                    long pos = (long) (r.nextDouble() * w);
                    int len = (int) Math.min(1 + r.nextInt(100_000), w - pos);
                    java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(len);
                    int got = org.foliobench.pagecache.Filemap.filemapRead(rf.mapping, ra, pos, dst, rf.inode.size());
                    byte[] b = new byte[got];
                    dst.get(0, b);
                    assertArrayEquals(pattern(21, pos, got), b, "concurrent read at " + pos);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread syncer = new Thread(() -> {
            try {
                // an fsync after each round of the flusher: syncing as fast as it can, on a busy
                // machine the syncer could keep the dirty pages under the background threshold
                // and the flusher would never run, which this test is about
                long flushed = 0;
                while (writer.isAlive()) {
                    long now = c.get("writeback.writepages_calls");
                    if (now == flushed) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                        continue;
                    }
                    flushed = now;
                    f.fsync();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        writer.start();
        reader.start();
        syncer.start();
        writer.join();
        reader.join();
        syncer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(c.get("writeback.writepages_calls") > 0, "the flusher wrote back");
        assertTrue(c.get("buffer.bh_free") > 0, "reclaim freed buffers");
        f.fsync();
        assertEquals(0, h.fs.dirtyClusters());
        h.cache.dropCaches();
        byte[] all = f.read(0, size);
        assertRange(pattern(21, 0, size), 0, all, "after writeback under pressure");
        BhHarness h2 = h.remount();
        assertEquals(List.of(), Fsck.check(disk));
        assertRange(pattern(21, 0, size), 0, h2.open("f").read(0, size), "after remount");
        h2.close();
    }

    @Test
    void diskSizeMovesAtSubmissionAndAtWriteEndInsideAnAllocatedBlock() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(16L << 20), 4096);
        BhHarness.Open f = h.create("f");
        f.write(0, pattern(1, 0, 10000));
        assertEquals(0, f.inode.diskSize(), "delalloc: i_disksize waits for writeback");
        f.mapping.doWritepages(WritebackControl.background(Long.MAX_VALUE));
        assertEquals(10000, f.inode.diskSize(), "i_disksize set when the IO is submitted, clamped to i_size");
        // the dioread_nolock conversion runs on the completion worker: its handle before the count
        f.mapping.filemapFdatawaitRange(0, Long.MAX_VALUE);
        long handles = h.counters.get("jbd2.handles");
        // appending inside the allocated last block: write_end moves i_disksize itself
        f.write(10000, pattern(1, 10000, 50));
        assertEquals(10050, f.inode.diskSize());
        assertEquals(handles + 1, h.counters.get("jbd2.handles"), "one handle for the inode update");
        // appending into a new block: writeback's job again
        f.write(12288, pattern(1, 12288, 10));
        assertEquals(10050, f.inode.diskSize());
        f.fsync();
        assertEquals(12298, f.inode.diskSize());
        h.close();
    }

    @Test
    void extentsAreCappedAt2048BlocksAndMayEndInsideAFolio() throws IOException {
        RamDisk disk = new RamDisk(32L << 20);
        BhHarness h = BhHarness.format(disk, 1024);
        BhHarness.Open f = h.create("f");
        byte[] d = pattern(5, 0, 1024 + 2100 * 1024);
        f.write(0, Arrays.copyOf(d, 1024));
        f.fsync(); // block 0 allocated: the delayed extent starts at block 1, inside folio 0
        f.write(1024, Arrays.copyOfRange(d, 1024, d.length));
        h.counters.reset();
        f.fsync();
        assertTrue(h.counters.get("buffer.wb_extents") >= 2, "2100 delayed blocks need two extents");
        assertEquals(0, h.fs.dirtyClusters());
        assertEquals(0, h.cache.nrDirty());
        h.cache.dropCaches();
        assertRange(d, 0, f.read(0, d.length), "after writeback in capped extents");
        BhHarness h2 = h.remount();
        assertEquals(List.of(), Fsck.check(disk));
        assertRange(d, 0, h2.open("f").read(0, d.length), "after remount");
        h2.close();
    }

    @Test
    void aFolioWithAHoleBetweenBlocksIsReadBufferByBuffer() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(16L << 20), 1024);
        BhHarness.Open f = h.create("f");
        byte[] a = pattern(1, 0, 1024);
        byte[] c = pattern(1, 2048, 1024);
        f.write(0, a);
        f.write(2048, c);
        f.write(8192, pattern(1, 8192, 4096)); // folio 2: fully mapped
        f.fsync();
        h.cache.dropCaches();
        h.counters.reset();
        byte[] got = f.read(0, 3072);
        assertArrayEquals(a, Arrays.copyOf(got, 1024));
        assertArrayEquals(new byte[1024], Arrays.copyOfRange(got, 1024, 2048), "the hole");
        assertArrayEquals(c, Arrays.copyOfRange(got, 2048, 3072));
        assertEquals(1, h.counters.get("buffer.read_fallback_folios"), "hole -> non-hole: confused");
        assertEquals(2, h.counters.get("buffer.bh_reads"), "one bio per mapped buffer");
        assertEquals(4, h.counters.get("buffer.bh_alloc"));
        h.close();
    }

    @Test
    void pathFacts() throws IOException {
        BhHarness h = BhHarness.format(new RamDisk(8L << 20), 4096);
        assertEquals(IoPath.BUFFER_HEAD, h.path.path());
        assertEquals(0, h.path.maxFolioOrder());
        assertNotNull(h.path.aops());
        h.close();
    }

    // ------------------------------------------------------------------ bhlf: large folios

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    void largeFoliosWriteReadBackAcrossDropCachesAndRemount(int bs) throws IOException {
        for (BhPartialWalk walk : BhPartialWalk.values()) {
            RamDisk disk = new RamDisk(64L << 20);
            BhHarness h = BhHarness.formatLarge(disk, bs, walk);
            assertEquals(IoPath.BUFFER_HEAD_LARGE_FOLIO, h.path.path());
            BhHarness.Open f = h.create("f");
            assertEquals(9, f.mapping.maxFolioOrder(), "mapping_set_large_folios");
            byte[] model = new byte[600_000];
            long size = 0;
            for (long[] w : WRITES) {
                byte[] d = pattern(w[0] + bs, w[0], (int) w[1]);
                assertEquals(w[1], f.write(w[0], d));
                System.arraycopy(d, 0, model, (int) w[0], d.length);
                size = Math.max(size, w[0] + w[1]);
                assertEquals(size, f.inode.size());
                assertRange(model, 0, f.read(0, (int) size), walk + ": cached, after write " + w[0] + "+" + w[1]);
            }
            f.fsync();
            assertEquals(0, h.fs.dirtyClusters(), "writeback consumed every reservation");
            assertEquals(size, f.inode.diskSize());
            assertTrue(h.cache.dropCaches() > 0);
            assertEquals(h.counters.get("buffer.bh_alloc"), h.counters.get("buffer.bh_free"), "every bh freed with its folio");
            assertRange(model, 0, f.read(0, (int) size), walk + ": after drop_caches");
            BhHarness h2 = h.remount();
            assertEquals(List.of(), Fsck.check(disk));
            BhHarness.Open g = h2.open("f");
            assertRange(model, 0, g.read(0, (int) size), walk + ": after remount");
            h2.close();
            assertEquals(List.of(), Fsck.check(disk));
        }
    }

    @Test
    void aLargeWriteGetsOneLargeFolioWithABufferAndAGetBlockPerBlock() throws IOException {
        BhHarness h = BhHarness.formatLarge(new RamDisk(64L << 20), 4096, BhPartialWalk.FULL);
        BhHarness.Open f = h.create("f");
        h.counters.reset();
        byte[] d = pattern(1, 0, 1 << 20);
        f.write(0, d);
        assertEquals(1, h.counters.get("pagecache.folio_alloc_order_8"), "fgf_set_order(1 MiB)");
        assertEquals(0, h.counters.get("pagecache.folio_alloc_order_0"));
        assertEquals(256, h.counters.get("buffer.bh_alloc"), "folio_create_empty_buffers: every block");
        assertEquals(256, h.counters.get("path.map_calls"), "still one get_block per block");
        assertEquals(256, h.counters.get("fs.da_reserve"));
        f.fsync();
        assertEquals(1, h.counters.get("path.wb_map_calls"), "one allocation for the extent");
        assertEquals(1 << 20, h.counters.get("bio.bytes"));
        assertEquals(1, h.counters.get("bio.submitted"), "ext4_bio_write_folio: one bio for the folio");
        // cold sequential reads through ext4_mpage_readpages: readahead grows the folio order window by
        // window (ra.order += 2) as on iomap; no buffers, no per-bh IO
        byte[] d2 = pattern(2, 1 << 20, 3 << 20);
        f.write(1 << 20, d2);
        f.fsync();
        h.cache.dropCaches();
        h.counters.reset();
        for (int off = 0; off < 4 << 20; off += 65536) {
            byte[] want = off < d.length ? Arrays.copyOfRange(d, off, off + 65536)
                    : Arrays.copyOfRange(d2, off - d.length, off - d.length + 65536);
            assertArrayEquals(want, f.read(off, 65536), "cold read at " + off);
        }
        assertEquals(0, h.counters.get("buffer.bh_reads"));
        assertEquals(0, h.counters.get("buffer.read_fallback_folios"));
        assertEquals(0, h.counters.get("buffer.bh_alloc"), "mpage reads attach no buffers");
        assertEquals(4 << 20, h.counters.get("bio.bytes"));
        long large = 0;
        for (int o = 2; o <= 9; o++) {
            large += h.counters.get("pagecache.folio_alloc_order_" + o);
        }
        assertTrue(large > 0, "readahead allocates large folios on a large-folio mapping");
        h.close();
    }

    /** Writes {@code 2 MiB} in one call (one order-9 folio, 512 buffers), then a 1 KiB overwrite in its middle. */
    private static long[] partialOverwrite(BhPartialWalk walk) throws IOException {
        RamDisk disk = new RamDisk(64L << 20);
        BhHarness h = BhHarness.formatLarge(disk, 4096, walk);
        BhHarness.Open f = h.create("f");
        byte[] model = pattern(2, 0, 2 << 20);
        f.write(0, model);
        h.counters.reset();
        byte[] small = pattern(3, (1 << 20) + 100, 1024);
        f.write((1 << 20) + 100, small);
        System.arraycopy(small, 0, model, (1 << 20) + 100, small.length);
        long[] r = {h.counters.get("buffer.walk_writes"), h.counters.get("buffer.walk_bhs"),
            h.counters.get("buffer.walk_skips"), h.counters.get("path.map_calls")};
        assertRange(model, 0, f.read(0, model.length), walk + ": cached");
        f.fsync();
        h.cache.dropCaches();
        assertRange(model, 0, f.read(0, model.length), walk + ": after fsync and drop_caches");
        BhHarness h2 = h.remount();
        assertRange(model, 0, h2.open("f").read(0, model.length), walk + ": after remount");
        h2.close();
        assertEquals(List.of(), Fsck.check(disk));
        return r;
    }

    @Test
    void aPartialWriteWalksEveryBufferOfTheFolioUnlessTheRangeWalkIsOn() throws IOException {
        long[] full = partialOverwrite(BhPartialWalk.FULL);
        assertEquals(1, full[0], "one write_begin");
        assertEquals(2 * 512, full[1], "write_begin and commit_write each walk the 512 buffers");
        assertEquals(0, full[3], "mapped buffers: no get_block");
        long[] range = partialOverwrite(BhPartialWalk.RANGE);
        assertEquals(1, range[0]);
        assertEquals(2, range[1], "only the one buffer the write touches, twice");
        assertEquals(2 * 256, range[2], "get_nth_bh follows 256 links to reach it, twice");
    }

    @Test
    void truncateAndPunchInsideADirtyLargeFolio() throws IOException {
        for (BhPartialWalk walk : BhPartialWalk.values()) {
            RamDisk disk = new RamDisk(64L << 20);
            BhHarness h = BhHarness.formatLarge(disk, 1024, walk);
            BhHarness.Open f = h.create("f");
            byte[] model = new byte[2 << 20];
            byte[] d = pattern(4, 0, 2 << 20);
            f.write(0, d);
            System.arraycopy(d, 0, model, 0, d.length);
            // shrink into the middle of the order-9 folio, dirty: it stays, its tail is zeroed and discarded
            f.truncate(700_001);
            Arrays.fill(model, 700_001, model.length, (byte) 0);
            assertRange(model, 0, f.read(0, 700_001), walk + ": after truncate");
            // grow again with a small write past the old end: the gap reads as zeros
            byte[] tail = pattern(5, 1_500_000, 3000);
            f.write(1_500_000, tail);
            System.arraycopy(tail, 0, model, 1_500_000, tail.length);
            assertRange(model, 0, f.read(0, 1_503_000), walk + ": after the extending write");
            f.fsync();
            h.cache.dropCaches();
            assertRange(model, 0, f.read(0, 1_503_000), walk + ": after fsync and drop_caches");
            assertEquals(0, h.fs.dirtyClusters());
            BhHarness h2 = h.remount();
            assertRange(model, 0, h2.open("f").read(0, 1_503_000), walk + ": after remount");
            h2.close();
            assertEquals(List.of(), Fsck.check(disk));
        }
    }
}
