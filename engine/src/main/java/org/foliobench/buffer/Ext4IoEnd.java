package org.foliobench.buffer;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.mm.KmemCache;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.stats.Counters;
import org.foliobench.workqueue.WorkStruct;

/**
 * {@code struct ext4_io_end} (fs/ext4/ext4.h, fs/ext4/page-io.c): the bios of one
 * {@code ext4_do_writepages} round ({@code mpd->io_submit.io_end}) and the byte ranges
 * ({@code ext4_io_end_vec}) whose unwritten extents are converted when they have all completed.
 * The round holds one reference and each bio one ({@code count}); with {@link #unwritten} set the
 * bios' completions are kept here ({@code io_end->bio}) and their folios end writeback only after
 * the conversion ({@code ext4_release_io_end}).
 *
 * <p>The last reference dropped ({@link #putDefer}, {@code ext4_put_io_end_defer}: the round's
 * or the last bio's, on whichever thread ended it) either releases it at once or, when it has
 * ranges to convert, adds it to the inode's {@code i_rsv_conversion_list} and queues the inode's
 * {@code i_rsv_conversion_work} to {@code ext4-rsv-conversion} ({@code ext4_add_complete_io});
 * the worker converts each io_end's ranges in one handle ({@code ext4_end_io_rsv_work}) and
 * releases it. The round does not wait: fsync waits on folio writeback, which ends after the
 * conversion. io_ends come from the {@code ext4_io_end} cache of {@link Rsv}.
 *
 * <p>The conversion's handle is reserved when the round's handle starts
 * ({@code ext4_journal_start_with_reserve}), moved here with the first unwritten extent
 * ({@link #takeHandle}) and started by the worker without waiting for a commit
 * ({@code ext4_journal_start_reserved}); an io_end released without converting frees it.
 */
final class Ext4IoEnd {
    private Rsv rsv;
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
    /** {@code io_end->handle}: the reserved handle for the conversion, or null. */
    private Handle handle;
    /** {@code io_end->list}: the next io_end on the inode's {@code i_rsv_conversion_list}. */
    private Ext4IoEnd next;
    /** {@code System.nanoTime()} when its last reference was dropped and it was queued. */
    private long queuedNanos;
    /** On the cache's free list. */
    private boolean freed = true;

    /** {@code ext4_init_io_end}: one reference, the submitter's. */
    private Ext4IoEnd init(Rsv rsv, Inode inode, AddressSpace mapping) {
        synchronized (this) {
            if (!freed || count != 0) {
                throw new IllegalStateException("ext4_io_end cache handed out the io_end of " + this.inode
                        + ", in use with " + count + " references");
            }
            freed = false;
            this.rsv = rsv;
            this.inode = inode;
            this.mapping = mapping;
            unwritten = false;
            failed = false;
            nvec = 0;
            next = null;
            handle = null;
            count = 1;
        }
        return this;
    }

    /** {@code mpage_map_one_extent}: the round's reserved handle becomes the io_end's if it has none. */
    synchronized void takeHandle(Handle roundHandle) {
        if (handle == null) {
            handle = roundHandle.takeReserved();
        }
    }

    /** {@code ext4_set_io_unwritten_flag}. */
    synchronized void setUnwritten() {
        unwritten = true;
    }

    /** {@code ext4_get_io_end}: a bio takes a reference. */
    synchronized void get() {
        if (count <= 0) {
            throw new IllegalStateException("reference taken on an io_end of " + inode + " already released");
        }
        count++;
    }

    /**
     * {@code ext4_end_bio}'s part before dropping the bio's reference: returns true when the bio is
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
        return keep;
    }

    /** Drops a reference; true for the last. */
    private synchronized boolean put() {
        if (count <= 0) {
            throw new IllegalStateException("io_end of " + inode + " put once too often");
        }
        return --count == 0;
    }

    /** Whether {@code ext4_end_io_end} converts: unwritten, no bio failed, some range recorded. */
    private synchronized boolean needsConversion() {
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

    /**
     * {@code ext4_put_io_end_defer}: drop a reference (the round's once its bios are submitted, or a
     * bio's at its end); the last one releases the io_end at once, or queues its conversion.
     */
    static void putDefer(Ext4IoEnd io) {
        if (!io.put()) {
            return;
        }
        if (!io.needsConversion()) {
            io.release();
            return;
        }
        io.rsv.addCompleteIo(io);
    }

    /**
     * {@code ext4_end_io_end}: one handle converts every recorded range
     * ({@code ext4_convert_unwritten_io_end_vec}), then {@link #release}. A failed conversion
     * leaves the extents unwritten (they read as zeros) and the mapping's error set.
     */
    private void endIoEnd() {
        try {
            Ext4 fs = rsv.p.fs;
            int bits = rsv.p.bits;
            Handle rsvHandle = handle;
            handle = null; // used up by the start, or freed by it on error
            Handle h = rsvHandle != null ? fs.journalStartReserved(rsvHandle)
                    : fs.journalStart(fs.transBlocks(Ext4Writepages.MAX_WRITEPAGES_EXTENT_LEN) + 1);
            rsv.p.endIoHandles.increment();
            try {
                for (int i = 0; i < nvec; i++) {
                    long lblk = vec[2 * i] >> bits;
                    long end = (vec[2 * i] + vec[2 * i + 1] + rsv.p.bs - 1) >> bits;
                    if (end > lblk) {
                        fs.convertUnwritten(h, inode, lblk, end - lblk);
                    }
                }
            } finally {
                h.stop();
            }
        } catch (ErrnoException e) {
            // "failed to convert unwritten extents to written extents -- potential data loss!"
            mapping.mappingSetError(Errno.EIO);
        } catch (RuntimeException e) {
            // never leave folios under writeback: fail the IO instead
            mapping.mappingSetError(Errno.EIO);
        } finally {
            release();
        }
    }

    /**
     * {@code ext4_release_io_end}: the kept bios end their folios' writeback ({@code ext4_finish_bio});
     * a failed bio's buffers get their unwritten state back, so that a rewrite goes through mapping
     * and conversion again. Then the io_end goes back to its cache.
     */
    private void release() {
        Rsv r = rsv;
        BufferHeadPath p = r.p;
        Handle unused = handle;
        if (unused != null) {
            handle = null;
            unused.freeReserved(); // no conversion: jbd2_journal_free_reserved
        }
        for (int i = 0; i < bios.size(); i++) {
            BioPrivate bhs = bios.get(i);
            if (!bhs.ok) {
                for (int k = 0; k < bhs.items.size(); k++) {
                    ((BufferHead) bhs.items.get(k)).set(BufferHead.BH_UNWRITTEN);
                }
            }
            Ext4Writepages.endBio(bhs.mapping, bhs.items, bhs.ok);
            p.freeBioPrivate(bhs);
        }
        bios.clear();
        synchronized (this) {
            inode = null;
            mapping = null;
            rsv = null;
            next = null;
            freed = true;
        }
        r.cache.free(this);
    }

    /**
     * The path's {@code ext4_io_end} cache and its side of the {@code ext4-rsv-conversion}
     * workqueue, with the counters {@code buffer.rsv_conversion_queued} (io_ends queued),
     * {@code .queue_depth_sum} (io_ends pending that each found, itself included) and
     * {@code .latency_ns_sum} (from its last bio's end to its folios' writeback end).
     */
    static final class Rsv {
        final BufferHeadPath p;
        final KmemCache<Ext4IoEnd> cache;
        private final LongAdder queued;
        private final LongAdder depthSum;
        private final LongAdder latency;
        private final AtomicLong pending = new AtomicLong();
        /** {@code INIT_WORK(&ei->i_rsv_conversion_work, ext4_end_io_rsv_work)}, bound once. */
        private final java.util.function.Function<Inode, InodeWork> newWork = inode -> new InodeWork(this);

        Rsv(BufferHeadPath p, Counters c) {
            this.p = p;
            this.cache = KmemCache.create("ext4_io_end", Defaults.SLAB_FREE_OBJECTS, Ext4IoEnd::new, c);
            this.queued = c.counter("buffer.rsv_conversion_queued");
            this.depthSum = c.counter("buffer.rsv_conversion_queue_depth_sum");
            this.latency = c.counter("buffer.rsv_conversion_latency_ns_sum");
        }

        /** {@code ext4_init_io_end}: a round's io_end. */
        Ext4IoEnd alloc(Inode inode, AddressSpace mapping) {
            return cache.alloc().init(this, inode, mapping);
        }

        /** {@code ext4_add_complete_io}. */
        private void addCompleteIo(Ext4IoEnd io) {
            InodeWork w = io.inode.rsvConversion(newWork);
            io.queuedNanos = System.nanoTime();
            queued.increment();
            depthSum.add(pending.incrementAndGet());
            synchronized (w) { // i_completed_io_lock
                if (w.head == null) {
                    w.head = io;
                    p.fs.rsvConversionWq().queueWork(w.work);
                } else {
                    w.tail.next = io;
                }
                w.tail = io;
            }
        }
    }

    /** {@code i_rsv_conversion_list} and {@code i_rsv_conversion_work} of one inode; the list is threaded through the io_ends. */
    private static final class InodeWork {
        private final Rsv rsv;
        Ext4IoEnd head;
        Ext4IoEnd tail;
        final WorkStruct work = new WorkStruct(this::rsvWork);

        InodeWork(Rsv rsv) {
            this.rsv = rsv;
        }

        /** {@code ext4_end_io_rsv_work} / {@code ext4_do_flush_completed_IO}: each io_end in turn. */
        private void rsvWork() {
            Ext4IoEnd io;
            synchronized (this) { // list_replace_init under i_completed_io_lock
                io = head;
                head = null;
                tail = null;
            }
            while (io != null) {
                Ext4IoEnd next = io.next;
                long queuedAt = io.queuedNanos;
                io.endIoEnd(); // frees io
                rsv.latency.add(System.nanoTime() - queuedAt);
                rsv.pending.decrementAndGet();
                io = next;
            }
        }
    }
}
