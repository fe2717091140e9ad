package org.foliobench.bench;

import java.util.List;
import java.util.Map;

/**
 * The run folder's JSON shapes (the flat object of {@code metadata.json}, objects of longs for the
 * counter logs), written with the results module's {@link org.foliobench.results.Json}.
 */
final class Json {
    private Json() {
    }

    /** {@code "s"} with quotes, backslashes and control characters escaped: the results module's writer. */
    static String quote(String s) {
        return org.foliobench.results.Json.quote(s);
    }

    /**
     * A flat object, one member per line, in the map's order, each value typed ({@link #typed}): a
     * number as a number, {@code true}/{@code false} as a boolean, anything else as a string.
     */
    static String flatObject(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        String sep = "\n";
        for (Map.Entry<String, String> e : m.entrySet()) {
            b.append(sep).append("  ").append(quote(e.getKey())).append(": ").append(typed(e.getValue()));
            sep = ",\n";
        }
        return b.append(m.isEmpty() ? "}" : "\n}").append('\n').toString();
    }

    /**
     * {@code v} as a JSON value: a decimal number written the way JSON and Java write it back (an
     * integer without leading zeros or sign, {@code -12}, {@code 0.5}; not {@code 007}, {@code 1e3},
     * {@code 2.50} or one beyond a long) as that number; {@code true} or {@code false} as a boolean;
     * anything else as a string.
     */
    static String typed(String v) {
        if (v.equals("true") || v.equals("false")) {
            return v;
        }
        if (v.matches("-?(0|[1-9][0-9]*)")) {
            try {
                return Long.toString(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return quote(v);
            }
        }
        if (v.matches("-?(0|[1-9][0-9]*)\\.[0-9]+") && Double.toString(Double.parseDouble(v)).equals(v)) {
            return v;
        }
        return quote(v);
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
