package org.foliobench.iomap;

import java.io.IOException;
import java.util.List;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.Folio;

/** {@code struct iomap_writeback_ops}, plus the filesystem's deferred ioend completion work. */
interface WritebackOps {
    /** {@code ->map_blocks}: make {@code wpc.iomap} cover {@code offset} (reuse it when still valid). */
    void mapBlocks(WritepageCtx wpc, Inode inode, long offset, int dirtyLen) throws IOException;

    /** {@code ->prepare_ioend}: decide the ioend's completion (set {@link IomapIoend#deferEndIo}). */
    void prepareIoend(IomapIoend ioend);

    /** {@code ->discard_folio}: mapping failed from {@code pos} to the end of the folio. */
    void discardFolio(Folio folio, long pos);

    /**
     * The deferred completion ({@code ext4_iomap_end_io}, a workqueue in the kernel): run for the
     * ioends with {@link IomapIoend#deferEndIo}, outside any folio lock or journal handle; may
     * reorder the list (the writepage context's, emptied afterwards); must end with
     * {@link Writepages#finishIoend} on each ioend not merged into another, which frees them.
     */
    void endIoWork(List<IomapIoend> completed);
}
