package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The thread's control is handed out as new after a release; a control used by an outer call is not handed out. */
class WritebackControlTest {
    @Test
    void aReleasedControlComesBackWithItsInitialValues() {
        WritebackControl bg = WritebackControl.background(1024);
        bg.forKupdate = true;
        bg.taggedWritepages = true;
        bg.pagesSkipped = 3;
        WritebackControl nested = WritebackControl.syncAll(0, 4095);
        assertNotSame(bg, nested, "the thread's control is in use by the outer call");
        nested.release();
        bg.release();
        WritebackControl sync = WritebackControl.syncAll(4096, 8191);
        assertSame(bg, sync, "the released control is the thread's again");
        assertTrue(sync.isSyncAll());
        assertEquals(4096, sync.rangeStart);
        assertEquals(8191, sync.rangeEnd);
        assertEquals(Long.MAX_VALUE, sync.nrToWrite);
        assertFalse(sync.rangeCyclic || sync.forBackground || sync.forKupdate || sync.taggedWritepages);
        assertEquals(0, sync.pagesSkipped);
        assertEquals(null, sync.error());
        sync.release();
    }
}
