package org.foliobench.iomap;

import java.io.IOException;
import org.foliobench.fs.Inode;

/**
 * {@code struct iomap_ops} plus the {@code iomap_valid} hook of {@code struct iomap_folio_ops}:
 * how the iomap core asks a filesystem for mappings.
 */
interface IomapOps {
    /** {@code IOMAP_WRITE}. */
    int IOMAP_WRITE = 1 << 0;
    /** {@code IOMAP_ZERO}. */
    int IOMAP_ZERO = 1 << 1;

    /**
     * {@code ->iomap_begin}: map as much of {@code [pos, pos + length)} as one extent allows,
     * starting at {@code pos} ({@code iomap.offset <= pos < iomap.offset + iomap.length}). A
     * filesystem that needs data read from elsewhere (copy on write) fills {@code srcmap}.
     */
    void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap) throws IOException;

    /** {@code ->iomap_end}: {@code written} of the {@code length} bytes at {@code pos} were processed. */
    default void iomapEnd(Inode inode, long pos, long length, long written, int flags, Iomap iomap) throws IOException {
    }

    /** {@code folio_ops->iomap_valid}: is the cached mapping still valid (called with the folio locked)? */
    default boolean iomapValid(Inode inode, Iomap iomap) {
        return true;
    }
}
