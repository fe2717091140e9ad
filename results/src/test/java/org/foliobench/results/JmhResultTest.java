package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class JmhResultTest {
    static final String SS = "{\"benchmark\":\"org.foliobench.bench.PsyncBench.psync\",\"mode\":\"ss\","
            + "\"measurementBatchSize\":1000,\"params\":{\"row\":\"read/hole/4K\",\"path\":\"iomap\"},"
            + "\"primaryMetric\":{\"score\":0.0015,\"scoreUnit\":\"ms/op\","
            + "\"rawData\":[[0.001,0.002],[0.0015]]}}";

    @Test
    void singleShotPassesBecomeIopsPerIteration() {
        Measurement m = JmhResult.parse(Json.parse(SS), Path.of("/nonexistent"), new ArrayList<>());
        // 1000 calls in 1 us, 2 us and 1.5 us per pass
        assertArrayEquals(new double[] {1e9, 0.5e9}, m.forks().get(0), 1);
        assertArrayEquals(new double[] {1000 / 1.5e-6}, m.forks().get(1), 1);
        assertEquals((1e9 + 0.5e9 + 1000 / 1.5e-6) / 3, m.iops(), 1);
        assertEquals(Math.round(1000 / m.iops() * 1e9), m.iterationNanos());
    }

    @Test
    void rejectsAverageTimeMode() {
        String avgt = SS.replace("\"ss\"", "\"avgt\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhResult.parse(Json.parse(avgt), Path.of("/nonexistent"), new ArrayList<>()));
        assertEquals(true, e.getMessage().contains("mode is \"avgt\""), e.getMessage());
    }
}
