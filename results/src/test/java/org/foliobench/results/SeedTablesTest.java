package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedTablesTest {

    @TempDir
    Path tmp;

    /** Compares with a golden resource; on mismatch the actual text is left in target/ to diff. */
    static void assertGolden(String resource, String actual) throws IOException {
        Path out = Path.of("target", "golden-actual", resource);
        Files.createDirectories(out.getParent());
        Files.writeString(out, actual);
        try (InputStream in = SeedTablesTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("golden resource " + resource + " missing; actual output in " + out.toAbsolutePath());
            }
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual,
                    "differs from golden " + resource + "; actual in " + out.toAbsolutePath());
        }
    }

    static RunFolder fullRun(Path tmp) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> !k.key().equals("read/nvme/4K") && !k.key().equals("write/nvme/Y/Y/N/1M");
        s.skipped.put("read/nvme/4K", "no O_DIRECT device: pass --nvme PATH");
        return RunFolder.read(RunFixtures.write(tmp.resolve("20240410-150300-fixture"), s));
    }

    @Test
    void goldenMarkdownOfAFixtureRun() throws IOException {
        RunFolder run = fullRun(tmp);
        assertGolden("golden-tables.md", SeedTables.markdown(run));
    }

    @Test
    void tablesHaveTheSeedsColumnsFirst() throws IOException {
        RunFolder run = fullRun(tmp);
        Table read = SeedTables.readTable(run);
        assertEquals(List.of("type", "bs", "bh IOPS", "bh BW(MiB/s)", "iomap IOPS", "iomap BW(MiB/s)"),
                read.header().subList(0, 6));
        assertEquals(List.of("type", "Overwrite", "Sync", "Writeback", "bs", "bh IOPS", "bh BW(MiB/s)", "iomap IOPS",
                "iomap BW(MiB/s)", "speedup"), SeedTables.writeTable(run).header().subList(0, 10));
        assertEquals(9, read.rows().size(), "8 measured + 1 skipped");
        List<String> skipped = read.rows().get(6);
        assertEquals(List.of("nvme", "4K", "-", "-"), skipped.subList(0, 4));
        assertEquals("not run: no O_DIRECT device: pass --nvme PATH", skipped.get(skipped.size() - 1));
        assertEquals("note", read.header().get(read.header().size() - 1));
        assertEquals(29, SeedTables.writeTable(run).rows().size(), "the unmeasured row without a reason is left out");
    }

    @Test
    void seedTextOfARunUsesTheMailsLayout() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.scale = 1.0;
        s.noise = 0;
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        String text = SeedTables.seedText(run);
        String[] ours = text.split("\n");
        String[] mail = FormatTest.seedText().split("\n");
        assertEquals(mail.length, ours.length);
        for (int i = 0; i < mail.length; i++) {
            // same columns at the same places: compare the layout with the digits masked
            assertEquals(mail[i].replaceAll("[0-9.]+k?", "#").replaceAll(" +", " "),
                    ours[i].replaceAll("[0-9.]+k?", "#").replaceAll(" +", " "), "line " + i);
        }
    }

    @Test
    void aKernelRunsTablesNameItsFilesystems() throws IOException {
        RunFolder run = RunFolder.read(RunFixtures.kernel(tmp));
        String text = SeedTables.seedText(run);
        assertTrue(text.contains("                  ext4 (kernel)      xfs (kernel)\n"), text);
        assertTrue(text.contains("                                        ext4 (kernel) xfs (kernel)\n"), text);
        Table read = SeedTables.readTable(run);
        assertEquals(List.of("type", "bs", "ext4 IOPS", "ext4 BW(MiB/s)", "xfs IOPS", "xfs BW(MiB/s)", "speedup"),
                read.header().subList(0, 7));
        int map = read.header().indexOf("ext4 map/MiB");
        assertEquals(Format.NONE, read.rows().get(0).get(map), "engine counters do not apply to a kernel");
        assertTrue(SeedTables.markdown(run).contains("Kernel run: the same jobs through real fio"));
        assertTrue(SeedTables.csv(run).lines().anyMatch(l -> l.startsWith("table,type,overwrite,sync,writeback,bs,ext4_iops,"
                + "ext4_bw_mib,xfs_iops,xfs_bw_mib,speedup")));
    }

    @Test
    void handWrittenRunMarkdownAndCsv() throws IOException {
        RunFolder run = RunFolder.read(RunFolderTest.handWritten());
        String md = SeedTables.markdown(run);
        assertTrue(md.contains("> **INCOMPLETE RUN: "), md);
        Table read = SeedTables.readTable(run);
        // hole 4K: 400k / 1563 MiB/s vs 600k / 2344 MiB/s, 1.50x (no interval: a run from before the pass log),
        // published 1.44x; bh passes 390k 410k 395k 405k: JMH's 99.9% error t(3) x 9.1k / 2 = ±5.0%; 256 map/MiB
        List<String> hole = read.rows().get(0);
        assertEquals(List.of("hole", "4K", "400k", "1563", "600k", "2344", "1.50x", "-", "1.44x", "±5.0%", "-", "-", "-", "256",
                "-", "0.00", "-", "-", "-", "-", "-", "-", ""), hole);
        Table write = SeedTables.writeTable(run);
        List<String> w = write.rows().get(0);
        assertEquals(List.of("ramdisk", "Y", "N", "Y", "1M", "dirtyRatio=20,maxFolioOrder=9", "-", "-", "2000", "2000",
                "-"), w.subList(0, 11));
        assertEquals("1.00M", w.get(write.header().indexOf("iomap avg bio")), "avg bio = 1 MiB");

        String csv = SeedTables.csv(run);
        assertTrue(csv.startsWith("# INCOMPLETE RUN"), csv);
        List<CSVRecord> recs = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setCommentMarker('#')
                .get().parse(new StringReader(csv)).getRecords();
        assertEquals(3, recs.size());
        CSVRecord r0 = recs.get(0);
        assertEquals("read", r0.get("table"));
        assertEquals("400000", r0.get("bh_iops"));
        assertEquals("1562.5", r0.get("bh_bw_mib"));
        assertEquals("1.5", r0.get("speedup"));
        assertEquals("256", r0.get("bh_mapCalls_per_mib"));
        assertEquals("4", r0.get("bh_iterations"));
        assertEquals("not run: no O_DIRECT device (set --nvme)", recs.get(1).get("status"));
        assertEquals("partial", recs.get(2).get("status"));
        assertEquals("1048576", recs.get(2).get("iomap_avg_bio_bytes"));
        assertFalse(csv.contains("NaN"));

        String longCsv = SeedTables.longCsv(run);
        List<CSVRecord> lines = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(longCsv)).getRecords();
        assertEquals(SeedTables.LONG_CSV_HEADER, lines.get(0).getParser().getHeaderNames());
        assertEquals(3, lines.size(), "hole 4K bh and iomap, ramdisk 1M iomap; the skipped row has no line");
        assertEquals("bh", lines.get(0).get("path"));
        assertEquals("iomap", lines.get(1).get("path"));
        assertEquals("4096", lines.get(0).get("bs_bytes"));
        assertEquals("1048576", lines.get(2).get("bs_bytes"));
        assertEquals("400000", lines.get(0).get("iops"));
        assertEquals(r0.get("bh_mapCalls_per_mib"), lines.get(0).get("mapCalls_per_mib"), "the wide CSV's per-path values");
        assertEquals(r0.get("iomap_p99_ns"), lines.get(1).get("p99_ns"));
        assertEquals("1.5", lines.get(1).get("speedup"));
        assertFalse(longCsv.contains("#"), "nothing but CSV");
    }
}
