package org.foliobench.vfs;

/** The buffered IO path of a file, chosen at open like the series' per-inode switch. */
public enum IoPath {
    /** The legacy path: order-0 folios, one BufferHead per block, get_block per block. */
    BUFFER_HEAD("bh"),
    /** iomap with large folios: one mapping call per extent, folios up to the max order. */
    IOMAP("iomap");

    private final String shortName;

    IoPath(String shortName) {
        this.shortName = shortName;
    }

    /** The name used in tables, job files and JMH params: {@code bh} or {@code iomap}. */
    public String shortName() {
        return shortName;
    }

    /** Parses {@code bh}/{@code buffer_head} or {@code iomap}, case-insensitive. */
    public static IoPath parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "bh":
            case "buffer_head":
            case "buffer-head":
                return BUFFER_HEAD;
            case "iomap":
                return IOMAP;
            default:
                throw new IllegalArgumentException("unknown IO path \"" + s + "\" (use bh or iomap)");
        }
    }
}
