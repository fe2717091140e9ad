package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RowKeyTest {

    @Test
    void parsesAndPrintsTheCsvForms() {
        RowKey r = RowKey.parse("read/ramdisk/64K");
        assertEquals(new RowKey("read", "ramdisk", "", "", "", 65536), r);
        assertEquals("read/ramdisk/64K", r.key());
        assertEquals("read-ramdisk-64k", r.fileName());
        RowKey w = RowKey.parse("write/ramdisk/Y/N/Y/4K");
        assertEquals("write-ramdisk-y-n-y-4k", w.fileName());
        assertEquals("write/ramdisk/Y/N/Y", w.section());
        assertEquals(1 << 20, RowKey.parse("write/cache/N/N/N/1M").bs());
        assertEquals("1M", RowKey.parse("write/cache/N/N/N/1m").bsLabel());
    }

    @Test
    void rejectsBadKeys() {
        for (String bad : new String[] {"read/hole", "read/hole/4X", "write/cache/N/N/4K", "write/cache/N/N/X/4K",
            "trim/hole/4K", "read/Hole/4K", "read/hole/0K", "read/hole/K"}) {
            assertThrows(IllegalArgumentException.class, () -> RowKey.parse(bad), bad);
        }
    }
}
