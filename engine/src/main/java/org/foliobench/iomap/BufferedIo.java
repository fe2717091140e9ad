package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BioSet;
import org.foliobench.device.BlkPlug;
import org.foliobench.device.BlockDevice;
import org.foliobench.fs.Inode;
import org.foliobench.mm.KmemCache;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.ReadaheadControl;
import org.foliobench.pagecache.Writeback;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;

/**
 * fs/iomap/buffered-io.c: the filesystem-independent half of the iomap buffered IO path. The
 * filesystem plugs in through {@link IomapOps} (mappings) and {@link WritebackOps} (writeback
 * mapping, ioend preparation, deferred completion); {@link IomapPath} is ext4's side.
 */
final class BufferedIo {
    /** {@code IOEND_BATCH_SIZE}: folios in one ioend at most. */
    static final int IOEND_BATCH_SIZE = 4096;

    final BlockDevice dev;
    final int blockBits;
    final int blockSize;
    final LongAdder mapCalls;
    final LongAdder staleCount;
    final LongAdder ifsAllocs;
    /** The iomap_folio_state caches. */
    final IomapFolioState.Caches ifsCache;
    final LongAdder bioSubmitted;
    final LongAdder bioSegments;
    final LongAdder bioBytes;
    final LongAdder ioends;
    final LongAdder ioendMerges;
    final LongAdder shortCopies;
    final LongAdder writeBeginReads;
    /** Partial blocks {@code __iomap_write_begin} read from a srcmap other than the iomap (copy on write). */
    final LongAdder srcmapReads;
    final LongAdder readZeroedBytes;
    final LongAdder writeMapCalls;

    /**
     * Test hook: the source buffer of a write "faults" (an unmapped user page) after this many
     * bytes of one {@link #fileBufferedWrite} call, so {@code copy_folio_from_iter_atomic} copies
     * short; negative = never.
     */
    volatile long faultSourceAfter = -1;

    BufferedIo(BlockDevice dev, int blockBits, Counters c) {
        this(dev, blockBits, Defaults.MAX_PAGECACHE_ORDER, Defaults.PAGECACHE_ARENA_BYTES >> Defaults.PAGE_SHIFT, c,
                BioSet.create("bio", Defaults.SLAB_FREE_OBJECTS, c));
    }

    /** For a page cache of {@code cachePages} pages and folios up to {@code maxFolioOrder}. */
    BufferedIo(BlockDevice dev, int blockBits, int maxFolioOrder, long cachePages, Counters c, BioSet bioSet) {
        this.dev = dev;
        this.blockBits = blockBits;
        this.blockSize = 1 << blockBits;
        this.mapCalls = c.counter(CounterNames.PATH_MAP_CALLS);
        this.staleCount = c.counter(CounterNames.IOMAP_STALE);
        this.ifsCache = new IomapFolioState.Caches(blockBits, maxFolioOrder, cachePages, c);
        this.ifsAllocs = ifsCache.allocs;
        this.bioSubmitted = c.counter(CounterNames.BIO_SUBMITTED);
        this.bioSegments = c.counter(CounterNames.BIO_SEGMENTS);
        this.bioBytes = c.counter(CounterNames.BIO_BYTES);
        this.ioends = c.counter("iomap.ioends");
        this.ioendMerges = c.counter("iomap.ioend_merges");
        this.shortCopies = c.counter("iomap.short_copies");
        this.writeBeginReads = c.counter("iomap.write_begin_reads");
        this.srcmapReads = c.counter(CounterNames.IOMAP_SRCMAP_READS);
        this.readZeroedBytes = c.counter("iomap.read_zeroed_bytes");
        this.writeMapCalls = c.counter("iomap.writeback_map_calls");
        this.bioSet = bioSet;
        this.readBioCache = KmemCache.create("iomap_read_bio", Defaults.SLAB_FREE_OBJECTS, ReadBio::new, c);
    }

    /** {@code fs_bio_set}: the bios of reads and writeback. */
    final BioSet bioSet;
    /** The folio ranges of read bios ({@link ReadBio}). */
    private final KmemCache<ReadBio> readBioCache;
    /** {@code iomap_read_end_io}, bound once. */
    private final java.util.function.Consumer<Bio> readEndIo = this::readEndIo;

    /**
     * What one iomap operation keeps on the kernel's stack: the {@code struct iomap_iter} and, for
     * a write, its source. Reused per thread (a small stack of them, for walks nested in a walk).
     */
    static final class Frame {
        final IomapIter iter;
        final WriteSource ws = new WriteSource();
        /** {@code struct iomap_readpage_ctx} of a read or readahead. */
        final ReadCtx rctx;
        /** The out-parameters of {@code iomap_adjust_read_range} in {@code __iomap_write_begin}. */
        final long[] adj = new long[3];

        Frame(BufferedIo io) {
            iter = new IomapIter(null, 0, 0, 0, io.mapCalls, io.staleCount);
            rctx = io.new ReadCtx();
        }
    }

    /** The calling thread's {@code iomap_adjust_read_range} out-parameters for a write begin. */
    private long[] frameAdj(IomapIter iter) {
        return FRAMES.get().writeAdj;
    }

    private static final class Frames {
        /** The BufferedIo whose frames these are: a thread keeps those of the last one it used. */
        BufferedIo owner;
        Frame[] free = new Frame[4];
        int n;
        final long[] writeAdj = new long[3];
    }

    /**
     * One set of frames per thread for every BufferedIo. Not a ThreadLocal per instance: its
     * frames point back at their BufferedIo (the read context is an inner object), so the
     * thread's map entry would never go stale and every filesystem a thread had used would stay
     * reachable, with its page cache, until the thread ended.
     */
    private static final ThreadLocal<Frames> FRAMES = ThreadLocal.withInitial(Frames::new);

    /** The calling thread's frames, emptied first when they were another filesystem's. */
    private Frames frames() {
        Frames fs = FRAMES.get();
        if (fs.owner != this) {
            java.util.Arrays.fill(fs.free, 0, fs.n, null);
            fs.n = 0;
            fs.owner = this;
        }
        return fs;
    }

    /** A frame of this thread for one operation; give it back with {@link #putFrame}. */
    private Frame getFrame() {
        Frames fs = frames();
        if (fs.n == 0) {
            return new Frame(this);
        }
        Frame f = fs.free[--fs.n];
        fs.free[fs.n] = null;
        return f;
    }

    private void putFrame(Frame f) {
        f.iter.init(null, 0, 0, 0);
        f.ws.init(null, -1);
        f.rctx.reset();
        Frames fs = frames();
        if (fs.n < fs.free.length) {
            fs.free[fs.n++] = f;
        }
    }

    IomapIter iter(Inode inode, long pos, long len, int flags) {
        return new IomapIter(inode, pos, len, flags, mapCalls, staleCount);
    }

    /** {@code fgf_set_order}: the folio order a write of {@code len} bytes asks for. */
    static int fgfSetOrder(long len) {
        return AddressSpace.fgfSetOrder(len);
    }

    /**
     * No byte limit on an iomap bio: as in the kernel it fills until {@code bio_add_folio} fails
     * ({@code BIO_MAX_VECS}); the block layer ({@code BlockDevice.submit}) splits it at
     * {@code max_sectors_kb}, for both paths alike.
     */
    static final long MAX_BIO_BYTES = Long.MAX_VALUE;

    void accountBio(Bio bio) {
        bioSubmitted.increment();
        bioSegments.add(bio.segments());
        bioBytes.add(bio.size());
    }

    // ================================================================ folio state helpers

    /** {@code iomap_set_range_uptodate}. */
    static void setRangeUptodate(Folio folio, int off, int len) {
        IomapFolioState ifs = IomapFolioState.of(folio);
        if (ifs == null) {
            folio.markUptodate();
        } else if (ifs.setRangeUptodate(off, len)) {
            folio.markUptodate();
        }
    }

    /** {@code iomap_set_range_dirty}. */
    static void setRangeDirty(Folio folio, int off, int len) {
        IomapFolioState ifs = IomapFolioState.of(folio);
        if (ifs != null && len > 0) {
            ifs.setRangeDirty(off, len);
        }
    }

    /**
     * {@code iomap_adjust_read_range}: skips leading uptodate blocks and stops before trailing
     * ones, and splits at the block holding i_size. Fills {@code out} with {@code {pos, poff, plen}}
     * (the kernel's {@code *pos, *offp, *lenp}).
     */
    void adjustReadRange(Inode inode, Folio folio, long pos, long length, long[] out) {
        IomapFolioState ifs = IomapFolioState.of(folio);
        long origPos = pos;
        long isize = inode.size();
        int poff = (int) (pos - folio.pos());
        int plen = (int) Math.min(folio.size() - poff, length);
        int origPlen = plen;
        int first = poff >>> blockBits;
        int last = (poff + plen - 1) >>> blockBits;
        if (ifs != null) {
            int i;
            for (i = first; i <= last; i++) {
                if (!ifs.blockUptodate(i)) {
                    break;
                }
                pos += blockSize;
                poff += blockSize;
                plen -= blockSize;
                first++;
            }
            for (; i <= last; i++) {
                if (ifs.blockUptodate(i)) {
                    plen -= (last - i + 1) * blockSize;
                    last = i - 1;
                    break;
                }
            }
        }
        if (origPos <= isize && origPos + origPlen > isize) {
            int end = (int) ((isize - 1 - folio.pos()) >>> blockBits);
            if (isize > folio.pos() && first <= end && last > end) {
                plen -= (last - end) * blockSize;
            }
        }
        out[0] = pos;
        out[1] = poff;
        out[2] = Math.max(plen, 0);
    }

    /** {@code iomap_block_needs_zeroing}. */
    static boolean blockNeedsZeroing(IomapIter iter, long pos) {
        Iomap srcmap = iter.srcmap();
        return srcmap.type != Iomap.Type.MAPPED || (srcmap.flags & Iomap.F_NEW) != 0 || pos >= iter.inode.size();
    }

    // ================================================================ buffered write

    /** The write's source: a user buffer whose bytes past {@link #faultSourceAfter} fault. */
    static final class WriteSource {
        ByteBuffer src;
        long limit;

        WriteSource init(ByteBuffer src, long faultAfter) {
            this.src = src;
            this.limit = faultAfter < 0 || src == null ? Long.MAX_VALUE : src.position() + faultAfter;
            return this;
        }

        /** {@code fault_in_iov_iter_readable}: bytes readable from here. */
        long readable() {
            return Math.max(0, Math.min(src.remaining(), limit - src.position()));
        }

        /** {@code copy_folio_from_iter_atomic}: one bulk copy; short when the source faults. */
        int copy(Folio folio, int off, int bytes) {
            int n = (int) Math.min(bytes, readable());
            if (n > 0) {
                folio.mem().put(folio.memOffset() + off, src, src.position(), n);
                src.position(src.position() + n);
            }
            return n;
        }

        /** {@code iov_iter_revert}. */
        void revert(int n) {
            src.position(src.position() - n);
        }
    }

    /**
     * {@code iomap_file_buffered_write}: copies {@code src} into the page cache at {@code pos}
     * through {@code ops}; returns the bytes written, throwing only when none were.
     */
    long fileBufferedWrite(Inode inode, AddressSpace mapping, ByteBuffer src, long pos, IomapOps ops)
            throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        Frame frame = getFrame();
        try {
            IomapIter iter = frame.iter.init(inode, pos, src.remaining(), IomapOps.IOMAP_WRITE);
            WriteSource ws = frame.ws.init(src, faultSourceAfter);
            try {
                while (iter.next(ops)) {
                    try {
                        iter.processed = writeIter(iter, mapping, ws);
                    } catch (IOException e) {
                        iter.fail(e);
                    }
                }
            } catch (IOException e) {
                if (iter.pos == pos) {
                    throw e;
                }
            }
            return iter.pos - pos;
        } finally {
            putFrame(frame);
        }
    }

    /** {@code iomap_write_iter}: one copy per folio chunk of the current mapping. */
    private long writeIter(IomapIter iter, AddressSpace mapping, WriteSource ws) throws IOException {
        long length = iter.length();
        long chunk = (long) Defaults.PAGE_SIZE << mapping.maxFolioOrder();
        long pos = iter.pos;
        long total = 0;
        IOException status = null;
        Inode inode = iter.inode;
        ByteBuffer src = ws.src;
        long retryBytes = -1;
        do {
            long bytes = retryBytes >= 0 ? retryBytes : src.remaining();
            retryBytes = -1;
            long offset = pos & (chunk - 1);
            bytes = Math.min(chunk - offset, bytes);
            Writeback.balanceDirtyPagesRatelimited(mapping);
            if (bytes > length) {
                bytes = length;
            }
            if (ws.readable() == 0) {
                status = new ErrnoException(Errno.EIO, "EFAULT: bad address in the write's source buffer at offset " + pos);
                break;
            }
            Folio folio;
            try {
                folio = writeBegin(iter, mapping, pos, (int) bytes);
            } catch (IOException e) {
                writeFailed(inode, mapping, pos, bytes);
                status = e;
                break;
            }
            if (folio == null) { // IOMAP_F_STALE
                break;
            }
            int foff = (int) (pos - folio.pos());
            if (bytes > folio.size() - foff) {
                bytes = folio.size() - foff;
            }
            int copied = ws.copy(folio, foff, (int) bytes);
            if (copied < bytes) {
                shortCopies.increment();
            }
            long written = writeEnd(mapping, pos, (int) bytes, copied, folio) ? copied : 0;
            // i_size moves after the copy and before the folio is unlocked
            long oldSize = inode.size();
            if (pos + written > oldSize) {
                inode.setSize(pos + written);
                iter.iomap.flags |= Iomap.F_SIZE_CHANGED;
            }
            folio.unlock();
            folio.put();
            if (written == 0) {
                // a short copy into a folio that is not uptodate: nothing accepted, retry smaller
                writeFailed(inode, mapping, pos, bytes);
                ws.revert(copied);
                if (chunk > Defaults.PAGE_SIZE) {
                    chunk /= 2;
                }
                if (copied > 0) {
                    retryBytes = copied;
                    continue;
                }
            } else {
                pos += written;
                total += written;
                length -= written;
            }
        } while (src.hasRemaining() && length > 0);
        if (total == 0 && status != null) {
            throw status;
        }
        return total;
    }

    /** {@code iomap_write_failed}: drop folios instantiated beyond EOF by a failed write. */
    private static void writeFailed(Inode inode, AddressSpace mapping, long pos, long len) {
        long isize = inode.size();
        if (pos + len > isize) {
            mapping.truncateInodePagesRange(Math.max(pos, isize), pos + len - 1);
        }
    }

    /**
     * {@code iomap_write_begin}: the locked folio for {@code len} bytes at {@code pos} (order from
     * the length), or null when the mapping went stale under the folio lock (the iomap is marked
     * {@link Iomap#F_STALE}).
     */
    Folio writeBegin(IomapIter iter, AddressSpace mapping, long pos, int len) throws IOException {
        if (!mapping.largeFolioSupport()) {
            len = (int) Math.min(len, Defaults.PAGE_SIZE - (pos & (Defaults.PAGE_SIZE - 1)));
        }
        // __iomap_get_folio: fgf_set_order(len), fallback to lower orders inside
        Folio folio = mapping.getFolio(pos >>> Defaults.PAGE_SHIFT, AddressSpace.FGP_WRITEBEGIN, fgfSetOrder(len));
        if (iter.ops != null && !iter.ops.iomapValid(iter.inode, iter.iomap)) {
            iter.iomap.flags |= Iomap.F_STALE;
            folio.unlock();
            folio.put();
            return null;
        }
        if (pos + len > folio.pos() + folio.size()) {
            len = (int) (folio.pos() + folio.size() - pos);
        }
        try {
            writeBeginBlocks(iter, pos, len, folio);
        } catch (IOException | RuntimeException e) {
            folio.unlock();
            folio.put();
            throw e;
        }
        return folio;
    }

    /** {@code __iomap_write_begin}: read or zero the partial blocks of a folio that is not uptodate. */
    private void writeBeginBlocks(IomapIter iter, long pos, int len, Folio folio) throws IOException {
        long blockStart = pos & ~(long) (blockSize - 1);
        long blockEnd = (pos + len + blockSize - 1) & ~(long) (blockSize - 1);
        int from = (int) (pos - folio.pos());
        int to = from + len;
        if (pos <= folio.pos() && pos + len >= folio.pos() + folio.size()) {
            return; // the whole folio is overwritten: no per-block state needed
        }
        ifsCache.alloc(folio);
        if (folio.isUptodate()) {
            return;
        }
        do {
            long[] adj = frameAdj(iter);
            adjustReadRange(iter.inode, folio, blockStart, blockEnd - blockStart, adj);
            blockStart = adj[0];
            int poff = (int) adj[1];
            int plen = (int) adj[2];
            if (plen == 0) {
                break;
            }
            if ((from <= poff || from >= poff + plen) && (to <= poff || to >= poff + plen)) {
                blockStart += plen;
                continue;
            }
            if (blockNeedsZeroing(iter, blockStart)) {
                if (from > poff) {
                    folio.zero(poff, from - poff);
                }
                if (poff + plen > to) {
                    folio.zero(to, poff + plen - to);
                }
                // not marked uptodate: a short copy into the zeroed block must be refused by
                // write_end ("iomap: don't mark blocks uptodate after partial zeroing")
            } else {
                if (iter.srcmap() != iter.iomap) {
                    srcmapReads.increment();
                }
                readFolioSync(blockStart, folio, poff, plen, iter.srcmap());
                setRangeUptodate(folio, poff, plen);
            }
            blockStart += plen;
        } while (blockStart < blockEnd);
    }

    /** {@code iomap_read_folio_sync}: read part of a folio from {@code srcmap}, waiting for it. */
    private void readFolioSync(long blockStart, Folio folio, int poff, int plen, Iomap srcmap) throws IOException {
        Bio bio = bioSet.alloc(Bio.Op.READ, srcmap.sector(blockStart), 1);
        bio.addSegment(folio.mem(), folio.memOffset() + poff, plen);
        accountBio(bio);
        writeBeginReads.increment();
        dev.submitWait(bio);
        IOException status = bio.status();
        bio.put();
        if (status != null) {
            throw new ErrnoException(Errno.EIO, "reading the partial block at file offset " + blockStart
                    + " before a write failed on the device: " + status.getMessage(), status);
        }
    }

    /** {@code __iomap_write_end}: returns false when a short copy into a non-uptodate folio is refused. */
    boolean writeEnd(AddressSpace mapping, long pos, int len, int copied, Folio folio) {
        if (copied < len && !folio.isUptodate()) {
            return false;
        }
        int off = (int) (pos - folio.pos());
        setRangeUptodate(folio, off, len);
        setRangeDirty(folio, off, copied);
        mapping.filemapDirtyFolio(folio);
        return true;
    }

    // ================================================================ delalloc punch

    /** ext4's {@code ext4_iomap_punch_delalloc}: drop the delayed blocks of a byte range. */
    @FunctionalInterface
    interface Punch {
        void punch(Inode inode, long offset, long length) throws IOException;
    }

    /**
     * {@code iomap_file_buffered_write_punch_delalloc}: after a short write, release the delalloc
     * blocks this mapping reserved ({@link Iomap#F_NEW}) that hold no dirty data.
     */
    void punchDelalloc(Inode inode, AddressSpace mapping, Iomap iomap, long pos, long length, long written,
            Punch punch) throws IOException {
        if (iomap.type != Iomap.Type.DELALLOC || (iomap.flags & Iomap.F_NEW) == 0) {
            return;
        }
        long mask = blockSize - 1;
        long start = written == 0 ? pos & ~mask : (pos + written + mask) & ~mask;
        long end = (pos + length + mask) & ~mask;
        if (start >= end) {
            return;
        }
        writeDelallocRelease(inode, mapping, start, end, punch);
    }

    /**
     * {@code iomap_write_delalloc_release} / {@code iomap_write_delalloc_scan} /
     * {@code iomap_write_delalloc_punch}: punch everything in {@code [start, end)} except blocks
     * dirty in the page cache, under the invalidate_lock and each folio's lock.
     */
    private void writeDelallocRelease(Inode inode, AddressSpace mapping, long start, long end, Punch punch)
            throws IOException {
        mapping.invalidateLock().writeLock().lock();
        try {
            long punchStart = start;
            long p = start;
            while (p < end) {
                Folio f = mapping.getFolio(p >>> Defaults.PAGE_SHIFT, AddressSpace.FGP_LOCK, 0);
                if (f == null) {
                    p = (p & ~(long) (Defaults.PAGE_SIZE - 1)) + Defaults.PAGE_SIZE;
                    continue;
                }
                try {
                    if (f.isDirty()) {
                        if (p > punchStart) {
                            punch.punch(inode, punchStart, p - punchStart);
                        }
                        IomapFolioState ifs = IomapFolioState.of(f);
                        if (ifs != null) {
                            long lastByte = Math.min(end - 1, f.pos() + f.size() - 1);
                            int first = (int) ((p - f.pos()) >>> blockBits);
                            int last = (int) ((lastByte - f.pos()) >>> blockBits);
                            for (int i = first; i <= last; i++) {
                                if (!ifs.blockDirty(i)) {
                                    punch.punch(inode, f.pos() + ((long) i << blockBits), blockSize);
                                }
                            }
                        }
                        punchStart = Math.min(end, f.pos() + f.size());
                    }
                    p = f.pos() + f.size();
                } finally {
                    f.unlock();
                    f.put();
                }
            }
            if (punchStart < end) {
                punch.punch(inode, punchStart, end - punchStart);
            }
        } finally {
            mapping.invalidateLock().writeLock().unlock();
        }
    }

    // ================================================================ zero range

    /** {@code iomap_zero_range}. */
    void zeroRange(Inode inode, AddressSpace mapping, long pos, long len, IomapOps ops) throws IOException {
        if (len <= 0) {
            return;
        }
        IomapIter iter = iter(inode, pos, len, IomapOps.IOMAP_ZERO);
        while (iter.next(ops)) {
            try {
                iter.processed = zeroIter(iter, mapping);
            } catch (IOException e) {
                iter.fail(e);
            }
        }
    }

    /** {@code iomap_zero_iter}: holes and unwritten extents already read as zeros. */
    private long zeroIter(IomapIter iter, AddressSpace mapping) throws IOException {
        Iomap srcmap = iter.srcmap();
        long pos = iter.pos;
        long length = iter.length();
        if (srcmap.type == Iomap.Type.HOLE || srcmap.type == Iomap.Type.UNWRITTEN) {
            return length;
        }
        long written = 0;
        do {
            int bytes = (int) Math.min(length, Integer.MAX_VALUE);
            Folio folio = writeBegin(iter, mapping, pos, bytes);
            if (folio == null) {
                break;
            }
            int off = (int) (pos - folio.pos());
            if (bytes > folio.size() - off) {
                bytes = folio.size() - off;
            }
            folio.zero(off, bytes);
            folio.markAccessed();
            boolean ok = writeEnd(mapping, pos, bytes, bytes, folio);
            folio.unlock();
            folio.put();
            if (!ok) {
                throw new ErrnoException(Errno.EIO, "zeroing at " + pos + " was refused");
            }
            pos += bytes;
            length -= bytes;
            written += bytes;
        } while (length > 0);
        return written;
    }

    // ================================================================ read and readahead

    /** {@code struct iomap_readpage_ctx}. */
    final class ReadCtx {
        Folio cur;
        boolean curInBio;
        Bio bio;
        ReadBio bioFolios;
        BlkPlug plug;
        ReadaheadControl rac;
        long maxBio;
        /** {@code iomap_adjust_read_range}'s out-parameters. */
        final long[] adj = new long[3];

        /** Forget the finished operation, so the frame holds no folio, bio or plug. */
        void reset() {
            cur = null;
            curInBio = false;
            bio = null;
            bioFolios = null;
            plug = null;
            rac = null;
            maxBio = 0;
        }

        /** Take a folio: its per-block state, with a bias on read_bytes_pending until we are done with it. */
        void start(Folio folio) {
            cur = folio;
            curInBio = false;
            IomapFolioState ifs = ifsCache.alloc(folio);
            if (ifs != null) {
                ifs.addReadPending(folio.size());
            }
        }

        /** Done walking the current folio: drop the bias; the last of bias and bios ends the read. */
        void finishCur() {
            Folio f = cur;
            cur = null;
            if (f == null) {
                return;
            }
            IomapFolioState ifs = IomapFolioState.of(f);
            if (ifs != null) {
                int r = ifs.finishRead(-1, f.size(), false);
                if (r != 0) {
                    f.endRead(r > 0);
                }
            } else if (!curInBio) {
                f.unlock();
            }
        }

        void submit() {
            if (bio != null) {
                accountBio(bio);
                if (plug != null) {
                    plug.submit(bio);
                } else {
                    dev.submit(bio);
                }
                bio = null;
            }
        }
    }

    /**
     * The folio ranges of one read bio, for its completion. The kernel walks the bio's own vectors
     * ({@code bio_for_each_folio_all}); a segment here is memory without its page, so the ranges are
     * kept beside the bio, in an object from the {@code iomap_read_bio} cache with arrays that grow
     * once and are reused (no kernel counterpart; not a kernel slab).
     */
    static final class ReadBio {
        Folio[] folios = new Folio[8];
        int[] off = new int[8];
        int[] len = new int[8];
        int n;

        void add(Folio f, int o, int l) {
            if (n == folios.length) {
                folios = Arrays.copyOf(folios, 2 * n);
                off = Arrays.copyOf(off, 2 * n);
                len = Arrays.copyOf(len, 2 * n);
            }
            folios[n] = f;
            off[n] = o;
            len[n] = l;
            n++;
        }

        void clear() {
            Arrays.fill(folios, 0, n, null);
            n = 0;
        }
    }

    /** {@code iomap_read_end_io}, then {@code bio_put}. */
    private void readEndIo(Bio bio) {
        ReadBio rb = (ReadBio) bio.privateData();
        boolean error = bio.status() != null;
        for (int i = 0; i < rb.n; i++) {
            Folio f = rb.folios[i];
            IomapFolioState ifs = IomapFolioState.of(f);
            if (ifs == null) {
                f.endRead(!error);
            } else {
                int st = ifs.finishRead(rb.off[i], rb.len[i], error);
                if (st != 0) {
                    f.endRead(st > 0);
                }
            }
        }
        rb.clear();
        readBioCache.free(rb);
        bio.put();
    }

    /** {@code iomap_readpage_iter}: the part of the current folio this mapping covers. */
    private long readpageIter(IomapIter iter, ReadCtx ctx, long offset) {
        Iomap iomap = iter.iomap;
        long pos = iter.pos + offset;
        long length = iter.length() - offset;
        Folio folio = ctx.cur;
        long origPos = pos;
        long[] adj = ctx.adj;
        adjustReadRange(iter.inode, folio, pos, length, adj);
        pos = adj[0];
        int poff = (int) adj[1];
        int plen = (int) adj[2];
        if (plen == 0) {
            return pos - origPos;
        }
        if (blockNeedsZeroing(iter, pos)) {
            folio.zero(poff, plen);
            readZeroedBytes.add(plen);
            setRangeUptodate(folio, poff, plen);
            return pos - origPos + plen;
        }
        ctx.curInBio = true;
        IomapFolioState ifs = IomapFolioState.of(folio);
        long sector = iomap.sector(pos);
        int done = 0;
        while (done < plen) {
            // a folio without per-block state must complete in one bio
            long room = ctx.bio == null ? 0 : ctx.maxBio - ctx.bio.size();
            if (ctx.bio == null || ctx.bio.endSector() != sector + (done >> Bio.SECTOR_SHIFT)
                    || room <= 0 || (ifs == null && room < plen)) {
                ctx.submit();
                ctx.bio = bioSet.alloc(Bio.Op.READ, sector + (done >> Bio.SECTOR_SHIFT));
                ctx.bioFolios = readBioCache.alloc();
                ctx.bio.privateData(ctx.bioFolios).endIo(readEndIo);
            }
            int n = (int) Math.min(plen - done, ctx.maxBio - ctx.bio.size());
            if (!ctx.bio.addSegment(folio.mem(), folio.memOffset() + poff + done, n)) {
                ctx.submit();
                continue;
            }
            if (ifs != null) {
                ifs.addReadPending(n);
            }
            ctx.bioFolios.add(folio, poff + done, n);
            done += n;
        }
        return pos - origPos + plen;
    }

    /** {@code iomap_read_folio}. */
    void readFolio(Folio folio, IomapOps ops) {
        AddressSpace mapping = folio.mapping();
        Inode inode = (Inode) mapping.host();
        Frame frame = getFrame();
        ReadCtx ctx = frame.rctx;
        ctx.maxBio = MAX_BIO_BYTES;
        ctx.start(folio);
        IomapIter iter = frame.iter.init(inode, folio.pos(), folio.size(), 0);
        try {
            while (iter.next(ops)) {
                iter.processed = readpageIter(iter, ctx, 0);
            }
        } catch (IOException e) {
            // the folio is not made uptodate; filemap_read_folio reports EIO
        } finally {
            ctx.submit();
            ctx.finishCur();
            putFrame(frame);
        }
    }

    /** {@code iomap_readahead}. */
    void readahead(ReadaheadControl rac, IomapOps ops) {
        AddressSpace mapping = rac.mapping();
        Inode inode = (Inode) mapping.host();
        Frame frame = getFrame();
        ReadCtx ctx = frame.rctx;
        ctx.rac = rac;
        ctx.maxBio = MAX_BIO_BYTES;
        ctx.plug = BlkPlug.start(dev, mapping.cache().options().maxSectorsKb());
        IomapIter iter = frame.iter.init(inode, rac.readaheadPos(), rac.readaheadLength(), 0);
        try {
            while (iter.next(ops)) {
                iter.processed = readaheadIter(iter, ctx);
            }
        } catch (IOException e) {
            // folios not reached are unlocked by the page cache; a later read reports the error
        } finally {
            ctx.submit();
            ctx.finishCur();
            ctx.plug.finish();
            putFrame(frame);
        }
    }

    /** {@code iomap_readahead_iter}. */
    private long readaheadIter(IomapIter iter, ReadCtx ctx) {
        long length = iter.length();
        long done = 0;
        while (done < length) {
            if (ctx.cur != null && iter.pos + done - ctx.cur.pos() >= ctx.cur.size()) {
                ctx.finishCur();
            }
            if (ctx.cur == null) {
                Folio f = ctx.rac.readaheadFolio();
                if (f == null) {
                    break;
                }
                ctx.start(f);
            }
            long ret = readpageIter(iter, ctx, done);
            if (ret <= 0) {
                break;
            }
            done += ret;
        }
        return done;
    }

    /** {@code iomap_is_partially_uptodate}. */
    boolean isPartiallyUptodate(Folio folio, int from, int count) {
        IomapFolioState ifs = IomapFolioState.of(folio);
        if (ifs == null) {
            return false;
        }
        count = Math.min(folio.size() - from, count);
        if (count <= 0) {
            return false;
        }
        int first = from >>> blockBits;
        int last = (from + count - 1) >>> blockBits;
        for (int i = first; i <= last; i++) {
            if (!ifs.blockUptodate(i)) {
                return false;
            }
        }
        return true;
    }
}
