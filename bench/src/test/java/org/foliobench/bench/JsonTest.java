package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class JsonTest {
    @Test
    void flatObjectRoundTripsAnyString() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu.model", "Intel(R) Xeon(R) \"Gold\" 6140 @ 2.30GHz");
        m.put("path", "C:\\tmp\\x\ty\nz\r\u0001\u2028");
        m.put("empty", "");
        m.put("unicode", "größe ✓");
        assertEquals(m, JsonCheck.flatValues(Json.flatObject(m)));
        assertEquals(Map.of(), JsonCheck.flatValues(Json.flatObject(Map.of())));
    }

    @Test
    void flatObjectTypesNumbersAndBooleans() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", "2");
        m.put("neg", "-12");
        m.put("pct", "0.5");
        m.put("quick", "false");
        m.put("commit", "0123456789012345678901234567890123456789"); // beyond a long: stays text
        m.put("zero-padded", "007");
        m.put("trailing", "2.50");
        m.put("range", "4-6");
        m.put("started", "2024-04-10T17:03:00.123+02:00");
        Map<String, Object> back = (Map<String, Object>) JsonCheck.parse(Json.flatObject(m));
        assertEquals(2L, back.get("cores"));
        assertEquals(-12L, back.get("neg"));
        assertEquals(0.5, back.get("pct"));
        assertEquals(Boolean.FALSE, back.get("quick"));
        for (String k : List.of("commit", "zero-padded", "trailing", "range", "started")) {
            assertEquals(m.get(k), back.get(k), k);
        }
        assertEquals(m, JsonCheck.flatValues(Json.flatObject(m)), "every value reads back as the text it was");
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
