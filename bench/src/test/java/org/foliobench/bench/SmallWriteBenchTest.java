package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.foliobench.device.DmaMemory;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;

/** The bench's states driven by hand (no JMH run, no timing): what a call does on each path, and the data it leaves. */
class SmallWriteBenchTest {

    /** {@code calls} writes of one iteration of {@code variant}; returns its counters per call. */
    static SmallWriteBench.Walk iteration(String variant, String bs, int calls) throws Exception {
        SmallWriteBench.Cached c = new SmallWriteBench.Cached();
        c.path = variant;
        c.bs = bs;
        c.setUp();
        try {
            SmallWriteBench.Walk w = new SmallWriteBench.Walk();
            w.clear();
            c.startIteration();
            SmallWriteBench bench = new SmallWriteBench();
            for (int i = 0; i < calls; i++) {
                assertEquals(c.size, bench.write(c));
            }
            c.endIteration(w, new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1));
            // the rewritten bytes read back: the call's buffer at every offset written
            ByteBuffer got = DmaMemory.allocate(c.size, 4096);
            byte[] want = new byte[c.size];
            c.buf.get(0, want);
            long off = (long) (calls - 1) * c.size;
            c.file.pread(got, off);
            byte[] g = new byte[c.size];
            got.get(0, g);
            assertArrayEquals(want, g, variant + " " + bs + ": the last call's bytes at " + off);
            return w;
        } finally {
            c.tearDown();
        }
    }

    @Test
    void aOneKiBCallExaminesTwoBuffersOnBhAndTheRangeWalkButTheWholeFolioOnTheFullWalk() throws Exception {
        // 4096 calls of 1 KiB: two whole order-9 folios, every block written four times
        SmallWriteBench.Walk bh = iteration("bh", "1k", 4096);
        assertEquals(2, bh.bhsPerCall, 1e-9);
        assertEquals(2, bh.bhsPerWrite, 1e-9);
        assertEquals(0, bh.skipsPerCall, 1e-9);
        SmallWriteBench.Walk full = iteration("bhlf", "1k", 4096);
        assertEquals(1024, full.bhsPerCall, 1e-9, "write_begin and commit_write each walk the folio's 512 buffers");
        assertEquals(0, full.skipsPerCall, 1e-9);
        SmallWriteBench.Walk range = iteration("bhlf-range", "1k", 4096);
        assertEquals(2, range.bhsPerCall, 1e-9, "the touched buffer only, as on bh");
        assertEquals(511, range.skipsPerCall, 1e-9, "get_nth_bh: 255.5 links on average, in write_begin and in commit_write");
        SmallWriteBench.Walk iomap = iteration("iomap", "1k", 4096);
        assertEquals(0, iomap.bhsPerCall, 1e-9);
        assertEquals(1, iomap.mapPerCall, 1e-9, "one iomap_begin per call");
        for (SmallWriteBench.Walk w : new SmallWriteBench.Walk[] {bh, full, range}) {
            assertEquals(0, w.mapPerCall, 1e-9, "mapped buffers: no get_block");
        }
        for (SmallWriteBench.Walk w : new SmallWriteBench.Walk[] {bh, full, range, iomap}) {
            assertTrue(Double.isNaN(w.allocBytesPerCall) || w.allocBytesPerCall >= 0, "bytes allocated " + w.allocBytesPerCall);
        }
    }

    @Test
    void aTenKiBCallTouchesThreeBlocks() throws Exception {
        // 10 KiB at sequential offsets starts at 0 or half a block: three 4K blocks each time
        SmallWriteBench.Walk range = iteration("bhlf-range", "10k", 800);
        assertEquals(6, range.bhsPerCall, 1e-9, "three buffers, in write_begin and in commit_write");
        // the three calls that cross a 2 MiB folio boundary make two write_begins of fewer buffers
        assertTrue(range.bhsPerWrite > 5.9 && range.bhsPerWrite < 6, "buffers per write_begin " + range.bhsPerWrite);
        SmallWriteBench.Walk full = iteration("bhlf", "10k", 800);
        assertEquals(1024, full.bhsPerWrite, 1e-9, "the whole folio, twice, per write_begin");
        assertTrue(full.bhsPerCall > 1024, "a call crossing a folio walks two: " + full.bhsPerCall);
    }
}
