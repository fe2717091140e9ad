package org.foliobench.pagecache;

import java.util.concurrent.locks.LockSupport;
import org.foliobench.device.Bio;
import org.foliobench.device.RamBackedDisk;

/**
 * Test-only device: a RamDisk whose writes take at least {@code writeNanos} each, so that a
 * writer can outrun writeback and the dirty throttle has something to do. (Sleeping is allowed
 * in tests only; the engine never sleeps.)
 */
final class SlowDisk extends RamBackedDisk {
    private final long writeNanos;

    SlowDisk(long capacity, long writeNanos) {
        super("slow", capacity);
        this.writeNanos = writeNanos;
    }

    @Override
    protected void read(Bio bio) {
        ramIo(bio);
    }

    @Override
    protected void write(Bio bio) {
        LockSupport.parkNanos(writeNanos);
        ramIo(bio);
    }
}
