package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Checks every backend must pass: byte-identical readback and capacity edges. */
final class DeviceTesting {
    private DeviceTesting() {
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} at {@code pos} split into {@code nsegs} segments of aligned memory, one bio. */
    static void write(BlockDevice dev, long pos, byte[] data, int nsegs) {
        Bio bio = bio(dev, Bio.Op.WRITE, pos, data.length, nsegs, data);
        dev.submitWait(bio);
        assertTrue(bio.isDone());
        assertNull(bio.status(), () -> "write failed: " + bio.status());
    }

    static byte[] read(BlockDevice dev, long pos, int len, int nsegs) {
        List<ByteBuffer> bufs = new ArrayList<>();
        Bio bio = bio(dev, Bio.Op.READ, pos, len, nsegs, null, bufs);
        dev.submitWait(bio);
        assertNull(bio.status(), () -> "read failed: " + bio.status());
        byte[] out = new byte[len];
        int o = 0;
        for (int i = 0; i < bio.segments(); i++) {
            bio.segmentMemory(i).get(bio.segmentOffset(i), out, o, bio.segmentLength(i));
            o += bio.segmentLength(i);
        }
        return out;
    }

    static Bio bio(BlockDevice dev, Bio.Op op, long pos, int len, int nsegs, byte[] data) {
        return bio(dev, op, pos, len, nsegs, data, new ArrayList<>());
    }

    /**
     * Splits {@code len} into {@code nsegs} segments of whole logical blocks, each in its own aligned
     * buffer (separate buffers, so the bio keeps them as separate vectors).
     */
    private static Bio bio(BlockDevice dev, Bio.Op op, long pos, int len, int nsegs, byte[] data, List<ByteBuffer> bufs) {
        int lbs = dev.logicalBlockSize();
        int blocks = len / lbs;
        nsegs = Math.max(1, Math.min(nsegs, blocks));
        Bio bio = new Bio(op, pos >> Bio.SECTOR_SHIFT);
        int done = 0;
        for (int s = 0; s < nsegs; s++) {
            int n = (s == nsegs - 1) ? len - done : (blocks / nsegs) * lbs;
            int pad = lbs; // the segment starts one block into its buffer: offsets are exercised too
            ByteBuffer buf = DmaMemory.allocate(n + 2 * pad, 4096);
            if (data != null) {
                buf.put(pad, data, done, n);
            }
            bufs.add(buf);
            assertTrue(bio.addSegment(buf, pad, n));
            done += n;
        }
        assertEquals(nsegs, bio.segments());
        return bio;
    }

    /** Assorted sizes, offsets and segment counts; later writes overlap earlier ones; every read checked. */
    static void roundTrip(BlockDevice dev, long seed) {
        int lbs = dev.logicalBlockSize();
        long cap = dev.capacity();
        byte[] shadow = new byte[(int) Math.min(cap, 8 << 20)];
        Random r = new Random(seed);
        int[] sizes = {lbs, 2 * lbs, 4096, 8192, 64 << 10, 128 << 10, 1 << 20, 3 * lbs + 4096};
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            int len = sizes[r.nextInt(sizes.length)];
            len -= len % lbs;
            long blocks = (shadow.length - len) / lbs;
            long pos = (long) r.nextInt((int) blocks + 1) * lbs;
            int nsegs = 1 + r.nextInt(Math.min(8, len / lbs));
            byte[] data = random(seed * 1000 + i, len);
            log.append(String.format("w pos=%d len=%d segs=%d%n", pos, len, nsegs));
            write(dev, pos, data, nsegs);
            System.arraycopy(data, 0, shadow, (int) pos, len);
            long rpos = (long) r.nextInt((int) blocks + 1) * lbs;
            int rsegs = 1 + r.nextInt(Math.min(8, len / lbs));
            byte[] back = read(dev, rpos, len, rsegs);
            byte[] want = java.util.Arrays.copyOfRange(shadow, (int) rpos, (int) rpos + len);
            assertArrayEquals(want, back, "seed " + seed + " read pos=" + rpos + " len=" + len + " segs=" + rsegs
                    + " after:\n" + log);
        }
        assertArrayEquals(shadow, read(dev, 0, shadow.length, 5), "seed " + seed + " full readback after:\n" + log);
    }

    /** The last block can be written and read; one block more is refused, and so is a misaligned bio. */
    static void capacityEdges(BlockDevice dev) {
        int lbs = dev.logicalBlockSize();
        long last = dev.capacity() - lbs;
        byte[] data = random(99, lbs);
        write(dev, last, data, 1);
        assertArrayEquals(data, read(dev, last, lbs, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.submit(bio(dev, Bio.Op.WRITE, last, 2 * lbs, 1, new byte[2 * lbs])));
        assertTrue(e.getMessage().contains("beyond the device capacity"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> dev.submit(bio(dev, Bio.Op.READ, dev.capacity(), lbs, 1, null)));
        if (lbs > Bio.SECTOR_SIZE) {
            Bio odd = new Bio(Bio.Op.READ, 1);
            odd.addSegment(DmaMemory.allocate(lbs, 4096), 0, lbs);
            e = assertThrows(IllegalArgumentException.class, () -> dev.submit(odd));
            assertTrue(e.getMessage().contains("offset 512") && e.getMessage().contains(String.valueOf(lbs)), e.getMessage());
        }
        Bio empty = new Bio(Bio.Op.READ, 0);
        assertThrows(IllegalArgumentException.class, () -> dev.submit(empty));
    }
}
