package org.foliobench.fs;

/**
 * {@code handle_t}: one atomic metadata update, started by {@link Ext4#journalStart} with a credit
 * (the most metadata blocks it may dirty) and ended by {@link #stop}. Nested starts on the same
 * thread return the same handle with a reference count, as jbd2's {@code h_ref}.
 *
 * <p>Handles come from the journal's {@code jbd2_journal_handle} cache ({@code jbd2_alloc_handle})
 * and go back to it when the last reference stops ({@code jbd2_free_handle} in
 * {@code jbd2_journal_stop}); any use of a stopped handle throws.
 */
public final class Handle {
    private final Journal journal;
    Transaction transaction;
    int credits;
    int ref;
    /** On the cache's free list: any use is a use after {@link #stop}. */
    private boolean freed = true;

    /** A free handle of {@code journal}'s cache. */
    Handle(Journal journal) {
        this.journal = journal;
    }

    /** {@code new_handle}: the handle handed out again, on {@code transaction} with {@code credits}. */
    Handle init(Transaction transaction, int credits) {
        if (!freed) {
            throw new IllegalStateException("jbd2_journal_handle cache handed out a handle in use on transaction "
                    + this.transaction.tid);
        }
        freed = false;
        this.transaction = transaction;
        this.credits = credits;
        this.ref = 1;
        return this;
    }

    /** {@code jbd2_free_handle}: forget the transaction; the journal gives the handle back to its cache. */
    void free() {
        transaction = null;
        freed = true;
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("use of a jbd2 handle after jbd2_journal_stop");
        }
    }

    /** The id of the transaction this handle belongs to. */
    public long tid() {
        checkLive();
        return transaction.tid;
    }

    /**
     * {@code ext4_jbd2_inode_add_write}: the inode's data must reach the disk before this
     * transaction commits (data=ordered).
     */
    public void addInodeWrite(Inode inode) {
        checkLive();
        journal.addOrderedInode(this, inode);
    }

    /** {@code jbd2_journal_dirty_metadata}: the block is part of this handle's transaction. */
    void dirtyMetadata(MetaBuffer bh) {
        checkLive();
        journal.dirtyMetadata(this, bh);
    }

    /** {@code jbd2_journal_stop}: the last reference gives the handle back. */
    public void stop() {
        checkLive();
        if (--ref > 0) {
            return;
        }
        journal.stop(this);
    }
}
