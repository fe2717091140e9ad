package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesAllValueKinds() {
        Object v = Json.parse(" {\"a\" : [1, -2, 3.5, 1e3, -0.25E-2, 0], \"b\": {\"c\": \"x\\\"y\\\\z\\/\\n\\u00e9\"},"
                + " \"t\": true, \"f\": false, \"n\": null, \"big\": 123456789012345678901234567890} \n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, -0.0025, 0L), m.get("a"));
        assertEquals("x\"y\\z/\né", ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(1.2345678901234568e29, m.get("big"));
        assertEquals(List.of("a", "b", "t", "f", "n", "big"), List.copyOf(m.keySet()), "member order kept");
    }

    @Test
    void parsesJmhShape() {
        Object v = Json.parse("[{\"benchmark\":\"x\",\"primaryMetric\":{\"score\":1.0E-4,\"scoreError\":\"NaN\","
                + "\"rawData\":[[1.5,2.5],[3.0]]}}]");
        Map<?, ?> pm = (Map<?, ?>) ((Map<?, ?>) ((List<?>) v).get(0)).get("primaryMetric");
        assertEquals(1.0E-4, pm.get("score"));
        assertEquals("NaN", pm.get("scoreError"));
        assertEquals(List.of(List.of(1.5, 2.5), List.of(3.0)), pm.get("rawData"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[+1]", "[NaN]", "[Infinity]",
        "{'a':1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1] x", "\"unterminated", "\"tab\there\"", "\"\\x\"",
        "\"\\u12G4\"", "[1e]", "[-]", "tru", "nul", "{\"a\":1,\"a\":2}", "// c\n[1]", "[1e400]", "{1:2}"})
    void rejectsInvalid(String text) {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains("line"), e.getMessage());
    }

    @Test
    void reportsPosition() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("[\n  1,\n  ]"));
        assertEquals(3, e.line);
        assertEquals(3, e.column);
    }

    @Test
    void rejectsDeepNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.ParseException.class, () -> Json.parse(deep));
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
    }

    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fio version", "foliobench");
        m.put("s", "q\"\\\n\t\u0001é");
        m.put("l", 5L);
        m.put("i", 7);
        m.put("d", 0.1);
        m.put("e", 1.0e-7);
        m.put("z", List.of());
        m.put("o", Map.of());
        m.put("n", null);
        m.put("arr", List.of(1L, List.of(true, false)));
        String text = Json.write(m);
        assertTrue(text.startsWith("{\n  \"fio version\" : \"foliobench\",\n"), text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(m.get("s"), back.get("s"));
        assertEquals(5L, back.get("l"));
        assertEquals(7L, back.get("i"));
        assertEquals(0.1, back.get("d"));
        assertEquals(1.0e-7, back.get("e"));
        assertEquals(List.of(1L, List.of(true, false)), back.get("arr"));
        assertEquals(text, Json.write(back), "write(parse(write(x))) is stable");
    }

    @Test
    void refusesNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new Object())));
    }
}
