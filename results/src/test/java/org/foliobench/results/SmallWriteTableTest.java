package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallWriteTableTest {
    @Test
    void thePublishedCasesAreRead() {
        List<SmallWriteTable.Published> p = SmallWriteTable.published();
        assertEquals(6, p.size());
        assertEquals("write_u1k", p.get(0).name());
        SmallWriteTable.Published u1k = SmallWriteTable.publishedFor("1k");
        assertEquals(0.609, u1k.v612(), 1e-9);
        assertEquals(4.659, u1k.v618(), 1e-9);
        assertEquals(0.538, u1k.v618Fixed(), 1e-9);
    }

    @Test
    void theTableGivesRatiosToBhAndBesideThePublishedOnes() {
        Map<String, Map<String, double[]>> m = new LinkedHashMap<>();
        Map<String, double[]> k1 = new LinkedHashMap<>();
        k1.put("bh", new double[] {1000, 2, 2, 0, 0});
        k1.put("bhlf", new double[] {4000, 1024, 1024, 0, 0});
        k1.put("bhlf-range", new double[] {900, 2, 2, 511, 0.04});
        k1.put("iomap", new double[] {800, 0, 0, 0, 16});
        m.put("1k", k1);
        String md = SmallWriteTable.markdown(SmallWriteTable.rows(m));
        assertTrue(md.contains("| 1k | 1000 | 4000 (x4.00) | 900 (x0.90) | 800 (x0.80) | 0.609 / 4.659 / 0.538 | x7.65, x0.88 | x4.00, x0.90 |"), md);
    }

    @Test
    void everyPathHasItsPerCallCountersBuffersSkipsAndAllocation() {
        Map<String, Map<String, double[]>> m = new LinkedHashMap<>();
        Map<String, double[]> k10 = new LinkedHashMap<>();
        k10.put("bh", new double[] {950, 6, 2, 0, 0});
        k10.put("bhlf", new double[] {7700, 1028, 1028, 0, 0});
        k10.put("bhlf-range", new double[] {4000, 6, 6, 510.4, 0.04});
        k10.put("iomap", new double[] {1300, 0, 0, 0, 24});
        m.put("10k", k10);
        String md = SmallWriteTable.markdown(SmallWriteTable.rows(m));
        assertTrue(md.contains("| 10k | bh | 950 | 6 | 2 | 0 | 0.0 |"), md);
        assertTrue(md.contains("| 10k | bhlf | 7700 | 1028 | 1028 | 0 | 0.0 |"), md);
        assertTrue(md.contains("| 10k | bhlf-range | 4000 | 6 | 6 | 510 | 0.0 |"), md);
        assertTrue(md.contains("| 10k | iomap | 1300 | 0 | 0 | 0 | 24.0 |"), md);
        assertTrue(md.contains("1.399 / 4.889 / 0.819 | x3.49, x0.59"), md);
    }

    @Test
    void aCaseWithoutCountersShowsDashes() {
        Map<String, Map<String, double[]>> m = new LinkedHashMap<>();
        m.put("1k", new LinkedHashMap<>(Map.of("bh", new double[] {500})));
        String md = SmallWriteTable.markdown(SmallWriteTable.rows(m));
        assertTrue(md.contains("| 1k | bh | 500 | - | - | - | - |"), md);
        assertEquals(500, SmallWriteTable.rows(m).get(0).ns("bh"), 0);
        assertTrue(Double.isNaN(SmallWriteTable.rows(m).get(0).ns("iomap")));
    }
}
