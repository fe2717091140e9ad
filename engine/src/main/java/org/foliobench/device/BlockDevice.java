package org.foliobench.device;

import java.io.IOException;
import org.foliobench.Defaults;
import org.foliobench.stats.Counters;

/**
 * A block device ({@code struct block_device} plus its queue limits): a capacity in bytes, a
 * logical block size every IO must be aligned to, {@link #submit} for reads and writes
 * ({@code submit_bio}) and {@link #flush} for the volatile write cache ({@code REQ_PREFLUSH}).
 *
 * <p>Submission is asynchronous on a device with a request queue ({@link #startQueue}: the
 * file and O_DIRECT devices, like an NVMe or loop device): {@link #submit} queues the bio to a
 * hardware queue of {@link BlkMq} and returns; an IO thread performs it and completes the bio
 * through {@link Bio#complete} ({@code bio_endio}), which runs the bio's end_io handler on that
 * thread. A device without a queue (the RamDisk, as {@code brd}) performs the IO and completes the
 * bio inside {@link #submit}. Callers that need the result wait for it: {@link #submitWait}
 * ({@code submit_bio_wait}), or the folio / buffer state the end_io handler changes. A device error
 * never escapes as an exception from {@code submit}; it is the bio's status, as {@code bi_status}
 * is in the kernel. Invalid bios (outside the device, misaligned, empty) are programming errors
 * and throw {@link IllegalArgumentException} from {@code submit}.
 */
public abstract class BlockDevice implements AutoCloseable {
    private final DiskStats stats = new DiskStats();
    private final Counters counters = new Counters();
    /**
     * {@code q->bio_split}: the block layer's own bios, the parts of a split bio and the request a
     * plug builds from merged bios; counted as {@code slab.bio_split.*} in {@link #counters()}.
     */
    private final BioSet bioSplit = BioSet.create("bio_split", Defaults.SLAB_FREE_OBJECTS, counters);
    /** The request queue's hardware queues, null for a synchronous device. */
    private volatile BlkMq mq;

    /** For the device types: RamDisk, FileDevice, DirectDevice and test devices. */
    protected BlockDevice() {
    }

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
    int maxRequestBytes() {
        return Defaults.MAX_SECTORS_KB << 10;
    }

    /**
     * The device's own atomic write limit ({@code awu_max} of the hardware: NVMe AWUPF, SCSI
     * WRITE ATOMIC's maximum length), 0 when it has none. {@link #atomicWriteUnitMax()} is what
     * the queue offers of it.
     */
    protected int hwAtomicWriteUnitMax() {
        return 0;
    }

    /**
     * {@code queue_atomic_write_unit_max_bytes}: the largest {@code REQ_ATOMIC} write, 0 when the
     * device cannot write atomically. As {@code blk_atomic_writes_update_limits}: the hardware
     * limit, capped by what one request can carry without a split ({@link #maxRequestBytes()} and
     * {@link Bio#BIO_MAX_VECS} pages), rounded down to a power of two; 0 if that falls below
     * {@link #atomicWriteUnitMin()}.
     */
    public final int atomicWriteUnitMax() {
        int hw = hwAtomicWriteUnitMax();
        if (hw <= 0) {
            return 0;
        }
        long limit = Math.min(Math.min(hw, maxRequestBytes()), (long) Bio.BIO_MAX_VECS << Defaults.PAGE_SHIFT);
        int max = Integer.highestOneBit((int) limit);
        return max < logicalBlockSize() ? 0 : max;
    }

    /**
     * {@code queue_atomic_write_unit_min_bytes}: the smallest {@code REQ_ATOMIC} write, the
     * logical block size on a device that writes atomically (0 otherwise).
     */
    public final int atomicWriteUnitMin() {
        return atomicWriteUnitMax() == 0 ? 0 : logicalBlockSize();
    }

    /**
     * {@code queue_dma_alignment} + 1: the alignment the memory of a bio segment needs. 1 (any
     * memory) unless the backend transfers straight from it ({@link DirectDevice}).
     */
    public int dmaAlignment() {
        return 1;
    }

    /**
     * {@code submit_bio}: checks the bio and hands it to the device. A bio larger than
     * {@link #maxRequestBytes()} is split into requests of at most that size, as the block layer
     * does ({@code bio_split_to_limits}, the parts chained to the bio); each is one IO in
     * {@link DiskStats}, the bio completes once, with the first error. Without a queue the bio is
     * complete when this returns; with one it completes later on an IO thread, and this may first
     * wait for a free tag ({@code blk_mq_get_tag}).
     */
    public final void submit(Bio bio) {
        check(bio);
        BlkMq q = mq;
        if (q != null) {
            if (bio.size() <= maxRequestBytes()) {
                q.queue(bio, null);
            } else {
                split(q, bio);
            }
            return;
        }
        IOException error;
        if (bio.size() <= maxRequestBytes()) {
            error = dispatch(bio);
        } else {
            error = split(null, bio);
        }
        bio.complete(error);
    }

    /**
     * {@code submit_bio_wait}: submits a bio without an end_io handler and sleeps until the device
     * completed it; the caller reads {@link Bio#status()} (and puts a pooled bio) afterwards.
     */
    public final void submitWait(Bio bio) {
        if (bio.hasEndIo()) {
            throw new IllegalArgumentException("submit_bio_wait of " + bio + " that has its own end_io handler");
        }
        submit(bio);
        bio.awaitCompletion();
    }

    /** One request: the IO and its accounting; returns the error, if any. */
    final IOException dispatch(Bio rq) {
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

    /**
     * {@code bio_split_to_limits}: consecutive requests of at most {@link #maxRequestBytes()}. With a
     * queue, each part is queued as a request chained to the bio ({@code bio_chain}), which ends once
     * the last part completes, and null is returned; without one, each part is performed here and the
     * first error is returned.
     */
    private IOException split(BlkMq q, Bio bio) {
        BlkMq.Split chain = q != null ? new BlkMq.Split(bio) : null;
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
            sector += part.size() >> Bio.SECTOR_SHIFT;
            if (chain != null) {
                chain.remaining.incrementAndGet();
                q.queue(part, chain);
            } else {
                IOException e = dispatch(part);
                if (first == null) {
                    first = e;
                }
                part.put();
            }
        }
        if (chain != null) {
            chain.partDone(null); // the submitter's bias
        }
        return first;
    }

    /**
     * {@code blkdev_issue_flush}: everything completed so far becomes durable. On a device with a
     * queue the flush is a request on the caller's hardware queue, waited for; writes still in
     * flight are not covered (the caller waits for those it needs first, as the kernel's callers do).
     */
    public final void flush() throws IOException {
        BlkMq q = mq;
        if (q != null) {
            q.flush();
            return;
        }
        IOException e = flushRequest();
        if (e != null) {
            throw e;
        }
    }

    /** The flush request at the device, accounted; returns the error, if any. */
    final IOException flushRequest() {
        try {
            doFlush();
        } catch (IOException e) {
            return e;
        }
        stats.accountFlush();
        return null;
    }

    /**
     * Gives the device a request queue ({@code blk_mq_alloc_tag_set} + {@code blk_mq_alloc_disk}):
     * {@code nrHwQueues} hardware queues of {@code nrRequests} tags each, one IO thread per queue,
     * started now; from here on {@link #submit} is asynchronous. Called once, by the backend's
     * open, before the device is handed out.
     */
    protected final void startQueue(int nrHwQueues, int nrRequests) {
        if (mq != null) {
            throw new IllegalStateException(describe() + " already has a request queue");
        }
        BlkMq q = new BlkMq(this, nrHwQueues, nrRequests, counters);
        q.start();
        mq = q;
    }

    /**
     * {@code blk_mq_destroy_queue}: waits for every request in flight to complete, then stops the
     * IO threads; the backend calls this from {@link #close()} before releasing what the IO uses.
     */
    protected final void stopQueue() {
        BlkMq q = mq;
        if (q != null) {
            q.shutdown();
        }
    }

    /**
     * {@code blk_mq_freeze_queue_wait}: returns once nothing submitted so far is in flight (a
     * synchronous device never has anything in flight).
     */
    public final void drain() {
        BlkMq q = mq;
        if (q != null) {
            q.drain();
        }
    }

    /** Whether {@link #submit} queues ({@code true}) or completes the bio before returning. */
    public final boolean isAsync() {
        return mq != null;
    }

    /** {@code queue/nr_requests}: tags per hardware queue; 0 for a device without a queue. */
    final int nrRequests() {
        BlkMq q = mq;
        return q != null ? q.nrRequests() : 0;
    }

    /** Hardware queues ({@code /sys/block/<dev>/mq/*}); 0 for a device without a queue. */
    final int nrHwQueues() {
        BlkMq q = mq;
        return q != null ? q.nrHwQueues() : 0;
    }

    /** Requests holding a tag now: queued or at the device. */
    public final int inflight() {
        BlkMq q = mq;
        return q != null ? q.inflight() : 0;
    }

    /** The most requests that were in flight at once since the device opened. */
    public final long inflightMax() {
        BlkMq q = mq;
        return q != null ? q.inflightMax() : 0;
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
    long sectors() {
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
        if (bio.isAtomic()) {
            checkAtomic(bio);
        }
    }

    /**
     * {@code blk_validate_atomic_write_op_size}: an atomic write is a power of two between the
     * queue's atomic unit min and max, naturally aligned on the device, so it is never split.
     */
    private void checkAtomic(Bio bio) {
        long size = bio.size();
        int max = atomicWriteUnitMax();
        if (bio.op() != Bio.Op.WRITE || max == 0 || Long.bitCount(size) != 1 || size < atomicWriteUnitMin()
                || size > max || bio.position() % size != 0) {
            throw new IllegalArgumentException("invalid atomic " + bio + " on " + describe() + ": an atomic write must be"
                    + " a power of two from " + atomicWriteUnitMin() + " to " + max + " bytes, at a multiple of its size");
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
