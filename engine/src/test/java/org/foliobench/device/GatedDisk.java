package org.foliobench.device;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Test device: a RamDisk behind a request queue whose device side, once the gate is closed, waits
 * for a permit per request (the test plays the hardware finishing a command), so requests stay in
 * flight for as long as the test wants, for real.
 */
public final class GatedDisk extends RamBackedDisk {
    /** One per request the device may perform while the gate is closed. */
    public final Semaphore permits = new Semaphore(0);
    /** While true, requests pass without permits. */
    public volatile boolean open = true;
    /** Whether writes are gated too (reads always are). */
    public volatile boolean gateWrites;
    /** Operations in the order the device performed them: "W<sector>", "R<sector>", "F". */
    final List<String> performed = Collections.synchronizedList(new ArrayList<>());

    public GatedDisk(long capacity, int hwQueues, int nrRequests) {
        super("gated", capacity);
        startQueue(hwQueues, nrRequests);
    }

    @Override
    protected void read(Bio bio) throws IOException {
        if (!open) {
            permits.acquireUninterruptibly();
        }
        ram.read(bio);
        performed.add("R" + bio.sector());
    }

    @Override
    protected void write(Bio bio) throws IOException {
        if (!open && gateWrites) {
            permits.acquireUninterruptibly();
        }
        ram.write(bio);
        performed.add("W" + bio.sector());
    }

    @Override
    protected void doFlush() {
        performed.add("F");
    }

    /** Opens the gate for good and lets every waiting request through. */
    public void release() {
        open = true;
        permits.release(1 << 20);
    }

    @Override
    public void close() throws IOException {
        release();
        stopQueue();
        super.close();
    }
}
