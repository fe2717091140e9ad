package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import org.foliobench.device.RamDisk;
import org.foliobench.iopath.IoPath;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import org.junit.jupiter.api.Test;

class BufferedIoTest {
    /** Formats, mounts, writes and reads a file through iomap on this thread, unmounts; returns the device. */
    private static RamDisk useOnce() throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = MountOptions.builder().memBytes(8L << 20).commitIntervalSeconds(0).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        try (File f = fs.open("f", IoPath.IOMAP, StandardOpenOption.CREATE)) {
            assertEquals(64 << 10, f.pwrite(ByteBuffer.allocate(64 << 10), 0));
            fs.dropCaches();
            assertEquals(64 << 10, f.pread(ByteBuffer.allocate(64 << 10), 0));
        }
        fs.unmount();
        return dev;
    }

    /**
     * The per-thread frames of an iomap operation keep no unmounted filesystem alive: the thread
     * that used one and then another still lets the first (and its device) be collected. With a
     * ThreadLocal per BufferedIo, whose frames point back at it, every one stayed reachable.
     */
    @Test
    void aThreadKeepsNoFilesystemItUsedBefore() throws Exception {
        WeakReference<RamDisk> first = new WeakReference<>(useOnce());
        RamDisk second = useOnce(); // the thread's frames now belong to the second
        for (int i = 0; i < 50 && first.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(first.get(), "the first filesystem's device is still reachable after unmount");
        second.close();
    }
}
