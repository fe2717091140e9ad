package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.RamDisk;
import org.junit.jupiter.api.Test;

class MballocTest {
    private static MapBlocks alloc(Mballoc mb, Handle h, long goal, int len, int alignment) throws ErrnoException {
        MapBlocks ar = new MapBlocks();
        mb.alloc(h, goal, len, Mballoc.Kind.DATA, alignment, ar);
        return ar;
    }

    @Test
    void goalShortAndAlignedAllocations() throws IOException {
        RamDisk disk = new RamDisk(2 << 20);
        FsOptions o = Ext4Test.opts(1024, 128);
        Ext4 fs = Ext4Test.fresh(disk, o);
        Mballoc mb = fs.mballoc;
        long first = fs.firstDataBlock;
        Handle h = fs.journalStart(64);
        MapBlocks a = alloc(mb, h, first + 100, 10, 0);
        assertEquals(first + 100, a.pblk(), "at the goal when free");
        assertEquals(10, a.len());
        MapBlocks b = alloc(mb, h, first + 100, 10, 0);
        assertEquals(first + 110, b.pblk(), "first fit after the goal");
        // fragment: every other block taken in a window, then ask beyond what fits anywhere
        MapBlocks c = alloc(mb, h, first + 105, 4, 0);
        assertEquals(first + 120, c.pblk());
        for (int align : new int[] {8, 32, 128}) {
            MapBlocks x = alloc(mb, h, 0, align, align);
            assertEquals(0, x.pblk() % align, "aligned to " + align);
            assertEquals(align, x.len());
        }
        long free = mb.freeBlocks();
        MapBlocks all = alloc(mb, h, first, Integer.MAX_VALUE / 2, 0);
        assertTrue(all.len() < free, "a request larger than any free extent is cut short: " + all.len());
        mb.free(h, a.pblk(), a.len(), false);
        assertEquals(free - all.len(), mb.freeBlocks(), "freed blocks wait for the commit");
        h.stop();
        fs.commit();
        assertEquals(free - all.len() + 10, mb.freeBlocks());
        Handle h2 = fs.journalStart(64);
        assertEquals(Errno.ENOSPC, assertThrows(ErrnoException.class,
                () -> alloc(mb, h2, 0, 1 << 20, 1 << 20)).errno());
        h2.stop();
        fs.unmount();
        List<String> problems = Fsck.check(disk);
        // nothing owns these raw allocations: fsck must see exactly them as leaked
        assertTrue(!problems.isEmpty() && problems.stream().allMatch(p -> p.contains("owned by nothing")), problems.toString());
    }

    @Test
    void freedRangesMergeWithTheirNeighboursAndTheirEntriesGoBackAtCommit() throws IOException {
        RamDisk disk = new RamDisk(2 << 20);
        Ext4 fs = Ext4Test.fresh(disk, Ext4Test.opts(1024, 128));
        Mballoc mb = fs.mballoc;
        long first = fs.firstDataBlock;
        long free = mb.freeBlocks();
        Handle h = fs.journalStart(64);
        MapBlocks x = alloc(mb, h, first + 200, 30, 0);
        assertEquals(first + 200, x.pblk());
        // free the middle, then the left and right parts: each release merges into one extent again
        mb.free(h, first + 210, 10, false);
        mb.free(h, first + 200, 10, false);
        mb.free(h, first + 220, 10, false);
        assertEquals(3, fs.counters().get("slab.ext4_free_data.active"), "one ext4_free_data per freed range");
        h.stop();
        fs.commit();
        assertEquals(free, mb.freeBlocks());
        assertEquals(0, fs.counters().get("slab.ext4_free_data.active"), "the entries went back at the commit");
        Handle h2 = fs.journalStart(64);
        MapBlocks y = alloc(mb, h2, first + 190, 60, 0);
        assertEquals(first + 190, y.pblk(), "the freed blocks are one free extent with their neighbours");
        assertEquals(60, y.len());
        assertThrows(IllegalStateException.class, () -> mb.release(first + 300, 1), "freeing a free block is caught");
        h2.stop();
        fs.unmount();
    }

    @Test
    void alignedAllocationsAreExactNaturallyAlignedAndNearTheGoal() throws IOException {
        RamDisk disk = new RamDisk(2 << 20);
        Ext4 fs = Ext4Test.fresh(disk, Ext4Test.opts(1024, 128));
        Mballoc mb = fs.mballoc;
        long first = fs.firstDataBlock;
        Handle h = fs.journalStart(64);
        long goal = (first + 300) | 5; // not aligned: rounded up to the alignment
        MapBlocks a = alloc(mb, h, goal, 16, 16);
        assertEquals((goal + 15) & -16L, a.pblk(), "at the goal rounded up to the alignment");
        assertEquals(16, a.len());
        MapBlocks b = alloc(mb, h, a.pblk(), 16, 16);
        assertEquals(a.pblk() + 16, b.pblk(), "the next aligned chunk after the goal");
        long before = fs.counters().get("fs.aligned_alloc_calls");
        MapBlocks one = alloc(mb, h, first, 1, 1);
        assertEquals(1, one.len(), "alignment 1: any single block");
        assertEquals(before + 1, fs.counters().get("fs.aligned_alloc_calls"));
        // use up nearly everything: an aligned request never comes back short
        alloc(mb, h, first, (int) (mb.freeBlocks() - mb.resvClusters - 100), 0);
        ErrnoException e = assertThrows(ErrnoException.class, () -> alloc(mb, h, first, 256, 256));
        assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
        h.stop();
        fs.unmount();
    }
}
