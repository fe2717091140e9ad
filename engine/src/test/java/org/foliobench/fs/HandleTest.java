package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.foliobench.device.RamDisk;
import org.junit.jupiter.api.Test;

/** Handles come from the jbd2_journal_handle cache, go back at their last stop, and a stopped one cannot be used. */
class HandleTest {
    @Test
    void aStoppedHandleGoesBackToItsCacheAndIsReused() throws IOException {
        Ext4 fs = Ext4Test.fresh(new RamDisk(2 << 20), JournalTest.opts(4096));
        Inode a = fs.create("a");
        long allocs = fs.counters().get("slab.jbd2_journal_handle.allocs");
        Handle h = fs.journalStart(fs.transBlocks(4));
        Handle nested = fs.journalStart(fs.transBlocks(4));
        assertSame(h, nested, "a nested start on the same thread is the same handle (h_ref)");
        fs.updateDiskSize(h, a, 4096);
        nested.stop();
        assertEquals(1, fs.counters().get("slab.jbd2_journal_handle.active"), "the outer reference still holds it");
        h.stop();
        assertEquals(0, fs.counters().get("slab.jbd2_journal_handle.active"));
        Handle again = fs.journalStart(fs.transBlocks(4));
        assertSame(h, again, "jbd2_alloc_handle hands the freed handle out again");
        again.stop();
        assertEquals(allocs + 2, fs.counters().get("slab.jbd2_journal_handle.allocs"));
        assertEquals(fs.counters().get("slab.jbd2_journal_handle.allocs"), fs.counters().get("slab.jbd2_journal_handle.frees"));
        fs.unmount();
    }

    @Test
    void aStoppedHandleCannotBeUsed() throws IOException {
        Ext4 fs = Ext4Test.fresh(new RamDisk(2 << 20), JournalTest.opts(4096));
        Inode a = fs.create("a");
        Handle h = fs.journalStart(fs.transBlocks(4));
        h.stop();
        assertThrows(IllegalStateException.class, h::stop, "stopped twice");
        assertThrows(IllegalStateException.class, h::tid);
        assertThrows(IllegalStateException.class, () -> h.addInodeWrite(a));
        fs.unmount();
    }
}
