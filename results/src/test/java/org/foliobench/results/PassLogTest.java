package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassLogTest {
    @TempDir
    Path tmp;

    static PassLog.Pass pass(String row, int fork, String path, long gcCount, long jitMillis) {
        return new PassLog.Pass(row, fork, 4711, 5120, false, 0, 1, path, 3, 1536, 100663296, 100_000_000, gcCount, gcCount * 3,
                jitMillis, 0, 12288, 1, List.of("no writeback during a Writeback=Y sweep"), Map.of("maxFolioOrder", "9"),
                Map.of("bio.submitted", 12L, "path.map_calls", 1536L));
    }

    @Test
    void aPassRoundTripsThroughOneLineOfJson() throws Exception {
        PassLog.Pass p = pass("write/cache/N/N/N/64K", 2, "iomap", 0, 0);
        String line = p.toJson();
        assertFalse(line.contains("\n"));
        PassLog.append(tmp, p);
        PassLog.append(tmp, pass("write/cache/N/N/N/64K", 3, "bh", 1, 0));
        Path f = PassLog.file(tmp, "write/cache/N/N/N/64K");
        assertEquals(tmp.resolve("passes").resolve("write-cache-n-n-n-64k.jsonl"), f);
        List<PassLog.Pass> back = PassLog.read(f);
        assertEquals(2, back.size());
        assertEquals(p, back.get(0));
        assertEquals(15360.0, p.iops(), 1e-9);
        assertEquals(8.0, p.allocPerCall(), 1e-9);
        assertEquals(Map.of("write/cache/N/N/N/64K", back), PassLog.readAll(tmp));
        assertEquals(Map.of(), PassLog.readAll(tmp.resolve("nothing")));
    }

    @Test
    void aFailedAppendNamesTheFile() throws Exception {
        Path f = Files.createDirectories(PassLog.file(tmp, "read/hole/4K")); // any write there fails
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> PassLog.append(tmp, pass("read/hole/4K", 0, "bh", 0, 0)));
        assertEquals("cannot append to " + f + ": Is a directory", e.getMessage());
    }

    @Test
    void disturbedMeansGcOrMoreThanTwoPercentOfJitOrSteal() {
        assertFalse(pass("read/hole/4K", 0, "bh", 0, 2).disturbed()); // 2 ms of a 100 ms pass
        assertTrue(pass("read/hole/4K", 0, "bh", 0, 3).disturbed());
        assertTrue(pass("read/hole/4K", 0, "bh", 1, 0).disturbed());
        assertTrue(new PassLog.Pass("r", 0, 0, 0, false, 0, 0, "bh", 1, 1, 1, 100_000_000, 0, 0, 0, 3, 0,
                1, List.of(), Map.of(), Map.of()).disturbed(), "3 ms of steal in a 100 ms pass");
    }

    @Test
    void aTornLineNamesTheFileAndLine() throws Exception {
        PassLog.append(tmp, pass("read/hole/4K", 0, "bh", 0, 0));
        Path f = PassLog.file(tmp, "read/hole/4K");
        Files.writeString(f, "{\"row\": \"read/hole/4K\", \"fo", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassLog.read(f));
        assertTrue(e.getMessage().contains("read-hole-4k.jsonl:2"), e.getMessage());
    }

    @Test
    void fileNamesOfRowsAndJobs() {
        assertEquals("write-ramdisk-y-n-y-4k", org.foliobench.layout.RowKey.fileName("write/ramdisk/Y/N/Y/4K"));
        assertEquals("job-my_job", org.foliobench.layout.RowKey.fileName("job:my job"));
    }
}
