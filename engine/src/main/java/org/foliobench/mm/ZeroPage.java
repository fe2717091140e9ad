package org.foliobench.mm;

import java.nio.ByteBuffer;
import org.foliobench.Defaults;

/**
 * The kernel's {@code ZERO_PAGE}: page-aligned memory that is always zero, the source of every
 * clear ({@code folio_zero_range}, {@code zero_user_segments}, a RAM disk's never-written sectors).
 * Java has no {@code clear_page}, so a clear is a bulk copy from here. It must be page-aligned like
 * the kernel's: a copy runs at a speed that depends on how source and destination line up, and a
 * buffer wherever {@code malloc} put it would line up differently in every JVM.
 */
public final class ZeroPage {
    /** Sixteen pages: one copy clears a 64 KiB range. */
    private static final int SIZE = 16 * Defaults.PAGE_SIZE;
    private static final ByteBuffer ZEROS =
            ByteBuffer.allocateDirect(SIZE + Defaults.PAGE_SIZE).alignedSlice(Defaults.PAGE_SIZE).limit(SIZE).slice();

    private ZeroPage() {
    }

    /** Zeroes {@code len} bytes of {@code dst} from {@code off} ({@code memset(p, 0, len)}). */
    public static void fill(ByteBuffer dst, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, SIZE);
            dst.put(off, ZEROS, 0, n);
            off += n;
            len -= n;
        }
    }
}
