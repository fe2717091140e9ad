package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishedComparisonTest {

    @TempDir
    Path tmp;

    private static ReferenceTable.Entry pub(String key, double bh, double iomap) {
        return new ReferenceTable.Entry(RowKey.parse(key), bh, 0, iomap, 0);
    }

    @Test
    void handComputedSummary() {
        // published speedups 2, 1.5, 0.8, 1.5 ; measured 2, 1.2, 1.1, 3
        List<PublishedComparison.Entry> es = List.of(
                new PublishedComparison.Entry(RowKey.parse("read/hole/4K"), "", pub("read/hole/4K", 100, 200), 2.0),
                new PublishedComparison.Entry(RowKey.parse("read/hole/64K"), "", pub("read/hole/64K", 100, 150), 1.2),
                new PublishedComparison.Entry(RowKey.parse("read/hole/1M"), "", pub("read/hole/1M", 100, 80), 1.1),
                new PublishedComparison.Entry(RowKey.parse("read/ramdisk/4K"), "", pub("read/ramdisk/4K", 100, 150), 3.0));
        PublishedComparison c = new PublishedComparison(es);
        assertEquals(PublishedComparison.Agreement.CLOSE, es.get(0).agreement());
        assertEquals(PublishedComparison.Agreement.CLOSE, es.get(1).agreement(), "1.2/1.5 = 0.8 = 1/1.25, on the edge");
        assertEquals(PublishedComparison.Agreement.OPPOSITE, es.get(2).agreement());
        assertEquals(PublishedComparison.Agreement.SAME_DIRECTION, es.get(3).agreement());
        PublishedComparison.Summary s = c.summary();
        assertEquals(4, s.rows());
        assertEquals(3, s.directionMatches());
        assertEquals(2, s.close());
        // ranks: published 4, 2.5, 1, 2.5 ; measured 3, 2, 1, 4
        // mean 2.5: dx = 1.5, 0, -1.5, 0 ; dy = 0.5, -0.5, -1.5, 1.5 ; sxy = 0.75 + 2.25 = 3 ; sxx = 4.5 ; syy = 5
        assertEquals(3 / Math.sqrt(4.5 * 5), s.spearman(), 1e-12);
        // ratios 1, 0.8, 1.375, 2 -> geomean = (2.2)^(1/4)
        assertEquals(Math.pow(1 * 0.8 * 1.375 * 2, 0.25), s.geomeanRatio(), 1e-12);
        String md = c.summaryMarkdown();
        assertTrue(md.contains("- direction matches: 3/4 rows"), md);
        assertTrue(md.contains("Spearman rank correlation of the speedups: 0.632 (N=4"), md); // 3/sqrt(22.5)
        assertTrue(md.contains("geometric mean of measured/published speedup: 1.22x"), md);
    }

    @Test
    void aRunThatReproducesThePublishedTableAgreesEverywhere() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.noise = 0.001;
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        PublishedComparison c = PublishedComparison.of(run);
        PublishedComparison.Summary sum = c.summary();
        assertEquals(39, sum.rows());
        assertTrue(sum.spearman() > 0.9, "rho " + sum.spearman());
        assertEquals(1.0, sum.geomeanRatio(), 0.05);
        assertTrue(sum.close() >= 37, "close " + sum.close());
        String md = c.markdown(run);
        assertTrue(md.contains("| read/hole/4K "), md);
        String csv = c.csv(run);
        assertTrue(csv.startsWith("table,type,overwrite,sync,writeback,bs,tunables,published_bh_iops"), csv);
        assertEquals(40, csv.split("\n").length);
    }

    @Test
    void incompleteRunSaysSo() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.incomplete = true;
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.write(tmp.resolve("r"), s));
        assertTrue(PublishedComparison.of(run).markdown(run).contains("INCOMPLETE RUN"));
        assertTrue(PublishedComparison.of(run).csv(run).startsWith("# INCOMPLETE RUN"));
        assertEquals(9, PublishedComparison.of(run).entries().size());
    }
}
