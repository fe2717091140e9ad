package org.foliobench.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A rendered table: header and cells as display strings, the first {@code keyColumns} columns
 * left-aligned (row keys), the rest right-aligned (numbers). Markdown comes from here; the plots
 * module renders the same cells as HTML.
 */
public record Table(String title, List<String> header, List<List<String>> rows, int keyColumns) {

    public Table {
        header = List.copyOf(header);
        List<List<String>> copy = new ArrayList<>();
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException("row of " + r.size() + " cells under a header of " + header.size());
            }
            copy.add(List.copyOf(r));
        }
        rows = Collections.unmodifiableList(copy);
    }

    public boolean rightAligned(int column) {
        return column >= keyColumns;
    }

    /** GitHub-flavoured Markdown, columns padded so the source reads as a table too. */
    public String markdown() {
        int n = header.size();
        int[] w = new int[n];
        for (int c = 0; c < n; c++) {
            w[c] = Math.max(3, header.get(c).length());
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], escape(r.get(c)).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, w);
        b.append('|');
        for (int c = 0; c < n; c++) {
            b.append(' ');
            if (rightAligned(c)) {
                b.append("-".repeat(w[c] - 1)).append(':');
            } else {
                b.append("-".repeat(w[c]));
            }
            b.append(" |");
        }
        b.append('\n');
        for (List<String> r : rows) {
            line(b, r, w);
        }
        return b.toString();
    }

    private void line(StringBuilder b, List<String> cells, int[] w) {
        b.append('|');
        for (int c = 0; c < cells.size(); c++) {
            String s = escape(cells.get(c));
            b.append(' ');
            if (rightAligned(c)) {
                b.append(" ".repeat(w[c] - s.length())).append(s);
            } else {
                b.append(s).append(" ".repeat(w[c] - s.length()));
            }
            b.append(" |");
        }
        b.append('\n');
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
