package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DmaMemoryTest {
    @Test
    void allocatesExactAlignedDirectMemory() {
        for (int align : new int[] {512, 4096, 1 << 21}) {
            for (int bytes : new int[] {1, 100, 4096, 12345, 1 << 20}) {
                ByteBuffer b = DmaMemory.allocate(bytes, align);
                assertTrue(b.isDirect());
                assertEquals(bytes, b.capacity());
                assertTrue(DmaMemory.isAligned(b, 0, align));
            }
        }
        ByteBuffer b = DmaMemory.allocate(8192, 4096);
        assertTrue(DmaMemory.isAligned(b, 4096, 4096));
        assertFalse(DmaMemory.isAligned(b, 512, 4096));
        assertTrue(DmaMemory.isAligned(b, 512, 512));
        assertFalse(DmaMemory.isAligned(ByteBuffer.allocate(4096), 0, 4096));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(4096, 3000));
        assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(0, 4096));
        assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(Integer.MAX_VALUE, 4096));
    }
}
