package org.foliobench.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A block IO request: a start sector (512-byte units, as the kernel's {@code bi_iter.bi_sector})
 * and a vector of up to {@link #BIO_MAX_VECS} memory segments, completed through {@link #endIo}.
 *
 * <p>Mirrors {@code struct bio}: segments are added with {@link #addSegment} ({@code bio_add_page}),
 * which merges a segment into the previous one when the memory is contiguous (same buffer, adjacent
 * offsets) and refuses once the vector is full, so the caller submits and starts a new bio, as
 * {@code submit_bio} callers do. The device calls {@link #complete} exactly once.
 */
public final class Bio {
    /** {@code BIO_MAX_VECS}: the most segments one bio carries. */
    public static final int BIO_MAX_VECS = 256;
    /** {@code SECTOR_SHIFT}. */
    public static final int SECTOR_SHIFT = 9;
    public static final int SECTOR_SIZE = 1 << SECTOR_SHIFT;

    /** {@code REQ_OP_READ} / {@code REQ_OP_WRITE}. A cache flush is {@link BlockDevice#flush()}. */
    public enum Op { READ, WRITE }

    private Op op;
    private long sector;
    private final ByteBuffer[] mem;
    private final int[] offset;
    private final int[] length;
    private int maxVecs;
    private int vcnt;
    private long size;
    private boolean fua;
    /** {@code REQ_ATOMIC}: the device writes all of this bio or none of it, even across a power cut. */
    private boolean atomic;
    private Consumer<Bio> endIo;
    private Object privateData;
    private volatile boolean done;
    private volatile IOException status;
    /** {@code bi_pool}: the bio_set this bio returns to on {@link #put}, null for a bio made with {@code new}. */
    private final BioSet pool;
    /** On its pool's free list: any use is a use after {@link #put}. */
    private boolean freed;

    public Bio(Op op, long sector) {
        this(op, sector, BIO_MAX_VECS);
    }

    /** {@code bio_alloc(bdev, nr_vecs, opf)}. */
    public Bio(Op op, long sector, int maxVecs) {
        if (sector < 0) {
            throw new IllegalArgumentException("bio sector " + sector + " is negative");
        }
        if (maxVecs < 1 || maxVecs > BIO_MAX_VECS) {
            throw new IllegalArgumentException("bio vectors must be 1.." + BIO_MAX_VECS + ", got " + maxVecs);
        }
        this.op = op;
        this.sector = sector;
        this.maxVecs = maxVecs;
        this.mem = new ByteBuffer[maxVecs];
        this.offset = new int[maxVecs];
        this.length = new int[maxVecs];
        this.pool = null;
    }

    /** A bio of {@code pool}, with room for {@link #BIO_MAX_VECS} vectors, free until {@link #init}. */
    Bio(BioSet pool) {
        this.pool = pool;
        this.mem = new ByteBuffer[BIO_MAX_VECS];
        this.offset = new int[BIO_MAX_VECS];
        this.length = new int[BIO_MAX_VECS];
        this.freed = true;
    }

    /** {@code bio_init}: a pooled bio handed out again, as if new (its vector arrays are reused). */
    Bio init(Op op, long sector, int maxVecs) {
        if (sector < 0) {
            throw new IllegalArgumentException("bio sector " + sector + " is negative");
        }
        if (maxVecs < 1 || maxVecs > BIO_MAX_VECS) {
            throw new IllegalArgumentException("bio vectors must be 1.." + BIO_MAX_VECS + ", got " + maxVecs);
        }
        if (!freed) {
            throw new IllegalStateException("bio_set " + pool.name() + " handed out " + this + ", which is in use");
        }
        freed = false;
        this.op = op;
        this.sector = sector;
        this.maxVecs = maxVecs;
        return this;
    }

    /**
     * {@code bio_put}: the owner is done with the bio (its end_io handler, or the submitter of a
     * bio without one once it has read the status). A pooled bio is reset (sector, vectors, flags,
     * end_io, private data, status) and returned to its {@link BioSet}; it must not be touched
     * afterwards. A bio made with {@code new} is left to the garbage collector.
     */
    public void put() {
        if (pool == null) {
            return;
        }
        checkLive();
        java.util.Arrays.fill(mem, 0, vcnt, null);
        vcnt = 0;
        size = 0;
        sector = 0;
        op = null;
        maxVecs = 0;
        fua = false;
        atomic = false;
        endIo = null;
        privateData = null;
        status = null;
        done = false;
        freed = true;
        pool.free(this);
    }

    /** Whether this bio is on its pool's free list (put and not handed out again). */
    boolean isFreed() {
        return freed;
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("use of a bio of bio_set " + pool.name() + " after bio_put");
        }
    }

    /**
     * {@code bio_add_page}: appends {@code len} bytes of {@code buf} at {@code off} (absolute
     * index into the buffer, its position and limit are not used). Returns false when the bio is
     * full; the caller then submits it and allocates another.
     */
    public boolean addSegment(ByteBuffer buf, int off, int len) {
        checkLive();
        if (len <= 0 || off < 0 || off + len > buf.capacity()) {
            throw new IllegalArgumentException("bio segment off=" + off + " len=" + len
                    + " outside its buffer of " + buf.capacity() + " bytes");
        }
        if (vcnt > 0) {
            int last = vcnt - 1;
            // bvec merge: physically contiguous with the previous segment
            if (mem[last] == buf && offset[last] + length[last] == off
                    && (long) length[last] + len <= Integer.MAX_VALUE) {
                length[last] += len;
                size += len;
                return true;
            }
        }
        if (vcnt == maxVecs) {
            return false;
        }
        mem[vcnt] = buf;
        offset[vcnt] = off;
        length[vcnt] = len;
        vcnt++;
        size += len;
        return true;
    }

    public Op op() {
        checkLive();
        return op;
    }

    /** First sector, in 512-byte units. */
    public long sector() {
        checkLive();
        return sector;
    }

    /** Byte offset on the device. */
    public long position() {
        return sector << SECTOR_SHIFT;
    }

    /** {@code bi_iter.bi_size}: total bytes. */
    public long size() {
        checkLive();
        return size;
    }

    /** {@code bi_vcnt}. */
    public int segments() {
        return vcnt;
    }

    public ByteBuffer segmentMemory(int i) {
        checkIndex(i);
        return mem[i];
    }

    public int segmentOffset(int i) {
        checkIndex(i);
        return offset[i];
    }

    public int segmentLength(int i) {
        checkIndex(i);
        return length[i];
    }

    private void checkIndex(int i) {
        checkLive();
        if (i < 0 || i >= vcnt) {
            throw new IndexOutOfBoundsException("segment " + i + " of " + vcnt);
        }
    }

    /** Sector just after the last one this bio touches. */
    public long endSector() {
        return sector + (size >> SECTOR_SHIFT);
    }

    /** {@code REQ_FUA}: the device persists this write before completing it. */
    Bio fua(boolean fua) {
        checkLive();
        this.fua = fua;
        return this;
    }

    boolean isFua() {
        return fua;
    }

    /**
     * {@code REQ_ATOMIC} (an {@code RWF_ATOMIC} direct write): the device persists the whole bio or
     * none of it. The block layer checks it against the queue's atomic write limits
     * ({@code blk_validate_atomic_write_op_size}) and never splits it.
     */
    public Bio atomic(boolean atomic) {
        checkLive();
        this.atomic = atomic;
        return this;
    }

    boolean isAtomic() {
        return atomic;
    }

    /** {@code bi_end_io}: called once, on completion, with {@link #status()} set. */
    public Bio endIo(Consumer<Bio> endIo) {
        checkLive();
        this.endIo = endIo;
        return this;
    }

    /** {@code bi_private}. */
    public Bio privateData(Object data) {
        checkLive();
        this.privateData = data;
        return this;
    }

    public Object privateData() {
        return privateData;
    }

    /** {@code bi_status}: null on success, the device error otherwise. */
    public IOException status() {
        return status;
    }

    public boolean isDone() {
        return done;
    }

    /** Whether an end_io handler is set (such a bio may be put by it: nobody else may wait on it). */
    boolean hasEndIo() {
        return endIo != null;
    }

    /**
     * {@code bio_endio}: called by the device once the IO finished (or failed), on the thread that
     * performed it. Runs the end_io handler, or wakes a {@link #awaitCompletion} sleeper.
     */
    public void complete(IOException error) {
        checkLive();
        if (done) {
            throw new IllegalStateException("bio at sector " + sector + " completed twice");
        }
        this.status = error;
        Consumer<Bio> h = endIo;
        if (h != null) {
            this.done = true;
            h.accept(this);
            return;
        }
        synchronized (this) {
            this.done = true;
            notifyAll();
        }
    }

    /**
     * {@code submit_bio_wait}'s sleep ({@code wait_for_completion_io}): returns once the bio
     * completed. Only for a bio without an end_io handler (a handler may put the bio).
     */
    void awaitCompletion() {
        if (done) {
            return;
        }
        synchronized (this) {
            boolean interrupted = false;
            while (!done) {
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
    }

    @Override
    public String toString() {
        return "Bio[" + op + " sector=" + sector + " size=" + size + " vecs=" + vcnt + (atomic ? " atomic" : "") + "]";
    }
}
