package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThreeWayTableTest {
    @Test
    void theThirtyNinePublishedRowsOf2024_11AreRead() {
        List<ThreeWayTable.Published> p = ThreeWayTable.published();
        assertEquals(39, p.size());
        assertEquals(ReferenceTable.published().entries().stream().map(e -> e.key()).toList(),
                p.stream().map(ThreeWayTable.Published::key).toList(), "the seed table's rows, in its order");
        assertEquals("read/hole/4K", p.get(0).key().key());
        assertEquals(576000, p.get(0).bh(), 0);
        assertEquals(762000, p.get(0).iomap(), 0);
        assertEquals(747000, p.get(0).bhlf(), 0);
        assertEquals("read/ramdisk/64K", p.get(4).key().key());
        ThreeWayTable.Published last = p.get(38);
        assertEquals("write/nvme/Y/Y/N/1M", last.key().key());
        assertEquals(714, last.bh(), 0);
        assertEquals(1504, last.iomap(), 0);
        assertEquals(1319, last.bhlf(), 0);
        for (ThreeWayTable.Published r : p) {
            double lfio = r.bhlf() / r.iomap();
            org.junit.jupiter.api.Assertions.assertTrue(lfio > 0.65 && lfio < 1.1, r + ": bhlf/iomap " + lfio);
        }
    }

    @Test
    void publishedVsMeasuredGivesThePlusPercentOfTheMailBesideTheMeasuredOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        RunFixtures.Spec s = threePaths();
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        org.junit.jupiter.api.Assertions.assertTrue(ThreeWayTable.applies(run));
        String md = ThreeWayTable.publishedVsMeasured(run);
        // hole 4K published: 576k / 762k / 747k, iomap +32%, bhlf +30%, bhlf/iomap 0.98; the fixture measures bhlf/iomap 0.95
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| read/hole/4K | 576k / 762k / 747k | +32% | +"), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| +30% | "), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| 0.98x | 0.95x"), md);
        org.junit.jupiter.api.Assertions.assertFalse(md.contains("| write/"), "rows the run did not measure are left out:\n" + md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("- iomap ahead of bh: 9/9 rows measured, 9/9 published"), md);
        // published, read/nvme/64K has bhlf 25.4k above iomap 25.2k
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("- bhlf at or below iomap: 9/9 rows measured, 8/9 published"
                + " (published bhlf/iomap 0.91-1.01)"), md);
    }

    @Test
    void aNumjobsSweepSetsItsOneThreadRowsBesideThePublishedOnes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        RunFixtures.Spec s = threePaths();
        s.numjobs = List.of(1, 2);
        s.rows = k -> k.key().equals("read/hole/4K");
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        String md = ThreeWayTable.publishedVsMeasured(run);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("| read/hole/4K | 576k / 762k / 747k | +32% | +"), md);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("- iomap ahead of bh: 1/1 rows measured, 1/1 published"),
                "the numjobs=1 row stands for the published one, numjobs=2 does not:\n" + md);
    }

    /** A quiet three-path fixture (bh, iomap, bhlf). */
    private static RunFixtures.Spec threePaths() {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.bhlf = true;
        s.forks = 4;
        s.iterations = 8;
        s.noise = 0.001;
        return s;
    }

    @Test
    void aRunWithoutBhlfHasNoThreeWayTable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.isRead();
        RunFolder run = RunFolder.read(RunFixtures.paired(tmp.resolve("r"), s));
        org.junit.jupiter.api.Assertions.assertFalse(ThreeWayTable.applies(run));
    }
}
