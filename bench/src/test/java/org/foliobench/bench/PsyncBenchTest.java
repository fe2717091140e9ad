package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PsyncBenchTest {
    @Test
    void everyCallIsTimedWhenTheClockIsCheapAgainstTheCall() {
        assertEquals(1, PsyncBench.Fio.samplePeriod(100, 10_000));
        assertEquals(1, PsyncBench.Fio.samplePeriod(100, 5_000));
        assertEquals(8, PsyncBench.Fio.samplePeriod(100, 700)); // 100/8 = 12.5 ns <= 2% of 700 ns
        assertEquals(1024, PsyncBench.Fio.samplePeriod(1e9, 1));
    }

    @Test
    void clockCostIsPositive() {
        double c = PsyncBench.Fio.clockCost();
        assertTrue(c > 0 && c < 100_000, "two clock reads: " + c + " ns");
    }
}
