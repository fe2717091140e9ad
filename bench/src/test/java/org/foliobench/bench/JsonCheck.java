package org.foliobench.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.foliobench.results.Json;

/** The tests' strict JSON reading: the results module's RFC 8259 parser, plus flat objects. */
final class JsonCheck {
    private JsonCheck() {
    }

    /** Parses a JSON document; throws on the first syntax error, naming its line and column. */
    static Object parse(String text) {
        return Json.parse(text);
    }

    /** A flat object (metadata.json) with each value as its text: {@code 4}, {@code true}, {@code 2024-04-10T17:03:00+02:00}. */
    @SuppressWarnings("unchecked")
    static Map<String, String> flatValues(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
            if (e.getValue() instanceof Map || e.getValue() instanceof java.util.List || e.getValue() == null) {
                throw new IllegalArgumentException(e.getKey() + " is not a string, number or boolean");
            }
            m.put(e.getKey(), e.getValue().toString());
        }
        return m;
    }
}
