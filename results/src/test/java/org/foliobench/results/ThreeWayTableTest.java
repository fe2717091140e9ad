package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThreeWayTableTest {
    @Test
    void theFivePublishedRowsOf2024_11AreRead() {
        List<ThreeWayTable.Published> p = ThreeWayTable.published();
        assertEquals(5, p.size());
        assertEquals("read/hole/4K", p.get(0).key().key());
        assertEquals(576000, p.get(0).bh(), 0);
        assertEquals(762000, p.get(0).iomap(), 0);
        assertEquals(747000, p.get(0).bhlf(), 0);
        assertEquals("read/ramdisk/64K", p.get(4).key().key());
        for (ThreeWayTable.Published r : p) {
            double lfio = r.bhlf() / r.iomap();
            org.junit.jupiter.api.Assertions.assertTrue(lfio > 0.9 && lfio < 0.99, r + ": bhlf/iomap " + lfio);
        }
    }
}
