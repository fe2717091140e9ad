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
        k1.put("bh", new double[] {1000, 2});
        k1.put("bhlf", new double[] {4000, 1024});
        k1.put("bhlf-range", new double[] {900, 2});
        k1.put("iomap", new double[] {800, Double.NaN});
        m.put("1k", k1);
        String md = SmallWriteTable.markdown(SmallWriteTable.rows(m));
        assertTrue(md.contains("| 1k | 1000 | 4000 (x4.00) | 900 (x0.90) | 800 (x0.80) | 2, 1024, 2 |"), md);
        assertTrue(md.contains("0.609 / 4.659 / 0.538 | x7.65, x0.88 |"), md);
    }
}
