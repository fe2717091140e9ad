package org.foliobench.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceSpecTest {
    @TempDir
    Path dir;

    private static String error(String spec) {
        DeviceSpecException e = assertThrows(DeviceSpecException.class, () -> {
            try (BlockDevice d = DeviceSpec.parse(spec).open()) {
                d.describe();
            }
        });
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("device spec \"" + spec + "\": "), e.getMessage());
        return e.getMessage();
    }

    private static void expect(String spec, String part) {
        String m = error(spec);
        assertTrue(m.contains(part), "expected \"" + part + "\" in: " + m);
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }

    @Test
    void parsesTheThreeKinds() {
        DeviceSpec r = DeviceSpec.parse("ramdisk:size=4g");
        assertEquals(DeviceSpec.Kind.RAMDISK, r.kind());
        assertEquals(4L << 30, r.size());
        assertEquals(512, r.logicalBlockSize());
        DeviceSpec r4 = DeviceSpec.parse("RAMDISK:Size=4G,lbs=4k");
        assertEquals(4L << 30, r4.size());
        assertEquals(4096, r4.logicalBlockSize());
        DeviceSpec f = DeviceSpec.parse("file:/var/tmp/x.img,size=64m");
        assertEquals(DeviceSpec.Kind.FILE, f.kind());
        assertEquals(Path.of("/var/tmp/x.img"), f.path());
        assertEquals(64L << 20, f.size());
        DeviceSpec d = DeviceSpec.parse("direct:/dev/nvme0n1,force");
        assertEquals(DeviceSpec.Kind.DIRECT, d.kind());
        assertEquals(0, d.size());
        assertTrue(d.force());
        assertFalse(DeviceSpec.parse("direct:rel/x.img,size=1m").force());
    }

    @Test
    void fioSizeUnits() {
        String[][] cases = {{"4096", "4096"}, {"512b", "512"}, {"64k", "65536"}, {"64K", "65536"}, {"64kb", "65536"},
            {"64KiB", "64000"}, {"1Mi", "1048576"}, {"1MiB", "1000000"}, {"3m", "3145728"}, {"2G", "2147483648"}, {"1t", "1099511627776"},
            {"1p", "1125899906842624"}, {"0", "0"}};
        for (String[] c : cases) {
            assertEquals(Long.parseLong(c[1]), DeviceSpec.parseSize("x", c[0]), c[0]);
        }
        for (String bad : new String[] {"4x", "1.5g", "-1m", "", "g", "4ib", "4 g x", "99999999999p"}) {
            assertThrows(DeviceSpecException.class, () -> DeviceSpec.parseSize("x", bad), bad);
        }
    }

    @Test
    void badSpecsAreOneClearError() {
        assertEquals("device spec \"foo:/x\": unknown kind \"foo\" (use ramdisk:size=4g, file:PATH[,size=...]"
                + " or direct:PATH[,size=...][,force])", error("foo:/x"));
        expect("ramdisk", "missing \":\"");
        expect("ramdisk:", "needs a size");
        expect("ramdisk:size=4x", "bad size \"4x\"");
        expect("ramdisk:size=0", "greater than zero");
        expect("ramdisk:size=1000", "not a multiple of the logical block size 512");
        expect("ramdisk:size=4m,size=4m", "twice");
        expect("ramdisk:size=4m,lbs=3000", "must be 512, 1k, 2k or 4k");
        expect("ramdisk:size=4m,color=red", "unknown option \"color\"");
        expect("ramdisk:size=1p", "direct memory limit");
        expect("ramdisk:size=99999999999999p", "too large");
        expect("file:", "missing path");
        expect("file:,size=1m", "missing path");
        expect("direct:size=1m", "missing path");
        expect("file:/tmp/x,force", "force only applies to direct:");
        expect("direct:/tmp/x,lbs=4096", "drop lbs=");
        expect("ramdisk:size=4m,nr_requests=64", "a ramdisk has no request queue");
        expect("file:/tmp/x,size=1m,nr_requests=2", "from 4 to 65536");
        expect("file:/tmp/x,size=1m,nr_requests=lots", "from 4 to 65536");
        expect("direct:/tmp/x,nr_requests=64,nr_requests=64", "twice");
    }

    @Test
    void nrRequestsSizesTheRequestQueue() throws IOException {
        assertEquals(64, DeviceSpec.parse("file:/tmp/x,size=1m,nr_requests=64").nrRequests());
        assertEquals(0, DeviceSpec.parse("file:/tmp/x,size=1m").nrRequests(), "0: the kind's default");
        Path p = dir.resolve("q.img");
        try (BlockDevice d = DeviceSpec.parse("file:" + p + ",size=1m,nr_requests=32").open()) {
            assertTrue(d.isAsync());
            assertEquals(32, d.nrRequests());
            assertEquals(1, d.nrHwQueues(), "a loop device has one hardware queue");
        }
        try (BlockDevice d = DeviceSpec.parse("file:" + p).open()) {
            assertEquals(256, d.nrRequests(), "loop's default: mq-deadline over 128 tags");
        }
        try (BlockDevice d = DeviceSpec.parse("ramdisk:size=1m").open()) {
            assertFalse(d.isAsync(), "brd completes bios in the submitter");
            assertEquals(0, d.nrRequests());
        }
    }

    @Test
    void ramdiskOpens() throws IOException {
        try (BlockDevice d = DeviceSpec.parse("ramdisk:size=8m,lbs=4096").open()) {
            assertInstanceOf(RamDisk.class, d);
            assertEquals(8 << 20, d.capacity());
            assertEquals(4096, d.logicalBlockSize());
        }
    }

    @Test
    void fileIsCreatedKeptAndGrown() throws IOException {
        Path p = dir.resolve("dev.img");
        try (BlockDevice d = DeviceSpec.parse("file:" + p + ",size=2m").open()) {
            assertInstanceOf(FileDevice.class, d);
            assertEquals(2 << 20, d.capacity());
            DeviceTesting.write(d, 4096, DeviceTesting.random(1, 4096), 1);
        }
        assertEquals(2 << 20, Files.size(p));
        try (BlockDevice d = DeviceSpec.parse("file:" + p).open()) {
            assertEquals(2 << 20, d.capacity(), "an existing file keeps its size");
            assertEquals(DeviceTesting.random(1, 4096)[7], DeviceTesting.read(d, 4096, 4096, 1)[7]);
        }
        try (BlockDevice d = DeviceSpec.parse("file:" + p + ",size=1m").open()) {
            assertEquals(1 << 20, d.capacity());
        }
        assertEquals(2 << 20, Files.size(p), "a smaller size= never truncates the file");
        try (BlockDevice d = DeviceSpec.parse("file:" + p + ",size=3m").open()) {
            assertEquals(3 << 20, d.capacity());
        }
        assertEquals(3 << 20, Files.size(p));
        try (BlockDevice d = DeviceSpec.parse("direct:" + p).open()) {
            assertInstanceOf(DirectDevice.class, d);
            assertEquals(3 << 20, d.capacity());
            assertEquals(DeviceTesting.random(1, 4096)[9], DeviceTesting.read(d, 4096, 4096, 1)[9]);
        }
    }

    @Test
    void directFileIsCreated() throws IOException {
        Path p = dir.resolve("direct.img");
        try (BlockDevice d = DeviceSpec.parse("direct:" + p + ",size=4m").open()) {
            assertEquals(4 << 20, d.capacity());
            DeviceTesting.roundTrip(d, 77);
        }
    }

    @Test
    void badFileSpecsLeaveNothingBehind() throws IOException {
        Path p = dir.resolve("new.img");
        expect("file:" + p, "does not exist (give size= to create it");
        expect("direct:" + p, "does not exist");
        expect("file:" + dir.resolve("no/such/dir/x.img") + ",size=1m", "does not exist (create it first)");
        expect("file:" + p + ",size=1p", "are free under");
        expect("direct:" + p + ",size=6k", "not a multiple of its direct IO alignment");
        expect("file:" + dir, "is a directory");
        expect("direct:" + dir, "is a directory");
        assertEquals(List.of(), leftovers());
        Path empty = Files.createFile(dir.resolve("empty.img"));
        expect("file:" + empty, "is empty");
        expect("direct:" + empty + ",size=6k", "alignment");
        assertEquals(0, Files.size(empty), "a grown file is shrunk back when opening fails");
        expect("file:/dev/null", "not a regular file (for a block device use direct:");
    }

    @Test
    void directOnTmpfsIsRefusedAndCleanedUp() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!(Files.isDirectory(shm))) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + "/dev/shm does not exist on this machine");
        }
        Assumptions.assumeTrue(Files.isDirectory(shm), "/dev/shm does not exist on this machine");
        Path p = shm.resolve("foliobench-spec-" + ProcessHandle.current().pid() + ".img");
        String m = error("direct:" + p + ",size=1m");
        assertTrue(m.contains("cannot do direct IO on " + p) && m.contains("tmpfs") && m.contains("disk-backed"), m);
        assertFalse(Files.exists(p), "the file the spec created is removed");
        Path existing = Files.createTempFile(shm, "foliobench-spec", ".img");
        try {
            try (RandomAccessFile f = new RandomAccessFile(existing.toFile(), "rw")) {
                f.setLength(4096);
            }
            error("direct:" + existing + ",size=1m");
            assertEquals(4096, Files.size(existing), "an existing file is shrunk back to its length");
        } finally {
            Files.delete(existing);
        }
    }

    @Test
    void permissionDeniedNamesThePath() throws IOException {
        DeviceSpec s = DeviceSpec.parse("file:/srv/x.img,size=1m");
        String m = s.explain(new AccessDeniedException("/srv/x.img")).getMessage();
        assertEquals("device spec \"file:/srv/x.img,size=1m\": permission denied on /srv/x.img"
                + " (choose a path you may read and write, or fix its permissions)", m);
        if ("root".equals(System.getProperty("user.name"))) {
            System.out.println("SKIPPED DeviceSpecTest: running as root: file permissions are not enforced, so only the message mapping is tested");
        }
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "running as root: file permissions are not enforced, so only the message mapping is tested");
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            expect("file:" + ro.resolve("x.img") + ",size=1m", "permission denied");
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void ramdiskAtomicWriteUnit() throws IOException {
        DeviceSpec s = DeviceSpec.parse("ramdisk:size=8m,awu_max=64k");
        assertEquals(64 << 10, s.atomicWriteUnitMax());
        try (BlockDevice d = s.open()) {
            assertEquals(64 << 10, d.atomicWriteUnitMax());
            assertTrue(d.describe().contains("awu_max=65536"), d.describe());
        }
        assertEquals(0, DeviceSpec.parse("ramdisk:size=8m").atomicWriteUnitMax());
        expect("ramdisk:size=8m,awu_max=48k", "must be a power of two up to 1m");
        expect("ramdisk:size=8m,awu_max=2m", "must be a power of two up to 1m");
        expect("ramdisk:size=8m,lbs=4096,awu_max=2k", "below the logical block size 4096");
        expect("ramdisk:size=8m,awu_max=64k,awu_max=64k", "awu_max= given twice");
        expect("file:" + dir.resolve("x.img") + ",size=8m,awu_max=64k", "awu_max= is a ramdisk option");
    }
}
