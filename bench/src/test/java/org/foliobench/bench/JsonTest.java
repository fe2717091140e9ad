package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void flatObjectRoundTripsAnyString() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu.model", "Intel(R) Xeon(R) \"Gold\" 6140 @ 2.30GHz");
        m.put("path", "C:\\tmp\\x\ty\nz\r\u0001\u2028");
        m.put("empty", "");
        m.put("unicode", "größe ✓");
        assertEquals(m, JsonCheck.flatStrings(Json.flatObject(m)));
        assertEquals(Map.of(), JsonCheck.flatStrings(Json.flatObject(Map.of())));
    }

    @Test
    void longObjectsAndStringArrays() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("bio.submitted", 12L);
        m.put("xa.store", -3L);
        assertEquals("{\"bio.submitted\":12,\"xa.store\":-3}", Json.longObject(m));
        assertEquals(List.of("a\"b", "c"), JsonCheck.parse(Json.stringArray(List.of("a\"b", "c"))));
    }
}
