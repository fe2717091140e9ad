package org.foliobench.fs;

/**
 * {@code handle_t}: one atomic metadata update, started by {@link Ext4#journalStart} with a credit
 * (the most metadata blocks it may dirty) and ended by {@link #stop}. Nested starts on the same
 * thread return the same handle with a reference count, as jbd2's {@code h_ref}.
 */
public final class Handle {
    final Journal journal;
    final Transaction transaction;
    int credits;
    int ref = 1;
    private boolean stopped;

    Handle(Journal journal, Transaction transaction, int credits) {
        this.journal = journal;
        this.transaction = transaction;
        this.credits = credits;
    }

    /** The id of the transaction this handle belongs to. */
    public long tid() {
        return transaction.tid;
    }

    /**
     * {@code ext4_jbd2_inode_add_write}: the inode's data must reach the disk before this
     * transaction commits (data=ordered).
     */
    public void addInodeWrite(Inode inode) {
        journal.addOrderedInode(this, inode);
    }

    /** {@code jbd2_journal_dirty_metadata}: the block is part of this handle's transaction. */
    void dirtyMetadata(MetaBuffer bh) {
        journal.dirtyMetadata(this, bh);
    }

    /** {@code jbd2_journal_stop}. */
    public void stop() {
        if (stopped) {
            throw new IllegalStateException("handle of transaction " + transaction.tid + " stopped twice");
        }
        if (--ref > 0) {
            return;
        }
        stopped = true;
        journal.stop(this);
    }
}
