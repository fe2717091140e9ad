package org.foliobench.iomap;

import java.io.IOException;
import java.util.function.Consumer;
import org.foliobench.device.Bio;
import org.foliobench.device.RamBackedDisk;

/** Test device: a RamDisk that can fail writes (EIO) and run a hook before each data write. */
final class HookDisk extends RamBackedDisk {
    volatile boolean failWrites;
    volatile boolean failReads;
    /** Fails writes that start at or after this byte (data area), when {@link #failWrites}. */
    volatile long failFrom;
    volatile Consumer<Bio> beforeWrite;

    HookDisk(long capacity) {
        super("hook", capacity);
    }

    @Override
    protected void read(Bio bio) throws IOException {
        if (failReads && bio.position() >= failFrom) {
            throw new IOException("injected read error at " + bio.position());
        }
        ramIo(bio);
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
        ramIo(bio);
    }
}
