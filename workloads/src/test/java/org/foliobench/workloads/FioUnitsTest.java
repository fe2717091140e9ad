package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FioUnitsTest {

    private static long size(String v) {
        return FioUnits.parseSize("bs", v);
    }

    private static long us(String v) {
        return FioUnits.parseTimeMicros("runtime", v);
    }

    @Test
    void howtoKbBase1024Examples() {
        // HOWTO "Examples with kb_base=1024 (default)", every entry
        for (String v : new String[] {"4096", "4096b", "4096B", "4k", "4kb", "4kB", "4K", "4KB"}) {
            assertEquals(4096, size(v), v);
        }
        for (String v : new String[] {"1048576", "1m", "1024k"}) {
            assertEquals(1048576, size(v), v);
        }
        for (String v : new String[] {"1000000", "1mi", "1000ki"}) {
            assertEquals(1000000, size(v), v);
        }
        for (String v : new String[] {"1099511627776", "1t", "1024g", "1048576m"}) {
            assertEquals(1099511627776L, size(v), v);
        }
        // "1 TB: 1000000000, 1ti, 1000mi, 1000000ki": the HOWTO's 1000000000 is a typo for 10^12 as
        // far as 1ti goes; 1000mi and 1000000ki are 10^9 as written.
        assertEquals(1_000_000_000_000L, size("1ti"));
        assertEquals(1_000_000_000L, size("1000mi"));
        assertEquals(1_000_000_000L, size("1000000ki"));
        assertEquals(1_000_000_000L, size("1000000000"));
    }

    @Test
    void everySuffixCaseInsensitiveWithOptionalB() {
        assertEquals(1L << 30, size("1g"));
        assertEquals(1L << 30, size("1GB"));
        assertEquals(1L << 30, size("1Gb"));
        assertEquals(1L << 50, size("1p"));
        assertEquals(1L << 50, size("1PB"));
        assertEquals(1_000_000_000L, size("1gi"));
        assertEquals(1_000_000_000L, size("1GiB"));
        assertEquals(4000, size("4kib"));
        assertEquals(4000, size("4KiB"));
        assertEquals(1_000_000_000_000_000L, size("1pib"));
        assertEquals(0, size("0"));
        assertEquals(4096, size(" 4k "));
    }

    @Test
    void hexadecimal() {
        assertEquals(4096, size("0x1000"));
        assertEquals(255, size("0XfF"));
        assertThrows(IllegalArgumentException.class, () -> size("0x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> size("0x10k"));
        assertTrue(e.getMessage().contains("hex values take no unit suffix"), e.getMessage());
    }

    @Test
    void badSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> size("4x"));
        assertEquals("bad unit \"x\" in bs=4x (use k, m, g, t or p (powers of 1024), optionally with b: 4k, 4kb)",
                e.getMessage());
        for (String v : new String[] {"4kk", "4kbb", "4 k", "4mib2", "4q", "4kx"}) {
            e = assertThrows(IllegalArgumentException.class, () -> size(v), v);
            assertTrue(e.getMessage().startsWith("bad unit"), e.getMessage());
        }
        for (String v : new String[] {"k", "-4k", "+4k", "abc", "$mb_memory"}) {
            e = assertThrows(IllegalArgumentException.class, () -> size(v), v);
            assertTrue(e.getMessage().startsWith("bad value"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> size("1.5g"));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> size("8192p"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> size("99999999999999999999"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> size(""));
        assertTrue(e.getMessage().startsWith("empty value for bs"), e.getMessage());
    }

    @Test
    void timesDefaultToSeconds() {
        assertEquals(30_000_000L, us("30"));
        assertEquals(30_000_000L, us("30s"));
        assertEquals(30_000_000L, us("30sec"));
        assertEquals(30_000_000L, us("30S"));
        assertEquals(600_000_000L, us("10m"));
        assertEquals(600_000_000L, us("10M"));
        assertEquals(7_200_000_000L, us("2h"));
        assertEquals(86_400_000_000L, us("1d"));
        assertEquals(86_400_000_000L, us("1D"));
        assertEquals(250_000L, us("250ms"));
        assertEquals(250_000L, us("250msec"));
        assertEquals(250_000L, us("250MS"));
        assertEquals(250L, us("250us"));
        assertEquals(250L, us("250usec"));
        assertEquals(0L, us("0"));
        assertEquals(16_000_000L, us("0x10"));
    }

    @Test
    void badTimes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> us("10x"));
        assertEquals("bad unit \"x\" in runtime=10x (use d, h, m, s, ms or us; a bare number is seconds)", e.getMessage());
        for (String v : new String[] {"10mins", "10ns", "10 s", "10k"}) {
            e = assertThrows(IllegalArgumentException.class, () -> us(v), v);
            assertTrue(e.getMessage().startsWith("bad unit"), e.getMessage());
        }
        for (String v : new String[] {"s", "-1", "ten"}) {
            e = assertThrows(IllegalArgumentException.class, () -> us(v), v);
            assertTrue(e.getMessage().startsWith("bad value"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> us("1.5s"));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> us("999999999999999d"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }
}
