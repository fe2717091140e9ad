package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BioSet;
import org.foliobench.device.BlockDevice;
import org.foliobench.fs.Inode;
import org.foliobench.mm.ZeroPage;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * Direct IO through iomap ({@code fs/iomap/direct-io.c}) for a synchronous kiocb, as fio's psync
 * engine issues it: {@link #rw} is {@code iomap_dio_rw}. The caller's buffer goes to the device
 * in bios of its own memory; the page cache only has to stay coherent: the range is written back
 * first ({@code kiocb_write_and_wait}) and, for a write, its cached folios are invalidated before
 * ({@code kiocb_invalidate_pages}) and after ({@code kiocb_invalidate_post_direct_write}) the IO.
 *
 * <p>Per mapping ({@code iomap_dio_iter}): a hole or unwritten extent reads as zeros
 * ({@code iomap_dio_hole_iter}); a mapped extent, or an unwritten one being written, gets bios
 * ({@code iomap_dio_bio_iter}) of at most {@link Bio#BIO_MAX_VECS} pages of the buffer each (one
 * bvec per user page, as {@code bio_iov_iter_get_pages} pins them). A write into unwritten blocks
 * marks the dio {@code IOMAP_DIO_UNWRITTEN}, and the filesystem's end_io converts them once every
 * bio completed. An {@code IOMAP_ATOMIC} write must be one mapping and one bio, marked
 * {@code REQ_ATOMIC} for the device; anything else is EINVAL before a byte is submitted.
 *
 * <p>The submitter sleeps until the last bio ends ({@code blk_wait_io} on the dio's reference
 * count), then runs the completion ({@code iomap_dio_complete}) on its own thread, as the kernel
 * does for a synchronous dio.
 */
final class DirectIo {
    /** {@code IOMAP_DIRECT}: an {@code ->iomap_begin} flag. */
    static final int IOMAP_DIRECT = 1 << 4;
    /** {@code IOMAP_ATOMIC}: an {@code ->iomap_begin} flag; the write must be untorn. */
    static final int IOMAP_ATOMIC = 1 << 9;
    /** The most bytes of a page-aligned buffer one bio carries ({@code BIO_MAX_VECS} pages). */
    static final int MAX_BIO_BYTES = Bio.BIO_MAX_VECS << Defaults.PAGE_SHIFT;

    /**
     * {@code iomap_dio_ops->end_io}: the filesystem's completion of a write, after every bio ended
     * without error: {@code size} bytes at {@code pos} are on the device, {@code unwritten} when
     * some went into unwritten extents (to convert).
     */
    interface EndIo {
        void endIo(Inode inode, long pos, long size, boolean unwritten) throws IOException;
    }

    private final BlockDevice device;
    private final BioSet bioSet;
    private final LongAdder mapCalls;
    private final LongAdder staleCount;
    private final LongAdder dioBios;
    private final LongAdder dioAtomicBios;
    private final LongAdder dioHoleBytes;
    private final LongAdder bioSubmitted;
    private final LongAdder bioSegments;
    private final LongAdder bioBytes;

    DirectIo(BlockDevice device, BioSet bioSet, Counters c) {
        this.device = device;
        this.bioSet = bioSet;
        this.mapCalls = c.counter(CounterNames.PATH_MAP_CALLS);
        this.staleCount = c.counter(CounterNames.IOMAP_STALE);
        this.dioBios = c.counter(CounterNames.IOMAP_DIO_BIOS);
        this.dioAtomicBios = c.counter(CounterNames.IOMAP_DIO_ATOMIC_BIOS);
        this.dioHoleBytes = c.counter("iomap.dio_hole_bytes");
        this.bioSubmitted = c.counter(CounterNames.BIO_SUBMITTED);
        this.bioSegments = c.counter(CounterNames.BIO_SEGMENTS);
        this.bioBytes = c.counter(CounterNames.BIO_BYTES);
    }

    /** {@code struct iomap_dio} of a synchronous dio: the bios in flight and the first error. */
    private static final class Dio {
        /** The submitter's reference plus one per bio in flight. */
        final AtomicInteger ref = new AtomicInteger(1);
        volatile IOException error;
        /** Bytes submitted ({@code dio->size}). */
        long size;
        /** {@code IOMAP_DIO_UNWRITTEN}. */
        boolean unwritten;
        private boolean done;

        /** {@code iomap_dio_bio_end_io}, on the thread that completed the bio. */
        void bioEndIo(Bio bio) {
            IOException e = bio.status();
            if (e != null && error == null) {
                error = e;
            }
            bio.put();
            if (ref.decrementAndGet() == 0) {
                synchronized (this) {
                    done = true;
                    notifyAll();
                }
            }
        }

        /** Drops the submitter's reference and sleeps until the last bio ended ({@code blk_wait_io}). */
        void await() {
            if (ref.decrementAndGet() == 0) {
                return;
            }
            boolean interrupted = false;
            synchronized (this) {
                while (!done) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code iomap_dio_rw}: reads ({@code flags} without {@link IomapOps#IOMAP_WRITE}) or writes
     * {@code buf}'s remaining bytes at {@code pos} straight between the buffer and the device,
     * mapping through {@code ops} with {@code flags | IOMAP_DIRECT}. The caller checked alignment
     * and holds i_rwsem. A read stops at i_size (0 at or beyond it); a write runs {@code endIo}
     * after its bios. Advances {@code buf} by the bytes done and returns them; an error anywhere
     * fails the call (what was submitted may have reached the device, as in the kernel).
     */
    long rw(Inode inode, AddressSpace mapping, ByteBuffer buf, long pos, int flags, IomapOps ops, EndIo endIo)
            throws IOException {
        boolean write = (flags & IomapOps.IOMAP_WRITE) != 0;
        long count = buf.remaining();
        long isize = inode.size();
        if (count == 0 || !write && pos >= isize) {
            return 0;
        }
        long end = pos + count;
        // kiocb_write_and_wait: the device must hold what the cache holds for the range
        mapping.filemapWriteAndWaitRange(pos, end - 1);
        if (write) {
            invalidate(mapping, pos, end);
        }
        Dio dio = new Dio();
        IOException err = null;
        IomapIter iter = new IomapIter(inode, pos, count, flags | IOMAP_DIRECT, mapCalls, staleCount);
        try {
            while (iter.next(ops)) {
                try {
                    iter.processed = dioIter(dio, iter, buf, (int) (buf.position() + (iter.pos - pos)), flags);
                } catch (IOException e) {
                    iter.fail(e);
                }
            }
        } catch (IOException e) {
            err = e;
        }
        dio.await();
        if (err == null) {
            err = dio.error;
        }
        if (err != null) {
            throw err;
        }
        long done = count; // the walk ends only when every byte was mapped and handled
        if (write) {
            if (endIo != null) {
                endIo.endIo(inode, pos, done, dio.unwritten);
            }
            // kiocb_invalidate_post_direct_write: a buffered reader may have cached the old data meanwhile
            mapping.invalidateInodePages2Range(pos >> Defaults.PAGE_SHIFT, (end - 1) >> Defaults.PAGE_SHIFT);
        } else if (pos + done > isize) {
            done = isize - pos; // iomap_dio_complete: a read returns no bytes past i_size
        }
        buf.position(buf.position() + (int) done);
        return done;
    }

    /** {@code kiocb_invalidate_pages}: a folio that cannot go (dirtied again) fails the dio. */
    private static void invalidate(AddressSpace mapping, long pos, long end) throws ErrnoException {
        if (!mapping.invalidateInodePages2Range(pos >> Defaults.PAGE_SHIFT, (end - 1) >> Defaults.PAGE_SHIFT)) {
            throw new ErrnoException(Errno.EBUSY, "direct IO at " + pos + ": a cached folio of the range was dirtied"
                    + " again and cannot be invalidated; retry");
        }
    }

    /** {@code iomap_dio_iter}: the actor for one mapping; returns the bytes it handled. */
    private long dioIter(Dio dio, IomapIter iter, ByteBuffer buf, int bufOff, int flags) throws IOException {
        boolean write = (flags & IomapOps.IOMAP_WRITE) != 0;
        Iomap m = iter.iomap;
        long length = iter.length();
        switch (m.type) {
            case HOLE:
                if (write) {
                    throw new ErrnoException(Errno.EIO, "direct write at " + iter.pos + " mapped to a hole");
                }
                return holeIter(buf, bufOff, length);
            case UNWRITTEN:
                if (!write) {
                    return holeIter(buf, bufOff, length);
                }
                dio.unwritten = true;
                return bioIter(dio, iter, buf, bufOff, flags);
            case MAPPED:
                return bioIter(dio, iter, buf, bufOff, flags);
            default:
                // DELALLOC: the range was written back first, and i_rwsem keeps buffered writers out
                throw new ErrnoException(Errno.EIO, "direct IO at " + iter.pos + " found delayed allocation " + m);
        }
    }

    /** {@code iomap_dio_hole_iter}: the buffer reads zeros. */
    private long holeIter(ByteBuffer buf, int bufOff, long length) {
        ZeroPage.fill(buf, bufOff, (int) length);
        dioHoleBytes.add(length);
        return length;
    }

    /**
     * {@code iomap_dio_bio_iter}: bios straight from the buffer for {@code length} bytes of the
     * mapping; an atomic write must cover the rest of the walk with this mapping and one bio.
     */
    private long bioIter(Dio dio, IomapIter iter, ByteBuffer buf, int bufOff, int flags) throws IOException {
        boolean write = (flags & IomapOps.IOMAP_WRITE) != 0;
        boolean atomic = (flags & IOMAP_ATOMIC) != 0;
        Iomap m = iter.iomap;
        long length = iter.length();
        int lbs = device.logicalBlockSize();
        if (((iter.pos | length) & (lbs - 1)) != 0) {
            throw new ErrnoException(Errno.EINVAL, "direct IO at " + iter.pos + " length " + length
                    + " is not aligned to the device's logical block size " + lbs);
        }
        if (atomic && length != iter.len) {
            throw new ErrnoException(Errno.EINVAL, "atomic write of " + iter.len + " bytes at " + iter.pos
                    + " spans more than one extent (" + m + ")");
        }
        long sector = m.sector(iter.pos);
        long done = 0;
        while (done < length) {
            int pgoff = buf.isDirect() ? buf.alignmentOffset(bufOff, Defaults.PAGE_SIZE) : 0;
            int n = (int) Math.min(length - done, MAX_BIO_BYTES - pgoff);
            if (atomic && n != length) {
                throw new ErrnoException(Errno.EINVAL, "atomic write of " + length + " bytes does not fit one bio ("
                        + Bio.BIO_MAX_VECS + " pages of the buffer)");
            }
            Bio bio = bioSet.alloc(write ? Bio.Op.WRITE : Bio.Op.READ, sector, 1);
            bio.addSegment(buf, bufOff, n);
            bio.atomic(atomic).privateData(dio).endIo(dio::bioEndIo);
            dio.ref.incrementAndGet();
            dio.size += n;
            dioBios.increment();
            bioSubmitted.increment();
            bioSegments.increment();
            bioBytes.add(n);
            if (atomic) {
                dioAtomicBios.increment();
            }
            device.submit(bio);
            done += n;
            bufOff += n;
            sector += n >> Bio.SECTOR_SHIFT;
        }
        return length;
    }
}
