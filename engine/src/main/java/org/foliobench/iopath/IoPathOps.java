package org.foliobench.iopath;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.AddressSpaceOperations;

/**
 * What differs between the two buffered IO paths of a regular file: the
 * {@code address_space_operations} and the body of {@code ext4_buffered_write_iter}. ext4 picks
 * one per inode ({@code ext4_set_aops}, or the series' {@code ext4_set_iomap_aops} when
 * {@code ext4_should_use_buffered_iomap}); {@link IoPath} makes that choice per open.
 *
 * <p>One instance serves every inode of one mounted filesystem. The vfs calls these with the
 * locks the kernel holds at the same point: {@link #bufferedWrite}, {@link #truncatePage} and
 * {@link #zeroPartialBlocks} with the inode's i_rwsem held exclusive; truncate and punch also
 * hold the mapping's invalidate_lock. Reads need nothing here: both paths read through
 * {@code Filemap.filemapRead} with their own {@link #aops()}.
 *
 * <p>The engine's own contract between vfs and the two paths: its methods take pagecache and fs
 * types, and pagecache is not exported (only {@link IoPath} is for the other modules).
 */
@SuppressWarnings("exports")
public interface IoPathOps {
    /** The path this implements. */
    IoPath path();

    /** {@code mapping->a_ops} for a regular file on this path. */
    AddressSpaceOperations aops();

    /**
     * {@code mapping_set_large_folios}: the largest folio order this path's mappings use (0 for
     * buffer_head, the max folio order tunable for iomap).
     */
    int maxFolioOrder();

    /**
     * The path's half of {@code ext4_buffered_write_iter} ({@code generic_perform_write} with
     * {@code ext4_da_write_begin/end}, or {@code iomap_file_buffered_write}): copies
     * {@code src.remaining()} bytes to the page cache at {@code pos}, advancing {@code src},
     * raising i_size, and calling {@code balance_dirty_pages_ratelimited} as it goes.
     *
     * @return bytes written (short only on an error after some progress)
     */
    long bufferedWrite(Inode inode, AddressSpace mapping, ByteBuffer src, long pos) throws IOException;

    /**
     * {@code ext4_block_truncate_page} / {@code iomap_truncate_page}: before i_size shrinks (or
     * grows) to {@code from}, zero the cached tail of the block containing {@code from} so stale
     * bytes never reappear.
     */
    void truncatePage(Inode inode, AddressSpace mapping, long from) throws IOException;

    /**
     * {@code ext4_zero_partial_blocks} / {@code iomap_zero_range}: zero the partial blocks at the
     * edges of {@code [pos, pos + len)} before the whole blocks inside are punched out.
     */
    void zeroPartialBlocks(Inode inode, AddressSpace mapping, long pos, long len) throws IOException;
}
