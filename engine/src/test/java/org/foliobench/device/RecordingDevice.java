package org.foliobench.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A block device decorator for crash and fault tests (the role of dm-log-writes plus
 * dm-flakey). Every write and flush passing through to the inner device is recorded in order
 * once {@link #startRecording} took a snapshot of the inner device; {@link #imageAt} rebuilds
 * the device as it would be after a power cut at any point of that stream, including a torn cut
 * inside a multi-block write (only the first logical blocks of it landed), except an atomic
 * ({@code REQ_ATOMIC}) write, which the device persists whole or not at all. Faults: a chosen
 * write or flush fails with an IO error (the bio's status), writing nothing.
 *
 * <p>The crash model is a prefix of the stream: what reached the media before the cut is there,
 * what came after is not (a device that does not reorder, the strictest honest model for a
 * filesystem that flushes before its commit record matters). Over an inner device with a request
 * queue (a {@link FileDevice} or {@link DirectDevice}) the recording device has a queue of the
 * same shape and performs the inner device's IO on its own IO threads, so bios complete
 * asynchronously; a write is recorded once it reached the inner device, before its bio completes.
 * At a cut, requests still queued are lost, a request being performed may be torn or landed, and
 * every write whose completion the filesystem saw (and so every fsync that returned) is in the
 * prefix.
 */
public final class RecordingDevice extends BlockDevice {
    /** One recorded event: a flush, or a write of {@code data} at byte {@code pos}. */
    public static final class Event {
        public final boolean flush;
        public final long pos;
        public final byte[] data;
        /** A {@code REQ_ATOMIC} write: a cut leaves all of it or none, never a torn part. */
        public final boolean atomic;

        Event(boolean flush, long pos, byte[] data) {
            this(flush, pos, data, false);
        }

        Event(boolean flush, long pos, byte[] data, boolean atomic) {
            this.flush = flush;
            this.pos = pos;
            this.data = data;
            this.atomic = atomic;
        }

        @Override
        public String toString() {
            return flush ? "FLUSH" : (atomic ? "ATOMIC " : "") + "WRITE pos=" + pos + " len=" + data.length;
        }
    }

    private final BlockDevice inner;
    private final List<Event> events = new ArrayList<>();
    private byte[] base;
    private boolean recording;
    private long writeOrdinal;
    private long flushOrdinal;
    private long failWrite = -1;
    private long failFlush = -1;

    public RecordingDevice(BlockDevice inner) {
        this.inner = inner;
        if (inner.isAsync()) {
            startQueue(inner.nrHwQueues(), inner.nrRequests());
        }
    }

    /** Snapshots the inner device now and records every write and flush from here on. */
    public synchronized void startRecording() throws IOException {
        if (inner.capacity() > Integer.MAX_VALUE) {
            throw new IllegalStateException("recording needs a device under 2 GiB, got " + inner.capacity());
        }
        base = readAll(inner);
        events.clear();
        recording = true;
    }

    public synchronized void stopRecording() {
        recording = false;
    }

    /** Number of events recorded so far. */
    public synchronized int events() {
        return events.size();
    }

    public synchronized Event event(int i) {
        return events.get(i);
    }

    /**
     * The units write event {@code i} can tear into (0 for a flush): its logical blocks, or 1 for an
     * atomic write, which the device persists whole or not at all.
     */
    public synchronized int units(int i) {
        Event e = events.get(i);
        return e.flush ? 0 : e.atomic ? 1 : e.data.length / logicalBlockSize();
    }

    /** The {@code n}-th write from now (0 = the next one) fails with an IO error. */
    public synchronized void failWriteAfter(long n) {
        failWrite = writeOrdinal + n;
    }

    /** The {@code n}-th flush from now (0 = the next one) fails with an IO error. */
    public synchronized void failFlushAfter(long n) {
        failFlush = flushOrdinal + n;
    }

    public synchronized void clearFaults() {
        failWrite = -1;
        failFlush = -1;
    }

    /** The device after a power cut once events {@code [0, cut)} reached the media. */
    public BlockDevice imageAt(int cut) {
        return imageAt(cut, 0);
    }

    /**
     * The device after a power cut once events {@code [0, cut)} reached the media and the first
     * {@code tornUnits} logical blocks of write event {@code cut}. The image is a copy-on-write
     * overlay on the snapshot: writes to it (a mount's journal replay) stay in the image.
     */
    public synchronized BlockDevice imageAt(int cut, int tornUnits) {
        if (base == null) {
            throw new IllegalStateException("startRecording() was not called");
        }
        Image img = new Image(base, inner.logicalBlockSize());
        for (int i = 0; i < cut; i++) {
            Event e = events.get(i);
            if (!e.flush) {
                img.apply(e.pos, e.data, e.data.length);
            }
        }
        if (tornUnits > 0) {
            Event e = events.get(cut);
            if (e.atomic) {
                throw new IllegalArgumentException("event " + cut + " is an atomic write: a cut cannot tear it");
            }
            img.apply(e.pos, e.data, Math.min(e.data.length, tornUnits * inner.logicalBlockSize()));
        }
        return img;
    }

    static byte[] readAll(BlockDevice dev) throws IOException {
        byte[] all = new byte[(int) dev.capacity()];
        int chunk = 1 << 20;
        ByteBuffer buf = DmaMemory.allocate(chunk, 4096); // O_DIRECT alignment
        for (long pos = 0; pos < dev.capacity(); pos += chunk) {
            int n = (int) Math.min(chunk, dev.capacity() - pos);
            Bio bio = new Bio(Bio.Op.READ, pos >> Bio.SECTOR_SHIFT);
            bio.addSegment(buf, 0, n);
            dev.submitWait(bio);
            if (bio.status() != null) {
                throw bio.status();
            }
            buf.get(0, all, (int) pos, n);
        }
        return all;
    }

    @Override
    public int logicalBlockSize() {
        return inner.logicalBlockSize();
    }

    @Override
    public long capacity() {
        return inner.capacity();
    }

    @Override
    public String describe() {
        return "recording(" + inner.describe() + ")";
    }

    @Override
    protected void check(Bio bio) {
        inner.check(bio);
    }

    /** The inner device's atomic write limit: the recording adds the power-cut model, not a capability. */
    @Override
    protected int hwAtomicWriteUnitMax() {
        return inner.atomicWriteUnitMax();
    }

    @Override
    public int dmaAlignment() {
        return inner.dmaAlignment();
    }

    /** The inner device's own IO, on this device's IO thread (or the submitter, without a queue). */
    @Override
    protected void read(Bio bio) throws IOException {
        inner.read(bio);
    }

    @Override
    protected void write(Bio bio) throws IOException {
        synchronized (this) {
            long ord = writeOrdinal++;
            if (ord == failWrite) {
                throw new IOException("injected write error at sector " + bio.sector());
            }
        }
        inner.write(bio);
        synchronized (this) {
            if (recording) {
                byte[] data = new byte[(int) bio.size()];
                int at = 0;
                for (int s = 0; s < bio.segments(); s++) {
                    bio.segmentMemory(s).get(bio.segmentOffset(s), data, at, bio.segmentLength(s));
                    at += bio.segmentLength(s);
                }
                events.add(new Event(false, bio.position(), data, bio.isAtomic()));
            }
        }
    }

    @Override
    protected void doFlush() throws IOException {
        synchronized (this) {
            long ord = flushOrdinal++;
            if (ord == failFlush) {
                throw new IOException("injected flush error");
            }
        }
        inner.doFlush();
        synchronized (this) {
            if (recording) {
                events.add(new Event(true, 0, null));
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stopQueue();
        } finally {
            inner.close();
        }
    }

    /** A device image: the snapshot plus an overlay of logical blocks written since. */
    static final class Image extends BlockDevice {
        private final byte[] base;
        private final int lbs;
        private final Map<Long, byte[]> overlay = new HashMap<>();

        Image(byte[] base, int lbs) {
            this.base = base;
            this.lbs = lbs;
        }

        void apply(long pos, byte[] data, int len) {
            for (int off = 0; off < len; off += lbs) {
                byte[] u = new byte[lbs];
                System.arraycopy(data, off, u, 0, lbs);
                overlay.put((pos + off) / lbs, u);
            }
        }

        @Override
        public int logicalBlockSize() {
            return lbs;
        }

        @Override
        public long capacity() {
            return base.length;
        }

        @Override
        public String describe() {
            return "image size=" + base.length;
        }

        @Override
        protected void read(Bio bio) {
            long pos = bio.position();
            for (int s = 0; s < bio.segments(); s++) {
                ByteBuffer m = bio.segmentMemory(s);
                int off = bio.segmentOffset(s);
                for (int done = 0; done < bio.segmentLength(s); done += lbs) {
                    byte[] u = overlay.get((pos + done) / lbs);
                    if (u != null) {
                        m.put(off + done, u, 0, lbs);
                    } else {
                        m.put(off + done, base, (int) (pos + done), lbs);
                    }
                }
                pos += bio.segmentLength(s);
            }
        }

        @Override
        protected void write(Bio bio) {
            long pos = bio.position();
            for (int s = 0; s < bio.segments(); s++) {
                ByteBuffer m = bio.segmentMemory(s);
                int off = bio.segmentOffset(s);
                for (int done = 0; done < bio.segmentLength(s); done += lbs) {
                    byte[] u = new byte[lbs];
                    m.get(off + done, u, 0, lbs);
                    overlay.put((pos + done) / lbs, u);
                }
                pos += bio.segmentLength(s);
            }
        }

        @Override
        protected void doFlush() {
        }

        @Override
        public void close() {
        }
    }
}
