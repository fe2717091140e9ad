package org.foliobench;

/**
 * {@code fb_bh_partial_walk}: how the buffer_head path with large folios walks a folio's buffers
 * for a write that covers only part of the folio. Not a kernel knob but a kernel version: 6.16 to
 * 6.18 walk every BufferHead of the folio in {@code block_write_begin} ({@code
 * ext4_block_write_begin}) and {@code __block_commit_write}; the June 2026 series ("ext4: avoid
 * full buffer walks for large folio partial writes") walks only the buffers of the written range.
 * Order-0 folios (the {@code bh} path) hold one buffer per block of a page either way.
 */
public enum BhPartialWalk {
    /** Every buffer of the folio, per write (6.16-6.18; the default). */
    FULL("full"),
    /** Only the buffers {@code [from, to)} touches (the 2026 fix). */
    RANGE("range");

    private final String value;

    BhPartialWalk(String value) {
        this.value = value;
    }

    /** The {@code fb_bh_partial_walk=} value. */
    public String value() {
        return value;
    }

}
