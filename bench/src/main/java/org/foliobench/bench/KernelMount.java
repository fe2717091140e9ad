package org.foliobench.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.device.DeviceSafety;

/**
 * One filesystem of a kernel run, formatted and mounted on its own block device: a loop device over
 * a sparse image in tmpfs that the run creates (the RAM-backed device of the hole, ramdisk and cache
 * rows: the model's RamDisk), or a block device the user names (the nvme rows), which is checked
 * as {@code direct:} devices are ({@link DeviceSafety#checkBeforeFormat}: never mounted, never a
 * filesystem or partition table without {@code force}). The device's {@code read_ahead_kb} is set
 * to the job's and put back; {@link #close()} unmounts, detaches the loop device and deletes the
 * image, and undoes whatever part of the setup had been done when a step fails.
 */
final class KernelMount implements AutoCloseable {
    private final KernelFs fs;
    private final String device;
    private final Path image;
    private final Path mountPoint;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String savedReadAhead;
    private boolean mounted;
    private boolean loopAttached;

    private KernelMount(KernelFs fs, String device, Path image, Path mountPoint) {
        this.fs = fs;
        this.device = device;
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** A loop device over a new sparse {@code bytes}-byte image in {@code workDir} (a tmpfs folder), formatted and mounted there. */
    static KernelMount onTmpfs(KernelFs fs, Path workDir, long bytes, int blockSize, int readAheadKb) throws IOException {
        Path img = workDir.resolve(fs.type() + ".img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(bytes);
        }
        String dev;
        try {
            dev = Exec.run(null, List.of("losetup", "--find", "--show", img.toString())).strip();
        } catch (IOException e) {
            Files.deleteIfExists(img);
            throw e;
        }
        KernelMount m = new KernelMount(fs, dev, img, workDir.resolve(fs.type()));
        m.loopAttached = true;
        m.metadata.put("device", dev + " (loop device over " + img + ", a sparse " + (bytes >> 20) + " MiB image in tmpfs)");
        return m.setUp(false, blockSize, readAheadKb);
    }

    /** The user's block device {@code dev}, checked, formatted and mounted in {@code workDir}. */
    static KernelMount onDevice(KernelFs fs, Path dev, boolean force, Path workDir, int blockSize, int readAheadKb)
            throws IOException {
        if (!Files.exists(sysBlock(dev.toRealPath().getFileName().toString()))) {
            throw new IllegalArgumentException(dev + " is not a block device (give a disk or partition such as /dev/nvme0n1p3)");
        }
        KernelMount m = new KernelMount(fs, dev.toRealPath().toString(), null, workDir.resolve(fs.type()));
        m.metadata.put("device", m.device + " (block device" + (force ? ", force: its contents are destroyed" : "") + ")");
        return m.setUp(force, blockSize, readAheadKb);
    }

    private KernelMount setUp(boolean force, int blockSize, int readAheadKb) throws IOException {
        try {
            DeviceSafety.checkBeforeFormat(Path.of(device), force);
            List<String> mkfs = fs.mkfs(device, blockSize);
            Exec.run(null, mkfs);
            metadata.put("mkfs", String.join(" ", mkfs));
            Files.createDirectories(mountPoint);
            Exec.run(null, List.of("mount", "-t", fs.type(), device, mountPoint.toString()));
            mounted = true;
            metadata.put("mount", mountLine());
            Path ra = queue().resolve("read_ahead_kb");
            if (Files.isWritable(ra)) {
                savedReadAhead = Files.readString(ra, StandardCharsets.US_ASCII).strip();
                Files.writeString(ra, Integer.toString(readAheadKb), StandardCharsets.US_ASCII);
                metadata.put("read_ahead_kb", readAheadKb + " (was " + savedReadAhead + ")");
            }
            return this;
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    KernelFs fs() {
        return fs;
    }

    Path mountPoint() {
        return mountPoint;
    }

    /** What was done, for the run's metadata: device, mkfs command, mount line, read_ahead_kb. */
    Map<String, String> metadata() {
        return metadata;
    }

    /** {@code syncfs()} of the mounted filesystem: every dirty page written back and waited for. */
    void sync() throws IOException {
        Exec.run(null, List.of("sync", "-f", mountPoint.toString()));
    }

    /** The device's {@code stat} (diskstats): completed read and write requests and bytes, read now. */
    DiskCounters counters() throws IOException {
        String[] f = Files.readString(sysBlock(name()).resolve("stat"), StandardCharsets.US_ASCII).trim().split("\\s+");
        return new DiskCounters(Long.parseLong(f[0]), Long.parseLong(f[2]) * 512, Long.parseLong(f[4]), Long.parseLong(f[6]) * 512);
    }

    /** Requests and bytes a device completed (the block layer's {@code /sys/block/DEV/stat}, sectors of 512 bytes). */
    record DiskCounters(long readIos, long readBytes, long writeIos, long writeBytes) {
        /** {@code this - before}, as pass counters. */
        Map<String, Long> since(DiskCounters before) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("disk.read_ios", readIos - before.readIos);
            m.put("disk.read_bytes", readBytes - before.readBytes);
            m.put("disk.write_ios", writeIos - before.writeIos);
            m.put("disk.write_bytes", writeBytes - before.writeBytes);
            return m;
        }
    }

    private String name() {
        return Path.of(device).getFileName().toString();
    }

    private static Path sysBlock(String name) {
        return Path.of("/sys/class/block", name);
    }

    /** The request queue's sysfs folder: the device's own, or its disk's for a partition. */
    private Path queue() throws IOException {
        Path real = sysBlock(name()).toRealPath();
        return Files.exists(real.resolve("partition")) ? real.getParent().resolve("queue") : real.resolve("queue");
    }

    private String mountLine() {
        String mounts = SystemInfo.read("/proc/self/mounts");
        for (String l : mounts.split("\n")) {
            String[] f = l.split(" ");
            if (f.length >= 4 && f[1].equals(mountPoint.toString())) {
                return l;
            }
        }
        return "mount -t " + fs.type() + " " + device + " " + mountPoint;
    }

    /** Unmounts (lazily when busy, e.g. after Ctrl-C stopped fio), detaches the loop device, deletes the image; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        IOException first = null;
        if (savedReadAhead != null) {
            try {
                Files.writeString(queue().resolve("read_ahead_kb"), savedReadAhead, StandardCharsets.US_ASCII);
                savedReadAhead = null;
            } catch (IOException e) {
                first = e;
            }
        }
        if (mounted) {
            try {
                Exec.run(null, List.of("umount", mountPoint.toString()));
                mounted = false;
            } catch (IOException e) {
                try {
                    Exec.run(null, List.of("umount", "--lazy", mountPoint.toString()));
                    mounted = false; // detached now, released when the last user lets go (losetup -d then autoclears)
                } catch (IOException e2) {
                    first = first == null ? e : first;
                }
            }
        }
        if (loopAttached && !mounted) {
            try {
                Exec.run(null, List.of("losetup", "-d", device));
                loopAttached = false;
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (!mounted) {
            Files.deleteIfExists(mountPoint);
        }
        if (image != null && !loopAttached) {
            Files.deleteIfExists(image);
        }
        if (first != null) {
            throw first;
        }
    }
}
