package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.foliobench.device.RamDisk;
import org.foliobench.vfs.Errno;
import org.foliobench.vfs.ErrnoException;
import org.junit.jupiter.api.Test;

class MballocTest {
    @Test
    void goalShortAndAlignedAllocations() throws IOException {
        RamDisk disk = new RamDisk(2 << 20);
        FsOptions o = Ext4Test.opts(1024, 128);
        Ext4 fs = Ext4Test.fresh(disk, o);
        Mballoc mb = fs.mballoc;
        long first = fs.firstDataBlock;
        Handle h = fs.journalStart(64);
        long[] a = mb.alloc(h, first + 100, 10, Mballoc.Kind.DATA, 0);
        assertEquals(first + 100, a[0], "at the goal when free");
        assertEquals(10, a[1]);
        long[] b = mb.alloc(h, first + 100, 10, Mballoc.Kind.DATA, 0);
        assertEquals(first + 110, b[0], "first fit after the goal");
        // fragment: every other block taken in a window, then ask beyond what fits anywhere
        long[] c = mb.alloc(h, first + 105, 4, Mballoc.Kind.DATA, 0);
        assertEquals(first + 120, c[0]);
        for (int align : new int[] {8, 32, 128}) {
            long[] x = mb.alloc(h, 0, align, Mballoc.Kind.DATA, align);
            assertEquals(0, x[0] % align, "aligned to " + align);
            assertEquals(align, x[1]);
        }
        long free = mb.freeBlocks();
        long[] all = mb.alloc(h, first, Integer.MAX_VALUE / 2, Mballoc.Kind.DATA, 0);
        assertTrue(all[1] < free, "a request larger than any free extent is cut short: " + all[1]);
        mb.free(h, a[0], a[1], false);
        assertEquals(free - all[1], mb.freeBlocks(), "freed blocks wait for the commit");
        h.stop();
        fs.commit();
        assertEquals(free - all[1] + 10, mb.freeBlocks());
        Handle h2 = fs.journalStart(64);
        assertEquals(Errno.ENOSPC, assertThrows(ErrnoException.class,
                () -> mb.alloc(h2, 0, 1 << 20, Mballoc.Kind.DATA, 1 << 20)).errno());
        h2.stop();
        fs.unmount();
        List<String> problems = Fsck.check(disk);
        // nothing owns these raw allocations: fsck must see exactly them as leaked
        assertTrue(!problems.isEmpty() && problems.stream().allMatch(p -> p.contains("owned by nothing")), problems.toString());
    }
}
