package org.foliobench.pagecache;

/**
 * {@code struct file_ra_state}: one open file's readahead window. The window is
 * {@code [start, start + size)}; when the page at {@code start + size - asyncSize} (marked
 * {@code PG_readahead}) is read, the next window is submitted. {@code order} is the folio order
 * of the last window of a large-folio mapping and grows by 2 each window.
 */
public final class FileRaState {
    long start;
    int size;
    int asyncSize;
    int raPages;
    int mmapMiss;
    long prevPos = -1;
    int order;

    /** {@code file_ra_state_init}: {@code ra_pages} from the bdi's read_ahead_kb. */
    public FileRaState(int raPages) {
        this.raPages = raPages;
    }

    public long start() {
        return start;
    }

    public int size() {
        return size;
    }

    int asyncSize() {
        return asyncSize;
    }

    int raPages() {
        return raPages;
    }

    /** Sets {@code ra_pages} (posix_fadvise / a changed read_ahead_kb); 0 disables readahead. */
    void setRaPages(int raPages) {
        this.raPages = raPages;
    }

    int mmapMiss() {
        return mmapMiss;
    }

    long prevPos() {
        return prevPos;
    }

    public int order() {
        return order;
    }

    @Override
    public String toString() {
        return "ra[start=" + start + " size=" + size + " async=" + asyncSize + " order=" + order + "]";
    }
}
