package org.foliobench.results;

import java.util.Locale;

/** The two columns of the published tables: the buffer_head path and iomap + large folio. */
public enum PathLabel {
    /** the legacy buffer_head path ({@code path=bh}). */
    BH("bh", "buffer head"),
    /** iomap with large folios ({@code path=iomap}). */
    IOMAP("iomap", "iomap + large folio");

    private final String param;
    private final String title;

    PathLabel(String param, String title) {
        this.param = param;
        this.title = title;
    }

    /** The JMH {@code path} parameter value and file-name prefix: {@code bh}, {@code iomap}. */
    public String param() {
        return param;
    }

    /** The seed table's column title: {@code buffer head}, {@code iomap + large folio}. */
    public String title() {
        return title;
    }

    /** From the JMH {@code path} parameter. */
    public static PathLabel of(String param) {
        for (PathLabel p : values()) {
            if (p.param.equals(param.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("path is bh or iomap, not \"" + param + "\"");
    }
}
