package org.foliobench;

/**
 * {@code fb_iomap_dirty_check}: which {@code ->iomap_begin} calls of ext4's {@code ext4_set_iomap}
 * ask {@code ext4_inode_datasync_dirty} whether to set {@code IOMAP_F_DIRTY}. That check calls
 * {@code jbd2_transaction_committed}, which takes the journal's state lock ({@code j_state_lock})
 * to look at the running and committing transactions. Not a kernel knob but patch 33/34 of the
 * series ("ext4: don't mark IOMAP_F_DIRTY for buffer write"), Unixbench fstime with 128 copies
 * being its benchmark: with {@link #DIRECT} (the patch, the default) only DAX, FIEMAP-style
 * reports and direct writes check; with {@link #ALL} (without the patch) every buffered read
 * and write mapping does, so N parallel copies meet on the one journal lock.
 */
public enum IomapDirtyCheck {
    /** With patch 33: buffered IO never checks (the series as merged into the model; the default). */
    DIRECT("direct"),
    /** Without patch 33: every {@code ext4_set_iomap} checks, taking the journal state lock. */
    ALL("all");

    private final String value;

    IomapDirtyCheck(String value) {
        this.value = value;
    }

    /** The {@code fb_iomap_dirty_check=} value. */
    public String value() {
        return value;
    }

}
