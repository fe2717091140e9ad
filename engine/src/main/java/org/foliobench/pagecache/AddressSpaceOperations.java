package org.foliobench.pagecache;

import java.io.IOException;

/**
 * {@code struct address_space_operations}: how the page cache asks a filesystem's IO path to fill,
 * write back and release folios. Implemented by the buffer_head path and by the iomap path.
 *
 * <p>Threading and locking, as in the kernel:
 * <ul>
 * <li>{@link #readFolio} and {@link #readahead} get locked, not-uptodate folios (a reference held by
 * the caller, the readahead folios held by the cache); the path completes each one with
 * {@link Folio#endRead(boolean)}, which unlocks it. They run in the reading thread with the
 * mapping's {@code invalidate_lock} held shared; no xa_lock is held.</li>
 * <li>{@link #writepages} runs in the flusher thread, in an fsync/sync caller or in a reclaiming
 * thread, with no lock held. Folios come locked from {@link Writeback#writebackIter}; the path
 * calls {@link Folio#startWriteback()}, unlocks, submits, and its bio completion calls
 * {@link Folio#endWriteback()} (and {@link AddressSpace#mappingSetError} on a device error).</li>
 * <li>{@link #writeBegin} returns a locked folio with a reference; {@link #writeEnd} unlocks and puts it.
 * Only {@link Filemap#genericPerformWrite} calls them, with the inode lock held by the vfs.</li>
 * <li>{@link #dirtyFolio}, {@link #releaseFolio} and {@link #invalidateFolio} are called with the
 * folio locked.</li>
 * </ul>
 */
public interface AddressSpaceOperations {
    /** {@code ->read_folio}: start (and here, complete) the read of one locked folio. */
    void readFolio(Folio folio) throws IOException;

    /**
     * {@code ->readahead}: read the folios of {@code rac} (take them with
     * {@link ReadaheadControl#readaheadFolio()}). Folios the path leaves are unlocked by the page
     * cache and, if in the async part of the window, dropped. Default: {@link #readFolio} on each.
     */
    default void readahead(ReadaheadControl rac) throws IOException {
        Folio folio;
        while ((folio = rac.readaheadFolio()) != null) {
            readFolio(folio);
        }
    }

    /**
     * {@code ->is_partially_uptodate}: are bytes {@code [from, from + count)} of this folio
     * uptodate although the whole folio is not (iomap's per-block state)? Default: no.
     */
    default boolean isPartiallyUptodate(Folio folio, int from, int count) {
        return false;
    }

    /** {@code ->writepages}: write back dirty folios as {@code wbc} says. */
    void writepages(AddressSpace mapping, WritebackControl wbc) throws IOException;

    /**
     * {@code ->write_begin}: prepare to copy {@code len} bytes at {@code pos}; returns the locked
     * folio (with a reference) that covers {@code pos}. Used by {@link Filemap#genericPerformWrite}.
     */
    default Folio writeBegin(AddressSpace mapping, long pos, int len) throws IOException {
        throw new UnsupportedOperationException("this IO path has its own write loop");
    }

    /**
     * {@code ->write_end}: {@code copied} bytes of {@code len} were copied into {@code folio} at
     * {@code pos}; returns the bytes accepted (0 to retry), unlocks and puts the folio.
     */
    default int writeEnd(AddressSpace mapping, long pos, int len, int copied, Folio folio) throws IOException {
        throw new UnsupportedOperationException("this IO path has its own write loop");
    }

    /** {@code ->dirty_folio}: default {@code filemap_dirty_folio}. Returns true if newly dirtied. */
    default boolean dirtyFolio(AddressSpace mapping, Folio folio) {
        return mapping.filemapDirtyFolio(folio);
    }

    /**
     * {@code ->release_folio}: may the private data be dropped so the folio can be freed
     * (try_to_free_buffers, iomap_release_folio)? Detach it and return true, or return false.
     */
    default boolean releaseFolio(Folio folio) {
        folio.detachPrivate();
        return true;
    }

    /**
     * {@code ->invalidate_folio}: bytes {@code [offset, offset + length)} of the folio are being
     * truncated; when that is the whole folio, the private data must be detached.
     */
    default void invalidateFolio(Folio folio, int offset, int length) {
        if (offset == 0 && length == folio.size()) {
            folio.detachPrivate();
        }
    }
}
