package org.foliobench.iomap;

import java.io.IOException;
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
     * The filesystem's bio completion for ioends with {@link IomapIoend#deferEndIo}
     * ({@code ext4_iomap_end_bio}): called once the ioend's last bio ended, possibly on a
     * device's completion thread; queues the completion work, which must end with
     * {@link Writepages#finishIoend} on each ioend not merged into another.
     */
    void endBio(IomapIoend ioend);
}
