package org.foliobench.plots;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.foliobench.results.FioLatLog;
import org.foliobench.results.RunFixtures;
import org.foliobench.results.RunFolderException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path tmp;

    static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void writesEveryOutputIntoTheRunFolder() throws IOException {
        Path dir = RunFixtures.full(tmp.resolve("20240410-150300-host"));
        Report.Written w = Report.write(dir);
        assertTrue(w.complete());
        assertEquals(39, w.rows());
        assertEquals(dir.resolve("index.html"), w.files().get(w.files().size() - 1), "index.html last");
        for (String f : List.of("tables.md", "tables.csv", "tables-long.csv", "published-vs-measured.md", "published-vs-measured.csv",
                "index.html", "fio/read-hole-4k.json", "fio/write-nvme-y-y-n-1m.json", "fio/logs/iomap-read-hole-4k_clat.1.log",
                "charts/bw-read-hole.png",
                "charts/bw-read-hole.svg", "charts/speedup-scatter.png", "charts/latency-write-cache-y-n-n.svg")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        try (Stream<Path> s = Files.list(dir.resolve("fio"))) {
            assertEquals(39, s.filter(p -> p.toString().endsWith(".json")).count());
        }
        try (Stream<Path> s = Files.list(dir.resolve("fio").resolve(FioLatLog.DIR))) {
            assertEquals(39 * 2 * 2, s.count(), "fio's lat and clat logs per row and path");
        }
        try (Stream<Path> s = Files.list(dir.resolve("charts"))) {
            assertEquals(58, s.count());
        }
        assertTrue(ChartsTest.isPng(Files.readAllBytes(dir.resolve("charts/bw-read-hole.png"))));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("INCOMPLETE RUN"));
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"), "offline, no scripts");
        assertTrue(html.contains("<style>"), "inline CSS");
        assertTrue(html.contains("<h2>== buffer read ==</h2>"));
        assertTrue(html.contains("<img src=\"charts/bw-read-hole.png\""));
        assertTrue(html.contains("direction matches: "));
        assertTrue(html.contains("<td class=\"n\">"));
        // every referenced local file exists
        var m = java.util.regex.Pattern.compile("(?:src|href)=\"([^\"#][^\"]*)\"").matcher(html);
        int refs = 0;
        while (m.find()) {
            assertTrue(Files.exists(dir.resolve(m.group(1))), m.group(1));
            refs++;
        }
        assertTrue(refs > 100, "refs " + refs);
        assertTrue(w.message().startsWith("report of 39 row(s), 29 chart(s) written to "), w.message());
    }

    @Test
    void aRunWithBhlfHasThe2024_11RowsInPublishedVsMeasured() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.bhlf = true;
        s.rows = k -> k.isRead();
        Path dir = RunFixtures.paired(tmp.resolve("three"), s);
        Report.write(dir);
        String md = Files.readString(dir.resolve("published-vs-measured.md"));
        assertTrue(md.contains("published (2024-11, \"[PATCH 0/9] ext4: enable large folio for regular files\") vs measured:"), md);
        for (String row : List.of("read/hole/4K", "read/hole/64K", "read/hole/1M", "read/ramdisk/4K", "read/ramdisk/64K")) {
            assertTrue(md.contains("| " + row + " | "), row + " in " + md);
        }
        // the seed's 39-row comparison stays first
        assertTrue(md.indexOf("2024-11") > md.indexOf("read/hole/4K"), md);
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("<h2 id=\"three-way\">Published vs measured: the 2024-11 rows (bh, iomap, bhlf)</h2>"));
        assertTrue(html.contains("| read/ramdisk/64K | 34.5k / 45.6k / 41.3k | +32% |"), "the rows in the page too");

        Path two = RunFixtures.paired(tmp.resolve("two"), new RunFixtures.Spec());
        Report.write(two);
        assertFalse(Files.readString(two.resolve("published-vs-measured.md")).contains("2024-11"), "no bhlf, no 2024-11 rows");
        assertFalse(Files.readString(two.resolve("index.html")).contains("id=\"three-way\""));
    }

    @Test
    void regeneratingIsIdempotentAndRemovesStaleFiles() throws IOException {
        Path dir = RunFixtures.full(tmp.resolve("r"));
        Report.write(dir);
        Map<String, byte[]> first = snapshot(dir);
        Files.writeString(dir.resolve("charts/bw-read-gone.png"), "stale");
        Files.writeString(dir.resolve("fio/read-gone-4k.json"), "{}");
        Files.writeString(dir.resolve("charts/notes.txt"), "not ours: kept");
        Report.write(dir);
        Map<String, byte[]> second = snapshot(dir);
        assertEquals("not ours: kept", new String(second.remove("charts/notes.txt")));
        assertEquals(first.keySet(), second.keySet(), "stale chart/fio files removed, nothing else added");
        List<String> differ = new ArrayList<>();
        for (String k : first.keySet()) {
            if (!java.util.Arrays.equals(first.get(k), second.get(k))) {
                differ.add(k);
            }
        }
        assertEquals(List.of(), differ, "same bytes on regeneration");
        try (Stream<Path> s = Files.walk(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void incompleteRunSaysSoEverywhere() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.incomplete = true;
        s.rows = k -> k.isRead() && !k.type().equals("nvme");
        Path dir = RunFixtures.write(tmp.resolve("r"), s);
        Report.Written w = Report.write(dir);
        assertFalse(w.complete());
        assertTrue(w.message().startsWith("INCOMPLETE run"), w.message());
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("<div class=\"banner\" id=\"incomplete\">INCOMPLETE RUN: "), html);
        assertTrue(html.contains("<title>foliobench: r (INCOMPLETE)</title>"));
        assertTrue(Files.readString(dir.resolve("tables.md")).contains("> **INCOMPLETE RUN: "));
        assertTrue(Files.readString(dir.resolve("tables.csv")).startsWith("# INCOMPLETE RUN"));
        assertTrue(Files.readString(dir.resolve("published-vs-measured.md")).contains("INCOMPLETE RUN"));
        assertTrue(Files.readString(dir.resolve("fio/read-hole-4k.json")).contains("foliobench_incomplete"));
    }

    @Test
    void incompleteRunWithNothingYetStillGetsAPage() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("runs/empty"));
        Files.writeString(dir.resolve("INCOMPLETE"), "");
        Report.Written w = Report.write(dir);
        assertEquals(0, w.rows());
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("No rows measured yet."));
        assertTrue(html.contains("INCOMPLETE RUN"));
    }

    @Test
    void notARunFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("runs/x"));
        RunFolderException e = org.junit.jupiter.api.Assertions.assertThrows(RunFolderException.class, () -> Report.write(dir));
        assertEquals("no jmh.json in " + dir + " (is this a foliobench run folder?)", e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "nothing written");
        }
    }

    static String chromium() {
        for (String c : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(d, c))) {
                    return Path.of(d, c).toString();
                }
            }
        }
        return null;
    }

    /** Renders index.html in headless Chromium; skipped (with the reason printed) when there is none. */
    @Test
    void rendersInHeadlessChromium() throws Exception {
        String chromium = chromium();
        if (chromium == null) {
            System.out.println("SKIPPED ReportTest: no chromium on PATH: index.html rendering not checked "
                    + "(apt-get install chromium, or run plots/src/test/scripts/render-report.sh)");
        }
        Assumptions.assumeTrue(chromium != null,
                "no chromium on PATH: index.html rendering not checked (apt-get install chromium, or run "
                        + "plots/src/test/scripts/render-report.sh)");
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.incomplete = true;
        Path dir = RunFixtures.write(tmp.resolve("run"), s);
        Report.write(dir);
        Path png = tmp.resolve("shot.png");
        Path profile = Files.createDirectories(tmp.resolve("profile"));
        List<String> cmd = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1400,2000",
                dir.resolve("index.html").toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("chromium.log")));
        byte[] shot = Files.readAllBytes(png);
        assertTrue(ChartsTest.isPng(shot));
        var img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        // the incomplete banner's background (#fff3cd) is painted near the top of the page
        boolean banner = false;
        for (int y = 0; y < 300 && !banner; y++) {
            for (int x = 0; x < 400 && !banner; x += 4) {
                banner = (img.getRGB(x, y) & 0xffffff) == 0xfff3cd;
            }
        }
        assertTrue(banner, "banner colour not found in the top of the screenshot");
        // and it is not a blank page: plenty of distinct colours (text, tables, charts)
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 50, "colours " + colours.size());
        Files.copy(png, Path.of("target", "index-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertArrayEquals(ChartsTest.PNG_MAGIC, java.util.Arrays.copyOf(shot, 8));
    }

    @Test
    void aNumjobsSweepGetsItsScalingTableAndChartsLinkedFromTheIndex() throws IOException {
        RunFixtures.Spec spec = new RunFixtures.Spec();
        spec.rows = k -> k.key().equals("read/ramdisk/64K") || k.key().equals("write/cache/N/N/N/64K");
        spec.numjobs = List.of(1, 2, 4);
        Path run = RunFixtures.paired(tmp.resolve("swept"), spec);
        Report.Written w = Report.write(run);
        assertTrue(w.files().contains(run.resolve("scaling.md")) && w.files().contains(run.resolve("scaling.csv")), w.files().toString());
        for (String row : List.of("read-ramdisk-64k", "write-cache-n-n-n-64k")) {
            Path png = run.resolve(Report.CHARTS_DIR).resolve(ScalingChart.NAME_PREFIX + row + ".png");
            assertTrue(Files.exists(png), png.toString());
            assertEquals(960, ImageIO.read(png.toFile()).getWidth());
        }
        String index = Files.readString(run.resolve(Report.INDEX));
        assertTrue(index.contains("<a href=\"scaling.md\">") && index.contains("charts/scaling-read-ramdisk-64k.png"), index);
        assertTrue(Files.readString(run.resolve("scaling.md")).contains("| write/cache/N/N/N/64K |       4 |"));

        Path plain = RunFixtures.paired(tmp.resolve("plain"), new RunFixtures.Spec());
        Report.write(plain);
        assertFalse(Files.exists(plain.resolve("scaling.md")), "no sweep, no scaling table");
        assertFalse(Files.readString(plain.resolve(Report.INDEX)).contains("scaling.md"));
    }
}
