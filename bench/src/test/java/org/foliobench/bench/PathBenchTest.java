package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The counters PathBench reports as the reason, on a small file: a 1M cache write costs the
 * buffer_head path a mapping call, a folio and a BufferHead per 4 KiB block, and iomap one mapping
 * call and one 1 MiB folio (no folio state: the write covers the whole folio); cold reads map once
 * per readahead window on both paths and read back what was laid out.
 */
class PathBenchTest {
    static final long FILE = 4L << 20;
    static final long MEM = 128L << 20; // background threshold 12.8 MiB: a 4 MiB pass stays in the cache

    static <T extends PathBench.Mount> T small(T m, String path, String bs) {
        m.path = path;
        m.bs = bs;
        m.fileBytes = FILE;
        m.memBytes = MEM;
        return m;
    }

    @ParameterizedTest
    @CsvSource({
        "bh,    1m,  256, 256, 256, 0",
        "iomap, 1m,  1,   1,   0,   0",
        "bh,    64k, 256, 256, 256, 0",
        "iomap, 64k, 16,  16,  0,   0",
        "bh,    4k,  256, 256, 256, 0",
        "iomap, 4k,  256, 256, 0,   0",
    })
    void cacheWriteCountersPerMiB(String path, String bs, double map, double folios, double bh, double ifs) throws IOException {
        PathBench.WriteFile f = small(new PathBench.WriteFile(), path, bs);
        f.setUp();
        try {
            f.startIteration();
            for (int pass = 0; pass < 2; pass++) {
                f.newFile();
                long n = new PathBench().cacheWrite(f, new PathBench.Rate());
                assertEquals(FILE, n);
                f.check(); // throws if anything was written back
            }
            PathBench.Events ev = new PathBench.Events();
            ev.set(f.counted, f.bytesCounted, 1, f.allocCounted, f.callsCounted);
            assertEquals(map, ev.mapPerMiB, 1e-9, "path.map_calls per MiB");
            assertEquals(folios, ev.foliosPerMiB, 1e-9, "folios per MiB");
            assertEquals(bh, ev.bhPerMiB, 1e-9, "buffer.bh_alloc per MiB");
            assertEquals(ifs, ev.folioStatesPerMiB, 1e-9, "iomap.folio_state_alloc per MiB");
        } finally {
            f.unmount();
        }
    }

    @ParameterizedTest
    @CsvSource({"bh, 1m", "iomap, 1m", "bh, 4k", "iomap, 4k"})
    void coldReadReadsTheLayoutBackThroughReadahead(String path, String bs) throws IOException {
        PathBench.ReadFile f = small(new PathBench.ReadFile(), path, bs);
        f.setUp();
        try {
            f.startIteration();
            f.dropCaches();
            long n = new PathBench().coldRead(f, new PathBench.Rate());
            f.count();
            assertEquals(FILE, n);
            // the buffer holds the file's last bs bytes; the layout repeats every MiB
            int size = f.size;
            long base = FILE - size;
            for (int i = 0; i < size; i++) {
                int inMiB = (int) ((base + i) & ((1 << 20) - 1));
                assertEquals((byte) (inMiB * 7 + 3), f.buf.get(i), "byte " + (base + i));
            }
            PathBench.Events ev = new PathBench.Events();
            ev.set(f.counted, f.bytesCounted, 1, f.allocCounted, f.callsCounted);
            assertEquals(0, ev.bhPerMiB, 0, "BufferHeads per MiB: mpage/iomap readahead of mapped blocks needs none");
            if (size == 1 << 20) {
                assertEquals(1, ev.mapPerMiB, 1e-9, "path.map_calls per MiB of 1M reads");
            }
            assertTrue(f.counted.getOrDefault("bio.submitted", 0L) > 0, "the pass read from the device");
        } finally {
            f.unmount();
        }
    }

    /** A sync-write pass fsyncs every call (a journal commit each) and reads back what it wrote. */
    @ParameterizedTest
    @CsvSource({"bh, 64k", "iomap, 64k"})
    void syncWriteCommitsEveryCall(String path, String bs) throws IOException {
        PathBench.SyncFile f = small(new PathBench.SyncFile(), path, bs);
        f.fileBytes = 1L << 20;
        f.setUp();
        try {
            f.startIteration();
            f.newFile();
            long n = new PathBench().syncWrite(f, new PathBench.Rate());
            f.check();
            assertEquals(f.fileBytes, n);
            long calls = f.fileBytes / f.size;
            assertTrue(f.counted.getOrDefault("jbd2.commits", 0L) >= calls, "a commit per fsync: " + f.counted);
            assertEquals(f.fileBytes, f.counted.getOrDefault("writeback.pages_written", 0L) * 4096, "every page written back once");
            assertEquals(0L, f.fs.counters().get("slab.bio.active"), "every bio put at completion");
        } finally {
            f.unmount();
        }
    }

    /** A writeback pass in a small page cache is written back while it runs. */
    @ParameterizedTest
    @CsvSource({"bh, 1m", "iomap, 1m"})
    void writebackWriteWritesBackDuringThePass(String path, String bs) throws IOException {
        PathBench.WritebackFile f = small(new PathBench.WritebackFile(), path, bs);
        f.fileBytes = 32L << 20;
        f.memBytes = 16L << 20;
        f.setUp();
        try {
            f.startIteration();
            f.newFile();
            long n = new PathBench().writebackWrite(f, new PathBench.Rate());
            f.check();
            assertEquals(f.fileBytes, n);
            assertTrue(f.counted.getOrDefault("writeback.pages_written", 0L) > 0, "the flusher wrote back: " + f.counted);
        } finally {
            f.unmount();
        }
    }
}
