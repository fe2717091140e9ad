package org.foliobench.mm;

/**
 * What the kernel declares on the stack of a call ({@code struct writeback_control wbc = {...}},
 * {@code DEFINE_READAHEAD}, {@code struct folio_batch}, {@code struct mpage_da_data},
 * {@code struct blk_plug}): costs nothing there, and would be an object per call here. So each
 * thread keeps one free instance of such a context: {@link #take} hands it out (null when the
 * thread's one is in use by an outer call on the same thread, or not made yet: the caller then
 * constructs one), and {@link #put} gives it back once the call is over, reset by the caller so
 * that it holds no folio, bio or inode. The thread-local entry is set to null rather than removed,
 * so taking and putting allocate nothing.
 */
public final class OnStack<T> {
    private final ThreadLocal<T> free = new ThreadLocal<>();

    /** The calling thread's free instance, now in use; null when it has none. */
    public T take() {
        T t = free.get();
        if (t != null) {
            free.set(null);
        }
        return t;
    }

    /** The call using {@code obj} is over: it becomes the calling thread's free instance. */
    public void put(T obj) {
        free.set(obj);
    }
}
