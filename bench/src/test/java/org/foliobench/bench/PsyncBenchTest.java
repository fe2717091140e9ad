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

    /** Every tunable carried to a fork has the {@code @Param} field its declared name names, and the fork reads it back. */
    @Test
    void everyCarriedTunableHasItsParamField() throws Exception {
        PsyncBench.Fio fio = new PsyncBench.Fio();
        for (org.foliobench.Tunable<?> t : Workload.CARRIED) {
            java.lang.reflect.Field f = PsyncBench.Fio.class.getField(t.param());
            assertTrue(f.isAnnotationPresent(org.openjdk.jmh.annotations.Param.class), t.param());
            assertEquals(f.getAnnotation(org.openjdk.jmh.annotations.Param.class).value()[0], paramDefault(t), t.param());
        }
        fio.maxFolioOrder = 3;
        assertEquals("3", fio.param(org.foliobench.Tunables.MAX_FOLIO_ORDER.param()));
    }

    /** The {@code @Param} default of a tunable: its declared default, as a param (the job's RAM: 0). */
    private static <T> String paramDefault(org.foliobench.Tunable<T> t) {
        return t == org.foliobench.Tunables.MEM ? "0" : t == org.foliobench.Tunables.BH_PARTIAL_WALK ? "default" : t.toParam(t.defaultValue());
    }
}
