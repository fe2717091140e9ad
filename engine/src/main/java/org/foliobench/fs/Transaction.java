package org.foliobench.fs;

import java.util.ArrayList;

/**
 * {@code transaction_t}: a compound transaction of the journal. State changes under the journal lock.
 *
 * <p>Transactions come from the journal's {@code jbd2_transaction_s} cache and go back to it once
 * committed ({@code jbd2_journal_free_transaction}: here the commit moves its copies onto the
 * journal's checkpoint list, so nothing is left for the transaction to checkpoint); its lists keep
 * their capacity across uses. Any use of a freed transaction throws.
 */
final class Transaction {
    enum State { RUNNING, LOCKED, COMMITTING, COMMITTED }

    long tid;
    State state;
    /** {@code t_updates}: handles open on this transaction. */
    int updates;
    /** {@code t_outstanding_credits}: credits held by open handles, not yet used. */
    int outstandingCredits;
    /**
     * {@code t_buffers}: metadata blocks this transaction modified, in the order they joined; a
     * block is on it once ({@link MetaBuffer#transaction} says which transaction holds it).
     */
    final ArrayList<MetaBuffer> buffers = new ArrayList<>();
    /**
     * {@code t_inode_list}: inodes whose data must be written before the commit (data=ordered),
     * each once ({@link Inode#orderedTid}, the {@code jbd2_inode}'s {@code i_transaction}).
     */
    final ArrayList<Inode> orderedInodes = new ArrayList<>();
    /** Data extents freed here, returned to the allocator when this commits ({@code ext4_free_data}). */
    final ArrayList<Mballoc.FreeData> freedData = new ArrayList<>();
    /** Metadata blocks freed here, returned to the allocator once checkpointed out of the log. */
    final ArrayList<Mballoc.FreeData> freedMeta = new ArrayList<>();
    /** Nothing to commit: no metadata, no ordered inode, no freed data extent. */
    boolean isEmpty() {
        return buffers.isEmpty() && orderedInodes.isEmpty() && freedData.isEmpty();
    }

    /** On the cache's free list. */
    private boolean freed = true;

    /** {@code jbd2_get_transaction}: the transaction handed out again as a new running one. */
    Transaction init(long tid) {
        if (!freed) {
            throw new IllegalStateException("jbd2_transaction_s cache handed out transaction " + this.tid + ", which is in use");
        }
        freed = false;
        this.tid = tid;
        state = State.RUNNING;
        updates = 0;
        outstandingCredits = 0;
        return this;
    }

    /** {@code jbd2_journal_free_transaction}: forget the lists' contents before the cache takes it back. */
    void free() {
        live();
        buffers.clear();
        orderedInodes.clear();
        freedData.clear();
        freedMeta.clear();
        freed = true;
    }

    /** This transaction, or an exception when it was freed (a use after its commit). */
    Transaction live() {
        if (freed) {
            throw new IllegalStateException("use of jbd2 transaction " + tid + " after it was committed and freed");
        }
        return this;
    }

    int size() {
        return buffers.size();
    }
}
