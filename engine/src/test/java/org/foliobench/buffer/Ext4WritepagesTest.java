package org.foliobench.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.Counters;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ext4 writeback on the buffer_head path: dioread_nolock's unwritten extents against data=ordered. */
class Ext4WritepagesTest {
    static MountOptions options(int bs, Boolean dioreadNolock) {
        return MountOptions.builder().blockSize(bs).memBytes(16L << 20).commitIntervalSeconds(0)
                .dirtyWritebackCentisecs(0).dioreadNolock(dioreadNolock).build();
    }

    /** The counters of one 4K append + fsync to a file created and synced before. */
    static Map<String, Long> appendAndFsync(IoPath path, Boolean dioreadNolock) throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = options(4096, dioreadNolock);
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            try (File f = fs.open("f", path, StandardOpenOption.CREATE)) {
                f.fsync();
                Map<String, Long> before = fs.counters().snapshot();
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) 0x5a);
                f.pwrite(ByteBuffer.wrap(data), 0);
                f.fsync();
                Map<String, Long> delta = Counters.delta(before, fs.counters().snapshot());
                fs.dropCaches();
                ByteBuffer back = ByteBuffer.allocate(4096);
                assertEquals(4096, f.pread(back, 0));
                assertArrayEquals(data, back.array());
                return delta;
            }
        }
    }

    /**
     * Journal handles of the writeback and its completion: all handles but the one
     * {@code file_update_time} starts when the clock ticked since the file was created.
     */
    static long writebackHandles(Map<String, Long> delta) {
        long timeUpdates = delta.getOrDefault("fs.time_updates", 0L);
        assertTrue(timeUpdates <= 1, "one write updates the time at most once: " + delta);
        return delta.getOrDefault("jbd2.handles", 0L) - timeUpdates;
    }

    @Test
    void appendAndFsyncMakesAnAllocationAndAConversionHandleOnBothPaths() throws Exception {
        Map<String, Long> bh = appendAndFsync(IoPath.BUFFER_HEAD, null);
        Map<String, Long> iomap = appendAndFsync(IoPath.IOMAP, null);
        assertEquals(2, writebackHandles(bh), "bh (dioread_nolock, the 4K default): " + bh);
        assertEquals(1, bh.getOrDefault("buffer.end_io_handles", 0L), bh.toString());
        assertEquals(0, bh.getOrDefault("buffer.ordered_writes", 0L), "no data=ordered writes: " + bh);
        assertEquals(2, writebackHandles(iomap), "iomap: " + iomap);
        assertEquals(1, iomap.getOrDefault("iomap.end_io_handles", 0L), iomap.toString());
    }

    @Test
    void nodioreadNolockAllocatesWrittenExtentsInOneHandle() throws Exception {
        Map<String, Long> bh = appendAndFsync(IoPath.BUFFER_HEAD, false);
        assertEquals(1, writebackHandles(bh), bh.toString());
        assertEquals(0, bh.getOrDefault("buffer.end_io_handles", 0L), bh.toString());
    }

    @ParameterizedTest
    @CsvSource({"1024,", "2048,", "4096,", "1024,true", "4096,false"})
    void theDefaultFollowsTheBlockSizeAndExtentsEndWritten(int bs, Boolean dioreadNolock) throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = options(bs, dioreadNolock);
        FileSystem.format(dev, o);
        byte[] data = new byte[(3 << 20) + 1234];
        new java.util.Random(bs).nextBytes(data);
        long handles;
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            try (File f = fs.open("f", IoPath.BUFFER_HEAD, StandardOpenOption.CREATE)) {
                for (int off = 0; off < data.length; off += 100_000) {
                    f.pwrite(ByteBuffer.wrap(data, off, Math.min(100_000, data.length - off)), off);
                }
                f.fsync();
            }
            handles = fs.counters().get("buffer.end_io_handles");
        }
        boolean on = dioreadNolock != null ? dioreadNolock : bs == 4096;
        assertEquals(on, handles > 0, "conversions with dioread_nolock " + (on ? "on" : "off") + ": " + handles);
        assertEquals(List.of(), Fsck.check(dev));
        try (FileSystem fs = FileSystem.mount(dev, o); File f = fs.open("f", IoPath.BUFFER_HEAD)) {
            ByteBuffer back = ByteBuffer.allocate(data.length);
            assertEquals(data.length, f.pread(back, 0));
            assertArrayEquals(data, back.array());
        }
    }

    /**
     * dioread_nolock conversions leave the writeback round: each round's io_end is queued to the
     * {@code ext4-rsv-conversion} worker, which starts the handle reserved at writeback. Prints the
     * worker's mean queue depth and completion latency (last bio end to writeback end).
     */
    @ParameterizedTest(name = "path={0}")
    @CsvSource({"BUFFER_HEAD", "IOMAP"})
    void conversionsRunOnTheCompletionWorker(IoPath path) throws Exception {
        RamDisk dev = new RamDisk(32L << 20);
        MountOptions o = options(4096, true);
        FileSystem.format(dev, o);
        int n = 64;
        byte[] data = new byte[4096 * n];
        new java.util.Random(5).nextBytes(data);
        Map<String, Long> d;
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            try (File f = fs.open("f", path, StandardOpenOption.CREATE)) {
                f.fsync();
                Map<String, Long> before = fs.counters().snapshot();
                for (int i = 0; i < n; i++) {
                    f.pwrite(ByteBuffer.wrap(data, 4096 * i, 4096), 4096L * i);
                    f.fsync();
                }
                d = Counters.delta(before, fs.counters().snapshot());
            }
        }
        String prefix = path == IoPath.BUFFER_HEAD ? "buffer.rsv_conversion" : "iomap.end_io";
        long queued = d.getOrDefault(prefix + "_queued", 0L);
        assertEquals(n, queued, "one conversion per append + fsync, through the worker: " + d);
        assertTrue(d.getOrDefault("workqueue.ext4-rsv-conversion.executed", 0L) >= 1, d.toString());
        assertEquals(path == IoPath.BUFFER_HEAD ? n : 0, d.getOrDefault("jbd2.reserved_handle_starts", 0L),
                "bh converts in the handle reserved at writeback, iomap in a new one (patch 25): " + d);
        System.out.printf("%s completion worker, %d x 4K append+fsync: %d queued, mean depth %.2f,"
                + " mean latency %.1f us%n", path, n, queued,
                (double) d.get(prefix + "_queue_depth_sum") / queued,
                d.get(prefix + "_latency_ns_sum") / 1e3 / queued);
        assertEquals(List.of(), Fsck.check(dev));
        try (FileSystem fs = FileSystem.mount(dev, o); File f = fs.open("f", path)) {
            ByteBuffer back = ByteBuffer.allocate(data.length);
            assertEquals(data.length, f.pread(back, 0));
            assertArrayEquals(data, back.array());
        }
    }
}
