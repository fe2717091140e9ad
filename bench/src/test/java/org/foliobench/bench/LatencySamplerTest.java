package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencySamplerTest {
    @Test
    void everyCallIsTimedWhenTheClockIsCheapAgainstTheCall() {
        assertEquals(1, LatencySampler.samplePeriod(100, 10_000));
        assertEquals(1, LatencySampler.samplePeriod(100, 5_000));
        assertEquals(8, LatencySampler.samplePeriod(100, 700)); // 100/8 = 12.5 ns <= 2% of 700 ns
        assertEquals(1024, LatencySampler.samplePeriod(1e9, 1));
    }

    @Test
    void clockCostIsPositive() {
        double c = LatencySampler.clockCost();
        assertTrue(c > 0 && c < 100_000, "two clock reads: " + c + " ns");
    }
}
