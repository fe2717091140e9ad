package org.foliobench.workqueue;

/**
 * {@code struct work_struct}: a function queued to a {@link Workqueue}. Queuing a work that is
 * already pending does nothing ({@code WORK_STRUCT_PENDING}); the pending bit is cleared just
 * before the function runs, so work queued while it runs makes it run again. Each work is
 * allocated once by its owner (ext4 embeds one per inode) and reused for every queuing.
 */
public final class WorkStruct {
    final Runnable func;
    /** {@code WORK_STRUCT_PENDING}, under the queue's lock. */
    boolean pending;
    /** The next work on the queue's list (intrusive, as {@code work->entry}). */
    WorkStruct next;

    /** {@code INIT_WORK(work, func)}. */
    public WorkStruct(Runnable func) {
        if (func == null) {
            throw new IllegalArgumentException("work_struct without a function");
        }
        this.func = func;
    }
}
