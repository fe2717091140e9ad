package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.foliobench.workloads.FioParser;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.SeedJobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportFioCommandTest {
    @TempDir
    Path tmp;

    /** Runs the CLI in {@code tmp}: exit code, stdout, stderr. */
    static String[] cli(Path cwd, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Foliobench.execute(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                cwd);
        return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void writesEverySeedRowAsAPlainFioJob() throws Exception {
        String[] r = cli(tmp, "export-fio", "jobs");
        assertEquals("0", r[0], r[2]);
        List<Path> files;
        try (Stream<Path> s = Files.list(tmp.resolve("jobs"))) {
            files = s.sorted().toList();
        }
        assertEquals(39, files.size());
        assertEquals(SeedJobs.rows().stream().map(x -> x.fileName()).sorted().toList(),
                files.stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(r[1].startsWith("wrote 39 fio job file(s) to jobs;"), r[1]);
    }

    @Test
    void quickSizesAndRowSelection() throws Exception {
        String[] r = cli(tmp, "export-fio", "q", "--rows", "read/ramdisk/*", "--quick");
        assertEquals("0", r[0], r[2]);
        Path f = tmp.resolve("q/read-ramdisk-64k.fio");
        String text = Files.readString(f);
        assertTrue(text.startsWith("; foliobench seed job for row read/ramdisk/64K, sizes / 8"), text);
        JobSpec j = new FioParser().parse(f).measuredJobs().get(0);
        assertEquals(128L << 20, j.size());
        assertEquals("read/ramdisk/64K", j.name());
        assertFalse(Files.exists(tmp.resolve("q/read-hole-4k.fio")));
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        String[] r = cli(tmp, "export-fio", "x", "--rows", "read/floppy/4K");
        assertEquals("2", r[0]);
        assertTrue(r[2].strip().startsWith("foliobench: unknown row \"read/floppy/4K\""), r[2]);
        assertFalse(Files.exists(tmp.resolve("x")));
        Files.writeString(tmp.resolve("file"), "");
        r = cli(tmp, "export-fio", "file");
        assertEquals("2", r[0]);
        assertEquals("foliobench: file is not a directory (give a directory for the job files)", r[2].strip());
    }
}
