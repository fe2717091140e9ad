package org.foliobench.device;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.Defaults;
import org.foliobench.mm.KmemCache;

/**
 * The IO engine shared by {@link FileDevice} and {@link DirectDevice}: one bio is one request is
 * one system call, made by the IO thread of the request's hardware queue ({@link BlkMq}). A single-segment bio is a positional {@code pread}/{@code pwrite}; a
 * multi-segment bio is one vectored call ({@code readv}/{@code writev} after a seek, under the
 * device lock so no other vectored bio moves the file position in between), the way the kernel
 * hands a multi-bvec request to the driver in one command. Short transfers are continued.
 */
abstract class ChannelDevice extends BlockDevice {
    final Path path;
    final FileChannel channel;
    private final long capacity;
    private final int logicalBlockSize;
    /** Serialises the seek + vectored transfer of multi-segment bios. */
    private final ReentrantLock positionLock = new ReentrantLock();
    /** The requests' scatter-gather lists ({@code slab.sgpool.*} in {@link #counters()}). */
    private final KmemCache<SgList> sgpool = KmemCache.create("sgpool", Defaults.SLAB_FREE_OBJECTS, SgList::new,
            counters());

    ChannelDevice(Path path, FileChannel channel, long capacity, int logicalBlockSize) {
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
        this.logicalBlockSize = logicalBlockSize;
    }

    @Override
    public final int logicalBlockSize() {
        return logicalBlockSize;
    }

    @Override
    public final long capacity() {
        return capacity;
    }

    /** The file or block device node under this device. */
    public Path path() {
        return path;
    }

    /**
     * A request's scatter-gather list, as the driver builds it from the bio's vectors (the SCSI
     * layer's {@code sgpool} scatterlists): NIO addresses memory through a buffer view per
     * segment. The views are kept per memory they look into (the page cache's arena chunks, the
     * journal's log buffer: a few), so the next request in the same memory takes them again and,
     * once the pool is warm, allocates nothing. Between requests the list holds the views and
     * their memory only weakly: a device outlives page caches (the nvme device of a run), whose
     * memory must go when they do.
     */
    static final class SgList {
        /** Memories whose views are kept; the oldest is replaced when another comes. */
        static final int MEMS = 8;
        private ByteBuffer[] sg = new ByteBuffer[Bio.BIO_MAX_VECS];
        private int nsg;
        @SuppressWarnings("unchecked")
        private final WeakReference<ByteBuffer>[] mem = new WeakReference[MEMS];
        @SuppressWarnings("unchecked")
        private final WeakReference<ByteBuffer>[][] views = new WeakReference[MEMS][];
        /** Views of each memory taken by the request being mapped. */
        private final int[] used = new int[MEMS];
        private int oldest;

        /** {@code blk_rq_map_sg}: views of the bio's segments in {@code [0, bio.segments())}, until {@link #unmap}. */
        ByteBuffer[] map(Bio bio) {
            int n = bio.segments();
            if (n > sg.length) {
                sg = java.util.Arrays.copyOf(sg, n);
            }
            java.util.Arrays.fill(used, 0);
            for (int i = 0; i < n; i++) {
                ByteBuffer m = bio.segmentMemory(i);
                int j = slot(m);
                ByteBuffer v = view(j, used[j]++, m);
                int off = bio.segmentOffset(i);
                v.clear().limit(off + bio.segmentLength(i)).position(off);
                sg[i] = v;
            }
            nsg = n;
            return sg;
        }

        /** The slot keeping the views of {@code m}: its own, else the oldest one, emptied for it. */
        private int slot(ByteBuffer m) {
            for (int j = 0; j < MEMS; j++) {
                if (mem[j] != null && mem[j].get() == m) {
                    return j;
                }
            }
            int j = oldest;
            oldest = (oldest + 1) % MEMS;
            mem[j] = new WeakReference<>(m);
            if (views[j] != null) {
                java.util.Arrays.fill(views[j], null);
            }
            used[j] = 0;
            return j;
        }

        /** The {@code k}-th view into the memory of slot {@code j}, {@code m}. */
        private ByteBuffer view(int j, int k, ByteBuffer m) {
            WeakReference<ByteBuffer>[] vs = views[j];
            if (vs == null || k == vs.length) {
                vs = views[j] = vs == null ? newRefs(16) : java.util.Arrays.copyOf(vs, 2 * vs.length);
            }
            ByteBuffer v = vs[k] != null ? vs[k].get() : null;
            if (v == null) {
                v = m.duplicate();
                vs[k] = new WeakReference<>(v);
            }
            return v;
        }

        @SuppressWarnings("unchecked")
        private static WeakReference<ByteBuffer>[] newRefs(int n) {
            return new WeakReference[n];
        }

        /** The request is over: only the weak references stay. */
        void unmap() {
            java.util.Arrays.fill(sg, 0, nsg, null);
        }
    }

    @Override
    protected void read(Bio bio) throws IOException {
        SgList sg = sgpool.alloc();
        try {
            read(bio, sg.map(bio));
        } finally {
            sg.unmap();
            sgpool.free(sg);
        }
    }

    private void read(Bio bio, ByteBuffer[] v) throws IOException {
        long pos = bio.position();
        int nsegs = bio.segments();
        if (nsegs == 1) {
            ByteBuffer b = v[0];
            while (b.hasRemaining()) {
                int n = channel.read(b, pos);
                if (n < 0) {
                    throw eof(bio, pos);
                }
                pos += n;
            }
            return;
        }
        long left = bio.size();
        int first = 0;
        positionLock.lock();
        try {
            channel.position(pos);
            while (left > 0) {
                long n = channel.read(v, first, nsegs - first);
                if (n < 0) {
                    throw eof(bio, bio.position() + bio.size() - left);
                }
                left -= n;
                while (first < nsegs && !v[first].hasRemaining()) {
                    first++;
                }
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    protected void write(Bio bio) throws IOException {
        SgList sg = sgpool.alloc();
        try {
            write(bio, sg.map(bio));
        } finally {
            sg.unmap();
            sgpool.free(sg);
        }
        if (bio.isFua()) {
            // No FUA on a file: the block layer's emulation, a post-flush (blk_insert_flush()).
            channel.force(false);
        }
    }

    private void write(Bio bio, ByteBuffer[] v) throws IOException {
        long pos = bio.position();
        int nsegs = bio.segments();
        if (nsegs == 1) {
            ByteBuffer b = v[0];
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
            return;
        }
        long left = bio.size();
        int first = 0;
        positionLock.lock();
        try {
            channel.position(pos);
            while (left > 0) {
                left -= channel.write(v, first, nsegs - first);
                while (first < nsegs && !v[first].hasRemaining()) {
                    first++;
                }
            }
        } finally {
            positionLock.unlock();
        }
    }

    private IOException eof(Bio bio, long at) {
        return new EOFException(path + ": end of file at byte " + at + " while reading " + bio
                + " (the backing file was truncated under the device?)");
    }

    /** {@code blkdev_issue_flush}: {@code fdatasync(2)}, which also flushes the disk's volatile write cache. */
    @Override
    protected void doFlush() throws IOException {
        channel.force(false);
    }

    /** Drains the request queue and stops its IO threads, then closes the file. */
    @Override
    public void close() throws IOException {
        try {
            stopQueue();
        } finally {
            channel.close();
        }
    }
}
