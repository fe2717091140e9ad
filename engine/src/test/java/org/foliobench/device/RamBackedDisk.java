package org.foliobench.device;

import java.io.IOException;

/**
 * Base of the test devices that put behaviour in front of a {@link RamDisk} (a gate, injected
 * errors, a slow write): the RamDisk holds the data and answers the geometry; a subclass decides
 * when and whether a request reaches it ({@link #ramIo}).
 */
public abstract class RamBackedDisk extends BlockDevice {
    protected final RamDisk ram;
    private final String kind;

    protected RamBackedDisk(String kind, long capacity) {
        this.ram = new RamDisk(capacity);
        this.kind = kind;
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
        return kind + " " + ram.describe();
    }

    /** Performs {@code bio} on the RamDisk: a copy of it, so that completing {@code bio} stays this device's job. */
    protected final void ramIo(Bio bio) {
        Bio b = new Bio(bio.op(), bio.sector());
        for (int i = 0; i < bio.segments(); i++) {
            b.addSegment(bio.segmentMemory(i), bio.segmentOffset(i), bio.segmentLength(i));
        }
        ram.submit(b);
    }

    @Override
    protected void doFlush() throws IOException {
    }

    @Override
    public void close() throws IOException {
        ram.close();
    }
}
