package org.foliobench.device;

import java.io.IOException;
import org.foliobench.Defaults;
import org.foliobench.stats.Counters;

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
    private final Counters counters = new Counters();
    /**
     * {@code q->bio_split}: the block layer's own bios, the parts of a split bio and the request a
     * plug builds from merged bios; counted as {@code slab.bio_split.*} in {@link #counters()}.
     */
    private final BioSet bioSplit = BioSet.create("bio_split", Defaults.SLAB_FREE_OBJECTS, counters);

    /** {@code queue_logical_block_size}: the alignment of every IO, in bytes. */
    public abstract int logicalBlockSize();

    /** Capacity in bytes ({@code bdev_nr_bytes}). */
    public abstract long capacity();

    /** A one-line description for run metadata: kind, path, size, alignment. */
    public abstract String describe();

    /**
     * {@code queue_max_sectors} in bytes: the largest request the device takes; a larger bio is
     * split ({@code bio_split_to_limits}). Default {@link Defaults#MAX_SECTORS_KB}.
     */
    public int maxRequestBytes() {
        return Defaults.MAX_SECTORS_KB << 10;
    }

    /**
     * {@code submit_bio_wait}-like: performs the IO, accounts it, then completes the bio. A bio
     * larger than {@link #maxRequestBytes()} is split into requests of at most that size, as the
     * block layer does; each is one IO in {@link DiskStats}, the bio completes once, with the
     * first error.
     */
    public final void submit(Bio bio) {
        check(bio);
        IOException error;
        if (bio.size() <= maxRequestBytes()) {
            error = dispatch(bio);
        } else {
            error = splitAndDispatch(bio);
        }
        bio.complete(error);
    }

    /** One request: the IO and its accounting; returns the error, if any. */
    private IOException dispatch(Bio rq) {
        long start = System.nanoTime();
        try {
            if (rq.op() == Bio.Op.READ) {
                read(rq);
            } else {
                write(rq);
            }
        } catch (IOException e) {
            stats.accountError(rq.op());
            return e;
        }
        stats.account(rq.op(), rq.size(), System.nanoTime() - start);
        return null;
    }

    /** {@code bio_split_to_limits}: consecutive requests of at most {@link #maxRequestBytes()}. */
    private IOException splitAndDispatch(Bio bio) {
        long max = maxRequestBytes();
        IOException first = null;
        long sector = bio.sector();
        int seg = 0;
        int segOff = 0;
        while (seg < bio.segments()) {
            Bio part = bioSplit.alloc(bio.op(), sector).fua(bio.isFua());
            long room = max;
            while (seg < bio.segments() && room > 0) {
                int len = (int) Math.min(bio.segmentLength(seg) - segOff, room);
                part.addSegment(bio.segmentMemory(seg), bio.segmentOffset(seg) + segOff, len);
                segOff += len;
                room -= len;
                if (segOff == bio.segmentLength(seg)) {
                    seg++;
                    segOff = 0;
                }
            }
            IOException e = dispatch(part);
            if (first == null) {
                first = e;
            }
            sector += part.size() >> Bio.SECTOR_SHIFT;
            part.put();
        }
        return first;
    }

    /** {@code blkdev_issue_flush}: everything completed so far becomes durable. */
    public final void flush() throws IOException {
        doFlush();
        stats.accountFlush();
    }

    public DiskStats stats() {
        return stats;
    }

    /** The block layer's slab counters ({@code slab.bio_split.*}). */
    public Counters counters() {
        return counters;
    }

    /** The block layer's bio_set ({@code q->bio_split}). */
    BioSet bioSplit() {
        return bioSplit;
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
