package org.foliobench.fs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code transaction_t}: a compound transaction of the journal. State changes under the journal lock. */
final class Transaction {
    enum State { RUNNING, LOCKED, COMMITTING, COMMITTED }

    final long tid;
    State state = State.RUNNING;
    /** {@code t_updates}: handles open on this transaction. */
    int updates;
    /** {@code t_outstanding_credits}: credits held by open handles, not yet used. */
    int outstandingCredits;
    /** {@code t_buffers}: metadata blocks this transaction modified. */
    final LinkedHashMap<Long, MetaBuffer> buffers = new LinkedHashMap<>();
    /** {@code t_inode_list}: inodes whose data must be written before the commit (data=ordered). */
    final Set<Inode> orderedInodes = new LinkedHashSet<>();
    /** Data extents freed here, returned to the allocator when this commits ({@code ext4_free_data}). */
    final List<long[]> freedData = new ArrayList<>();
    /** Metadata blocks freed here, returned to the allocator once checkpointed out of the log. */
    final List<long[]> freedMeta = new ArrayList<>();

    Transaction(long tid) {
        this.tid = tid;
    }

    int size() {
        return buffers.size();
    }
}
