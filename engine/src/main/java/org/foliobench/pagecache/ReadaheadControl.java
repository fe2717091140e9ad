package org.foliobench.pagecache;

import org.foliobench.Defaults;
import org.foliobench.mm.OnStack;

/**
 * {@code struct readahead_control}: a batch of consecutive, locked, not-uptodate folios just
 * inserted into the page cache, handed to {@link AddressSpaceOperations#readahead}.
 */
public final class ReadaheadControl {
    AddressSpace mapping;
    FileRaState ra;
    long index; // _index
    int nrPages; // _nr_pages
    int batchCount; // _batch_count

    ReadaheadControl(AddressSpace mapping, FileRaState ra, long index) {
        this.mapping = mapping;
        this.ra = ra;
        this.index = index;
    }

    /** The calling thread's free control; null while one is in use (a nested readahead makes its own). */
    private static final OnStack<ReadaheadControl> FREE = new OnStack<>();

    /**
     * {@code DEFINE_READAHEAD(ractl, file, ra, mapping, index)}: the kernel's control lives on the
     * reader's stack; here the thread's one is reused, give it back with {@link #release}.
     */
    static ReadaheadControl get(AddressSpace mapping, FileRaState ra, long index) {
        ReadaheadControl r = FREE.take();
        if (r == null) {
            return new ReadaheadControl(mapping, ra, index);
        }
        r.mapping = mapping;
        r.ra = ra;
        r.index = index;
        r.nrPages = 0;
        r.batchCount = 0;
        return r;
    }

    /** The readahead is over: forget the mapping and keep the control for the thread's next one. */
    void release() {
        mapping = null;
        ra = null;
        FREE.put(this);
    }

    public AddressSpace mapping() {
        return mapping;
    }

    /**
     * {@code readahead_folio}: the next folio of the batch, locked; the batch's reference is
     * dropped (the page cache still holds one and the folio stays locked until the path ends the
     * read). Null when the batch is consumed.
     */
    public Folio readaheadFolio() {
        index += batchCount;
        nrPages -= batchCount;
        batchCount = 0;
        if (nrPages <= 0) {
            nrPages = 0;
            return null;
        }
        Folio folio = mapping.xaLoadLocked(index);
        if (folio == null || !folio.isLocked()) {
            throw new IllegalStateException("readahead batch lost its folio at index " + index);
        }
        batchCount = folio.nrPages();
        folio.put();
        return folio;
    }

    /** {@code readahead_pos}: file offset of the (remaining) batch. */
    public long readaheadPos() {
        return index << Defaults.PAGE_SHIFT;
    }

    /** {@code readahead_length}: bytes in the (remaining) batch. */
    public long readaheadLength() {
        return (long) nrPages << Defaults.PAGE_SHIFT;
    }

    /** {@code readahead_index}. */
    long readaheadIndex() {
        return index;
    }

    /** {@code readahead_count}: pages in the (remaining) batch. */
    public int readaheadCount() {
        return nrPages;
    }
}
