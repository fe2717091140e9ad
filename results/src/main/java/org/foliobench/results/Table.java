package org.foliobench.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A rendered table: header and cells as display strings; numeric columns are right-aligned,
 * the others (row keys, notes) left-aligned. Markdown comes from here; the plots module renders
 * the same cells as HTML.
 */
public record Table(String title, List<String> header, List<List<String>> rows, List<Boolean> numeric) {

    /** The first {@code keyColumns} columns are keys, the rest numbers. */
    public Table(String title, List<String> header, List<List<String>> rows, int keyColumns) {
        this(title, header, rows, numericAfter(header.size(), keyColumns));
    }

    private static List<Boolean> numericAfter(int n, int keyColumns) {
        List<Boolean> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i >= keyColumns);
        }
        return l;
    }

    /** A copy with column {@code c} left-aligned (a text column). */
    public Table withTextColumn(int c) {
        List<Boolean> l = new ArrayList<>(numeric);
        l.set(c, false);
        return new Table(title, header, rows, l);
    }

    public Table {
        header = List.copyOf(header);
        numeric = List.copyOf(numeric);
        if (numeric.size() != header.size()) {
            throw new IllegalArgumentException("alignment for " + numeric.size() + " of " + header.size() + " columns");
        }
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
        return numeric.get(column);
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
