package org.foliobench.vfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.RamDisk;
import org.junit.jupiter.api.Assumptions;

/**
 * The devices the vfs suites run on: the synchronous RamDisk (brd), and the two backends with an
 * asynchronous request queue on the test's filesystem, a {@code FileDevice} through the OS cache
 * and an O_DIRECT {@code DirectDevice}.
 */
enum Backend {
    RAMDISK, FILE, DIRECT;

    /** Opens a device of {@code bytes} in {@code dir}; DIRECT is skipped (with a printed reason) where O_DIRECT cannot work. */
    BlockDevice open(Path dir, long bytes, String test) throws IOException {
        switch (this) {
            case FILE:
                return DeviceSpec.parse("file:" + dir.resolve("dev.img") + ",size=" + bytes).open();
            case DIRECT:
                String fsType = Files.getFileStore(dir).type();
                if (fsType.equals("tmpfs") || fsType.equals("ramfs")) {
                    String why = "the temp dir " + dir + " is on " + fsType + ", which serves O_DIRECT from memory";
                    System.out.println("SKIPPED " + test + " DIRECT: " + why);
                    Assumptions.abort(why);
                }
                return DeviceSpec.parse("direct:" + dir.resolve("dev.img") + ",size=" + bytes).open();
            default:
                return new RamDisk(bytes);
        }
    }
}
