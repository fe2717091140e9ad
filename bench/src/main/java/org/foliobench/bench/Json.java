package org.foliobench.bench;

import java.util.List;
import java.util.Map;

/**
 * The tiny JSON writer of the run folder (no JSON library is a dependency): strings escaped as
 * RFC 8259 requires, flat string objects for {@code metadata.json}, and objects of longs for the
 * counter logs.
 */
final class Json {
    private Json() {
    }

    /** {@code "s"} with quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
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
