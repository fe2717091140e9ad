package org.foliobench.device;

import java.nio.ByteBuffer;

/**
 * Aligned direct memory for IO that bypasses the OS cache, the role {@code dma_alloc_*} and the
 * page allocator's natural alignment play in the kernel: a {@link DirectDevice} transfers straight
 * from and to such memory (no bounce buffer), so every segment's address and length must be a
 * multiple of the device's alignment. The page cache takes its arena from here.
 */
public final class DmaMemory {
    private DmaMemory() {
    }

    /**
     * A direct buffer of exactly {@code bytes} bytes whose first byte sits at an address that is a
     * multiple of {@code alignment} (a power of two). Allocated as
     * {@code allocateDirect(n + alignment).alignedSlice(alignment)}.
     */
    public static ByteBuffer allocate(int bytes, int alignment) {
        if (alignment < 1 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("DMA alignment " + alignment + " must be a power of two");
        }
        long rounded = ((long) bytes + alignment - 1) & -(long) alignment;
        if (bytes <= 0 || rounded + alignment > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("DMA buffer of " + bytes + " bytes: must be 1.."
                    + (Integer.MAX_VALUE - 2L * alignment) + " bytes");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) rounded + alignment);
        return raw.alignedSlice(alignment).slice(0, bytes);
    }

    /** True when byte {@code off} of {@code buf} is direct memory at an address that is a multiple of {@code alignment}. */
    public static boolean isAligned(ByteBuffer buf, int off, int alignment) {
        return buf.isDirect() && buf.alignmentOffset(off, alignment) == 0;
    }
}
