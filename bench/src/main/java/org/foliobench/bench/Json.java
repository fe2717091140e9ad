package org.foliobench.bench;

import java.util.List;
import java.util.Map;

/**
 * The run folder's JSON shapes (flat string objects for {@code metadata.json}, objects of longs for
 * the counter logs), written with the results module's {@link org.foliobench.results.Json}.
 */
final class Json {
    private Json() {
    }

    /** {@code "s"} with quotes, backslashes and control characters escaped: the results module's writer. */
    static String quote(String s) {
        return org.foliobench.results.Json.quote(s);
    }

    /** A flat object of strings, one member per line, in the map's order. */
    static String flatObject(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        String sep = "\n";
        for (Map.Entry<String, String> e : m.entrySet()) {
            b.append(sep).append("  ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            sep = ",\n";
        }
        return b.append(m.isEmpty() ? "}" : "\n}").append('\n').toString();
    }

    /** An object of longs on one line. */
    static String longObject(Map<String, Long> m) {
        StringBuilder b = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, Long> e : m.entrySet()) {
            b.append(sep).append(quote(e.getKey())).append(':').append(e.getValue());
            sep = ",";
        }
        return b.append('}').toString();
    }

    /** An array of strings on one line. */
    static String stringArray(List<String> l) {
        StringBuilder b = new StringBuilder("[");
        String sep = "";
        for (String s : l) {
            b.append(sep).append(quote(s));
            sep = ",";
        }
        return b.append(']').toString();
    }
}
