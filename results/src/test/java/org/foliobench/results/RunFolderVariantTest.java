package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;

/** Which JMH parameters become a row's "tunables" variant ({@link RunFolder#onlyVaryingTunables}). */
class RunFolderVariantTest {
    static Measurement m(String row, String path, Map<String, String> attrs) {
        return new Measurement(RowKey.parse(row), PathLabel.of(path), attrs, "b", 1, 0, List.of(new double[] {1}),
                Map.of(), -1, null);
    }

    @Test
    void constantAndRunShapeParamsAreNotVariants() {
        List<Measurement> ms = RunFolder.onlyVaryingTunables(List.of(
                m("read/hole/4K", "bh", Map.of("maxFolioOrder", "9", "sizeDivisor", "8", "latency", "true")),
                m("write/nvme/N/Y/N/4K", "bh", Map.of("maxFolioOrder", "9", "sizeDivisor", "32", "latency", "true"))));
        assertEquals("", ms.get(0).variant());
        assertEquals("", ms.get(1).variant());
        assertEquals("9", ms.get(0).attributes().get("maxFolioOrder"), "attributes keep every parameter");
    }

    @Test
    void aSweptTunableStaysTheVariant() {
        List<Measurement> ms = RunFolder.onlyVaryingTunables(List.of(
                m("read/hole/4K", "iomap", Map.of("maxFolioOrder", "9", "readAheadKb", "128")),
                m("read/hole/4K", "iomap", Map.of("maxFolioOrder", "0", "readAheadKb", "128"))));
        assertEquals("maxFolioOrder=9", ms.get(0).variant());
        assertEquals("maxFolioOrder=0", ms.get(1).variant());
    }
}
