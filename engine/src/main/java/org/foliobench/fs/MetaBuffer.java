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

    MetaBuffer(long blocknr, int size) {
        this.blocknr = blocknr;
        this.data = ByteBuffer.allocate(size);
    }
}
