package org.foliobench;

/**
 * {@code fb_defrag_iomap}: what {@code EXT4_IOC_MOVE_EXT} (online defrag, e4defrag) does to an
 * inode using the buffered iomap path. Not a kernel knob but the two positions on the series
 * (seed 004, patch 29/34 of v4, patch 32 of the RESEND): Dave Chinner's, refuse with EOPNOTSUPP
 * (the default), and the patch's, fall back to the buffer_head aops
 * ({@code ext4_disable_buffered_iomap_aops}: under the inode lock and the invalidate lock, write
 * back and drop the page cache, switch the aops, clear large folios) and then move.
 */
public enum DefragIomap {
    /** Refuse: the ioctl fails with EOPNOTSUPP on an iomap inode (the default). */
    EOPNOTSUPP("eopnotsupp"),
    /** Switch the inode to the buffer_head path, then move its extents. */
    FALLBACK("fallback");

    private final String value;

    DefragIomap(String value) {
        this.value = value;
    }

    /** The {@code fb_defrag_iomap=} value. */
    public String value() {
        return value;
    }

}
