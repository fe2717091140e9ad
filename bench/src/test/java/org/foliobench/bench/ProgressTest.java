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
    void lineHasForkRowKeyOutcomeAndEta() {
        String l = Progress.line(2, 3, 12, 39, "write/ramdisk/N/N/Y/64K", "bh 31.9k  iomap 68.9k  IOPS  x2.16 +-4.1%", 72_000_000_000L);
        assertEquals("[fork 2/3] [12/39] write/ramdisk/N/N/Y/64K    bh 31.9k  iomap 68.9k  IOPS  x2.16 +-4.1% (ETA 1m12s)", l);
        assertEquals("[fork 3/3] [39/39] read/hole/4K               x", Progress.line(3, 3, 39, 39, "read/hole/4K", "x", 0));
    }

    @Test
    void etaIsTheMeanForkTimeTimesTheForksLeft() {
        Progress p = new Progress(2, 2); // 4 forks planned
        assertEquals(-1, p.etaNanos(100));
        p.step(false);
        assertEquals(300, p.etaNanos(100)); // 3 left at 100 ns each
        p.step(false);
        p.step(false);
        p.step(false);
        assertEquals(0, p.etaNanos(400));
        p.step(true); // a fork added for a wide interval: not planned, nothing more left
        assertEquals(0, p.etaNanos(500));
        assertEquals(5, p.done());
    }
}
