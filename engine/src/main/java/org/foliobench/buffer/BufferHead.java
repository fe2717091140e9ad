package org.foliobench.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.foliobench.pagecache.Folio;

/**
 * {@code struct buffer_head}: the state of one filesystem block cached in a folio. A folio's
 * buffers form a ring through {@link #thisPage} ({@code b_this_page}); the head is the folio's
 * private data ({@code folio_buffers}). State bits are changed atomically ({@code set_bit} /
 * {@code clear_bit}) because IO completion clears the async bits without the folio lock.
 */
final class BufferHead {
    // enum bh_state_bits
    static final int BH_UPTODATE = 1;
    static final int BH_DIRTY = 1 << 1;
    static final int BH_LOCK = 1 << 2;
    static final int BH_REQ = 1 << 3;
    static final int BH_MAPPED = 1 << 4;
    static final int BH_NEW = 1 << 5;
    static final int BH_ASYNC_READ = 1 << 6;
    static final int BH_ASYNC_WRITE = 1 << 7;
    static final int BH_DELAY = 1 << 8;
    static final int BH_BOUNDARY = 1 << 9;
    static final int BH_WRITE_EIO = 1 << 10;
    static final int BH_UNWRITTEN = 1 << 11;

    /** {@code BUFFER_FLAGS_DISCARD}: what {@code discard_buffer} clears. */
    static final int BUFFER_FLAGS_DISCARD = BH_MAPPED | BH_NEW | BH_REQ | BH_DELAY | BH_UNWRITTEN;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BufferHead.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code b_state}. */
    private volatile int state;
    /** {@code b_blocknr}: the physical block once mapped (an invalid block while delayed). */
    volatile long blocknr;
    /** {@code b_size}. */
    int size;
    /** {@code bh_offset}: byte offset of the block in its folio. */
    int offset;
    /** {@code b_folio}. */
    Folio folio;
    /** {@code b_this_page}: the next buffer of the same folio (a ring). */
    BufferHead thisPage;
    private int waiters;

    /** A free buffer head, as the cache constructs it. */
    BufferHead() {
    }

    BufferHead(Folio folio, int offset, int size) {
        init(folio, offset, size);
    }

    /** {@code alloc_buffer_head} + {@code folio_set_bh}: every field set for its new block. */
    BufferHead init(Folio folio, int offset, int size) {
        this.folio = folio;
        this.offset = offset;
        this.size = size;
        this.blocknr = 0;
        this.thisPage = null;
        this.state = 0;
        return this;
    }

    /** {@code free_buffer_head}: must be idle (no IO, not locked, nobody waiting); clears it. */
    void release() {
        if ((state & (BH_LOCK | BH_ASYNC_READ | BH_ASYNC_WRITE | BH_DIRTY)) != 0 || waiters != 0) {
            throw new IllegalStateException("free_buffer_head of a busy " + this);
        }
        folio = null;
        thisPage = null;
        blocknr = 0;
        state = 0;
    }

    int state() {
        return state;
    }

    boolean test(int bit) {
        return (state & bit) != 0;
    }

    void set(int bits) {
        int v;
        do {
            v = state;
            if ((v & bits) == bits) {
                return;
            }
        } while (!STATE.compareAndSet(this, v, v | bits));
    }

    void clear(int bits) {
        int v;
        do {
            v = state;
            if ((v & bits) == 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, v, v & ~bits));
    }

    /** {@code test_set_buffer_*}: true if the bit was already set. */
    boolean testSet(int bit) {
        int v;
        do {
            v = state;
            if ((v & bit) != 0) {
                return true;
            }
        } while (!STATE.compareAndSet(this, v, v | bit));
        return false;
    }

    /** {@code test_clear_buffer_*}: true if the bit was set. */
    boolean testClear(int bit) {
        int v;
        do {
            v = state;
            if ((v & bit) == 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, v, v & ~bit));
        return true;
    }

    boolean uptodate() {
        return test(BH_UPTODATE);
    }

    boolean dirty() {
        return test(BH_DIRTY);
    }

    boolean mapped() {
        return test(BH_MAPPED);
    }

    boolean isNew() {
        return test(BH_NEW);
    }

    boolean delay() {
        return test(BH_DELAY);
    }

    boolean unwritten() {
        return test(BH_UNWRITTEN);
    }

    boolean locked() {
        return test(BH_LOCK);
    }

    /** {@code map_bh}: mapped to {@code blk}. */
    void map(long blk) {
        set(BH_MAPPED);
        blocknr = blk;
    }

    /** {@code buffer_busy} (without {@code b_count}): dirty, locked or under async IO. */
    boolean busy() {
        return test(BH_DIRTY | BH_LOCK | BH_ASYNC_READ | BH_ASYNC_WRITE);
    }

    // ---- BH_Lock: lock_buffer / unlock_buffer / wait_on_buffer ----

    /** {@code trylock_buffer}. */
    boolean tryLock() {
        return !testSet(BH_LOCK);
    }

    /** {@code lock_buffer}: sleeps until the buffer is unlocked. */
    void lock() {
        if (tryLock()) {
            return;
        }
        boolean interrupted = false;
        synchronized (this) {
            waiters++;
            try {
                while (!tryLock()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                waiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code unlock_buffer}: wakes {@code wait_on_buffer} sleepers. */
    void unlock() {
        clear(BH_LOCK);
        synchronized (this) {
            if (waiters > 0) {
                notifyAll();
            }
        }
    }

    /** {@code wait_on_buffer}. */
    void waitOnBuffer() {
        if (!locked()) {
            return;
        }
        boolean interrupted = false;
        synchronized (this) {
            waiters++;
            try {
                while (locked()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                waiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        String[] names = {"U", "D", "L", "R", "M", "N", "AR", "AW", "Del", "B", "EIO", "Unw"};
        for (int i = 0; i < names.length; i++) {
            if ((state & (1 << i)) != 0) {
                f.append(names[i]).append(' ');
            }
        }
        return "bh[off=" + offset + " size=" + size + " blk=" + blocknr + " " + f.toString().trim() + "]";
    }
}
