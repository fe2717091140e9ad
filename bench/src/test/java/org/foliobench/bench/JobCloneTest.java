package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.StandardOpenOption;
import org.foliobench.iopath.IoPath;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.Rw;
import org.foliobench.workloads.VerifyMode;
import org.junit.jupiter.api.Test;

/** A clone's run loop, and verify=crc32c catching a bit the device flips on read. */
class JobCloneTest {
    static final MountOptions OPTS = MountOptions.builder().blockSize(4096).memBytes(16L << 20).commitIntervalSeconds(0).build();

    static JobSpec job(Rw rw) {
        return JobSpec.builder("j").rw(rw).bs(4096).size(256 << 10).verify(VerifyMode.CRC32C).build();
    }

    /** Writes the job's file with verify headers through a clone, syncs it and drops the cache, as do_verify starts. */
    static JobClone writeVerified(FileSystem fs, IoPath path) throws IOException {
        JobClone c = new JobClone(job(Rw.WRITE), 0);
        c.open(fs.open(c.filename, path, StandardOpenOption.CREATE_NEW));
        c.run(Long.MAX_VALUE, false, null, 1);
        assertEquals(64, c.ops);
        c.file.fsync();
        fs.dropCaches();
        return c;
    }

    @Test
    void doVerifyReadsBackCleanBlocksAndCatchesAFlippedBit() throws Exception {
        for (IoPath path : new IoPath[] {IoPath.BUFFER_HEAD, IoPath.IOMAP}) {
            BitFlipDevice dev = new BitFlipDevice(64 << 20);
            FileSystem.format(dev, OPTS);
            try (FileSystem fs = FileSystem.mount(dev, OPTS)) {
                JobClone c = writeVerified(fs, path);
                c.verifyWritten(c.file); // every block as written
                fs.dropCaches();
                dev.armed = true;
                FioVerify.Failure f = assertThrows(FioVerify.Failure.class, () -> c.verifyWritten(c.file));
                assertEquals(1, dev.flips);
                assertTrue(f.getMessage().matches("crc32c: verify failed at file j\\.0\\.0 offset \\d+, length 4096 \\(expected crc"
                        + " 0x[0-9a-f]+, received 0x[0-9a-f]+\\)"), f.getMessage());
                c.close();
            }
        }
    }

    @Test
    void aVerifyingReadJobChecksEveryBlockItReads() throws Exception {
        BitFlipDevice dev = new BitFlipDevice(64 << 20);
        FileSystem.format(dev, OPTS);
        try (FileSystem fs = FileSystem.mount(dev, OPTS)) {
            writeVerified(fs, IoPath.IOMAP).close();
            JobClone r = new JobClone(job(Rw.READ), 0);
            r.open(fs.open(r.filename, IoPath.IOMAP));
            r.run(Long.MAX_VALUE, false, null, 1);
            assertEquals(64, r.ops);
            r.close();
            fs.dropCaches();
            dev.armed = true;
            r.open(fs.open(r.filename, IoPath.IOMAP));
            assertThrows(FioVerify.Failure.class, () -> r.run(Long.MAX_VALUE, false, null, 1));
            r.close();
        }
    }

    @Test
    void timeBasedWrapsUntilTheDeadlineSizeBasedStopsAtTheLastWholeBlock() throws Exception {
        BitFlipDevice dev = new BitFlipDevice(64 << 20);
        FileSystem.format(dev, OPTS);
        try (FileSystem fs = FileSystem.mount(dev, OPTS)) {
            // 10 KiB is two whole 4 KiB blocks: fio ends the job when offset + bs passes the end
            JobClone sized = new JobClone(JobSpec.builder("s").rw(Rw.WRITE).bs(4096).size(10 << 10).build(), 0);
            sized.open(fs.open(sized.filename, IoPath.IOMAP, StandardOpenOption.CREATE_NEW));
            sized.run(Long.MAX_VALUE, false, null, 1);
            assertEquals(2, sized.ops);
            assertEquals(8192, sized.file.size());
            sized.close();

            JobSpec tb = JobSpec.builder("t").rw(Rw.WRITE).bs(4096).size(16 << 10).timeBased(true).runtimeMicros(50_000)
                    .endFsync(true).build();
            JobClone c = new JobClone(tb, 1);
            assertEquals("t.1.0", c.filename);
            c.open(fs.open(c.filename, IoPath.IOMAP, StandardOpenOption.CREATE_NEW));
            long t0 = System.nanoTime();
            c.run(t0 + 50_000_000L, false, null, 1);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 50, "ran " + ms + " ms");
            assertTrue(c.ops > 4, "wrapped over the 4-block file: " + c.ops + " calls");
            assertEquals(16 << 10, c.reach);
            assertEquals(2, fs.dirtyPages(), "only the first file, without end_fsync, is left dirty");
            c.close();
        }
    }

    @Test
    void randomGapsBetweenTimedCallsAverageThePeriod() {
        JobClone c = new JobClone(JobSpec.builder("g").size(4096).build(), 0);
        assertEquals(1, c.nextGap(1));
        long sum = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            long g = c.nextGap(16);
            assertTrue(g >= 1 && g <= 31, "gap " + g);
            sum += g;
        }
        assertEquals(16.0, (double) sum / n, 0.3);
    }
}
