package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;

class ReferenceTableTest {

    @Test
    void loadsTheThirtyNineRowsInTheMailsOrder() {
        ReferenceTable t = ReferenceTable.published();
        assertEquals(39, t.entries().size());
        assertEquals("read/hole/4K", t.entries().get(0).key().key());
        assertEquals("write/nvme/Y/Y/N/1M", t.entries().get(38).key().key());
        ReferenceTable.Entry e = t.get(RowKey.parse("write/ramdisk/N/Y/N/4K"));
        assertEquals(9830, e.bhIops());
        assertEquals(38.4, e.bhBwMiB());
        assertEquals(13500 / 9830.0, e.speedup(), 1e-12);
        assertEquals(18, t.order(RowKey.parse("write/ramdisk/N/Y/N/4K")));
        assertNull(t.get(RowKey.parse("read/hole/8K")));
        assertEquals(-1, t.order(RowKey.parse("read/hole/8K")));
    }

    @Test
    void resourceCitesItsSource() throws IOException {
        try (InputStream in = ReferenceTable.class.getResourceAsStream(ReferenceTable.RESOURCE)) {
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(s.startsWith("# The fio psync buffered-IO table from the cover letter"));
            assertTrue(s.contains("Zhang Yi, linux-ext4, 2024-04-10"));
            assertTrue(s.contains("measured on the v3 series"));
        }
    }

    @Test
    void seedTextReproducesTheCoverLetterByteForByte() throws IOException {
        assertEquals(FormatTest.seedText(), SeedTables.seedText(ReferenceTable.published()));
    }

    @Test
    void thePublishedTableKnowsOnlyOneThread() {
        ReferenceTable ref = ReferenceTable.published();
        RowKey row = RowKey.parse("read/hole/4K");
        assertEquals(ref.get(row), ref.get(row.withNumjobs(1)));
        assertNull(ref.get(row.withNumjobs(2)));
        assertEquals(ref.order(row), ref.order(row.withNumjobs(4)));
    }
}
