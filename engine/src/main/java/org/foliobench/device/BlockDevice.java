package org.foliobench.device;

import java.io.IOException;

/**
 * A block device ({@code struct block_device} plus its queue limits): a capacity in bytes, a
 * logical block size every IO must be aligned to, {@link #submit} for reads and writes
 * ({@code submit_bio}) and {@link #flush} for the volatile write cache ({@code REQ_PREFLUSH}).
 *
 * <p>Submission here is synchronous: {@link #submit} performs the IO and completes the bio
 * through {@link Bio#complete} before it returns. A device error never escapes as an exception
 * from {@code submit}; it is the bio's status, as {@code bi_status} is in the kernel. Invalid
 * bios (outside the device, misaligned, empty) are programming errors and throw
 * {@link IllegalArgumentException}.
 */
public abstract class BlockDevice implements AutoCloseable {
    private final DiskStats stats = new DiskStats();

    /** {@code queue_logical_block_size}: the alignment of every IO, in bytes. */
    public abstract int logicalBlockSize();

    /** Capacity in bytes ({@code bdev_nr_bytes}). */
    public abstract long capacity();

    /** A one-line description for run metadata: kind, path, size, alignment. */
    public abstract String describe();

    /** {@code submit_bio_wait}-like: performs the IO, accounts it, then completes the bio. */
    public final void submit(Bio bio) {
        check(bio);
        long start = System.nanoTime();
        IOException error = null;
        try {
            if (bio.op() == Bio.Op.READ) {
                read(bio);
            } else {
                write(bio);
            }
        } catch (IOException e) {
            error = e;
        }
        if (error == null) {
            stats.account(bio.op(), bio.size(), System.nanoTime() - start);
        } else {
            stats.accountError(bio.op());
        }
        bio.complete(error);
    }

    /** {@code blkdev_issue_flush}: everything completed so far becomes durable. */
    public final void flush() throws IOException {
        doFlush();
        stats.accountFlush();
    }

    public DiskStats stats() {
        return stats;
    }

    /** Capacity in 512-byte sectors. */
    public long sectors() {
        return capacity() >> Bio.SECTOR_SHIFT;
    }

    protected void check(Bio bio) {
        if (bio.size() == 0) {
            throw new IllegalArgumentException("empty " + bio);
        }
        long pos = bio.position();
        long end = pos + bio.size();
        if (end > capacity()) {
            throw new IllegalArgumentException(bio.op() + " of " + bio.size() + " bytes at offset " + pos
                    + " ends beyond the device capacity of " + capacity() + " bytes");
        }
        int lbs = logicalBlockSize();
        if (pos % lbs != 0 || bio.size() % lbs != 0) {
            throw new IllegalArgumentException("misaligned " + bio.op() + ": offset " + pos + ", length "
                    + bio.size() + " must be multiples of the logical block size " + lbs);
        }
    }

    /** Reads every segment of the bio from the device; called with a checked bio. */
    protected abstract void read(Bio bio) throws IOException;

    /** Writes every segment of the bio to the device; called with a checked bio. */
    protected abstract void write(Bio bio) throws IOException;

    protected abstract void doFlush() throws IOException;

    @Override
    public abstract void close() throws IOException;
}
