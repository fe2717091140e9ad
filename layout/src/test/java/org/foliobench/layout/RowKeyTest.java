package org.foliobench.layout;

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

    @Test
    void numjobsIsASuffixReadBackAndLeftOutOfThePublishedKey() {
        RowKey r = RowKey.parse("write/cache/N/N/N/64K@numjobs=4");
        assertEquals(4, r.numjobs());
        assertEquals("write/cache/N/N/N/64K@numjobs=4", r.key());
        assertEquals(RowKey.parse("write/cache/N/N/N/64K"), r.base());
        assertEquals(0, r.base().numjobs());
        assertEquals(false, r.publishable(), "4 threads are not the published one-job row");
        assertEquals(true, r.withNumjobs(1).publishable());
        assertEquals(true, r.base().publishable());
        assertEquals("write-cache-n-n-n-64k_numjobs_4", r.fileName());
        assertEquals(r, RowKey.parse(r.key()));
        // the same rule for the bench's keys, job: keys of foliobench run too
        assertEquals("job:seq@numjobs=2", RowKey.withNumjobs("job:seq", 2));
        assertEquals("job:seq", RowKey.withNumjobs("job:seq", 0));
        assertEquals(2, RowKey.numjobsOf("job:seq@numjobs=2"));
        assertEquals(0, RowKey.numjobsOf("job:seq"));
        assertEquals("job:seq", RowKey.withoutNumjobs("job:seq@numjobs=2"));
        for (String bad : new String[] {"read/hole/4K@numjobs=0", "read/hole/4K@numjobs=4097", "read/hole/4K@numjobs=x",
            "read/hole/4K@numjobs="}) {
            assertThrows(IllegalArgumentException.class, () -> RowKey.parse(bad), bad);
        }
    }
}
