package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PsyncBenchTest {
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
