package org.foliobench.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;

/** Helpers shared by the page cache tests: file contents on the device, and data checks. */
final class TestFiles {
    private TestFiles() {
    }

    /** Deterministic contents of file {@code id} at byte {@code pos}. */
    static byte pattern(int id, long pos) {
        long x = pos * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    static byte[] data(int id, long pos, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = pattern(id, pos + i);
        }
        return b;
    }

    /** Lays file {@code id} out directly on the device (as if written and synced long ago). */
    static void layout(BlockDevice dev, RamAops aops, int id, long size) {
        int chunk = 1 << 20;
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        for (long pos = 0; pos < size; pos += chunk) {
            int n = (int) Math.min(chunk, size - pos);
            int rounded = (n + 511) & ~511;
            buf.put(0, data(id, pos, n));
            if (rounded > n) {
                buf.put(n, new byte[rounded - n]);
            }
            Bio bio = new Bio(Bio.Op.WRITE, (aops.base + pos) >> Bio.SECTOR_SHIFT);
            bio.addSegment(buf, 0, rounded);
            dev.submit(bio);
        }
        aops.iSize.set(size);
    }

    static void assertContent(int id, long pos, ByteBuffer got, int len, String what) {
        byte[] b = new byte[len];
        got.get(0, b);
        for (int i = 0; i < len; i++) {
            if (b[i] != pattern(id, pos + i)) {
                assertEquals(pattern(id, pos + i), b[i], what + ": file " + id + " byte " + (pos + i));
            }
        }
    }

    static Random rnd(long seed) {
        return new Random(seed);
    }
}
