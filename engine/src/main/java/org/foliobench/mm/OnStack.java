package org.foliobench.mm;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the kernel declares on the stack of a call ({@code struct writeback_control wbc = {...}},
 * {@code DEFINE_READAHEAD}, {@code struct folio_batch}, {@code struct mpage_da_data},
 * {@code struct blk_plug}): costs nothing there, and would be an object per call here. So each
 * thread keeps one free instance of such a context: {@link #take} hands it out (null when the
 * thread's one is in use by an outer call on the same thread, or not made yet: the caller then
 * constructs one), and {@link #put} gives it back once the call is over, reset by the caller so
 * that it holds no folio, bio or inode. Taking and putting allocate nothing.
 *
 * <p>All kinds of context share one {@link ThreadLocal}, an array with a slot per kind: a
 * {@code ThreadLocal} per kind made each take a map lookup and a map store, and the lookups of
 * different kinds collide in the thread's {@code ThreadLocalMap}, a cost per call the kernel's
 * stack does not have. One lookup of the thread's slots is what is left.
 */
public final class OnStack<T> {
    /** The calling thread's free contexts, one slot per {@code OnStack}. */
    private static final ThreadLocal<Object[]> SLOTS = ThreadLocal.withInitial(() -> new Object[16]);
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger();

    private final int slot = NEXT_SLOT.getAndIncrement();

    /** The calling thread's free instance, now in use; null when it has none. */
    @SuppressWarnings("unchecked")
    public T take() {
        Object[] s = SLOTS.get();
        if (slot >= s.length) {
            return null;
        }
        T t = (T) s[slot];
        s[slot] = null;
        return t;
    }

    /** The call using {@code obj} is over: it becomes the calling thread's free instance. */
    public void put(T obj) {
        Object[] s = SLOTS.get();
        if (slot >= s.length) {
            s = Arrays.copyOf(s, Math.max(slot + 1, 2 * s.length));
            SLOTS.set(s);
        }
        s[slot] = obj;
    }
}
