package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.foliobench.fs.Inode;
import org.junit.jupiter.api.Test;

class IomapIterTest {
    /** Extents of 10 000 bytes; records every begin and end call. */
    static final class FakeOps implements IomapOps {
        final List<String> log = new ArrayList<>();
        int begins;

        @Override
        public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap) {
            begins++;
            log.add("begin " + pos + "+" + length);
            iomap.offset = pos - pos % 10_000;
            iomap.length = 10_000;
            iomap.type = Iomap.Type.MAPPED;
            iomap.addr = 1 << 20;
        }

        @Override
        public void iomapEnd(Inode inode, long pos, long length, long written, int flags, Iomap iomap) {
            log.add("end " + pos + "+" + length + " written " + written);
        }
    }

    private static IomapIter iter(long pos, long len, LongAdder calls, LongAdder stale) {
        return new IomapIter(null, pos, len, 0, calls, stale);
    }

    @Test
    void oneBeginPerExtentAndEndToldTheBytesProcessed() throws IOException {
        FakeOps ops = new FakeOps();
        LongAdder calls = new LongAdder();
        IomapIter it = iter(5_000, 20_000, calls, new LongAdder());
        List<Long> lengths = new ArrayList<>();
        while (it.next(ops)) {
            lengths.add(it.length());
            it.processed = it.length();
        }
        assertEquals(List.of(5_000L, 10_000L, 5_000L), lengths);
        assertEquals(3, calls.sum());
        assertEquals(List.of("begin 5000+20000", "end 5000+5000 written 5000", "begin 10000+15000",
                "end 10000+10000 written 10000", "begin 20000+5000", "end 20000+5000 written 5000"), ops.log);
    }

    @Test
    void shortProcessingContinuesFromWhereItStopped() throws IOException {
        FakeOps ops = new FakeOps();
        IomapIter it = iter(0, 10_000, new LongAdder(), new LongAdder());
        int n = 0;
        while (it.next(ops)) {
            it.processed = Math.min(it.length(), 4_000);
            n++;
        }
        assertEquals(3, n);
        assertEquals("end 8000+2000 written 2000", ops.log.get(ops.log.size() - 1));
    }

    @Test
    void zeroProgressEndsTheWalk() throws IOException {
        FakeOps ops = new FakeOps();
        IomapIter it = iter(0, 30_000, new LongAdder(), new LongAdder());
        while (it.next(ops)) {
            it.processed = 0;
        }
        assertEquals(List.of("begin 0+30000", "end 0+10000 written 0"), ops.log);
    }

    @Test
    void staleMappingIsLookedUpAgain() throws IOException {
        FakeOps ops = new FakeOps();
        LongAdder stale = new LongAdder();
        IomapIter it = iter(0, 10_000, new LongAdder(), stale);
        boolean first = true;
        while (it.next(ops)) {
            if (first) {
                it.iomap.flags |= Iomap.F_STALE; // iomap_valid failed after the folio lock
                it.processed = 0;
                first = false;
            } else {
                assertEquals(0, it.iomap.flags & Iomap.F_STALE, "a fresh mapping");
                it.processed = it.length();
            }
        }
        assertEquals(2, ops.begins);
        assertEquals(1, stale.sum());
    }

    @Test
    void actorErrorIsThrownAfterIomapEnd() {
        FakeOps ops = new FakeOps();
        IomapIter it = iter(0, 30_000, new LongAdder(), new LongAdder());
        IOException boom = new IOException("boom");
        IOException got = assertThrows(IOException.class, () -> {
            while (it.next(ops)) {
                if (it.pos == 10_000) {
                    it.fail(boom);
                } else {
                    it.processed = it.length();
                }
            }
        });
        assertSame(boom, got);
        assertEquals("end 10000+10000 written 0", ops.log.get(ops.log.size() - 1));
        assertEquals(10_000, it.pos);
    }

    @Test
    void srcmapHonouredWhenTheFilesystemReturnsOne() throws IOException {
        IomapOps cow = new IomapOps() {
            @Override
            public void iomapBegin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap) {
                iomap.offset = pos;
                iomap.length = length;
                iomap.type = Iomap.Type.DELALLOC;
                srcmap.offset = pos;
                srcmap.length = length;
                srcmap.type = Iomap.Type.MAPPED;
                srcmap.addr = 4096;
            }
        };
        IomapIter it = iter(0, 4096, new LongAdder(), new LongAdder());
        it.next(cow);
        assertSame(it.srcmap, it.srcmap());
        assertEquals(8, it.srcmap().sector(0));
        IomapIter plain = iter(0, 4096, new LongAdder(), new LongAdder());
        plain.next(new FakeOps());
        assertSame(plain.iomap, plain.srcmap(), "no srcmap: the iomap itself");
    }
}
