package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The tuning-evaluation table, in the manner of benchstat and mmtests' compare-kernels: run A
 * (baseline) against run B, per row and path the two IOPS, delta % and its 95% confidence
 * interval; a change is marked only when the interval excludes 0, otherwise the delta prints as
 * {@code ~} like benchstat's.
 *
 * <p>The interval is Welch's: the JMH iteration scores of every fork of each run are the samples
 * (n = forks x iterations), the difference of the means gets a Student t quantile at the
 * Welch-Satterthwaite degrees of freedom (computed here, {@link Stats#studentQuantile}), and is
 * expressed as a percentage of A's mean (A's own uncertainty in the denominator is ignored,
 * as benchstat does). With fewer than 2 samples on a side no interval exists and the delta is
 * shown with {@code ?}. A geometric-mean row per path (and over both) closes the table, as
 * benchstat's {@code geomean}, without an interval.
 *
 * <p>Rows pair by row key, path and tunables; a row left over pairs by row key and path alone
 * when that is unambiguous on both sides (a tuning run usually changes a tunable).
 */
public final class RunComparison {

    /** Confidence of the intervals. */
    public static final double CONFIDENCE = 0.95;

    /** One row key and path measured in both runs. */
    public record Entry(RowKey key, String variant, PathLabel path, Measurement a, Measurement b,
                        double deltaPct, double ciLowPct, double ciHighPct, double p) {

        /** True when the interval excludes 0. */
        public boolean significant() {
            return Double.isFinite(ciLowPct) && (ciLowPct > 0 || ciHighPct < 0);
        }

        /** True when there were not enough samples for an interval. */
        public boolean undetermined() {
            return !Double.isFinite(ciLowPct);
        }

        /** The delta column as printed: {@code +6.2%}, {@code ~}, or {@code +6.2% ?}. */
        public String deltaText() {
            if (undetermined()) {
                return Format.signedPct(deltaPct) + " ?";
            }
            return significant() ? Format.signedPct(deltaPct) : "~";
        }
    }

    /** A geometric-mean line: over the rows of one path, or of both (path null). */
    public record Geomean(PathLabel path, int rows, double a, double b) {
        public double deltaPct() {
            return (b / a - 1) * 100;
        }
    }

    private final RunFolder runA;
    private final RunFolder runB;
    private final List<Entry> entries;
    private final int unmatched;

    private RunComparison(RunFolder a, RunFolder b, List<Entry> entries, int unmatched) {
        this.runA = a;
        this.runB = b;
        this.entries = Collections.unmodifiableList(entries);
        this.unmatched = unmatched;
    }

    /** Compares run B against baseline A. */
    public static RunComparison compare(RunFolder a, RunFolder b) {
        List<Measurement> restB = new ArrayList<>(b.measurements());
        List<Measurement> restA = new ArrayList<>();
        Map<Measurement, Measurement> pairs = new LinkedHashMap<>();
        for (Measurement ma : a.measurements()) {
            Measurement mb = restB.stream().filter(m -> m.row().equals(ma.row()) && m.path() == ma.path()
                    && m.variant().equals(ma.variant())).findFirst().orElse(null);
            if (mb != null) {
                pairs.put(ma, mb);
                restB.remove(mb);
            } else {
                restA.add(ma);
            }
        }
        int unmatched = 0;
        for (Measurement ma : restA) {
            List<Measurement> cb = restB.stream().filter(m -> m.row().equals(ma.row()) && m.path() == ma.path()).toList();
            long ca = restA.stream().filter(m -> m.row().equals(ma.row()) && m.path() == ma.path()).count();
            if (cb.size() == 1 && ca == 1) {
                pairs.put(ma, cb.get(0));
                restB.remove(cb.get(0));
            } else {
                unmatched++;
            }
        }
        unmatched += restB.size();
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Measurement, Measurement> e : pairs.entrySet()) {
            out.add(entry(e.getKey(), e.getValue()));
        }
        return new RunComparison(a, b, out, unmatched);
    }

    static Entry entry(Measurement a, Measurement b) {
        double[] w = Stats.welch(a.iterations(), b.iterations(), CONFIDENCE);
        double ma = Stats.mean(a.iterations());
        double delta = 100 * w[0] / ma;
        double half = 100 * w[1] / ma;
        String variant = a.variant().equals(b.variant()) ? a.variant()
                : (a.variant().isEmpty() ? "-" : a.variant()) + " -> " + (b.variant().isEmpty() ? "-" : b.variant());
        return new Entry(a.row(), variant, a.path(), a, b, delta, delta - half, delta + half, w[3]);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Measurements present in only one run (or ambiguous), left out of the table. */
    public int unmatched() {
        return unmatched;
    }

    public RunFolder runA() {
        return runA;
    }

    public RunFolder runB() {
        return runB;
    }

    /** Geometric means of A and B scores: per path, then over all rows (path null). */
    public List<Geomean> geomeans() {
        List<Geomean> g = new ArrayList<>();
        for (PathLabel p : PathLabel.values()) {
            List<Entry> es = entries.stream().filter(e -> e.path() == p).toList();
            if (!es.isEmpty()) {
                g.add(geomean(p, es));
            }
        }
        if (!entries.isEmpty()) {
            g.add(geomean(null, entries));
        }
        return g;
    }

    private static Geomean geomean(PathLabel p, List<Entry> es) {
        double[] a = es.stream().mapToDouble(e -> e.a().iops()).toArray();
        double[] b = es.stream().mapToDouble(e -> e.b().iops()).toArray();
        return new Geomean(p, es.size(), Stats.geomean(a), Stats.geomean(b));
    }

    /** Rows with a significant change. */
    public long significantCount() {
        return entries.stream().filter(Entry::significant).count();
    }

    /** Metadata keys whose values differ between the runs (tunables, devices...), except times and the command. */
    public Map<String, String[]> metadataDifferences() {
        Set<String> keys = new TreeSet<>(runA.metadata().keySet());
        keys.addAll(runB.metadata().keySet());
        Map<String, String[]> d = new LinkedHashMap<>();
        for (String k : keys) {
            if (Set.of("started", "finished", "command").contains(k)) {
                continue;
            }
            String va = runA.metadata().get(k);
            String vb = runB.metadata().get(k);
            if (!Objects.equals(va, vb)) {
                d.put(k, new String[] {va == null ? "-" : va, vb == null ? "-" : vb});
            }
        }
        return d;
    }

    /** The comparison table, geometric-mean rows last. */
    public Table table() {
        boolean variants = entries.stream().map(Entry::variant).distinct().count() > 1;
        List<String> h = new ArrayList<>(List.of("row", "path"));
        if (variants) {
            h.add("tunables");
        }
        int keys = h.size();
        h.addAll(List.of("A IOPS", "A ±", "B IOPS", "B ±", "delta", "95% CI", "p", "n"));
        List<List<String>> rows = new ArrayList<>();
        for (Entry e : entries) {
            List<String> c = new ArrayList<>(List.of(e.key().key(), e.path().param()));
            if (variants) {
                c.add(e.variant());
            }
            c.add(Format.iops(e.a().iops()));
            c.add(errText(e.a()));
            c.add(Format.iops(e.b().iops()));
            c.add(errText(e.b()));
            c.add(e.deltaText());
            c.add(e.undetermined() ? Format.NONE
                    : "[" + Format.signedPct(e.ciLowPct()) + ", " + Format.signedPct(e.ciHighPct()) + "]");
            c.add(Double.isFinite(e.p()) ? String.format(Locale.ROOT, "%.3f", e.p()) : Format.NONE);
            c.add(e.a().iterations().length + "+" + e.b().iterations().length);
            rows.add(c);
        }
        for (Geomean g : geomeans()) {
            List<String> c = new ArrayList<>(List.of("geomean", g.path() == null ? "all" : g.path().param()));
            if (variants) {
                c.add("");
            }
            c.addAll(List.of(Format.iops(g.a()), "", Format.iops(g.b()), "", Format.signedPct(g.deltaPct()), "", "",
                    g.rows() + " rows"));
            rows.add(c);
        }
        return new Table("A vs B", h, rows, keys);
    }

    private static String errText(Measurement m) {
        return Double.isFinite(m.errorPct()) ? "±" + Format.pct(m.errorPct()) : Format.NONE;
    }

    /** The Markdown report for {@code foliobench compare}. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# foliobench compare\n\n");
        b.append("- A (baseline): ").append(runA.dir()).append(runA.complete() ? "" : " (INCOMPLETE)").append('\n');
        b.append("- B: ").append(runB.dir()).append(runB.complete() ? "" : " (INCOMPLETE)").append("\n\n");
        for (RunFolder r : List.of(runA, runB)) {
            if (!r.complete()) {
                b.append("> **").append(r.incompleteNotice()).append("**\n\n");
            }
        }
        Map<String, String[]> diff = metadataDifferences();
        if (!diff.isEmpty()) {
            b.append("Differences between the runs:\n\n");
            diff.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v[0]).append(" -> ").append(v[1]).append('\n'));
            b.append('\n');
        }
        if (entries.isEmpty()) {
            b.append("No row was measured in both runs.\n");
            return b.toString();
        }
        if (entries.stream().map(Entry::variant).distinct().count() == 1 && !entries.get(0).variant().isEmpty()) {
            b.append("JMH tunable parameters of every row: ").append(entries.get(0).variant()).append("\n\n");
        }
        b.append(table().markdown()).append('\n');
        b.append(String.format(Locale.ROOT, "%d of %d changes significant. ", significantCount(), entries.size()));
        b.append("delta = B/A - 1 of the mean IOPS; 95% CI from Welch's t on the JMH iteration scores "
                + "(n = forks x iterations per run); \"~\" = the interval includes 0 (no significant change); "
                + "\"?\" = too few samples for an interval; ± = JMH's 99.9% score error.");
        if (unmatched > 0) {
            b.append(" ").append(unmatched).append(" measurement(s) present in only one run are not shown.");
        }
        b.append('\n');
        return b.toString();
    }

    /** The comparison as CSV (full precision). */
    public String csv() {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setCommentMarker('#').get())) {
            for (RunFolder r : List.of(runA, runB)) {
                if (!r.complete()) {
                    out.printComment(r.incompleteNotice());
                }
            }
            out.printRecord("row", "path", "tunables", "a_iops", "a_score_error", "a_n", "b_iops", "b_score_error", "b_n",
                    "delta_pct", "ci_low_pct", "ci_high_pct", "p", "significant");
            for (Entry e : entries) {
                out.printRecord(e.key().key(), e.path().param(), e.variant(), SeedTables.num(e.a().iops()),
                        SeedTables.num(e.a().scoreError()), e.a().iterations().length, SeedTables.num(e.b().iops()),
                        SeedTables.num(e.b().scoreError()), e.b().iterations().length, SeedTables.num(e.deltaPct()),
                        SeedTables.num(e.ciLowPct()), SeedTables.num(e.ciHighPct()), SeedTables.num(e.p()),
                        e.undetermined() ? "?" : e.significant() ? "Y" : "N");
            }
            for (Geomean g : geomeans()) {
                out.printRecord("geomean", g.path() == null ? "all" : g.path().param(), "", SeedTables.num(g.a()), "",
                        g.rows(), SeedTables.num(g.b()), "", g.rows(), SeedTables.num(g.deltaPct()), "", "", "", "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** One line for the CLI: how many rows changed significantly, the overall geomean delta. */
    public String summaryLine() {
        List<Geomean> g = geomeans();
        String all = g.isEmpty() ? Format.NONE : Format.signedPct(g.get(g.size() - 1).deltaPct());
        String incomplete = runA.complete() && runB.complete() ? "" : " (INCOMPLETE run: results are partial)";
        return significantCount() + " of " + entries.size() + " row/path pairs changed significantly; geomean " + all
                + incomplete;
    }
}
