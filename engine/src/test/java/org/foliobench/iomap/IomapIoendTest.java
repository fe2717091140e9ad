package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** An ioend handed out is new, and one given back to its cache cannot be used or handed out twice. */
class IomapIoendTest {
    @Test
    void aFreedIoendCannotBeUsed() {
        IomapIoend ioend = new IomapIoend();
        assertThrows(IllegalStateException.class, ioend::live, "a cache constructs it free");
        assertSame(ioend, ioend.init(null, null, Iomap.Type.UNWRITTEN, 0, 4096, 8).live());
        assertEquals(1, ioend.remaining.get(), "the submission bias");
        assertThrows(IllegalStateException.class, () -> ioend.init(null, null, Iomap.Type.MAPPED, 0, 0, 0),
                "an ioend in use is not handed out again");
        ioend.size = 8192;
        ioend.deferEndIo = true;
        ioend.free();
        assertThrows(IllegalStateException.class, ioend::live);
        assertThrows(IllegalStateException.class, () -> ioend.addFolio(null, 4096));
        assertThrows(IllegalStateException.class, ioend::free, "freed twice");
        ioend.init(null, null, Iomap.Type.MAPPED, 0, 0, 0);
        assertEquals(0, ioend.size, "handed out again as new");
        assertEquals(false, ioend.deferEndIo);
        assertEquals(0, ioend.folios.size());
    }
}
