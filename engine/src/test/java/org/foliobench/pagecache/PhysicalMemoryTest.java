package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PhysicalMemoryTest {
    @Test
    void aReleasedArenasMemoryServesTheNextArenaOfTheSameShape() {
        PhysicalMemory.take(org.foliobench.Defaults.PAGE_SIZE); // another shape: starts from an empty pool
        PageArena a = new PageArena(8L << 20, 9, null);
        a.populate();
        ByteBuffer first = a.memory(0);
        a.release();
        assertEquals(1, PhysicalMemory.pooled());
        assertThrows(IllegalStateException.class, () -> a.memory(0), "a released arena fails loudly");
        PageArena b = new PageArena(8L << 20, 9, null);
        assertSame(first, b.memory(0), "the same pages, not new ones");
        assertEquals(0, PhysicalMemory.pooled());
        b.release();
        PageArena c = new PageArena(16L << 20, 9, null); // another shape: the pool is dropped, new memory
        assertNotSame(first, c.memory(0));
        assertEquals(0, PhysicalMemory.pooled());
        c.release();
    }
}
