package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingTableTest {

    @TempDir
    Path tmp;

    /** read/hole/4K and write/cache/N/N/N/64K at numjobs 1, 2, 4; IOPS x (1 + 0.5 (N - 1)), no noise. */
    static RunFolder swept(Path dir) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.equals(RowKey.parse("read/hole/4K")) || k.equals(RowKey.parse("write/cache/N/N/N/64K"));
        s.numjobs = List.of(1, 2, 4);
        s.perThread = 0.5;
        s.noise = 0;
        return RunFolder.read(RunFixtures.paired(dir, s));
    }

    @Test
    void aRunWithoutASweepHasNoScalingTable() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.equals(RowKey.parse("read/hole/4K"));
        assertFalse(ScalingTable.applies(RunFolder.read(RunFixtures.paired(tmp.resolve("plain"), s))));
    }

    @Test
    void groupsTheSweepPerRowWithScalingAgainstOneThread() throws IOException {
        RunFolder run = swept(tmp.resolve("run"));
        assertTrue(ScalingTable.applies(run));
        List<ScalingTable.Group> g = ScalingTable.groups(run);
        assertEquals(2, g.size());
        assertEquals(RowKey.parse("read/hole/4K"), g.get(0).row());
        assertEquals(List.of(1, 2, 4), g.get(0).numjobs());
        assertEquals(List.of(PathLabel.BH, PathLabel.IOMAP), List.copyOf(g.get(0).byPath().keySet()));
        for (PathLabel p : PathLabel.MODEL) {
            assertEquals(1.0, g.get(1).scaling(p, 1), 1e-6);
            assertEquals(1.5, g.get(1).scaling(p, 2), 1e-6);
            assertEquals(2.5, g.get(1).scaling(p, 4), 1e-6);
        }
        // the aggregate: the published 1-thread IOPS x scale x threads factor
        ReferenceTable.Entry pub = ReferenceTable.published().get(RowKey.parse("read/hole/4K"));
        assertEquals(pub.bhIops() * 0.5 * 2.5, g.get(0).get(PathLabel.BH, 4).iops(), pub.bhIops() * 1e-6);
    }

    @Test
    void markdownAndCsvHaveALinePerNumjobs() throws IOException {
        RunFolder run = swept(tmp.resolve("run"));
        Table t = ScalingTable.table(run);
        assertEquals(List.of("row", "numjobs", "bh IOPS", "bh MiB/s", "bh vs 1 thread", "iomap IOPS", "iomap MiB/s",
                "iomap vs 1 thread"), t.header());
        assertEquals(6, t.rows().size());
        assertEquals(List.of("write/cache/N/N/N/64K", "4"), t.rows().get(5).subList(0, 2));
        assertEquals("2.50x", t.rows().get(5).get(4));
        assertEquals("1.00x", t.rows().get(3).get(7));
        String md = ScalingTable.markdown(run);
        assertTrue(md.contains("| read/hole/4K"), md);
        String[] csv = ScalingTable.csv(run).split("\n");
        assertEquals(String.join(",", ScalingTable.CSV_HEADER), csv[0]);
        assertEquals(1 + 2 * 3 * 2, csv.length);
        assertTrue(csv[csv.length - 1].startsWith("write/cache/N/N/N/64K,write,cache,N,N,N,64K,,4,iomap,"), csv[csv.length - 1]);
        assertTrue(csv[csv.length - 1].endsWith(",2.5"), csv[csv.length - 1]);
    }
}
