package org.foliobench.iomap;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.fs.Inode;

/**
 * {@code struct iomap_iter} and {@code iomap_iter()} (fs/iomap/iter.c): walks {@code [pos, pos + len)}
 * one mapping at a time. Use as the kernel does:
 * <pre>
 * IomapIter iter = new IomapIter(inode, pos, len, flags, counters);
 * while (iter.next(ops)) {
 *     iter.processed = actor(iter);   // bytes handled of iter.length(), or iter.fail(e)
 * }
 * </pre>
 * {@link #next} calls {@code ->iomap_end} for the previous mapping with the bytes processed,
 * advances, and calls {@code ->iomap_begin} for the rest. A mapping found stale after a folio
 * lock ({@link Iomap#F_STALE}) with nothing processed is looked up again rather than ending the
 * walk.
 */
final class IomapIter {
    Inode inode;
    /** Current file position; advances by {@link #processed} per mapping. */
    long pos;
    /** Bytes left to walk. */
    long len;
    int flags;
    final Iomap iomap = new Iomap();
    final Iomap srcmap = new Iomap();
    /** What the actor did with the current mapping: bytes processed. */
    long processed;
    private IOException error;
    /** The ops of the current walk, for {@code folio_ops->iomap_valid}. */
    IomapOps ops;
    private final LongAdder mapCalls;
    private final LongAdder staleCount;

    IomapIter(Inode inode, long pos, long len, int flags, LongAdder mapCalls, LongAdder staleCount) {
        this.mapCalls = mapCalls;
        this.staleCount = staleCount;
        init(inode, pos, len, flags);
    }

    /**
     * A new walk with this iter (the kernel declares a fresh {@code struct iomap_iter} on the
     * stack; {@link BufferedIo} reuses one per thread and nesting depth): every field reset.
     */
    IomapIter init(Inode inode, long pos, long len, int flags) {
        this.inode = inode;
        this.pos = pos;
        this.len = len;
        this.flags = flags;
        this.processed = 0;
        this.error = null;
        this.ops = null;
        iomap.clear();
        srcmap.clear();
        return this;
    }

    /** The actor failed: {@code processed < 0} in the kernel. */
    void fail(IOException e) {
        error = e;
        processed = 0;
    }

    /** {@code iomap_length}: bytes of the current mapping from {@link #pos}, within the walk. */
    long length() {
        long end = iomap.offset + iomap.length;
        return Math.min(len, end - pos);
    }

    /** {@code iomap_iter_srcmap}: the mapping to read existing data from. */
    Iomap srcmap() {
        return srcmap.type != Iomap.Type.HOLE ? srcmap : iomap;
    }

    /**
     * {@code iomap_iter}: end the previous mapping, advance, begin the next. Returns false when the
     * walk is complete; throws the actor's or the filesystem's error.
     */
    boolean next(IomapOps ops) throws IOException {
        if (iomap.length != 0) {
            try {
                ops.iomapEnd(inode, pos, length(), Math.max(processed, 0), flags, iomap);
            } catch (IOException e) {
                if (processed == 0 && error == null) {
                    throw e;
                }
            }
        }
        if (!advance()) {
            return false;
        }
        this.ops = ops;
        mapCalls.increment();
        ops.iomapBegin(inode, pos, len, flags, iomap, srcmap);
        if (iomap.length <= 0 || iomap.offset > pos || iomap.end() <= pos) {
            throw new IllegalStateException("->iomap_begin at " + pos + " returned " + iomap + " not covering it");
        }
        return true;
    }

    /** {@code iomap_iter_advance}. */
    private boolean advance() throws IOException {
        boolean stale = (iomap.flags & Iomap.F_STALE) != 0;
        if (iomap.length != 0) {
            if (error != null) {
                IOException e = error;
                error = null;
                throw e;
            }
            if (processed == 0 && !stale) {
                return false;
            }
            if (processed > length()) {
                throw new IllegalStateException("actor processed " + processed + " of " + length() + " bytes");
            }
            if (stale) {
                staleCount.increment();
            }
            pos += processed;
            len -= processed;
            if (len == 0) {
                return false;
            }
        }
        processed = 0;
        iomap.clear();
        srcmap.clear();
        return true;
    }
}
