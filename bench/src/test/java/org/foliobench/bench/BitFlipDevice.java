package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;

/** A memory-backed device that, once {@link #armed}, flips one bit of the next read it serves: silent corruption. */
final class BitFlipDevice extends BlockDevice {
    private final ByteBuffer mem;
    /** Flip a bit of byte {@code 100} of the next read bio (past a verify header at the start of a block). */
    volatile boolean armed;
    volatile int flips;

    BitFlipDevice(int capacity) {
        mem = ByteBuffer.allocateDirect(capacity);
    }

    @Override
    public int logicalBlockSize() {
        return 512;
    }

    @Override
    public long capacity() {
        return mem.capacity();
    }

    @Override
    public String describe() {
        return "bit-flip test device";
    }

    @Override
    protected void read(Bio bio) {
        int pos = (int) bio.position();
        for (int s = 0; s < bio.segments(); s++) {
            bio.segmentMemory(s).put(bio.segmentOffset(s), mem, pos, bio.segmentLength(s));
            pos += bio.segmentLength(s);
        }
        if (armed) {
            armed = false;
            flips++;
            ByteBuffer m = bio.segmentMemory(0);
            int at = bio.segmentOffset(0) + 100;
            m.put(at, (byte) (m.get(at) ^ 0x10));
        }
    }

    @Override
    protected void write(Bio bio) {
        int pos = (int) bio.position();
        for (int s = 0; s < bio.segments(); s++) {
            mem.put(pos, bio.segmentMemory(s), bio.segmentOffset(s), bio.segmentLength(s));
            pos += bio.segmentLength(s);
        }
    }

    @Override
    protected void doFlush() throws IOException {
    }

    @Override
    public void close() {
    }
}
