package org.foliobench.device;

import java.io.IOException;
import java.util.ArrayList;
import org.foliobench.Defaults;
import org.foliobench.mm.KmemCache;
import org.foliobench.mm.OnStack;

/**
 * {@code struct blk_plug}: a per-task queue of requests held back while the submitter builds more,
 * so that contiguous bios merge into larger requests before they reach the device
 * ({@code blk_start_plug()} ... {@code blk_finish_plug()} around writeback and readahead).
 *
 * <p>{@link #submit} mirrors {@code blk_mq_submit_bio()} under a plug: {@code blk_attempt_plug_merge()}
 * tries to merge the bio into the last plugged request (back merge: the bio starts where the
 * request ends; front merge: it ends where the request starts), within the queue limits
 * {@code max_sectors_kb} and {@link Bio#BIO_MAX_VECS} segments, same op, no {@code REQ_FUA}
 * (part of {@code REQ_NOMERGE_FLAGS}); each merge is counted in {@link DiskStats#merges}.
 * Otherwise a new request is added ({@code blk_add_rq_to_plug()}), first flushing the plug when it
 * already holds {@link #BLK_MAX_REQUEST_COUNT} requests or when the last request has reached
 * {@link #BLK_PLUG_FLUSH_SIZE}. {@link #finish} ({@code blk_finish_plug()}) dispatches what is left.
 *
 * <p>A dispatched request is one device IO (one {@link BlockDevice#submit} of a bio carrying the
 * segments of all merged bios, one system call), after which every original bio is completed with
 * the request's status (on the device's IO thread when the device has a request queue). A plug belongs to one thread, like {@code current->plug}. The submitter must
 * finish (or {@link #flush}) the plug before waiting on one of its bios, as {@code io_schedule()}
 * flushes the plug before sleeping.
 */
public final class BlkPlug implements AutoCloseable {
    /** {@code BLK_MAX_REQUEST_COUNT}: requests a plug holds before it is flushed. */
    static final int BLK_MAX_REQUEST_COUNT = 32;
    /** {@code BLK_PLUG_FLUSH_SIZE}: a plugged request this large is dispatched before another is added. */
    static final int BLK_PLUG_FLUSH_SIZE = 128 << 10;

    private BlockDevice device;
    private long maxSectors;
    private ArrayList<Request> requests = new ArrayList<>(BLK_MAX_REQUEST_COUNT);
    /** The list a flush swaps in while it dispatches the plugged one (null during a flush). */
    private ArrayList<Request> spare = new ArrayList<>(BLK_MAX_REQUEST_COUNT);
    /**
     * Plugged requests, reused (the kernel's come preallocated from the tag set). Thread-safe: a
     * merged request lives until its completion, which runs on the device's IO thread.
     */
    private static final KmemCache<Request> REQUESTS = KmemCache.create("plug_request", Defaults.SLAB_FREE_OBJECTS,
            Request::new, null);
    private boolean finished;
    /** From {@link #start}: given back to the thread at {@link #finish}. */
    private boolean reusable;

    /** The calling thread's finished plug, for {@link #start}; null while in use. */
    private static final OnStack<BlkPlug> FREE = new OnStack<>();

    /**
     * {@code blk_start_plug()} on the submitter's stack: the thread's plug, reused from its last
     * {@link #finish} (a plug started while the thread's one is in use is a new object).
     */
    public static BlkPlug start(BlockDevice device, int maxSectorsKb) {
        BlkPlug p = FREE.take();
        if (p == null) {
            p = new BlkPlug(device, maxSectorsKb);
        } else {
            if (maxSectorsKb < 1) {
                throw new IllegalArgumentException("max_sectors_kb " + maxSectorsKb + " must be positive");
            }
            p.device = device;
            p.maxSectors = (long) maxSectorsKb << 10 >> Bio.SECTOR_SHIFT;
            p.finished = false;
        }
        p.reusable = true;
        return p;
    }

    /** {@link #start} with the default {@link Defaults#MAX_SECTORS_KB}. */
    public static BlkPlug start(BlockDevice device) {
        return start(device, Defaults.MAX_SECTORS_KB);
    }

    /** {@code blk_start_plug()} with the default {@link Defaults#MAX_SECTORS_KB}. */
    public BlkPlug(BlockDevice device) {
        this(device, Defaults.MAX_SECTORS_KB);
    }

    /** {@code blk_start_plug()} for a queue whose {@code max_sectors_kb} is given. */
    public BlkPlug(BlockDevice device, int maxSectorsKb) {
        if (maxSectorsKb < 1) {
            throw new IllegalArgumentException("max_sectors_kb " + maxSectorsKb + " must be positive");
        }
        this.device = device;
        this.maxSectors = (long) maxSectorsKb << 10 >> Bio.SECTOR_SHIFT;
    }

    /** A plugged request: a run of sector-contiguous bios of one op ({@code struct request}). */
    private static final class Request {
        Bio.Op op;
        /** In sector order; indexed, so walking them takes no iterator. */
        final ArrayList<Bio> bios = new ArrayList<>();
        long sector;
        long sectors;
        int segments;

        Request init(Bio bio) {
            op = bio.op();
            sector = bio.sector();
            sectors = bio.size() >> Bio.SECTOR_SHIFT;
            segments = bio.segments();
            bios.add(bio);
            return this;
        }

        long endSector() {
            return sector + sectors;
        }

        long bytes() {
            return sectors << Bio.SECTOR_SHIFT;
        }
    }

    /** {@code submit_bio()} with this plug active: merge into the last request or queue a new one. */
    public void submit(Bio bio) {
        if (finished) {
            throw new IllegalStateException("plug already finished; " + bio + " not submitted");
        }
        device.check(bio); // a bad bio fails its own submitter, not a later dispatch
        if (attemptPlugMerge(bio)) {
            return;
        }
        addRequest(REQUESTS.alloc().init(bio));
    }

    /** {@code blk_attempt_plug_merge()}: only the last plugged request is tried. */
    private boolean attemptPlugMerge(Bio bio) {
        if (requests.isEmpty() || bio.isFua()) {
            return false;
        }
        Request rq = requests.get(requests.size() - 1);
        if (rq.op != bio.op() || rq.bios.get(0).isFua()) {
            return false;
        }
        long bioSectors = bio.size() >> Bio.SECTOR_SHIFT;
        if (rq.sectors + bioSectors > maxSectors || rq.segments + bio.segments() > Bio.BIO_MAX_VECS) {
            return false; // ll_back_merge_fn() / ll_front_merge_fn(): queue limits
        }
        if (bio.sector() == rq.endSector()) { // ELEVATOR_BACK_MERGE: bio_attempt_back_merge()
            rq.bios.add(bio);
        } else if (bio.endSector() == rq.sector) { // ELEVATOR_FRONT_MERGE: bio_attempt_front_merge()
            rq.bios.add(0, bio);
            rq.sector = bio.sector();
        } else {
            return false;
        }
        rq.sectors += bioSectors;
        rq.segments += bio.segments();
        device.stats().accountMerge(bio.op());
        return true;
    }

    /** {@code blk_add_rq_to_plug()}. */
    private void addRequest(Request rq) {
        if (!requests.isEmpty()) {
            Request last = requests.get(requests.size() - 1);
            if (requests.size() >= BLK_MAX_REQUEST_COUNT || last.bytes() >= BLK_PLUG_FLUSH_SIZE) {
                flush();
            }
        }
        requests.add(rq);
    }

    /** Requests currently held by the plug. */
    int plugged() {
        return requests.size();
    }

    /** {@code blk_flush_plug()}: dispatch every plugged request, in order, each as one device IO. */
    public void flush() {
        if (requests.isEmpty()) {
            return;
        }
        ArrayList<Request> batch = requests;
        requests = spare != null ? spare : new ArrayList<>(BLK_MAX_REQUEST_COUNT);
        spare = null;
        try {
            for (int i = 0; i < batch.size(); i++) {
                dispatch(batch.get(i));
            }
        } finally {
            batch.clear();
            spare = batch;
        }
    }

    /**
     * One request to the device. A single bio goes as it is; merged bios go as one bio carrying all
     * their segments, whose completion ends each of them and then gives the request and the merged
     * bio back (possibly later, on the device's IO thread).
     */
    private void dispatch(Request rq) {
        if (rq.bios.size() == 1) {
            Bio bio = rq.bios.get(0);
            rq.bios.clear();
            REQUESTS.free(rq);
            device.submit(bio);
            return;
        }
        Bio merged = device.bioSplit().alloc(rq.op, rq.sector, Math.min(Bio.BIO_MAX_VECS, rq.segments));
        for (int k = 0; k < rq.bios.size(); k++) {
            Bio b = rq.bios.get(k);
            for (int i = 0; i < b.segments(); i++) {
                if (!merged.addSegment(b.segmentMemory(i), b.segmentOffset(i), b.segmentLength(i))) {
                    throw new IllegalStateException("merged request overflows its vector: " + merged);
                }
            }
        }
        merged.privateData(rq).endIo(BlkPlug::requestEndIo);
        device.submit(merged);
    }

    /**
     * {@code blk_update_request()}: every bio of the request ends with the request's status; then
     * the merged bio and the request are freed ({@code blk_mq_free_request}).
     */
    private static void requestEndIo(Bio done) {
        Request rq = (Request) done.privateData();
        IOException status = done.status();
        done.put();
        RuntimeException first = null;
        for (int k = 0; k < rq.bios.size(); k++) {
            try {
                rq.bios.get(k).complete(status);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        rq.bios.clear();
        REQUESTS.free(rq);
        if (first != null) {
            throw first;
        }
    }

    /** {@code blk_finish_plug()}: dispatch what is left; the plug cannot be used afterwards. */
    public void finish() {
        if (!finished) {
            finished = true;
            try {
                flush();
            } finally {
                if (reusable && requests.isEmpty()) {
                    reusable = false;
                    device = null;
                    FREE.put(this);
                }
            }
        }
    }

    @Override
    public void close() {
        finish();
    }
}
