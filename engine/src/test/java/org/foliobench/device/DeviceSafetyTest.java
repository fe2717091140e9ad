package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceSafetyTest {
    /** A /proc/self/mounts fixture: root on an NVMe partition, /home through a by-uuid symlink, a space in a path. */
    private static final String MOUNTS = String.join("\n",
            "proc /proc proc rw,relatime 0 0",
            "sysfs /sys sysfs rw,relatime 0 0",
            "/dev/nvme0n1p2 / ext4 rw,relatime 0 0",
            "/dev/disk/by-uuid/1234-abcd /home xfs rw,relatime 0 0",
            "tmpfs /dev/shm tmpfs rw,relatime 0 0",
            "/dev/sdb /srv/my\\040data btrfs rw 0 0",
            "");

    private static final UnaryOperator<String> LINKS = p -> Map.of(
            "/dev/disk/by-uuid/1234-abcd", "/dev/sda1").getOrDefault(p, p);

    private static final byte[] BLANK = new byte[DeviceSafety.PROBE_BYTES];

    private static IllegalArgumentException refused(String dev, byte[] head, boolean force) {
        return assertThrows(IllegalArgumentException.class,
                () -> DeviceSafety.checkWritable(dev, MOUNTS, LINKS, head, force));
    }

    @Test
    void refusesMountedDeviceItsPartitionsAndItsDisk() {
        IllegalArgumentException e = refused("/dev/nvme0n1", BLANK, true);
        assertEquals("/dev/nvme0n1: /dev/nvme0n1p2 is mounted on /; refusing to write to a device in use"
                + " (unmount it first; force does not override this)", e.getMessage());
        assertTrue(refused("/dev/nvme0n1p2", BLANK, true).getMessage().contains("mounted on /;"));
        // by-uuid symlink resolved to /dev/sda1, which is a partition of /dev/sda
        assertTrue(refused("/dev/sda", BLANK, false).getMessage().contains("/dev/sda1 is mounted on /home"));
        // whole disk mounted: its partitions are in use too; octal escapes decoded
        assertTrue(refused("/dev/sdb1", BLANK, true).getMessage().contains("/dev/sdb is mounted on /srv/my data"));
    }

    @Test
    void allowsUnmountedBlankDevices() {
        // /dev/sda2 is a sibling of the mounted /dev/sda1: a different partition, allowed
        for (String dev : new String[] {"/dev/nvme0n10", "/dev/nvme1n1", "/dev/sdab", "/dev/sdc", "/dev/sda2", "/dev/nvme0n1p1"}) {
            DeviceSafety.checkWritable(dev, MOUNTS, LINKS, BLANK, false);
        }
    }

    @Test
    void partitionNaming() {
        assertTrue(DeviceSafety.isPartitionOf("/dev/sda1", "/dev/sda"));
        assertTrue(DeviceSafety.isPartitionOf("/dev/nvme0n1p1", "/dev/nvme0n1"));
        assertTrue(DeviceSafety.isPartitionOf("/dev/mmcblk0p12", "/dev/mmcblk0"));
        assertFalse(DeviceSafety.isPartitionOf("/dev/nvme0n10", "/dev/nvme0n1"));
        assertFalse(DeviceSafety.isPartitionOf("/dev/sdab", "/dev/sda"));
        assertFalse(DeviceSafety.isPartitionOf("/dev/sda", "/dev/sda"));
        assertFalse(DeviceSafety.isPartitionOf("/dev/nvme0n1", "/dev/nvme0n1p1"));
    }

    static byte[] image(int off, byte... magic) {
        byte[] head = new byte[DeviceSafety.PROBE_BYTES];
        System.arraycopy(magic, 0, head, off, magic.length);
        return head;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void recognisesSignaturesUnlessForced() {
        Map<String, byte[]> fixtures = Map.of(
                "ext2/3/4", image(1080, (byte) 0x53, (byte) 0xEF),
                "xfs", image(0, ascii("XFSB")),
                "btrfs", image(65600, ascii("_BHRfS_M")),
                "MBR", image(510, (byte) 0x55, (byte) 0xAA),
                "GPT partition table (\"EFI PART\" at byte 512)", image(512, ascii("EFI PART")),
                "4K sectors", image(4096, ascii("EFI PART")));
        fixtures.forEach((what, head) -> {
            IllegalArgumentException e = refused("/dev/nvme1n1", head, false);
            assertTrue(e.getMessage().startsWith("/dev/nvme1n1 carries ") && e.getMessage().contains(what)
                    && e.getMessage().contains("add ,force"), e.getMessage());
            DeviceSafety.checkWritable("/dev/nvme1n1", MOUNTS, LINKS, head, true);
        });
        assertEquals(Optional.empty(), DeviceSafety.signature(BLANK));
        assertEquals(Optional.empty(), DeviceSafety.signature(new byte[100]), "a short head is not a signature");
        // a byte-swapped ext4 magic is not one
        assertEquals(Optional.empty(), DeviceSafety.signature(image(1080, (byte) 0xEF, (byte) 0x53)));
    }

    @Test
    void fixtureImageFilesAreProbedFromTheirFirstBytes(@TempDir Path dir) throws IOException {
        Path img = dir.resolve("ext4.img");
        Files.write(img, image(1080, (byte) 0x53, (byte) 0xEF));
        byte[] head = Files.readAllBytes(img);
        assertTrue(DeviceSafety.signature(head).orElseThrow().contains("ext2/3/4"));
    }

    @Test
    void liveMountTableSeesTheRootFilesystem() throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        String rootSource = null;
        for (String line : mounts.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].equals("/") && f[0].startsWith("/dev/")) {
                rootSource = DeviceSafety.realPath(f[0]);
            }
        }
        if (!(rootSource != null)) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + "root is not mounted from a /dev node here");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(rootSource != null, "root is not mounted from a /dev node here");
        String root = rootSource;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceSafety.checkWritable(Path.of(root), null, true));
        assertTrue(e.getMessage().contains("mounted on /"), e.getMessage());
    }
}
