package org.foliobench.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.foliobench.results.Json;

/** The tests' strict JSON reading: the results module's RFC 8259 parser, plus flat string objects. */
final class JsonCheck {
    private JsonCheck() {
    }

    /** Parses a JSON document; throws on the first syntax error, naming its line and column. */
    static Object parse(String text) {
        return Json.parse(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> flatStrings(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new IllegalArgumentException(e.getKey() + " is not a string");
            }
            m.put(e.getKey(), (String) e.getValue());
        }
        return m;
    }
}
