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
    void sizesAreFioSizesNamingTheOption() {
        assertEquals(4096, size("4k"));
        assertEquals(1048576, size("1Mi"));
        assertEquals(1000000, size("1MiB"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> size("4x"));
        assertEquals("bs=4x: bad unit \"x\" in \"4x\" (use k, m, g, t or p (powers of 1024), optionally with b: 4k, 4kb;"
                + " kib..pib are powers of 1000)", e.getMessage());
    }

    @Test
    void jobFilesAndDeviceSpecsReadSizesAlike() {
        for (String v : new String[] {"4k", "4KiB", "1Mi", "1MiB", "1m", "1g", "0x1000", "512b"}) {
            assertEquals(org.foliobench.device.DeviceSpec.parseSize("ramdisk:size=" + v, v), size(v), v);
        }
        for (String v : new String[] {"4x", "1.5g", "4ib"}) {
            assertThrows(IllegalArgumentException.class, () -> size(v), v);
            assertThrows(org.foliobench.device.DeviceSpecException.class,
                    () -> org.foliobench.device.DeviceSpec.parseSize("ramdisk:size=" + v, v), v);
        }
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
