package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.foliobench.layout.RowKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {

    @TempDir
    Path tmp;

    private RunFolder run(String name, double scale, double iomapFactor, long seed, boolean incomplete) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.scale = scale;
        s.iomapFactor = iomapFactor;
        s.seed = seed;
        s.incomplete = incomplete;
        s.latency = false;
        return RunFolder.read(RunFixtures.write(tmp.resolve(name), s));
    }

    @Test
    void identicalSamplesAreNoChange() throws IOException {
        RunFolder a = run("a", 0.5, 1, 7, false);
        RunFolder b = run("b", 0.5, 1, 7, false);
        RunComparison c = RunComparison.compare(a, b);
        assertEquals(78, c.entries().size());
        for (RunComparison.Entry e : c.entries()) {
            assertEquals(0, e.deltaPct(), 1e-12);
            assertFalse(e.significant(), e.toString());
            assertEquals("~", e.deltaText());
        }
        assertEquals(0, c.significantCount());
        assertTrue(c.markdown().matches("(?s).*\\|\\s+~ \\|.*"), c.markdown());
    }

    @Test
    void clearlyShiftedIsSignificantWithTheRightSign() throws IOException {
        RunFolder a = run("a", 0.5, 1, 7, false);
        RunFolder faster = run("b", 0.5, 1.2, 7, false); // same noise draws, iomap 20% faster
        RunComparison c = RunComparison.compare(a, faster);
        for (RunComparison.Entry e : c.entries()) {
            if (e.path() == PathLabel.IOMAP) {
                assertTrue(e.significant(), e.toString());
                assertEquals(20, e.deltaPct(), 0.5);
                assertTrue(e.ciLowPct() > 0 && e.ciLowPct() < 20 && e.ciHighPct() > 20, e.toString());
                assertTrue(e.deltaText().startsWith("+"), e.deltaText());
                assertTrue(e.p() < 0.001, "p " + e.p());
            } else {
                assertFalse(e.significant(), e.toString());
            }
        }
        RunComparison slower = RunComparison.compare(faster, a);
        RunComparison.Entry e = slower.entries().stream().filter(x -> x.path() == PathLabel.IOMAP).findFirst().get();
        assertTrue(e.significant());
        assertEquals(-100.0 * 0.2 / 1.2, e.deltaPct(), 0.5);
        assertTrue(e.deltaText().startsWith("-"));
        List<RunComparison.Geomean> g = c.geomeans();
        assertEquals(3, g.size());
        assertEquals(0, g.get(0).deltaPct(), 1e-9, "bh unchanged");
        assertEquals(20, g.get(1).deltaPct(), 1e-9, "iomap +20%");
        assertEquals(100 * (Math.sqrt(1.2) - 1), g.get(2).deltaPct(), 1e-9);
        String md = c.markdown();
        assertTrue(md.matches("(?s).*\\| geomean +\\| iomap +\\|.*"), md);
        assertTrue(md.contains("+20%"), md);
        assertTrue(c.summaryLine().startsWith("39 of 78 row/path pairs changed significantly"), c.summaryLine());
        String csv = c.csv();
        assertTrue(csv.startsWith("row,path,tunables,a_iops"), csv);
        assertEquals(1 + 78 + 3, csv.split("\n").length);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(c.json());
        List<?> rows = (List<?>) json.get("entries");
        assertEquals(78 + 3, rows.size());
        Map<?, ?> first = (Map<?, ?>) rows.get(0);
        assertEquals(RunComparison.COLUMNS, List.copyOf(first.keySet()), "the CSV's columns");
        assertTrue(first.get("a_iops") instanceof Double, "numbers as numbers");
        assertTrue(first.get("significant") instanceof Boolean);
        assertEquals(c.summaryLine(), json.get("summary"));
        Map<?, ?> geomean = (Map<?, ?>) rows.get(rows.size() - 1);
        assertEquals("geomean", geomean.get("row"));
        assertNull(geomean.get("p"), "no interval: null, not NaN");
    }

    @Test
    void noisyOverlapIsNotSignificant() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.noise = 0.2;
        s.latency = false;
        s.rows = k -> k.key().equals("read/hole/4K");
        s.seed = 1;
        RunFolder a = RunFolder.read(RunFixtures.write(tmp.resolve("a"), s));
        s.seed = 2;
        s.iomapFactor = 1.01;
        RunFolder b = RunFolder.read(RunFixtures.write(tmp.resolve("b"), s));
        for (RunComparison.Entry e : RunComparison.compare(a, b).entries()) {
            // 1% shift under 20% noise with 10 samples each: the interval straddles 0 unless the draws are wild
            assertTrue(e.ciLowPct() < e.deltaPct() && e.deltaPct() < e.ciHighPct());
        }
    }

    @Test
    void pairsAcrossDifferentTunablesAndReportsDifferences() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.latency = false;
        s.rows = k -> k.isRead();
        RunFolder a = RunFolder.read(RunFixtures.write(tmp.resolve("a"), s));
        s.params.put("maxFolioOrder", "0");
        s.incomplete = true;
        RunFolder b = RunFolder.read(RunFixtures.write(tmp.resolve("b"), s));
        RunComparison c = RunComparison.compare(a, b);
        assertEquals(18, c.entries().size());
        // one setting per run is no variant; the change shows in the metadata differences
        assertEquals("", c.entries().get(0).variant());
        Map<String, String[]> d = c.metadataDifferences();
        assertEquals("9", d.get("maxFolioOrder")[0]);
        assertEquals("0", d.get("maxFolioOrder")[1]);
        String md = c.markdown();
        assertTrue(md.contains("- maxFolioOrder: 9 -> 0"), md);
        assertTrue(md.contains("INCOMPLETE RUN"), md);
        assertTrue(c.summaryLine().contains("INCOMPLETE"), c.summaryLine());
        assertTrue(c.csv().startsWith("row,path,"), "only CSV: the notice is the caller's to print elsewhere");
        assertEquals(1, c.incompleteNotices().size());
        assertTrue(c.incompleteNotices().get(0).startsWith("INCOMPLETE RUN"));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(c.json());
        assertEquals(Boolean.FALSE, ((Map<?, ?>) json.get("b")).get("complete"));
        assertEquals(List.of("9", "0"), ((Map<?, ?>) json.get("metadata_differences")).get("maxFolioOrder"));
    }

    @Test
    void singleIterationHasNoInterval() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.latency = false;
        s.forks = 1;
        s.iterations = 1;
        s.rows = k -> k.key().equals("read/hole/4K");
        RunFolder a = RunFolder.read(RunFixtures.write(tmp.resolve("a"), s));
        s.iomapFactor = 2;
        RunFolder b = RunFolder.read(RunFixtures.write(tmp.resolve("b"), s));
        RunComparison.Entry e = RunComparison.compare(a, b).entries().get(1);
        assertTrue(e.undetermined());
        assertFalse(e.significant());
        assertEquals("+100% ?", e.deltaText());
    }
    private RunFolder paired(String name, double iomapFactor, long seed, int forks) throws IOException {
        return paired(name, 0.5, iomapFactor, seed, forks);
    }

    private RunFolder paired(String name, double scale, double iomapFactor, long seed, int forks) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.scale = scale;
        s.iomapFactor = iomapFactor;
        s.seed = seed;
        s.forks = forks;
        s.iterations = 8;
        s.noise = 0.03;
        s.latency = false;
        return RunFolder.read(RunFixtures.paired(tmp.resolve(name), s));
    }

    /** A three-path run of the read/hole rows; bhlf at {@code bhlfOverIomap} of iomap. */
    private RunFolder threePaths(String name, double bhlfOverIomap, long seed) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.bhlf = true;
        s.bhlfOverIomap = bhlfOverIomap;
        s.seed = seed;
        s.forks = 4;
        s.iterations = 8;
        s.noise = 0.01;
        s.latency = false;
        s.rows = k -> k.key().startsWith("read/hole/");
        return RunFolder.read(RunFixtures.paired(tmp.resolve(name), s));
    }

    @Test
    void twoThreeWayRunsCompareTheBhlfSpeedupsToo() throws IOException {
        RunFolder a = threePaths("a3", 0.95, 1);
        RunComparison aa = RunComparison.compare(a, threePaths("b3", 0.95, 2));
        assertEquals(3, aa.speedups().size());
        assertEquals(3, aa.bhlfSpeedups().size(), "one bhlf/bh speedup per row");
        for (RunComparison.SpeedupEntry e : aa.bhlfSpeedups()) {
            Measurement bh = a.measurements().stream().filter(m -> m.row().equals(e.key()) && m.path() == PathLabel.BH)
                    .findFirst().orElseThrow();
            assertEquals(Paired.speedup(bh.rowPasses(), "bh", "bhlf").value(), e.a().value(), 1e-12);
        }
        String md = aa.markdown();
        assertTrue(md.contains("Speedups (bhlf IOPS / bh IOPS, paired within each fork)") && md.contains("A bhlf/bh")
                && md.contains("did B change the bhlf advantage?"), md);
        assertTrue(aa.summaryLine().contains(" of 3 bhlf speedups"), aa.summaryLine());
        assertTrue(aa.json().contains("\"bhlf_speedups\""), aa.json());

        // bhlf 30% faster in B, iomap unchanged: every bhlf speedup moves, no iomap one
        RunComparison ac = RunComparison.compare(a, threePaths("c3", 0.95 * 1.3, 3));
        assertEquals(3, ac.significantBhlfSpeedups(), ac.summaryLine());
        assertEquals(0, ac.significantSpeedups(), ac.summaryLine());
        for (RunComparison.SpeedupEntry e : ac.bhlfSpeedups()) {
            assertEquals(30, e.deltaPct(), 6, e.key().key());
        }

        RunFolder two = paired("two", 1, 4, 4);
        RunComparison mixed = RunComparison.compare(two, a);
        assertTrue(mixed.bhlfSpeedups().isEmpty(), "bhlf in one run only: no bhlf speedups");
        assertFalse(mixed.markdown().contains("bhlf/bh"), mixed.markdown());
    }

    @Test
    void twoKernelRunsAreComparedAsXfsOverExt4() throws IOException {
        RunFolder a = RunFolder.read(RunFixtures.kernel(tmp.resolve("ka")));
        RunFolder b = RunFolder.read(RunFixtures.kernel(tmp.resolve("kb")));
        RunComparison c = RunComparison.compare(a, b);
        assertEquals(2, c.speedups().size(), "read/hole/1M and write/cache/N/N/N/1M");
        assertEquals(List.of("row", "A xfs/ext4", "B xfs/ext4"), c.speedupTable().header().subList(0, 3));
        String md = c.markdown();
        assertTrue(md.contains("Speedups (xfs IOPS / ext4 IOPS, paired within each fork)")
                && md.contains("did B change the xfs advantage?"), md);
        assertTrue(!md.contains("iomap"), "no model path named in a comparison of two kernel runs:\n" + md);
    }

    @Test
    void pairedRunsAreComparedByForkAndTheirSpeedupsToo() throws IOException {
        RunFolder a = paired("a", 1, 1, 4);
        RunFolder b = paired("b", 1, 2, 4); // the same distribution: an A/A pair
        RunComparison aa = RunComparison.compare(a, b);
        assertEquals(78, aa.entries().size());
        assertEquals(39, aa.speedups().size());
        // a 95% interval flags about 5% of identical pairs; far more would mean it misses fork-to-fork variance
        assertTrue(aa.significantCount() <= 10, aa.summaryLine());
        assertTrue(aa.significantSpeedups() <= 6, aa.summaryLine());
        assertTrue(aa.entries().get(0).a().estimate() != null);
        assertTrue(aa.markdown().contains("Speedups (iomap IOPS / bh IOPS") && aa.markdown().contains("A iomap/bh"), aa.markdown());
        assertTrue(aa.summaryLine().contains(" of 39 speedups"), aa.summaryLine());

        RunFolder c = paired("c", 1.25, 3, 4); // iomap 25% faster: every iomap row and every speedup moves
        RunComparison ac = RunComparison.compare(a, c);
        assertEquals(39, ac.significantSpeedups(), ac.summaryLine());
        for (RunComparison.SpeedupEntry e : ac.speedups()) {
            assertEquals(25, e.deltaPct(), 8, e.key().key());
        }
        assertTrue(ac.entries().stream().filter(e -> e.path() == PathLabel.IOMAP).allMatch(RunComparison.Entry::significant));
    }

    @Test
    void oneForkIsTooFewToSay() throws IOException {
        RunComparison c = RunComparison.compare(paired("a", 1, 1, 1), paired("b", 1.5, 2, 1));
        assertEquals(0, c.significantCount());
        assertTrue(c.entries().stream().allMatch(RunComparison.Entry::undetermined));
        assertTrue(c.speedups().stream().allMatch(RunComparison.SpeedupEntry::undetermined));
        assertTrue(c.entries().get(0).deltaText().endsWith("?"), c.entries().get(0).deltaText());
    }

    @Test
    void aMachineWideShiftIsReportedAndRowsAreTestedBeyondIt() throws IOException {
        RunFolder a = paired("a", 0.5, 1, 1, 5);
        RunFolder b = paired("b", 0.5 * 1.06, 1, 2, 5); // every row of both paths 6% faster: another machine state
        RunComparison c = RunComparison.compare(a, b);
        assertEquals(6, c.shift().pct(), 1.5, c.shiftText());
        assertTrue(c.shift().se() > 0);
        assertTrue(c.significantCount() <= 8, c.summaryLine());
        assertTrue(c.summaryLine().contains("beyond the shared shift of +"), c.summaryLine());
        for (RunComparison.Entry e : c.entries()) {
            assertEquals(e.deltaPct(), (1 + e.beyondPct() / 100) * (1 + c.shift().pct() / 100) * 100 - 100, 1e-6);
        }
        assertTrue(c.markdown().contains("| beyond shift |") && c.markdown().contains("Both paths moved by +"), c.markdown());
        assertTrue(c.significantSpeedups() <= 6, c.summaryLine()); // the ratio cancels the machine

        // iomap 25% faster and bh unchanged: nothing is shared, each row's whole change is tested
        RunComparison d = RunComparison.compare(a, paired("c", 0.5, 1.25, 3, 5));
        assertTrue(Math.abs(d.shift().pct()) < 2, d.shiftText());
        assertTrue(d.entries().stream().filter(e -> e.path() == PathLabel.IOMAP).allMatch(RunComparison.Entry::significant));
        assertTrue(d.entries().stream().filter(e -> e.path() == PathLabel.BH).filter(RunComparison.Entry::significant).count() <= 5);

        // both faster, iomap more: the shared part is bh's, iomap's rows are flagged for the rest
        RunComparison e = RunComparison.compare(a, paired("d", 0.5 * 1.10, 1.2, 4, 5));
        assertEquals(10, e.shift().pct(), 2, e.shiftText());
        List<RunComparison.Entry> iomap = e.entries().stream().filter(x -> x.path() == PathLabel.IOMAP).toList();
        assertTrue(iomap.stream().allMatch(RunComparison.Entry::significant));
        assertEquals(20, iomap.stream().mapToDouble(RunComparison.Entry::beyondPct).average().orElseThrow(), 3);
    }

    @Test
    void pairsRowsByTheFullKeyIncludingNumjobs() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.rows = k -> k.equals(RowKey.parse("read/hole/4K"));
        s.numjobs = List.of(1, 2);
        s.latency = false;
        RunFolder a = RunFolder.read(RunFixtures.paired(tmp.resolve("a"), s));
        s.perThread = 0.5; // B: the second thread adds half as much
        RunFolder b = RunFolder.read(RunFixtures.paired(tmp.resolve("b"), s));
        RunComparison c = RunComparison.compare(a, b);
        assertEquals(4, c.entries().size());
        for (RunComparison.Entry e : c.entries()) {
            assertEquals(e.a().row(), e.b().row());
            assertEquals(e.key(), e.a().row());
        }
        // a run without the sweep shares no row with it: numjobs=1 is not the unswept row
        s.numjobs = List.of();
        RunFolder plain = RunFolder.read(RunFixtures.paired(tmp.resolve("plain"), s));
        assertEquals(0, RunComparison.compare(plain, a).entries().size());
    }
}
