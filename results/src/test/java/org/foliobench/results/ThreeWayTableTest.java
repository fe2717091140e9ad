package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThreeWayTableTest {
    @Test
    void theFivePublishedRowsOf2024_11AreRead() {
        List<ThreeWayTable.Published> p = ThreeWayTable.published();
        assertEquals(5, p.size());
        assertEquals("read/hole/4K", p.get(0).key().key());
        assertEquals(576000, p.get(0).bh(), 0);
        assertEquals(762000, p.get(0).iomap(), 0);
        assertEquals(747000, p.get(0).bhlf(), 0);
        assertEquals("read/ramdisk/64K", p.get(4).key().key());
        for (ThreeWayTable.Published r : p) {
            double lfio = r.bhlf() / r.iomap();
            org.junit.jupiter.api.Assertions.assertTrue(lfio > 0.9 && lfio < 0.99, r + ": bhlf/iomap " + lfio);
        }
    }

    @Test
    void publishedVsMeasuredGivesThePlusPercentOfTheMailBesideTheMeasuredOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.bhlf = true;
        s.forks = 4;
        s.iterations = 8;
        s.noise = 0.001;
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        org.junit.jupiter.api.Assertions.assertTrue(ThreeWayTable.applies(run));
        String md = ThreeWayTable.publishedVsMeasured(run);
        // hole 4K published: 576k / 762k / 747k, iomap +32%, bhlf +30%, bhlf/iomap 0.98; the fixture measures bhlf/iomap 0.95
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| read/hole/4K | 576k / 762k / 747k | +32% | +"), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| +30% | "), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| 0.98x | 0.95x"), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("iomap and bhlf both ahead of bh: 5/5 rows"), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("bhlf at or below iomap (published bhlf/iomap 0.91-0.98): 5/5 rows"), md);
    }

    @Test
    void aRunWithoutBhlfHasNoThreeWayTable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        org.junit.jupiter.api.Assertions.assertFalse(ThreeWayTable.applies(run));
    }
}
