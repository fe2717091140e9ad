package org.foliobench.iopath;

/** The buffered IO path of a file, chosen at open like the series' per-inode switch. */
public enum IoPath {
    /** The legacy path: order-0 folios, one BufferHead per block, get_block per block. */
    BUFFER_HEAD("bh"),
    /** iomap with large folios: one mapping call per extent, folios up to the max order. */
    IOMAP("iomap"),
    /**
     * buffer_head with large folios, as ext4 since 6.16 ("ext4: enable large folio for regular
     * files"): {@code mapping_set_large_folios} on the inode, folio order from the write length,
     * a BufferHead for every block of a large folio, get_block per block.
     */
    BUFFER_HEAD_LARGE_FOLIO("bhlf");

    private final String shortName;

    IoPath(String shortName) {
        this.shortName = shortName;
    }

    /** The name used in tables, job files and JMH params: {@code bh}, {@code iomap} or {@code bhlf}. */
    public String shortName() {
        return shortName;
    }

    /** Parses {@code bh}/{@code buffer_head}, {@code iomap} or {@code bhlf}, case-insensitive. */
    public static IoPath parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "bh":
            case "buffer_head":
            case "buffer-head":
                return BUFFER_HEAD;
            case "iomap":
                return IOMAP;
            case "bhlf":
            case "bh+lf":
                return BUFFER_HEAD_LARGE_FOLIO;
            default:
                throw new IllegalArgumentException("unknown IO path \"" + s + "\" (use bh, iomap or bhlf)");
        }
    }
}
