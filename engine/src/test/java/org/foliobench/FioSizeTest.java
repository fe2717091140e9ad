package org.foliobench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FioSizeTest {

    @Test
    void kbBase1024AsFiosParserReadsIt() {
        // parse.c:__get_mult_bytes() with kb_base=1024: k..p with or without b or i are powers of 1024
        for (String v : new String[] {"4096", "4096b", "4096B", "4k", "4kb", "4kB", "4K", "4KB", "4ki", "4Ki", "0x1000"}) {
            assertEquals(4096, FioSize.parse(v), v);
        }
        for (String v : new String[] {"1048576", "1m", "1M", "1mb", "1Mi", "1mi", "1024k"}) {
            assertEquals(1048576, FioSize.parse(v), v);
        }
        // only the spellings ending in iB flip to powers of 1000
        for (String v : new String[] {"1000000", "1MiB", "1mib", "1000KiB", "1000kib"}) {
            assertEquals(1_000_000, FioSize.parse(v), v);
        }
        assertEquals(1L << 40, FioSize.parse("1t"));
        assertEquals(1L << 40, FioSize.parse("1Ti"));
        assertEquals(1_000_000_000_000L, FioSize.parse("1TiB"));
        assertEquals(1L << 50, FioSize.parse("1PB"));
        assertEquals(1_000_000_000_000_000L, FioSize.parse("1pib"));
        assertEquals(0, FioSize.parse("0"));
        assertEquals(4096, FioSize.parse(" 4k "));
    }

    @Test
    void whatFioWouldIgnoreIsAnError() {
        for (String v : new String[] {"4x", "4kk", "4kbb", "4 k", "4mib2", "4q", "4kx", "4ib", "4bi"}) {
            InvalidValue e = assertThrows(InvalidValue.class, () -> FioSize.parse(v), v);
            assertTrue(e.problem().startsWith("bad unit"), e.getMessage());
        }
        for (String v : new String[] {"k", "-4k", "+4k", "abc", "$mb_memory", ""}) {
            assertThrows(InvalidValue.class, () -> FioSize.parse(v), v);
        }
        assertTrue(assertThrows(InvalidValue.class, () -> FioSize.parse("1.5g")).problem().contains("not a whole number"));
        assertTrue(assertThrows(InvalidValue.class, () -> FioSize.parse("8192p")).problem().contains("too large"));
        assertTrue(assertThrows(InvalidValue.class, () -> FioSize.parse("99999999999999999999")).problem()
                .contains("too large"));
        assertTrue(assertThrows(InvalidValue.class, () -> FioSize.parse("0x10k")).problem().contains("take no unit"));
    }

    @Test
    void formatWritesWhatParseReads() {
        assertEquals("4k", FioSize.format(4096));
        assertEquals("1m", FioSize.format(1 << 20));
        assertEquals("3g", FioSize.format(3L << 30));
        assertEquals("1000", FioSize.format(1000));
        assertEquals("0", FioSize.format(0));
        for (long v : new long[] {1, 4096, 65536, 1000, 6L << 40, (1L << 20) + 4096}) {
            assertEquals(v, FioSize.parse(FioSize.format(v)));
        }
    }
}
