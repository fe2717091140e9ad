package org.foliobench.plots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.foliobench.layout.RowKey;
import org.foliobench.results.RunFixtures;
import org.foliobench.results.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    @TempDir
    Path tmp;

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static boolean isPng(byte[] b) {
        if (b.length < 8) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            if (b[i] != PNG_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyChartOfAFullRunEncodesAsPngAndSvg() throws IOException {
        assertTrue(GraphicsEnvironment.isHeadless(), "charts render headless");
        RunFolder run = RunFolder.read(RunFixtures.full(tmp.resolve("r")));
        List<Charts.NamedChart> charts = Charts.all(run);
        Set<String> names = charts.stream().map(Charts.NamedChart::name).collect(Collectors.toSet());
        // 13 sections (3 read, 10 write) x (bandwidth, latency) + 2 speedup bars + scatter
        assertEquals(29, charts.size(), names.toString());
        for (String n : List.of("bw-read-hole", "bw-read-nvme", "bw-write-cache-n-n-n", "bw-write-nvme-y-y-n",
                "latency-read-ramdisk", "latency-write-ramdisk-n-y-n", "speedup-read", "speedup-write", "speedup-scatter")) {
            assertTrue(names.contains(n), n + " in " + names);
        }
        for (Charts.NamedChart c : charts) {
            byte[] png = c.png();
            assertTrue(isPng(png), c.name());
            var img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(c.width(), img.getWidth());
            assertEquals(c.height(), img.getHeight());
            assertTrue(c.height() > c.chart().getHeight(), "a footer below the chart: " + c.name());
            String svg = new String(c.svg(), StandardCharsets.UTF_8);
            assertTrue(svg.contains("<svg"), c.name());
            assertTrue(svg.trim().endsWith("</svg>"), c.name());
        }
    }

    @Test
    void sectionsWithoutLatencyLogsGetNoLatencyChart() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.latency = false;
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        Set<String> names = Charts.all(run).stream().map(Charts.NamedChart::name).collect(Collectors.toSet());
        assertEquals(Set.of("bw-read-hole", "bw-read-ramdisk", "bw-read-nvme", "speedup-read", "speedup-scatter"), names);
    }

    @Test
    void everyChartSaysWhatItsMarksAreAndWhichRunOnWhatMachine() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.forks = 4;
        s.iterations = 8;
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        for (Charts.NamedChart c : Charts.all(run)) {
            assertEquals(2, c.footer().size(), c.name());
            assertTrue(c.footer().get(1).startsWith("run r | N = "), c.footer().get(1));
            assertTrue(c.width() >= 820, "a larger default: " + c.name() + " " + c.width());
        }
        Charts.NamedChart bw = Charts.all(run).stream().filter(c -> c.name().equals("bw-read-hole")).findFirst().get();
        assertTrue(bw.footer().get(0).contains("Error bars: +- half the width of that estimate's 95% interval"), bw.footer().get(0));
        assertTrue(bw.footer().get(1).contains("N = 4 forks per row and path"), bw.footer().get(1));
        Charts.NamedChart sp = Charts.all(run).stream().filter(c -> c.name().equals("speedup-write")).findFirst().get();
        assertTrue(sp.footer().get(0).contains("lines: its 95% interval"), sp.footer().get(0));
        org.knowm.xchart.XYChart xy = (org.knowm.xchart.XYChart) sp.chart();
        long intervals = xy.getSeriesMap().values().stream().filter(x -> !x.isShowInLegend()).count();
        assertEquals(30, intervals, "one interval line per write row");
        List<String> labels = new java.util.ArrayList<>();
        for (int y = 29; y >= 0; y--) {
            labels.add(xy.getStyler().getyAxisTickLabelsFormattingFunction().apply((double) y));
        }
        assertEquals("cache, 4K", labels.get(0), "rows spelled out, top to bottom in table order");
        assertTrue(labels.contains("ramdisk, Overwrite, Sync, 64K"), labels.toString());
        assertTrue(new String(sp.svg(), StandardCharsets.UTF_8).contains(">run r | N = "), "the footer is in the SVG too");
    }

    @Test
    void aRunOfThreePathsHasThreeBarsAndThreeLatencyPathsPerSection() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.bhlf = true;
        s.forks = 4;
        s.iterations = 4;
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        Charts.NamedChart bw = Charts.all(run).stream().filter(c -> c.name().equals("bw-read-hole")).findFirst().get();
        org.knowm.xchart.CategoryChart cc = (org.knowm.xchart.CategoryChart) bw.chart();
        assertEquals(List.of("buffer head", "iomap + large folio", "bh + large folio"), List.copyOf(cc.getSeriesMap().keySet()));
        assertTrue(bw.caption().endsWith("bh vs iomap vs bhlf"), bw.caption());
        // the third bar is bhlf's own measurement: iomap's published IOPS x 0.95 in the fixture
        org.knowm.xchart.CategorySeries iomap = cc.getSeriesMap().get("iomap + large folio");
        org.knowm.xchart.CategorySeries bhlf = cc.getSeriesMap().get("bh + large folio");
        double ratio = bhlf.getYData().iterator().next().doubleValue() / iomap.getYData().iterator().next().doubleValue();
        assertEquals(0.95, ratio, 0.05);
        assertEquals(Charts.BHLF, bhlf.getFillColor());
        Charts.NamedChart lat = Charts.all(run).stream().filter(c -> c.name().equals("latency-read-hole")).findFirst().get();
        long bhlfLines = ((org.knowm.xchart.CategoryChart) lat.chart()).getSeriesMap().keySet().stream()
                .filter(n -> n.startsWith("bhlf ")).count();
        assertEquals(3, bhlfLines, "p50, p99, p99.9 of bhlf");
        assertTrue(isPng(bw.png()));
    }

    @Test
    void aRunOfTwoPathsKeepsTwoBars() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        Charts.NamedChart bw = Charts.all(run).stream().filter(c -> c.name().equals("bw-read-hole")).findFirst().get();
        assertEquals(2, ((org.knowm.xchart.CategoryChart) bw.chart()).getSeriesMap().size());
        assertTrue(bw.caption().endsWith("bh vs iomap"), bw.caption());
    }

    @Test
    void rowsAreSpelledOut() {
        assertEquals("ramdisk, Sync, 64K", Charts.rowLabel(RowKey.parse("write/ramdisk/N/Y/N/64K"), ""));
        assertEquals("cache, 1M", Charts.rowLabel(RowKey.parse("write/cache/N/N/N/1M"), ""));
        assertEquals("nvme, Overwrite, Writeback, 4K [maxFolioOrder=0]",
                Charts.rowLabel(RowKey.parse("write/nvme/Y/N/Y/4K"), "maxFolioOrder=0"));
        assertEquals("hole, 4K", Charts.rowLabel(RowKey.parse("read/hole/4K"), ""));
    }

    @Test
    void fileNamesOfSectionsAndVariants() {
        assertEquals("read-hole", Charts.fileName("read/hole"));
        assertEquals("write-ramdisk-y-n-y", Charts.fileName("write/ramdisk/Y/N/Y"));
        assertEquals("read-hole-maxfolioorder_0", Charts.fileName("read/hole [maxFolioOrder=0]"));
    }
}
