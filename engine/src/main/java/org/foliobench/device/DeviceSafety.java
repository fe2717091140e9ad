package org.foliobench.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The checks made before a block device is opened for writing, as {@code mkfs} makes them: refuse a
 * device that is mounted (itself, a partition of it, or the disk it is a partition of) and, unless
 * the caller explicitly allows overwriting, one whose first blocks carry a filesystem or
 * partition-table signature ({@code blkid}/libblkid probing). Every decision takes its inputs (the
 * mount table text, the device's first bytes, a symlink resolver) as arguments, so the logic is
 * tested with fixtures.
 */
public final class DeviceSafety {
    /** Bytes of the device head the signature probe needs (the btrfs superblock sits at 64 KiB). */
    static final int PROBE_BYTES = 128 << 10;

    private DeviceSafety() {
    }

    /**
     * Throws {@link IllegalArgumentException} when writing to {@code device} must be refused.
     *
     * @param device the device node, symlinks already resolved (e.g. {@code /dev/nvme0n1})
     * @param mounts the text of {@code /proc/self/mounts}
     * @param resolve resolves a mount source's symlinks ({@code /dev/disk/by-uuid/...} -> {@code /dev/sda1})
     * @param head the device's first bytes (up to {@link #PROBE_BYTES}); null when not read yet
     * @param allowOverwrite the caller explicitly allows destroying a recognised signature ({@code force});
     *        it never allows writing to a mounted device
     */
    public static void checkWritable(String device, String mounts, UnaryOperator<String> resolve, byte[] head,
            boolean allowOverwrite) {
        Optional<String> m = mountedPart(device, mounts, resolve);
        if (m.isPresent()) {
            throw new IllegalArgumentException(device + ": " + m.get() + "; refusing to write to a device in use"
                    + " (unmount it first; force does not override this)");
        }
        if (head != null && !allowOverwrite) {
            Optional<String> sig = signature(head);
            if (sig.isPresent()) {
                throw new IllegalArgumentException(device + " carries " + sig.get()
                        + "; refusing to overwrite it (add ,force to the device spec to destroy its contents)");
            }
        }
    }

    /** The live decision: reads {@code /proc/self/mounts} and resolves symlinks on this machine. */
    static void checkWritable(Path device, byte[] head, boolean allowOverwrite) throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8);
        checkWritable(device.toString(), mounts, DeviceSafety::realPath, head, allowOverwrite);
    }

    /**
     * The live check before {@code device} is formatted ({@code mkfs}): refused when it, a partition of
     * it or its disk is mounted, or, unless {@code allowOverwrite}, when its first
     * {@link #PROBE_BYTES} carry a filesystem or partition-table signature. Throws
     * {@link IllegalArgumentException} naming the device and the fix.
     */
    public static void checkBeforeFormat(Path device, boolean allowOverwrite) throws IOException {
        Path real = device.toRealPath();
        checkWritable(real, null, allowOverwrite); // mounted? before reading it at all
        byte[] head = new byte[PROBE_BYTES];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(real)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // the head, or all of a smaller device
            }
        }
        checkWritable(real, head, allowOverwrite);
    }

    static String realPath(String p) {
        try {
            return Path.of(p).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return p;
        }
    }

    /**
     * Which mount uses {@code device}, a partition of it or the disk it belongs to: e.g.
     * {@code "/dev/nvme0n1p2 is mounted on /home"}; empty when none.
     */
    static Optional<String> mountedPart(String device, String mounts, UnaryOperator<String> resolve) {
        for (String line : mounts.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || !f[0].startsWith("/")) {
                continue;
            }
            String source = resolve.apply(unescape(f[0]));
            if (overlaps(device, source)) {
                return Optional.of(source + " is mounted on " + unescape(f[1]));
            }
        }
        return Optional.empty();
    }

    /** Same device, or one is a partition of the other. */
    static boolean overlaps(String a, String b) {
        return a.equals(b) || isPartitionOf(a, b) || isPartitionOf(b, a);
    }

    /**
     * {@code /dev/sda1} is a partition of {@code /dev/sda}; {@code /dev/nvme0n1p1} of
     * {@code /dev/nvme0n1} (a disk name ending in a digit takes a "p" before the partition number,
     * as {@code disk_name()} formats it).
     */
    static boolean isPartitionOf(String part, String disk) {
        if (disk.isEmpty() || !part.startsWith(disk) || part.length() == disk.length()) {
            return false;
        }
        String rest = part.substring(disk.length());
        boolean diskEndsInDigit = Character.isDigit(disk.charAt(disk.length() - 1));
        return diskEndsInDigit ? rest.matches("p[0-9]+") : rest.matches("[0-9]+");
    }

    /** {@code /proc/mounts} escapes space, tab, newline and backslash as octal ({@code \040}). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A recognised filesystem or partition-table signature in the device's first bytes, described for a message. */
    static Optional<String> signature(byte[] head) {
        if (at(head, 1080, new byte[] {0x53, (byte) 0xEF})) {
            return Optional.of("an ext2/3/4 filesystem (superblock magic 0xEF53 at byte 1080)");
        }
        if (at(head, 0, ascii("XFSB"))) {
            return Optional.of("an xfs filesystem (\"XFSB\" at byte 0)");
        }
        if (at(head, 65600, ascii("_BHRfS_M"))) {
            return Optional.of("a btrfs filesystem (\"_BHRfS_M\" at byte 65600)");
        }
        if (at(head, 512, ascii("EFI PART"))) {
            return Optional.of("a GPT partition table (\"EFI PART\" at byte 512)");
        }
        if (at(head, 4096, ascii("EFI PART"))) {
            return Optional.of("a GPT partition table (\"EFI PART\" at byte 4096, 4K sectors)");
        }
        if (at(head, 510, new byte[] {0x55, (byte) 0xAA})) {
            return Optional.of("an MBR partition table or boot sector (0x55AA at byte 510)");
        }
        return Optional.empty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean at(byte[] head, int off, byte[] magic) {
        if (head.length < off + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[off + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
