package org.foliobench.iopath;

/**
 * The buffered IO path of a file, chosen at open like the series' per-inode switch. Its names
 * ({@link #BH_NAME}, {@link #IOMAP_NAME}, {@link #BHLF_NAME}) are declared here once: job files'
 * {@code fb_path=}, the bench's {@code --paths} and JMH params, the pass log and the tables' columns
 * all use them.
 */
public enum IoPath {
    /** The legacy path: order-0 folios, one BufferHead per block, get_block per block. */
    BUFFER_HEAD(IoPath.BH_NAME),
    /** iomap with large folios: one mapping call per extent, folios up to the max order. */
    IOMAP(IoPath.IOMAP_NAME),
    /**
     * buffer_head with large folios, as ext4 since 6.16 ("ext4: enable large folio for regular
     * files"): {@code mapping_set_large_folios} on the inode, folio order from the write length,
     * a BufferHead for every block of a large folio, get_block per block.
     */
    BUFFER_HEAD_LARGE_FOLIO(IoPath.BHLF_NAME);

    /** {@link #BUFFER_HEAD}'s name. */
    public static final String BH_NAME = "bh";
    /** {@link #IOMAP}'s name. */
    public static final String IOMAP_NAME = "iomap";
    /** {@link #BUFFER_HEAD_LARGE_FOLIO}'s name. */
    public static final String BHLF_NAME = "bhlf";

    private final String shortName;

    IoPath(String shortName) {
        this.shortName = shortName;
    }

    /** The name used in tables, job files and JMH params: {@code bh}, {@code iomap} or {@code bhlf}. */
    public String shortName() {
        return shortName;
    }

    /** The path of that exact name ({@link #shortName()}); null for any other. */
    public static IoPath of(String shortName) {
        for (IoPath p : values()) {
            if (p.shortName.equals(shortName)) {
                return p;
            }
        }
        return null;
    }

    /** Parses {@code bh}/{@code buffer_head}, {@code iomap} or {@code bhlf}, case-insensitive. */
    public static IoPath parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case BH_NAME:
            case "buffer_head":
            case "buffer-head":
                return BUFFER_HEAD;
            case IOMAP_NAME:
                return IOMAP;
            case BHLF_NAME:
            case "bh+lf":
                return BUFFER_HEAD_LARGE_FOLIO;
            default:
                throw new IllegalArgumentException("unknown IO path \"" + s + "\" (use bh, iomap or bhlf)");
        }
    }
}
