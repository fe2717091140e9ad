package org.foliobench.iomap;

import java.io.IOException;
import java.util.function.Consumer;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;

/** Test device: a RamDisk that can fail writes (EIO) and run a hook before each data write. */
final class HookDisk extends BlockDevice {
    private final RamDisk ram;
    volatile boolean failWrites;
    volatile boolean failReads;
    /** Fails writes that start at or after this byte (data area), when {@link #failWrites}. */
    volatile long failFrom;
    volatile Consumer<Bio> beforeWrite;

    HookDisk(long capacity) {
        this.ram = new RamDisk(capacity);
    }

    @Override
    public int logicalBlockSize() {
        return ram.logicalBlockSize();
    }

    @Override
    public long capacity() {
        return ram.capacity();
    }

    @Override
    public String describe() {
        return "hook " + ram.describe();
    }

    @Override
    protected void read(Bio bio) throws IOException {
        if (failReads && bio.position() >= failFrom) {
            throw new IOException("injected read error at " + bio.position());
        }
        ram.submit(copyOf(bio));
    }

    @Override
    protected void write(Bio bio) throws IOException {
        Consumer<Bio> h = beforeWrite;
        if (h != null) {
            h.accept(bio);
        }
        if (failWrites && bio.position() >= failFrom) {
            throw new IOException("injected write error at " + bio.position());
        }
        ram.submit(copyOf(bio));
    }

    private static Bio copyOf(Bio bio) {
        Bio b = new Bio(bio.op(), bio.sector());
        for (int i = 0; i < bio.segments(); i++) {
            b.addSegment(bio.segmentMemory(i), bio.segmentOffset(i), bio.segmentLength(i));
        }
        return b;
    }

    @Override
    protected void doFlush() {
    }

    @Override
    public void close() {
        ram.close();
    }
}
