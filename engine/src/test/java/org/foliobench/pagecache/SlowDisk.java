package org.foliobench.pagecache;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;

/**
 * Test-only device: a RamDisk whose writes take at least {@code writeNanos} each, so that a
 * writer can outrun writeback and the dirty throttle has something to do. (Sleeping is allowed
 * in tests only; the engine never sleeps.)
 */
final class SlowDisk extends BlockDevice {
    private final RamDisk ram;
    private final long writeNanos;

    SlowDisk(long capacity, long writeNanos) {
        this.ram = new RamDisk(capacity);
        this.writeNanos = writeNanos;
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
        return "slow " + ram.describe();
    }

    @Override
    protected void read(Bio bio) {
        ram.submit(copyOf(bio));
    }

    @Override
    protected void write(Bio bio) {
        LockSupport.parkNanos(writeNanos);
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
    public void close() throws IOException {
        ram.close();
    }
}
