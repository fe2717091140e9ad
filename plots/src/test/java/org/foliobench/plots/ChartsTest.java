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
            assertEquals(c.chart().getWidth(), img.getWidth());
            assertEquals(c.chart().getHeight(), img.getHeight());
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
    void fileNamesOfSectionsAndVariants() {
        assertEquals("read-hole", Charts.fileName("read/hole"));
        assertEquals("write-ramdisk-y-n-y", Charts.fileName("write/ramdisk/Y/N/Y"));
        assertEquals("read-hole-maxfolioorder_0", Charts.fileName("read/hole [maxFolioOrder=0]"));
    }
}
