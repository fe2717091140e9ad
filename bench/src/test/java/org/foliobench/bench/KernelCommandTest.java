package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCommandTest {
    @TempDir
    Path tmp;

    static final List<KernelFs> PAIR = List.of(KernelFs.EXT4, KernelFs.XFS);

    private static void assertLine(UsageException e, String problem, String fix) {
        assertTrue(e.line().startsWith("foliobench: "), e.line());
        assertTrue(e.line().contains(problem), e.line());
        assertTrue(e.line().endsWith("(" + fix + ")"), e.line());
        assertEquals(1, e.line().lines().count());
    }

    @Test
    void theModelRunBesideAKernelSinceSixSixteenHasTheBhlfColumn() throws Exception {
        Path runs = tmp.resolve("runs");
        Path threeWay = org.foliobench.results.RunFixtures.paired(runs.resolve("20261201-000000-a"), holeRead1M(true));
        Path twoPath = org.foliobench.results.RunFixtures.paired(runs.resolve("20261202-000000-a"), holeRead1M(false));
        List<org.foliobench.workloads.ReferenceRow> rows = org.foliobench.workloads.ReferenceRow.seedTable().stream()
                .filter(r -> r.key().equals("read/hole/1M")).toList();
        assertEquals(1, rows.size());
        assertEquals(twoPath.toAbsolutePath().normalize(), KernelCommand.newestModel(runs, rows, false), "before 6.16: the newest");
        assertEquals(threeWay.toAbsolutePath().normalize(), KernelCommand.newestModel(runs, rows, true),
                "since 6.16: the newest with bhlf, though older");
        Path noBhlf = tmp.resolve("only-two-path");
        org.foliobench.results.RunFixtures.paired(noBhlf.resolve("20261202-000000-a"), holeRead1M(false));
        assertEquals(null, KernelCommand.newestModel(noBhlf, rows, true), "none with bhlf: the kernel run makes one");
    }

    /** A small model run of read/hole/1M, with the bhlf column when {@code bhlf}. */
    private static org.foliobench.results.RunFixtures.Spec holeRead1M(boolean bhlf) {
        org.foliobench.results.RunFixtures.Spec s = new org.foliobench.results.RunFixtures.Spec();
        s.forks = 2;
        s.iterations = 4;
        s.latency = false;
        s.rows = k -> k.key().equals("read/hole/1M");
        s.bhlf = bhlf;
        return s;
    }

    @Test
    void withoutRootOrFioOneLineSaysHowToGetThem() throws Exception {
        Set<String> all = Set.of("fio", "mkfs.ext4", "mkfs.xfs", "losetup", "mount", "umount", "sync");
        assertLine(assertThrows(UsageException.class, () -> KernelCommand.checkPrerequisites(1000, p -> Path.of("/bin", p), PAIR)),
                "kernel needs root", "run it as root, e.g. sudo ./foliobench kernel --fs ext4,xfs --quick");
        assertLine(assertThrows(UsageException.class, () -> KernelCommand.checkPrerequisites(0,
                p -> p.equals("fio") ? null : Path.of("/bin", p), PAIR)), "kernel needs fio on the PATH", "apt-get install fio xfsprogs");
        assertLine(assertThrows(UsageException.class, () -> KernelCommand.checkPrerequisites(0,
                p -> p.equals("mkfs.xfs") ? null : Path.of("/bin", p), PAIR)), "kernel needs mkfs.xfs for xfs", "apt-get install xfsprogs");
        KernelCommand.checkPrerequisites(0, p -> all.contains(p) ? Path.of("/bin", p) : null, PAIR);
    }

    @Test
    void theFilesystemsArePairedExt4First() throws Exception {
        assertEquals(PAIR, KernelFs.parse(List.of("ext4", "XFS")));
        assertLine(assertThrows(UsageException.class, () -> KernelFs.parse(List.of("ext4", "btrfs"))), "unknown filesystem \"btrfs\"",
                "use --fs ext4,xfs");
        assertTrue(assertThrows(UsageException.class, () -> KernelFs.parse(List.of("xfs", "ext4"))).line().contains("is not a pair"));
        assertEquals(List.of("mkfs.xfs", "-f", "-q", "-b", "size=4096", "/dev/loop7"), KernelFs.XFS.mkfs("/dev/loop7", 4096));
    }

    @Test
    void nvmeDevicesMustBeUnmountedBlockDevicesOnePerFilesystem() throws Exception {
        assertEquals(List.of(), KernelCommand.nvmeTargets(List.of(), PAIR));
        assertTrue(assertThrows(UsageException.class, () -> KernelCommand.nvmeTargets(List.of("direct:/dev/null"), PAIR)).line()
                .contains("--device given 1 time(s) for 2 filesystems"));
        Path file = Files.writeString(tmp.resolve("img"), "x");
        UsageException e = assertThrows(UsageException.class,
                () -> KernelCommand.nvmeTargets(List.of("direct:" + file, "direct:" + file), PAIR));
        assertTrue(e.line().contains("is not a block device"), e.line());
        e = assertThrows(UsageException.class, () -> KernelCommand.nvmeTargets(List.of("ramdisk:size=1g", "ramdisk:size=1g"), PAIR));
        assertTrue(e.line().contains("is not a block device spec"), e.line());
    }

    @Test
    void aMountedBlockDeviceIsRefused() throws Exception {
        String root = null;
        for (String l : Files.readString(Path.of("/proc/self/mounts")).split("\n")) {
            String[] f = l.split(" ");
            if (f.length > 2 && f[1].equals("/") && f[0].startsWith("/dev/")) {
                root = f[0];
            }
        }
        if (root == null || !Files.exists(Path.of(root))) {
            System.out.println("KernelCommandTest.aMountedBlockDeviceIsRefused skipped: / is not mounted from a /dev block device here");
        }
        Assumptions.assumeTrue(root != null && Files.exists(Path.of(root)), "/ is not mounted from a /dev block device here");
        String dev = root;
        UsageException e = assertThrows(UsageException.class,
                () -> KernelCommand.nvmeTargets(List.of("direct:" + dev + ",force", "direct:" + dev), PAIR));
        assertTrue(e.line().contains("is mounted on /"), e.line());
        assertTrue(e.line().contains("force does not override this"), e.line());
    }

    @Test
    void aBlockDeviceWithAFilesystemIsRefusedWithoutForce() throws Exception {
        boolean can = KernelCommand.uid() == 0 && Exec.which("losetup") != null;
        if (!can) {
            System.out.println("KernelCommandTest.aBlockDeviceWithAFilesystemIsRefusedWithoutForce skipped: needs root and losetup");
        }
        Assumptions.assumeTrue(can, "needs root and losetup to make a loop device");
        Path[] imgs = {tmp.resolve("a.img"), tmp.resolve("b.img")};
        String[] devs = new String[2];
        try {
            for (int i = 0; i < 2; i++) {
                try (RandomAccessFile f = new RandomAccessFile(imgs[i].toFile(), "rw")) {
                    f.setLength(8 << 20);
                    if (i == 0) {
                        f.seek(1080);
                        f.write(new byte[] {0x53, (byte) 0xEF}); // an ext4 superblock's magic
                    }
                }
                devs[i] = Exec.run(null, List.of("losetup", "--find", "--show", imgs[i].toString())).strip();
            }
            UsageException e = assertThrows(UsageException.class,
                    () -> KernelCommand.nvmeTargets(List.of("direct:" + devs[0], "direct:" + devs[1]), PAIR));
            assertTrue(e.line().contains("carries an ext2/3/4 filesystem"), e.line());
            assertTrue(e.line().contains("add ,force"), e.line());
            List<KernelCommand.NvmeTarget> ok = KernelCommand.nvmeTargets(List.of("direct:" + devs[0] + ",force", "direct:" + devs[1]), PAIR);
            assertEquals(KernelFs.XFS, ok.get(1).fs());
            assertTrue(ok.get(0).force());
        } finally {
            for (String d : devs) {
                if (d != null) {
                    Exec.run(null, List.of("losetup", "-d", d));
                }
            }
        }
        assertTrue(Files.readString(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8).lines().noneMatch(l -> l.contains(tmp.toString())));
    }
}
