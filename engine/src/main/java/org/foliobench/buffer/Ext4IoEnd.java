package org.foliobench.buffer;

import java.util.ArrayList;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;

/**
 * {@code struct ext4_io_end} (fs/ext4/ext4.h): the bios of one {@code ext4_do_writepages} round
 * ({@code mpd->io_submit.io_end}) and the byte ranges ({@code ext4_io_end_vec}) whose unwritten
 * extents are converted when they have all completed. Each bio holds a reference
 * ({@code count}); with {@link #unwritten} set the bios' completions are kept here
 * ({@code io_end->bio}) and their folios end writeback only after the conversion
 * ({@code ext4_release_io_end}). One per {@code mpd}, reused: the round waits for it.
 */
final class Ext4IoEnd {
    Inode inode;
    AddressSpace mapping;
    /** {@code EXT4_IO_END_UNWRITTEN}: the round allocated unwritten extents (dioread_nolock). */
    private boolean unwritten;
    /** {@code EXT4_IO_END_FAILED}: a bio failed, so nothing is converted (stale blocks stay unwritten). */
    private boolean failed;
    /** {@code io_end->count}: the submitter's reference and one per bio in flight. */
    private int count;
    /** {@code io_end->bio}: completed bios waiting for the conversion. */
    final ArrayList<BioPrivate> bios = new ArrayList<>();
    /** {@code list_vec}: (offset, size) byte pairs. */
    private long[] vec = new long[8];
    private int nvec;

    /** {@code ext4_init_io_end}: one reference, the submitter's. */
    void init(Inode inode, AddressSpace mapping) {
        synchronized (this) {
            if (count != 0) {
                throw new IllegalStateException("io_end of " + this.inode + " reused with " + count + " references");
            }
            this.inode = inode;
            this.mapping = mapping;
            unwritten = false;
            failed = false;
            nvec = 0;
            count = 1;
        }
    }

    synchronized boolean active() {
        return count > 0;
    }

    /** {@code ext4_set_io_unwritten_flag}. */
    synchronized void setUnwritten() {
        unwritten = true;
    }

    /** {@code ext4_get_io_end}: a bio takes a reference. */
    synchronized void get() {
        count++;
    }

    /**
     * {@code ext4_end_bio}'s part: the bio's reference is dropped; returns true when the bio is
     * kept for {@code ext4_release_io_end} (unwritten), false when the caller finishes it now.
     */
    synchronized boolean bioDone(BioPrivate bhs, boolean ok) {
        if (!ok) {
            failed = true;
        }
        boolean keep = unwritten;
        if (keep) {
            bhs.ok = ok;
            bios.add(bhs);
        }
        if (--count == 0) {
            notifyAll();
        }
        return keep;
    }

    /** {@code ext4_put_io_end_defer} of the submitter's reference, then waits for the bios in flight. */
    synchronized void putAndWait() {
        count--;
        boolean interrupted = false;
        while (count > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code ext4_end_io_end} converts: unwritten, no bio failed, some range recorded. */
    synchronized boolean needsConversion() {
        return unwritten && !failed && nvec > 0;
    }

    /** {@code ext4_alloc_io_end_vec}: a new range starting at byte {@code offset}. */
    void addVec(long offset) {
        if (2 * nvec == vec.length) {
            vec = java.util.Arrays.copyOf(vec, vec.length * 2);
        }
        vec[2 * nvec] = offset;
        vec[2 * nvec + 1] = 0;
        nvec++;
    }

    /** {@code ext4_last_io_end_vec(io_end)->size += bytes}. */
    void growLastVec(long bytes) {
        vec[2 * nvec - 1] += bytes;
    }

    int vecCount() {
        return nvec;
    }

    long vecOffset(int i) {
        return vec[2 * i];
    }

    long vecSize(int i) {
        return vec[2 * i + 1];
    }
}
