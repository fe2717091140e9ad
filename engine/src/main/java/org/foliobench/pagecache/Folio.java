package org.foliobench.pagecache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.foliobench.Defaults;
import org.foliobench.mm.ZeroPage;

/**
 * {@code struct folio}: {@code 2^order} contiguous pages of off-heap memory caching the file range
 * {@code [pos(), pos() + size())} of its mapping.
 *
 * <p>Memory is {@link #mem()} addressed absolutely from {@link #memOffset()} (4096-aligned, so an
 * O_DIRECT device needs no bounce buffer); never use the buffer's position or limit. Flags are the
 * kernel's page flags in one atomic int. {@link #lock()} is {@code folio_lock}: a real sleeping
 * lock whose waiters wait on the folio's monitor and which any thread may release (the thread that
 * completes a read unlocks a folio another thread locked). The reference count decides when the
 * memory goes back to the {@link PageArena}: the page cache holds one reference while the folio is
 * in a mapping, every lookup returns the folio with one more; the memory is freed when the last
 * reference is put after removal.
 *
 * <p>Descriptors are the memmap ({@code struct page} array, {@code mem_map}): one per page of the
 * {@link PageArena}, created with the arena's memory and never freed. A folio of order {@code n}
 * is the descriptor of its head page; allocating a folio ({@code prep_new_page}) sets its order
 * and first reference, freeing it ({@code free_pages_prepare}) checks that nothing is left
 * attached and clears it. A reference to a folio is therefore only meaningful while a reference
 * count is held: after the last {@link #put()} the same object may come back as another file's
 * folio, as a {@code struct folio} pointer does in the kernel.
 */
public final class Folio {
    static final int PG_LOCKED = 1;
    static final int PG_UPTODATE = 1 << 1;
    static final int PG_DIRTY = 1 << 2;
    static final int PG_WRITEBACK = 1 << 3;
    static final int PG_READAHEAD = 1 << 4;
    static final int PG_REFERENCED = 1 << 5;
    static final int PG_ACTIVE = 1 << 6;
    static final int PG_LRU = 1 << 7;

    private static final VarHandle FLAGS;
    private static final VarHandle REFCOUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLAGS = l.findVarHandle(Folio.class, "flagBits", int.class);
            REFCOUNT = l.findVarHandle(Folio.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final PageCache cache;
    private final long pfn;
    /** Set when the head page is handed out as a folio; the pages after it are its tail pages. */
    private int order;
    private final ByteBuffer mem;
    private final int memOffset;
    /** {@code folio->flags}, atomically through {@link #FLAGS}. */
    private volatile int flagBits;
    /** {@code folio->_refcount}; 0 while the page is free. */
    private volatile int refs;
    private volatile long index;
    private volatile AddressSpace mapping;
    private volatile Object privateData;
    private volatile int waiters;
    // LRU links, under PageCache.lruLock
    Folio lruPrev;
    Folio lruNext;

    /** A memmap entry: the descriptor of page frame {@code pfn}, free (no references). */
    Folio(PageCache cache, long pfn, ByteBuffer mem, int memOffset) {
        this.cache = cache;
        this.pfn = pfn;
        this.mem = mem;
        this.memOffset = memOffset;
    }

    /**
     * {@code prep_new_page} + {@code page_rmappable_folio}: the free head page becomes a folio of
     * {@code order} with one reference (the allocator's caller's).
     */
    void prepNew(int order) {
        if (refs != 0 || flagBits != 0 || mapping != null || privateData != null || lruPrev != null || lruNext != null) {
            throw new IllegalStateException("bad page state: allocating page frame " + pfn + " still in use: " + this);
        }
        this.order = order;
        this.index = 0;
        REFCOUNT.setRelease(this, 1);
    }

    /**
     * {@code free_pages_prepare}: the last reference is gone; the descriptor must hold nothing
     * (no mapping, no private data, not locked, dirty, under writeback or on the LRU), and its
     * flags are cleared for the next user.
     */
    void prepFree() {
        int f = flagBits;
        if (mapping != null || privateData != null
                || (f & (PG_LOCKED | PG_DIRTY | PG_WRITEBACK | PG_LRU)) != 0) {
            throw new IllegalStateException("bad page state: freeing " + this + " mapping=" + mapping
                    + " private=" + privateData);
        }
        flagBits = 0;
        index = 0;
    }

    /** {@code folio->index}: first page index in the file. */
    public long index() {
        return index;
    }

    void setIndex(long index) {
        this.index = index;
    }

    /** {@code folio_order}. */
    public int order() {
        return order;
    }

    /** {@code folio_nr_pages}. */
    public int nrPages() {
        return 1 << order;
    }

    /** {@code folio_pos}: file offset of the first byte. */
    public long pos() {
        return index << Defaults.PAGE_SHIFT;
    }

    /** {@code folio_size} in bytes. */
    public int size() {
        return Defaults.PAGE_SIZE << order;
    }

    /** {@code folio_next_index}. */
    long nextIndex() {
        return index + (1L << order);
    }

    /** {@code folio_contains}. */
    public boolean contains(long idx) {
        return idx >= index && idx < index + (1L << order);
    }

    /** The memory holding the folio's data, addressed absolutely from {@link #memOffset()}. */
    public ByteBuffer mem() {
        return mem;
    }

    /** Byte offset of the folio's first byte in {@link #mem()}; 4096-aligned. */
    public int memOffset() {
        return memOffset;
    }

    long pfn() {
        return pfn;
    }

    /** {@code folio->mapping}: null once the folio was removed (truncated or reclaimed). */
    public AddressSpace mapping() {
        return mapping;
    }

    void setMapping(AddressSpace m) {
        this.mapping = m;
    }

    // ---- flags ----

    int flags() {
        return flagBits;
    }

    boolean testFlag(int f) {
        return (flagBits & f) != 0;
    }

    /** Sets {@code f}; returns true if it was already set ({@code folio_test_set_*}). */
    boolean testSetFlag(int f) {
        for (;;) {
            int v = flagBits;
            if ((v & f) != 0) {
                return true;
            }
            if (FLAGS.compareAndSet(this, v, v | f)) {
                return false;
            }
        }
    }

    /** Clears {@code f}; returns true if it was set ({@code folio_test_clear_*}). */
    boolean testClearFlag(int f) {
        for (;;) {
            int v = flagBits;
            if ((v & f) == 0) {
                return false;
            }
            if (FLAGS.compareAndSet(this, v, v & ~f)) {
                return true;
            }
        }
    }

    boolean isLocked() {
        return testFlag(PG_LOCKED);
    }

    /** {@code folio_test_uptodate}. */
    public boolean isUptodate() {
        return testFlag(PG_UPTODATE);
    }

    /** {@code folio_mark_uptodate}. */
    public void markUptodate() {
        testSetFlag(PG_UPTODATE);
    }

    /** {@code folio_clear_uptodate}. */
    public void clearUptodate() {
        testClearFlag(PG_UPTODATE);
    }

    /** {@code folio_test_dirty}. */
    public boolean isDirty() {
        return testFlag(PG_DIRTY);
    }

    /** {@code folio_test_writeback}. */
    public boolean isWriteback() {
        return testFlag(PG_WRITEBACK);
    }

    /** {@code folio_test_readahead}: the async readahead marker. */
    boolean isReadahead() {
        return testFlag(PG_READAHEAD);
    }

    void setReadahead() {
        testSetFlag(PG_READAHEAD);
    }

    boolean testClearReadahead() {
        return testClearFlag(PG_READAHEAD);
    }

    boolean isReferenced() {
        return testFlag(PG_REFERENCED);
    }

    /** {@code folio_mark_accessed} (second chance for the LRU). */
    public void markAccessed() {
        if (!testFlag(PG_REFERENCED)) {
            testSetFlag(PG_REFERENCED);
        }
    }

    // ---- folio lock ----

    /** {@code folio_trylock}. */
    public boolean tryLock() {
        return !testSetFlag(PG_LOCKED);
    }

    /** {@code folio_lock}: sleeps on the folio until it is unlocked; no spinning. */
    public void lock() {
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

    /** {@code folio_unlock}: wakes the folio's waiters. */
    public void unlock() {
        if (!testClearFlag(PG_LOCKED)) {
            throw new IllegalStateException("unlock of unlocked " + this);
        }
        wake();
    }

    private void wake() {
        if (waiters > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** {@code folio_wait_locked}: waits until nobody holds the lock (reads in flight finish). */
    void waitLocked() {
        waitFlagClear(PG_LOCKED);
    }

    /** {@code folio_wait_writeback}: waits until writeback of this folio completed. */
    public void waitWriteback() {
        waitFlagClear(PG_WRITEBACK);
    }

    private void waitFlagClear(int f) {
        if (!testFlag(f)) {
            return;
        }
        boolean interrupted = false;
        synchronized (this) {
            waiters++;
            try {
                while (testFlag(f)) {
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

    /**
     * {@code folio_end_read}: completes a read of the folio (the aops' read completion):
     * marks it uptodate on success and unlocks it, waking readers waiting on the lock.
     */
    public void endRead(boolean success) {
        if (success) {
            markUptodate();
        }
        unlock();
    }

    // ---- references ----

    /** {@code folio_get}: the caller already holds a reference. */
    public void get() {
        int r = (int) REFCOUNT.getAndAdd(this, 1);
        if (r <= 0) {
            throw new IllegalStateException("folio_get on a freed " + this);
        }
    }

    /** {@code folio_try_get}: fails when the count already dropped to zero. */
    boolean tryGet() {
        for (;;) {
            int r = refs;
            if (r <= 0) {
                return false;
            }
            if (REFCOUNT.compareAndSet(this, r, r + 1)) {
                return true;
            }
        }
    }

    /** {@code folio_ref_freeze}: succeeds when exactly {@code expected} references are held. */
    boolean refFreeze(int expected) {
        return REFCOUNT.compareAndSet(this, expected, 0);
    }

    /** {@code folio_ref_unfreeze}. */
    void unfreeze(int count) {
        refs = count;
    }

    /** {@code folio_ref_count}. */
    int refCount() {
        return refs;
    }

    /** {@code folio_put}: the memory returns to the arena with the last reference. */
    public void put() {
        int r = (int) REFCOUNT.getAndAdd(this, -1) - 1;
        if (r == 0) {
            cache.freeFolio(this);
        } else if (r < 0) {
            throw new IllegalStateException("folio_put underflow on " + this);
        }
    }

    /** Drops {@code n} references ({@code folio_put_refs}). */
    void putRefs(int n) {
        int r = (int) REFCOUNT.getAndAdd(this, -n) - n;
        if (r == 0) {
            cache.freeFolio(this);
        } else if (r < 0) {
            throw new IllegalStateException("folio_put underflow on " + this);
        }
    }

    // ---- private data ----

    /** {@code folio_get_private}: the BufferHead ring or IomapFolioState, or null. */
    public Object getPrivate() {
        return privateData;
    }

    /** {@code folio_attach_private}. */
    public void attachPrivate(Object data) {
        if (data == null) {
            throw new IllegalArgumentException("attach of null private data");
        }
        privateData = data;
    }

    /** {@code folio_detach_private}: returns what was attached. */
    public Object detachPrivate() {
        Object d = privateData;
        privateData = null;
        return d;
    }

    /** {@code folio_test_private}. */
    public boolean hasPrivate() {
        return privateData != null;
    }

    // ---- dirty and writeback (mm/page-writeback.c), forwarded to the mapping ----

    /** {@code folio_mark_dirty}: through the mapping's {@code ->dirty_folio}. */
    boolean markDirty() {
        AddressSpace m = mapping;
        if (m == null) {
            return !testSetFlag(PG_DIRTY);
        }
        return m.folioMarkDirty(this);
    }

    /** {@code folio_clear_dirty_for_io}: the folio is locked; true if it was dirty. */
    public boolean clearDirtyForIo() {
        return cache.folioClearDirtyForIo(this);
    }

    /** {@code folio_start_writeback}: the folio is locked (and was cleaned for io). */
    public void startWriteback() {
        cache.folioStartWriteback(this, false);
    }

    /** {@code folio_start_writeback_keepwrite}: keeps the TOWRITE mark (a partial write). */
    public void startWritebackKeepWrite() {
        cache.folioStartWriteback(this, true);
    }

    /**
     * {@code folio_end_writeback}: called by the IO path's write completion, in whatever thread
     * completed the bio. Clears writeback, wakes the folio's waiters and throttled writers.
     */
    public void endWriteback() {
        cache.folioEndWriteback(this);
        wake();
    }

    /** {@code folio_redirty_for_writepage}: the path could not write it now. */
    public void redirtyForWritepage(WritebackControl wbc) {
        wbc.pagesSkipped += nrPages();
        AddressSpace m = mapping;
        if (m != null) {
            m.redirty(this);
        }
    }

    // ---- data helpers ----

    /** {@code folio_zero_range}. */
    public void zero(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size()) {
            throw new IllegalArgumentException("zero " + offset + "+" + length + " outside folio of " + size());
        }
        ZeroPage.fill(mem, memOffset + offset, length);
    }

    @Override
    public String toString() {
        return "Folio[index=" + index + " order=" + order + " flags=0x" + Integer.toHexString(flagBits)
                + " ref=" + refs + " pfn=" + pfn + "]";
    }
}
