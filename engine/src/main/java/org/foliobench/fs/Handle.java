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
    /**
     * {@code h_reserved}: a reserved handle not started yet (no transaction; its credits are held
     * in the journal's {@code j_reserved_credits}).
     */
    boolean reserved;
    /** {@code h_rsv_handle}: the reserved handle started with this one, until taken or stopped with it. */
    Handle rsvHandle;
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
        this.reserved = transaction == null;
        this.rsvHandle = null;
        return this;
    }

    /** {@code jbd2_free_handle}: forget the transaction; the journal gives the handle back to its cache. */
    void free() {
        transaction = null;
        rsvHandle = null;
        reserved = false;
        freed = true;
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("use of a jbd2 handle after jbd2_journal_stop");
        }
    }

    /** The id of the transaction this handle belongs to. */
    long tid() {
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

    /**
     * Takes this handle's reserved handle ({@code io_end->handle = handle->h_rsv_handle;
     * handle->h_rsv_handle = NULL}): it is no longer freed with this handle; start it later with
     * {@link Ext4#journalStartReserved} or drop it with {@link #freeReserved}. Null when none.
     */
    public Handle takeReserved() {
        checkLive();
        Handle r = rsvHandle;
        rsvHandle = null;
        return r;
    }

    /** {@code jbd2_journal_free_reserved}: a reserved handle that will not be started gives its credits back. */
    public void freeReserved() {
        checkLive();
        if (!reserved) {
            throw new IllegalStateException("jbd2_journal_free_reserved of a handle that is not reserved");
        }
        journal.freeReserved(this);
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
