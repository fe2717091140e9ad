package org.foliobench.fs;

import java.nio.ByteBuffer;

/**
 * A cached metadata block (the buffer_head of a bitmap, inode table or extent block) with the
 * journal's bookkeeping ({@code struct journal_head}): which running transaction it is on.
 * Contents are modified only inside a journal handle; the commit copies them while no handle runs.
 */
final class MetaBuffer {
    final long blocknr;
    final ByteBuffer data;
    /** The transaction whose buffer list holds this block, or null ({@code b_transaction}). */
    Transaction transaction;
    /**
     * The newest committed copy not yet written home, from the {@code jbd2_<size>k} cache; non-null
     * while the block is on the journal's checkpoint list ({@code b_cp_transaction}).
     */
    byte[] checkpointData;

    MetaBuffer(long blocknr, int size) {
        this.blocknr = blocknr;
        this.data = ByteBuffer.allocate(size);
    }
}
