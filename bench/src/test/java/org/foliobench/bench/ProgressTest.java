package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void durations() {
        assertEquals("?", Progress.duration(-1));
        assertEquals("0s", Progress.duration(0));
        assertEquals("45s", Progress.duration(45_000_000_000L));
        assertEquals("6m12s", Progress.duration(372_000_000_000L));
        assertEquals("1h02m", Progress.duration(3_720_000_000_000L));
    }

    @Test
    void lineHasCountKeyPathRateAndEta() {
        String l = Progress.line(12, 78, "write/ramdisk/N/N/Y/64K", "iomap", Progress.rate(4123.4, 257.66), 372_000_000_000L);
        assertEquals("[12/78] write/ramdisk/N/N/Y/64K    iomap ... 4123 IOPS 257.7 MiB/s (ETA 6m12s)", l);
        assertEquals("[78/78] read/hole/4K               bh    ... x", Progress.line(78, 78, "read/hole/4K", "bh", "x", 0));
    }

    @Test
    void etaScalesElapsedByTheRemainingCost() {
        Progress p = new Progress(new double[] {1, 1, 2, 4});
        assertEquals(-1, p.etaNanos(100));
        p.step();
        assertEquals(700, p.etaNanos(100)); // 7 units left, 1 done in 100 ns
        p.step();
        p.step();
        assertEquals(100, p.etaNanos(100)); // 4 left, 4 done
        p.step();
        assertEquals(0, p.etaNanos(100));
        assertEquals(4, p.done());
    }
}
