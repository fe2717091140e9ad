package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir
    Path tmp;

    @Test
    void nameIsTimestampAndHost() {
        assertEquals("20261121-133502-box_1", RunFolder.name(LocalDateTime.of(2026, 11, 21, 13, 35, 2), "box 1"));
    }

    @Test
    void markerLifecycle() throws Exception {
        LocalDateTime t = LocalDateTime.of(2026, 1, 2, 3, 4, 5);
        RunFolder f = RunFolder.createAt(RunFolder.freeDir(tmp.resolve("runs"), t, "h"));
        assertEquals(tmp.resolve("runs/20260102-030405-h"), f.dir());
        assertTrue(f.incomplete(), "INCOMPLETE is created first");
        f.writeMetadata(Map.of("status", "running"));
        f.markFailed("benchmark x failed");
        assertTrue(f.incomplete());
        assertTrue(Files.readString(f.dir().resolve(org.foliobench.layout.RunLayout.INCOMPLETE)).contains("benchmark x failed"));
        Path next = RunFolder.freeDir(tmp.resolve("runs"), t, "h");
        assertEquals(tmp.resolve("runs/20260102-030405-h-2"), next, "a second run in the same second gets its own folder");
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> RunFolder.createAt(f.dir()), "never reused");
        RunFolder g = RunFolder.createAt(next);
        assertNotEquals(f.dir(), g.dir());
        Files.writeString(tmp.resolve("runs/20260102-030405-h-3"), "a file takes the name too");
        assertEquals(tmp.resolve("runs/20260102-030405-h-4"), RunFolder.freeDir(tmp.resolve("runs"), t, "h"));
        g.complete();
        assertFalse(g.incomplete());
        assertTrue(f.incomplete());
    }

    @Test
    void metadataIsValidJsonAndReplacedWhole() throws Exception {
        RunFolder f = RunFolder.createAt(RunFolder.freeDir(tmp, LocalDateTime.now(), "h"));
        Map<String, String> m = new java.util.LinkedHashMap<>(SystemInfo.machine());
        m.put("quote", "a \"b\" \\ c\n");
        f.writeMetadata(m);
        Map<String, String> back = JsonCheck.flatValues(Files.readString(f.dir().resolve("metadata.json")));
        assertEquals(m, back);
        assertFalse(back.get("cpu.cores").isEmpty());
        try (java.util.stream.Stream<Path> s = Files.list(f.dir())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    /** Whatever step fails, the report included, the folder stays INCOMPLETE with the reason. */
    @Test
    void aFailingReportLeavesTheFolderMarkedWithTheReason() throws Exception {
        Foliobench top = new Foliobench();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        top.out = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        top.cwd = tmp;
        Plan.Bench skipped = new Plan.Bench("read/nvme/4K", null, java.util.List.of("iomap"), null, 1, null, true, "no direct device");
        RunFolder f = RunFolder.createAt(RunFolder.freeDir(tmp.resolve("runs"), LocalDateTime.now(), "h"));
        IOException e = assertThrows(IOException.class, () -> new RunSession(top).runIn(f, new Plan(java.util.List.of(skipped)),
                TableRunner.Settings.quick(false, null, null), new java.util.LinkedHashMap<>(), NvmeDevice.unavailable("none"),
                r -> r, dir -> {
                    throw new IOException("cannot write " + dir.resolve("tables.md") + ": No space left on device");
                }, "results: "));
        assertTrue(e.getMessage().contains("tables.md"));
        assertTrue(f.incomplete(), "never passed off as complete");
        assertTrue(Files.readString(f.dir().resolve(org.foliobench.layout.RunLayout.INCOMPLETE)).contains("tables.md: No space left on device"));
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).strip().endsWith("(INCOMPLETE)"), out.toString());
    }

    @Test
    void unwritableOutputIsAUsageError() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        UsageException e = assertThrows(UsageException.class, () -> RunFolder.checkWritable(file.resolve("runs")));
        assertTrue(e.line().startsWith("foliobench: "), e.line());
        RunFolder.checkWritable(tmp.resolve("a/b/c"));
        assertFalse(Files.exists(tmp.resolve("a")), "checking creates nothing");
        assertEquals(1, Files.list(tmp).count());
    }

    @Test
    void systemInfoParsers() {
        assertEquals("Intel Xeon", SystemInfo.cpuModel("processor\t: 0\nmodel name\t: Intel Xeon\n"));
        assertEquals(24L << 30, SystemInfo.meminfoBytes("MemTotal:       25165824 kB\nMemAvailable: 1 kB\n", "MemTotal"));
        assertEquals(-1, SystemInfo.meminfoBytes("", "MemTotal"));
        String mi = "22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
                + "30 22 0:25 / /dev/shm rw - tmpfs tmpfs rw\n";
        assertEquals("/dev/shm", SystemInfo.mountOf(mi, "/dev/shm/x")[4]);
        assertEquals("/", SystemInfo.mountOf(mi, "/work/x")[4]);
    }
}
