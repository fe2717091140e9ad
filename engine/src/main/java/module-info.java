/**
 * The foliobench engine: devices, the ext4-like filesystem, the page cache and the buffered IO
 * paths, on the JDK only. It exports what the other modules use: {@code org.foliobench}
 * (Defaults, FioSize, Errno and the fb_* tunables), {@code device} (device specs, ramdisks,
 * DMA memory, disk stats), {@code fs} (Fsck), {@code iopath} (the IoPath choice), {@code stats}
 * (Counters) and {@code vfs} (FileSystem, File, MountOptions). mm, workqueue, pagecache, buffer
 * and iomap are the engine's own: their public types are public for the packages above them only.
 *
 * <p>The other modules are on the class path (they have no module-info), where these exports are
 * not enforced; {@code LayeringTest} checks the order of the packages inside.
 */
module org.foliobench.engine {
    // DeviceSpec reads -XX:MaxDirectMemorySize through HotSpotDiagnosticMXBean (and java.management)
    requires jdk.management;
    // DirectDevice opens its file with ExtendedOpenOption.DIRECT (O_DIRECT)
    requires jdk.unsupported;

    exports org.foliobench;
    exports org.foliobench.device;
    exports org.foliobench.fs;
    exports org.foliobench.iopath;
    exports org.foliobench.stats;
    exports org.foliobench.vfs;
}
