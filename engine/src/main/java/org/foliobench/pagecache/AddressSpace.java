package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.OnStack;

/**
 * {@code struct address_space}: one inode's page cache, its folios indexed by page index in
 * {@link #iPages} under {@code xa_lock}, the IO path's operations, the {@code invalidate_lock},
 * the writeback error sequence {@code wb_err} and the large-folio capability.
 *
 * <p>Locking: {@code xa_lock} (this mapping's monitor object) protects the xarray, its marks and
 * {@code nrpages}; it is never held while calling the aops or waiting. Folios handed out by the
 * lookups carry a reference the caller must {@link Folio#put()}.
 */
public final class AddressSpace {
    /** {@code FGP_ACCESSED}: mark the folio accessed. */
    public static final int FGP_ACCESSED = 1;
    /** {@code FGP_LOCK}: return the folio locked. */
    public static final int FGP_LOCK = 1 << 1;
    /** {@code FGP_CREAT}: allocate and insert a folio if none is cached. */
    public static final int FGP_CREAT = 1 << 2;
    /** {@code FGP_WRITE}: the folio is about to be written. */
    static final int FGP_WRITE = 1 << 3;
    /** {@code FGP_NOWAIT}: don't sleep on the folio lock (EAGAIN instead). */
    static final int FGP_NOWAIT = 1 << 4;
    /** {@code FGP_STABLE}: wait for writeback to finish when the mapping needs stable writes. */
    static final int FGP_STABLE = 1 << 5;
    /** {@code FGP_WRITEBEGIN}. */
    public static final int FGP_WRITEBEGIN = FGP_LOCK | FGP_WRITE | FGP_CREAT | FGP_STABLE;

    static final int AS_EIO = 1;
    static final int AS_ENOSPC = 2;

    final PageCache cache;
    /** {@code a_ops}: changed only by {@link #setAops} on an empty mapping under the invalidate lock. */
    volatile AddressSpaceOperations aops;
    final XArray<Folio> iPages;
    final Object xaLock = new Object();
    private final ReentrantReadWriteLock invalidateLock = new ReentrantReadWriteLock();
    private final Errseq wbErr = new Errseq();
    private volatile Object host;
    private volatile int maxFolioOrder;
    private volatile int asFlags;
    private volatile boolean stableWrites;
    private long nrpages;
    /** {@code writeback_index}: where cyclic writeback resumes. */
    volatile long writebackIndex;

    // bdi list state, under BdiWriteback.listLock
    volatile boolean inodeDirty;
    long dirtiedWhen;
    int wbList;

    AddressSpace(PageCache cache, Object host, AddressSpaceOperations aops) {
        this.cache = cache;
        this.host = host;
        this.aops = aops;
        this.iPages = new XArray<>(cache.counters, cache.xaNodes);
    }

    public PageCache cache() {
        return cache;
    }

    public AddressSpaceOperations aops() {
        return aops;
    }

    /**
     * {@code ext4_set_aops} on a live inode (the series' {@code ext4_disable_buffered_iomap_aops}):
     * the caller holds the inode lock and the invalidate lock for write, and has written back and
     * dropped every folio, so no folio carries the old aops' private state and none can be added
     * meanwhile (readers add folios under the invalidate lock, writers under the inode lock).
     */
    public void setAops(AddressSpaceOperations aops) {
        if (!invalidateLock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("setAops without the invalidate lock held for write");
        }
        synchronized (xaLock) {
            if (nrpages != 0) {
                throw new IllegalStateException("setAops on a mapping still caching " + nrpages + " pages");
            }
            this.aops = java.util.Objects.requireNonNull(aops);
        }
    }

    /** {@code mapping->host}: the inode, set by the vfs. */
    public Object host() {
        return host;
    }

    public void setHost(Object host) {
        this.host = host;
    }

    /** {@code mapping_set_large_folios}: folios up to the page cache's max order. */
    void setLargeFolios() {
        maxFolioOrder = cache.arena.maxOrder();
    }

    /** {@code mapping_set_folio_order_range} with min 0. */
    public void setMaxFolioOrder(int order) {
        maxFolioOrder = Math.max(0, Math.min(order, cache.arena.maxOrder()));
    }

    /**
     * {@code mapping_set_stable_writes}: writers wait for writeback of a folio before changing it
     * ({@code folio_wait_stable}); off by default, as for devices without stable-page needs.
     */
    void setStableWrites(boolean on) {
        stableWrites = on;
    }

    /** {@code mapping_max_folio_order}: 0 unless large folios were enabled. */
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** {@code mapping_large_folio_support}. */
    public boolean largeFolioSupport() {
        return maxFolioOrder > 0;
    }

    /** {@code mapping->nrpages}. */
    public long nrPages() {
        synchronized (xaLock) {
            return nrpages;
        }
    }

    /** {@code filemap_invalidate_lock}: held shared by readahead and page faults, exclusive by truncate/punch. */
    public ReentrantReadWriteLock invalidateLock() {
        return invalidateLock;
    }

    /** The xarray, for tests and counters; lock {@link #xaLock()} around any use. */
    XArray<Folio> iPages() {
        return iPages;
    }

    Object xaLock() {
        return xaLock;
    }

    /** {@code mapping_tagged}. */
    public boolean tagged(int mark) {
        synchronized (xaLock) {
            return iPages.anyMarked(mark);
        }
    }

    // ---------------------------------------------------------------- lookup and insertion

    /** {@code filemap_get_entry}: the folio covering {@code index} with a reference, or null. */
    Folio getEntry(long index) {
        synchronized (xaLock) {
            Folio f = iPages.load(index);
            if (f != null && !f.tryGet()) {
                return null;
            }
            return f;
        }
    }

    /** {@code xa_load} without taking a reference (the caller's folio is pinned otherwise). */
    Folio xaLoadLocked(long index) {
        synchronized (xaLock) {
            return iPages.load(index);
        }
    }

    /** {@code filemap_get_folio}: the cached folio covering {@code index} (referenced) or null. */
    public Folio filemapGetFolio(long index) {
        return getEntry(index);
    }

    /**
     * {@code fgf_set_order(size)}: the folio order a write of {@code len} bytes asks
     * {@link #getFolio} for (the largest order whose folio the length fills; 0 below two pages).
     */
    public static int fgfSetOrder(long len) {
        int shift = 63 - Long.numberOfLeadingZeros(Math.max(len, 1));
        return shift <= Defaults.PAGE_SHIFT ? 0 : shift - Defaults.PAGE_SHIFT;
    }

    /**
     * {@code __filemap_get_folio}: looks the folio covering {@code index} up and, with
     * {@link #FGP_CREAT}, allocates and inserts one of {@code order} (fgf_set_order): clamped to
     * the mapping's max order and to the alignment of {@code index}, lowered when the allocator
     * has no block of that order or when it would overlap cached folios. Returns the folio with a
     * reference (locked with {@link #FGP_LOCK}), or null when absent and not created.
     *
     * @throws ErrnoException EAGAIN under {@link #FGP_NOWAIT} when the lock is contended,
     *     ENOMEM when no folio could be allocated even after reclaim
     */
    public Folio getFolio(long index, int fgpFlags, int order) throws ErrnoException {
        for (;;) {
            Folio folio = getEntry(index);
            if (folio != null) {
                if ((fgpFlags & FGP_LOCK) != 0) {
                    if ((fgpFlags & FGP_NOWAIT) != 0) {
                        if (!folio.tryLock()) {
                            folio.put();
                            throw new ErrnoException(Errno.EAGAIN, "folio at index " + index + " is locked");
                        }
                    } else {
                        folio.lock();
                    }
                    if (folio.mapping() != this) { // truncated while we waited
                        folio.unlock();
                        folio.put();
                        continue;
                    }
                }
                if ((fgpFlags & FGP_ACCESSED) != 0) {
                    folio.markAccessed();
                }
                if ((fgpFlags & FGP_STABLE) != 0 && stableWrites) {
                    folio.waitWriteback(); // folio_wait_stable
                }
                return folio;
            }
            if ((fgpFlags & FGP_CREAT) == 0) {
                return null;
            }
            int o = Math.min(Math.max(order, 0), maxFolioOrder);
            if (o > 0 && (index & ((1L << o) - 1)) != 0) {
                o = Long.numberOfTrailingZeros(index);
            }
            boolean exists = false;
            for (;;) {
                Folio nf = cache.allocFolio(o, o > 0);
                if (nf != null) {
                    if ((fgpFlags & FGP_ACCESSED) != 0) {
                        nf.testSetFlag(Folio.PG_REFERENCED);
                    }
                    if (filemapAddFolio(nf, index & ~((1L << o) - 1))) {
                        if ((fgpFlags & FGP_LOCK) == 0) {
                            nf.unlock();
                        }
                        return nf;
                    }
                    nf.put();
                    exists = true;
                } else {
                    exists = false;
                }
                if (o == 0) {
                    break;
                }
                o--;
            }
            if (!exists) {
                throw PageCache.enomem(0);
            }
            // -EEXIST at order 0: someone else inserted it; look again
        }
    }

    /**
     * {@code filemap_add_folio}: inserts a freshly allocated folio at {@code index} (aligned to
     * its order), locked; the page cache takes its own reference and puts it on the LRU. Returns
     * false ({@code -EEXIST}) when any index of its range is already cached.
     */
    boolean filemapAddFolio(Folio folio, long index) {
        int nr = folio.nrPages();
        if ((index & (nr - 1)) != 0) {
            throw new IllegalArgumentException("folio of order " + folio.order() + " at unaligned index " + index);
        }
        if (!folio.tryLock()) {
            throw new IllegalStateException("filemap_add_folio of a locked " + folio);
        }
        synchronized (xaLock) {
            if (iPages.find(index, index + nr - 1, -1) >= 0) {
                folio.unlock();
                return false;
            }
            folio.setIndex(index);
            folio.setMapping(this);
            folio.get();
            iPages.store(index, folio.order(), folio);
            nrpages += nr;
        }
        cache.lruAdd(folio);
        return true;
    }

    /** {@code filemap_remove_folio}: the folio is locked; the cache's reference is dropped. */
    void filemapRemoveFolio(Folio folio) {
        if (!folio.isLocked()) {
            throw new IllegalStateException("filemap_remove_folio of unlocked " + folio);
        }
        synchronized (xaLock) {
            if (folio.mapping() != this) {
                return;
            }
            deleteFromPageCache(folio);
        }
        cache.lruDel(folio);
        folio.put();
    }

    private void deleteFromPageCache(Folio folio) {
        iPages.erase(folio.index());
        folio.setMapping(null);
        nrpages -= folio.nrPages();
        if (folio.testClearFlag(Folio.PG_DIRTY)) {
            cache.accountCleaned(folio);
        }
    }

    /** {@code __remove_mapping}: evicts an unused clean folio (locked, caller holds one ref). */
    boolean removeMapping(Folio folio) {
        synchronized (xaLock) {
            if (folio.mapping() != this || folio.isDirty() || !folio.refFreeze(2)) {
                return false;
            }
            deleteFromPageCache(folio);
            // our reference survives; the cache's goes
            folio.unfreeze(1);
        }
        cache.lruDel(folio);
        return true;
    }

    // ---------------------------------------------------------------- dirty and writeback

    /** {@code folio_mark_dirty}: through {@code ->dirty_folio}. */
    boolean folioMarkDirty(Folio folio) {
        return aops.dirtyFolio(this, folio);
    }

    /**
     * {@code filemap_dirty_folio}: sets the dirty flag; if newly dirty, accounts its pages
     * (NR_FILE_DIRTY, the writer's ratelimit), sets the DIRTY mark and puts the mapping on the
     * flusher's b_dirty list. Returns true if the folio was newly dirtied.
     */
    public boolean filemapDirtyFolio(Folio folio) {
        if (folio.testSetFlag(Folio.PG_DIRTY)) {
            return false;
        }
        markDirtyAccounting(folio, true);
        return true;
    }

    void redirty(Folio folio) {
        if (!folio.testSetFlag(Folio.PG_DIRTY)) {
            markDirtyAccounting(folio, false);
        }
    }

    /** {@code __folio_mark_dirty} + {@code __mark_inode_dirty(I_DIRTY_PAGES)}. */
    private void markDirtyAccounting(Folio folio, boolean forThrottle) {
        synchronized (xaLock) {
            if (folio.mapping() != this) {
                folio.testClearFlag(Folio.PG_DIRTY);
                return;
            }
            cache.accountDirtied(folio, forThrottle);
            iPages.setMark(folio.index(), XArray.DIRTY);
        }
        cache.wb.markInodeDirty(this);
    }

    /** {@code folio_cancel_dirty}. */
    void folioCancelDirty(Folio folio) {
        if (folio.testClearFlag(Folio.PG_DIRTY)) {
            cache.accountCleaned(folio);
        }
    }

    void startWritebackMarks(Folio folio, boolean keepWrite) {
        synchronized (xaLock) {
            if (folio.mapping() != this) {
                return;
            }
            long i = folio.index();
            iPages.setMark(i, XArray.WRITEBACK);
            if (!folio.isDirty()) {
                iPages.clearMark(i, XArray.DIRTY);
            }
            if (!keepWrite) {
                iPages.clearMark(i, XArray.TOWRITE);
            }
        }
    }

    void endWritebackMarks(Folio folio) {
        synchronized (xaLock) {
            if (folio.mapping() == this) {
                iPages.clearMark(folio.index(), XArray.WRITEBACK);
            }
        }
    }

    /** {@code tag_pages_for_writeback}: TOWRITE on every DIRTY folio in {@code [start, end]}. */
    public void tagPagesForWriteback(long start, long end) {
        synchronized (xaLock) {
            iPages.forEach(start, end, XArray.DIRTY, tagToWrite);
        }
    }

    /** {@link #tagPagesForWriteback}'s visitor, bound once. */
    private final XArray.Visitor<Folio> tagToWrite = this::tagToWrite;

    private boolean tagToWrite(long idx, Folio f) {
        iPages.setMark(idx, XArray.TOWRITE);
        return true;
    }

    /**
     * {@code filemap_get_folios_tag}: appends to {@code batch} (the caller's {@code folio_batch},
     * emptied first) up to {@code max} folios carrying {@code mark} ({@link XArray#DIRTY},
     * {@link XArray#TOWRITE}...) from page index {@code start} to {@code end} inclusive, in index
     * order, each with a reference the caller must put. Returns the index to continue from.
     * Public for filesystems that walk dirty folios themselves ({@code mpage_prepare_extent_to_map}).
     */
    public long filemapGetFoliosTag(long start, long end, int mark, int max, List<Folio> batch) {
        return getFoliosTag(start, end, mark, max, batch);
    }

    long getFoliosTag(long start, long end, int mark, int max, List<Folio> batch) {
        batch.clear();
        long next = end == Long.MAX_VALUE ? Long.MAX_VALUE : end + 1;
        synchronized (xaLock) {
            long idx = start;
            while (idx <= end) { // xa_for_each_marked, without a visitor capturing the batch
                long found = iPages.find(idx, end, mark);
                if (found < 0) {
                    break;
                }
                Folio f = iPages.lookup(found);
                if (f.tryGet()) {
                    batch.add(f);
                }
                if (batch.size() >= max) {
                    next = f.nextIndex();
                    break;
                }
                long after = found + (1L << iPages.entryOrder(found));
                if (after <= idx) {
                    break;
                }
                idx = after;
            }
        }
        return next;
    }

    /** {@code mapping->writeback_index}: where range-cyclic writeback resumes (page index). */
    public long writebackIndex() {
        return writebackIndex;
    }

    /** Sets {@code mapping->writeback_index}, as a filesystem's own {@code ->writepages} loop does. */
    public void setWritebackIndex(long index) {
        writebackIndex = index;
    }

    /** {@code do_writepages}. */
    public void doWritepages(WritebackControl wbc) throws IOException {
        aops.writepages(this, wbc);
    }

    /**
     * {@code filemap_fdatawrite_wbc} / {@code __filemap_fdatawrite_range}: starts WB_SYNC_ALL
     * writeback of {@code [start, end]} (bytes, inclusive) without waiting for it.
     */
    public void filemapFdatawriteRange(long start, long end) throws IOException {
        if (!tagged(XArray.DIRTY)) {
            return;
        }
        WritebackControl wbc = WritebackControl.syncAll(start, end);
        try {
            wbc.forSync = true;
            doWritepages(wbc);
        } finally {
            wbc.release();
        }
    }

    /** {@code __filemap_fdatawait_range}'s {@code folio_batch}, the thread's. */
    private static final OnStack<ArrayList<Folio>> WAIT_BATCH = new OnStack<>();

    /** {@code __filemap_fdatawait_range}: waits for writeback of {@code [start, end]} to finish. */
    public void filemapFdatawaitRange(long start, long end) {
        long index = start >>> Defaults.PAGE_SHIFT;
        long last = end == Long.MAX_VALUE ? Long.MAX_VALUE : end >>> Defaults.PAGE_SHIFT;
        ArrayList<Folio> batch = WAIT_BATCH.take();
        if (batch == null) {
            batch = new ArrayList<>(Writeback.FOLIO_BATCH_SIZE);
        }
        try {
            while (index <= last) {
                index = getFoliosTag(index, last, XArray.WRITEBACK, Writeback.FOLIO_BATCH_SIZE, batch);
                if (batch.isEmpty()) {
                    return;
                }
                for (int i = 0; i < batch.size(); i++) {
                    Folio f = batch.get(i);
                    batch.set(i, null);
                    f.waitWriteback();
                    f.put();
                }
            }
        } finally {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i) != null) {
                    batch.get(i).put(); // not waited for: an exception
                }
            }
            batch.clear();
            WAIT_BATCH.put(batch);
        }
    }

    /**
     * {@code filemap_write_and_wait_range}: write back and wait for {@code [start, end]}
     * (inclusive bytes); reports a writepages error, else an error recorded on the mapping since
     * the last such check ({@code filemap_check_errors}: AS_EIO / AS_ENOSPC, cleared).
     */
    public void filemapWriteAndWaitRange(long start, long end) throws IOException {
        IOException err = null;
        try {
            filemapFdatawriteRange(start, end);
        } catch (IOException e) {
            err = e;
        }
        filemapFdatawaitRange(start, end);
        Errno e2 = filemapCheckErrors();
        if (err != null) {
            throw err;
        }
        if (e2 != null) {
            throw new ErrnoException(e2, "writeback of the file failed on the device");
        }
    }

    /**
     * {@code file_write_and_wait_range}, the fsync core: write back and wait for the range, then
     * report a writeback error this opener has not seen yet ({@code file_check_and_advance_wb_err}).
     */
    public void fileWriteAndWaitRange(Errseq.Since since, long start, long end) throws IOException {
        IOException err = null;
        try {
            filemapFdatawriteRange(start, end);
        } catch (IOException e) {
            err = e;
        }
        filemapFdatawaitRange(start, end);
        try {
            fileCheckAndAdvanceWbErr(since);
        } catch (ErrnoException e) {
            if (err == null) {
                err = e;
            }
        }
        if (err != null) {
            throw err;
        }
    }

    /**
     * {@code mapping_set_error}: records a writeback error (a device write failure) for every
     * opener's next fsync ({@code errseq_set}) and for {@code filemap_check_errors}.
     */
    public void mappingSetError(Errno err) {
        if (err == null) {
            return;
        }
        wbErr.set(err);
        synchronized (xaLock) {
            asFlags |= err == Errno.ENOSPC ? AS_ENOSPC : AS_EIO;
        }
    }

    /** {@code filemap_check_errors}: test-and-clear of AS_EIO / AS_ENOSPC. */
    Errno filemapCheckErrors() {
        synchronized (xaLock) {
            int f = asFlags;
            asFlags = 0;
            if ((f & AS_ENOSPC) != 0) {
                return Errno.ENOSPC;
            }
            if ((f & AS_EIO) != 0) {
                return Errno.EIO;
            }
            return null;
        }
    }

    /** {@code filemap_sample_wb_err}: an opener's {@code f_wb_err}, taken at open. */
    public Errseq.Since errseqSample() {
        return wbErr.sample();
    }

    /** {@code filemap_check_wb_err}: the error set since the sample, without advancing. */
    Errno filemapCheckWbErr(Errseq.Since since) {
        return wbErr.check(since);
    }

    /**
     * {@code file_check_and_advance_wb_err}: throws the writeback error recorded since this
     * opener's sample, once; later calls report only errors set after this one.
     */
    void fileCheckAndAdvanceWbErr(Errseq.Since since) throws ErrnoException {
        Errno e = wbErr.checkAndAdvance(since);
        // as the kernel: the errseq check also clears the legacy AS_EIO / AS_ENOSPC flags
        synchronized (xaLock) {
            asFlags = 0;
        }
        if (e != null) {
            throw new ErrnoException(e, "writeback of the file failed on the device since it was last synced");
        }
    }

    // ---------------------------------------------------------------- truncate and invalidate

    /**
     * {@code truncate_inode_pages_range}: removes the cached folios of bytes {@code [lstart,
     * lend]} ({@code lend} inclusive, -1 = to the end). Folios entirely inside go after writeback
     * finished (their private data invalidated); partial folios are zeroed over the range and
     * given to {@code ->invalidate_folio}; a partial large folio, which we never split, is dropped
     * when clean and kept when dirty. Dirty folios are not written back.
     */
    public void truncateInodePagesRange(long lstart, long lend) {
        if (lend == -1) {
            lend = Long.MAX_VALUE;
        }
        if (lstart > lend || nrPages() == 0) {
            return;
        }
        long start = (lstart + Defaults.PAGE_SIZE - 1) >>> Defaults.PAGE_SHIFT;
        long end = lend == Long.MAX_VALUE ? Long.MAX_VALUE : (lend + 1) >>> Defaults.PAGE_SHIFT; // exclusive

        boolean sameFolio = (lstart >>> Defaults.PAGE_SHIFT) == (lend >>> Defaults.PAGE_SHIFT);
        Folio folio = getEntry(lstart >>> Defaults.PAGE_SHIFT);
        if (folio != null) {
            folio.lock();
            if (folio.mapping() == this) {
                sameFolio = lend < folio.pos() + folio.size();
                if (!truncatePartialFolio(folio, lstart, lend)) {
                    start = folio.nextIndex();
                    if (sameFolio) {
                        end = folio.index();
                    }
                }
            }
            folio.unlock();
            folio.put();
        }
        if (!sameFolio && lend != Long.MAX_VALUE) {
            folio = getEntry(lend >>> Defaults.PAGE_SHIFT);
            if (folio != null) {
                folio.lock();
                if (folio.mapping() == this && !truncatePartialFolio(folio, lstart, lend)) {
                    end = folio.index();
                }
                folio.unlock();
                folio.put();
            }
        }
        // whole folios: wait for writeback, then remove
        long index = start;
        while (index < end) {
            List<Folio> batch = new ArrayList<>();
            long last = end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
            findGetEntries(index, last, batch);
            if (batch.isEmpty()) {
                break;
            }
            for (Folio f : batch) {
                index = Math.max(index, f.nextIndex());
                f.lock();
                if (f.mapping() == this && f.index() >= start && (end == Long.MAX_VALUE || f.nextIndex() <= end)) {
                    f.waitWriteback();
                    truncateInodeFolio(f);
                }
                f.unlock();
                f.put();
            }
        }
    }

    /** {@code truncate_inode_pages}: from {@code lstart} to the end of the file. */
    public void truncateInodePages(long lstart) {
        truncateInodePagesRange(lstart, -1);
    }

    /** {@code truncate_inode_folio}: locked, not under writeback. */
    private void truncateInodeFolio(Folio folio) {
        if (folio.hasPrivate()) {
            aops.invalidateFolio(folio, 0, folio.size());
        }
        folioCancelDirty(folio);
        filemapRemoveFolio(folio);
    }

    /** {@code truncate_inode_partial_folio}: returns false when the folio stays (dirty large folio). */
    private boolean truncatePartialFolio(Folio folio, long start, long end) {
        long pos = folio.pos();
        int offset = pos < start ? (int) (start - pos) : 0;
        long length = folio.size();
        if (pos + length <= end || end == Long.MAX_VALUE) {
            length = length - offset;
        } else {
            length = end + 1 - pos - offset;
        }
        folio.waitWriteback();
        if (length == folio.size()) {
            truncateInodeFolio(folio);
            return true;
        }
        if (length <= 0) {
            return true;
        }
        folio.zero(offset, (int) length);
        if (folio.hasPrivate()) {
            aops.invalidateFolio(folio, offset, (int) length);
        }
        if (folio.order() == 0) {
            return true;
        }
        if (folio.isDirty()) {
            return false;
        }
        truncateInodeFolio(folio);
        return true;
    }

    /**
     * {@code find_get_entries}: appends to {@code batch} up to {@link Filemap#FOLIO_BATCH_SIZE}
     * folios of page indices {@code [from, last]}, in index order, each with a reference the
     * caller must put.
     */
    private void findGetEntries(long from, long last, List<Folio> batch) {
        synchronized (xaLock) {
            iPages.forEach(from, last, -1, (idx, f) -> {
                if (f.tryGet()) {
                    batch.add(f);
                }
                return batch.size() < Filemap.FOLIO_BATCH_SIZE;
            });
        }
    }

    /**
     * {@code invalidate_mapping_pages}: drops the clean, unused folios of page indices
     * {@code [start, end]}; dirty, under-writeback, locked or referenced folios stay. Returns
     * pages dropped.
     */
    long invalidateMappingPages(long start, long end) {
        long dropped = 0;
        long index = start;
        while (index <= end) {
            List<Folio> batch = new ArrayList<>();
            findGetEntries(index, end, batch);
            if (batch.isEmpty()) {
                break;
            }
            for (Folio f : batch) {
                index = Math.max(index, f.nextIndex());
                if (cache.evictFolio(f)) {
                    dropped += f.nrPages();
                }
                f.put();
            }
        }
        return dropped;
    }

    /**
     * {@code invalidate_inode_pages2_range}: removes every cached folio overlapping page indices
     * {@code [start, end]} (a large folio straddling an edge goes whole), after its writeback
     * finished, whoever else holds a reference; what they hold is no longer the file's. A dirty
     * folio stays ({@code invalidate_complete_folio2} refuses it: no {@code ->launder_folio}), as
     * does one whose private data cannot be released. Direct IO calls this after writing the range
     * back, so the cache never serves data older than the device's. Returns false when a folio
     * stayed (the kernel's -EBUSY).
     */
    public boolean invalidateInodePages2Range(long start, long end) {
        boolean busy = false;
        long index = start;
        // folios overlapping start from below
        Folio head = getEntry(start);
        if (head != null) {
            index = Math.min(index, head.index());
            head.put();
        }
        List<Folio> batch = new ArrayList<>();
        while (index <= end) {
            batch.clear();
            findGetEntries(index, end, batch);
            if (batch.isEmpty()) {
                break;
            }
            for (Folio f : batch) {
                index = Math.max(index, f.nextIndex());
                f.lock();
                try {
                    if (f.mapping() != this) {
                        continue;
                    }
                    f.waitWriteback();
                    if (f.isDirty() || f.hasPrivate() && !aops.releaseFolio(f)) {
                        busy = true;
                        continue;
                    }
                    filemapRemoveFolio(f);
                } finally {
                    f.unlock();
                    f.put();
                }
            }
        }
        return !busy;
    }

    /**
     * {@code truncate_inode_pages_final} at inode eviction: drops every folio (dirty ones too)
     * and forgets the mapping.
     */
    public void evict() {
        truncateInodePagesRange(0, -1);
        cache.forget(this);
    }

    @Override
    public String toString() {
        return "mapping[" + host + " nrpages=" + nrPages() + "]";
    }
}
