package org.foliobench.pagecache;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The machine's RAM, as far as page-cache arenas go: the direct memory of an arena that was
 * released by a clean unmount goes back here and the next arena of the same shape takes it, as the
 * same physical pages serve the page cache of every mount in a kernel. A JVM that mounts one
 * filesystem after another (one benchmark fork running row after row) then neither zeroes nor
 * faults in hundreds of MiB per mount. Contents are not cleared: the page cache never relies on a
 * folio's memory being zero (a freed folio is reused within a mount the same way).
 *
 * <p>Only one chunk size is kept: taking a size that is not pooled drops the pool first, so the
 * memory held here never exceeds the largest arena shape in use (direct memory is limited).
 */
final class PhysicalMemory {
    private static final Deque<ByteBuffer> FREE = new ArrayDeque<>();
    private static int freeBytes = -1;

    private PhysicalMemory() {
    }

    /** A page-aligned chunk of {@code len} bytes: a released one when there is one, else new zeroed memory. */
    static ByteBuffer take(int len) {
        synchronized (FREE) {
            if (freeBytes == len && !FREE.isEmpty()) {
                return FREE.pop().clear();
            }
            if (freeBytes != len) {
                FREE.clear(); // other shapes: their memory goes with the next collection
                freeBytes = len;
            }
        }
        return ByteBuffer.allocateDirect(len + org.foliobench.Defaults.PAGE_SIZE).alignedSlice(org.foliobench.Defaults.PAGE_SIZE);
    }

    /** Returns chunks of {@code len} bytes no arena uses any more. */
    static void give(int len, ByteBuffer chunk) {
        synchronized (FREE) {
            if (freeBytes != len) {
                FREE.clear();
                freeBytes = len;
            }
            FREE.push(chunk);
        }
    }

    /** Chunks pooled now (tests). */
    static int pooled() {
        synchronized (FREE) {
            return FREE.size();
        }
    }
}
