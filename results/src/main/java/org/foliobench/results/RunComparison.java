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
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;

/**
 * The tuning-evaluation table, in the manner of benchstat and mmtests' compare-kernels: run A
 * (baseline) against run B, per row and path the two IOPS, delta % and its 95% confidence
 * interval; a change is marked only when the interval excludes 0, otherwise the delta prints as
 * {@code ~} like benchstat's.
 *
 * <p>For paired runs (a pass log) the samples are the forks: each run's estimate of a row's IOPS,
 * and of its iomap/bh speedup, carries a standard error that sees fork-to-fork variance
 * ({@link Paired}), and the difference of the two log estimates gets a Student t interval at the
 * Welch-Satterthwaite degrees of freedom over the fork counts ({@link Paired#difference}). Since a
 * run spreads each row's forks over its whole length, slow drift of the machine is inside that
 * variance; a change of the machine's state from one run to the next is not, and it moves every row
 * alike, so per-path IOPS are tested beyond the {@link Shift} all rows shared. The speedups are
 * compared too: did a change alter the iomap advantage? (The machine's state cancels in a paired
 * ratio, so a speedup's whole change is tested.) With fewer than two forks on a side no interval
 * exists and the delta is shown with {@code ?}, as benchstat says when there are too few samples. Runs from before the pass log fall back to Welch's t on the JMH
 * iteration scores. A geometric-mean row per path (and over both) closes the table, as
 * benchstat's {@code geomean}, without an interval.
 *
 * <p>Rows pair by row key, path and tunables; a row left over pairs by row key and path alone
 * when that is unambiguous on both sides (a tuning run usually changes a tunable).
 */
public final class RunComparison {

    /** Confidence of the intervals. */
    public static final double CONFIDENCE = 0.95;

    /**
     * One row key and path measured in both runs: {@code deltaPct} is B/A - 1 of its IOPS; the test
     * is of what changed beyond the runs' shared {@link Shift} ({@code beyondPct}, with its interval
     * and p), or of the whole delta for runs without a pass log.
     */
    public record Entry(RowKey key, String variant, PathLabel path, Measurement a, Measurement b,
                        double deltaPct, double beyondPct, double ciLowPct, double ciHighPct, double p) {

        /** From a paired difference less the shared shift (null: too few forks). */
        Entry(RowKey key, String variant, PathLabel path, Measurement a, Measurement b, double delta, Paired.Difference d) {
            this(key, variant, path, a, b, pct(delta), d == null ? pct(delta) : pct(d.log()), d == null ? Double.NaN : pct(d.lo()),
                    d == null ? Double.NaN : pct(d.hi()), d == null ? Double.NaN : d.p());
        }

        /** True when the interval excludes 0. */
        public boolean significant() {
            return Double.isFinite(ciLowPct) && (ciLowPct > 0 || ciHighPct < 0);
        }

        /** True when there were not enough samples for an interval. */
        public boolean undetermined() {
            return !Double.isFinite(ciLowPct);
        }

        /** The tested change as printed: {@code +6.2%}, {@code ~}, or {@code +6.2% ?}. */
        public String deltaText() {
            if (undetermined()) {
                return Format.signedPct(beyondPct) + " ?";
            }
            return significant() ? Format.signedPct(beyondPct) : "~";
        }
    }

    /**
     * The change every row of every path shares: what a change of the machine's state between two
     * runs does (another tenant, clock, memory placement: identical runs can move every row alike),
     * and what a change of code or a tunable that
     * acts on one path does not. Per path, the median of its rows' log changes; the shared shift is
     * the one nearest 0 when every path moved the same way, else 0. Rows are tested for what changed
     * beyond it, with its standard error (of a median: {@code 1.2533 * 1.4826 MAD / sqrt(n)}) added
     * to theirs. A shift of every row cannot be told from the machine's state by two runs; it is
     * reported, not tested.
     */
    public record Shift(Map<PathLabel, Double> perPath, double log, double se) {
        static final Shift NONE = new Shift(Map.of(), 0, 0);

        public double pct() {
            return RunComparison.pct(log);
        }

        static Shift of(Map<PathLabel, double[]> changes) {
            Map<PathLabel, Double> med = new LinkedHashMap<>();
            Map<PathLabel, Double> err = new LinkedHashMap<>();
            changes.forEach((p, d) -> {
                double m = Paired.median(d.clone());
                double[] dev = new double[d.length];
                for (int i = 0; i < d.length; i++) {
                    dev[i] = Math.abs(d[i] - m);
                }
                med.put(p, m);
                err.put(p, d.length < 2 ? Double.NaN : 1.2533 * 1.4826 * Paired.median(dev) / Math.sqrt(d.length));
            });
            boolean up = med.values().stream().allMatch(m -> m > 0);
            boolean down = med.values().stream().allMatch(m -> m < 0);
            if (med.size() < 2 || err.values().stream().anyMatch(e -> !Double.isFinite(e))
                    || !(up || down)) {
                return new Shift(med, 0, 0);
            }
            PathLabel least = med.keySet().stream().min((x, y) -> Double.compare(Math.abs(med.get(x)), Math.abs(med.get(y)))).get();
            return new Shift(med, med.get(least), err.get(least));
        }
    }

    /** A speedup (iomap/bh, xfs/ext4 or bhlf/bh) of one row in both runs; {@code d} from {@link Paired#difference} (null: too few forks). */
    public record SpeedupEntry(RowKey key, String variant, Paired.Estimate a, Paired.Estimate b, Paired.Difference d) {
        public double deltaPct() {
            return pct(b.log() - a.log());
        }

        public boolean undetermined() {
            return d == null;
        }

        public boolean significant() {
            return d != null && d.significant();
        }

        public String deltaText() {
            if (undetermined()) {
                return Format.signedPct(deltaPct()) + " ?";
            }
            return significant() ? Format.signedPct(deltaPct()) : "~";
        }
    }

    /** {@code exp(x) - 1} in percent: a log difference as a relative change. */
    static double pct(double logDiff) {
        return 100 * (Math.exp(logDiff) - 1);
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
    private final Shift shift;
    private final int unmatched;
    private final List<SpeedupEntry> speedups;
    private final List<SpeedupEntry> bhlfSpeedups;

    private RunComparison(RunFolder a, RunFolder b, List<Entry> entries, Shift shift, int unmatched) {
        this.runA = a;
        this.runB = b;
        this.entries = Collections.unmodifiableList(entries);
        this.shift = shift;
        this.unmatched = unmatched;
        this.speedups = speedups(this.entries, a.paths().get(1));
        this.bhlfSpeedups = ThreeWayTable.applies(a) && ThreeWayTable.applies(b) ? speedups(this.entries, PathLabel.BHLF) : List.of();
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
        boolean paired = pairs.entrySet().stream().allMatch(e -> e.getKey().estimate() != null && e.getValue().estimate() != null);
        Shift shift = Shift.NONE;
        if (paired && !pairs.isEmpty()) {
            Map<PathLabel, List<Double>> changes = new TreeMap<>();
            pairs.forEach((ma, mb) -> changes.computeIfAbsent(ma.path(), p -> new ArrayList<>())
                    .add(mb.estimate().log() - ma.estimate().log()));
            Map<PathLabel, double[]> arrays = new LinkedHashMap<>();
            changes.forEach((p, l) -> arrays.put(p, l.stream().mapToDouble(Double::doubleValue).toArray()));
            shift = Shift.of(arrays);
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Measurement, Measurement> e : pairs.entrySet()) {
            out.add(entry(e.getKey(), e.getValue(), paired ? shift : null));
        }
        return new RunComparison(a, b, out, shift, unmatched);
    }

    /** A paired entry tested beyond {@code shift}, or (null) an older run's by Welch's t on its iterations. */
    static Entry entry(Measurement a, Measurement b, Shift shift) {
        String variant = variant(a.variant(), b.variant());
        if (shift != null) {
            Paired.Difference d = Paired.difference(a.estimate(), b.estimate());
            double delta = b.estimate().log() - a.estimate().log();
            return new Entry(a.row(), variant, a.path(), a, b, delta, d == null ? null : d.beyond(shift.log(), shift.se()));
        }
        double[] w = Stats.welch(a.iterations(), b.iterations(), CONFIDENCE);
        double ma = Stats.mean(a.iterations());
        double delta = 100 * w[0] / ma;
        double half = 100 * w[1] / ma;
        return new Entry(a.row(), variant, a.path(), a, b, delta, delta, delta - half, delta + half, w[3]);
    }

    static String variant(String a, String b) {
        return a.equals(b) ? a : (a.isEmpty() ? "-" : a) + " -> " + (b.isEmpty() ? "-" : b);
    }

    /** The iomap/bh (xfs/ext4) speedups of rows paired in both runs, B against A. */
    public List<SpeedupEntry> speedups() {
        return speedups;
    }

    /**
     * The bhlf/bh speedups of rows paired in both runs, B against A: for tuning the third path
     * ({@code --paths bh,iomap,bhlf} in both); empty unless both runs measured bhlf.
     */
    public List<SpeedupEntry> bhlfSpeedups() {
        return bhlfSpeedups;
    }

    /** {@code test}/base speedups, each run's paired estimate from the base measurement's fork passes. */
    private static List<SpeedupEntry> speedups(List<Entry> entries, PathLabel test) {
        List<SpeedupEntry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.path().side() != 0) {
                continue;
            }
            Paired.Estimate a = speedup(e.a(), test);
            Paired.Estimate b = speedup(e.b(), test);
            if (a != null && b != null) {
                out.add(new SpeedupEntry(e.key(), e.variant(), a, b, Paired.difference(a, b)));
            }
        }
        return List.copyOf(out);
    }

    /** {@code test}/base of the forks {@code base} ran in (null without a pass log, or when {@code test} did not run there). */
    private static Paired.Estimate speedup(Measurement base, PathLabel test) {
        return base.rowPasses().isEmpty() ? null : Paired.speedup(base.rowPasses(), base.path().param(), test.param());
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The change every row shared ({@link Shift#NONE} for runs without a pass log). */
    public Shift shift() {
        return shift;
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
        h.addAll(List.of("A IOPS", "A ±", "B IOPS", "B ±", "delta", shift.log() == 0 ? "change" : "beyond shift", "95% CI", "p",
                "n"));
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
            c.add(Format.signedPct(e.deltaPct()));
            c.add(e.deltaText());
            c.add(e.undetermined() ? Format.NONE
                    : "[" + Format.signedPct(e.ciLowPct()) + ", " + Format.signedPct(e.ciHighPct()) + "]");
            c.add(Double.isFinite(e.p()) ? String.format(Locale.ROOT, "%.3f", e.p()) : Format.NONE);
            c.add(samples(e.a()) + "+" + samples(e.b()));
            rows.add(c);
        }
        for (Geomean g : geomeans()) {
            List<String> c = new ArrayList<>(List.of("geomean", g.path() == null ? "all" : g.path().param()));
            if (variants) {
                c.add("");
            }
            c.addAll(List.of(Format.iops(g.a()), "", Format.iops(g.b()), "", Format.signedPct(g.deltaPct()), "", "", "",
                    g.rows() + " rows"));
            rows.add(c);
        }
        return new Table("A vs B", h, rows, keys);
    }

    /** Forks of a paired measurement ({@code 3f}), JMH iterations of an older one. */
    private static String samples(Measurement m) {
        return m.estimate() != null ? m.estimate().forks() + "f" : String.valueOf(m.iterations().length);
    }

    /** The speedup table: iomap/bh in A and B with their intervals, and the change. */
    public Table speedupTable() {
        return speedupTable(speedups(), pair().get(1));
    }

    /** {@link #speedupTable()} of {@code entries}, the speedups of {@code test} against the base. */
    private Table speedupTable(List<SpeedupEntry> entries, PathLabel test) {
        List<List<String>> rows = new ArrayList<>();
        for (SpeedupEntry e : entries) {
            rows.add(List.of(e.key().key() + (e.variant().isEmpty() ? "" : " [" + e.variant() + "]"), speedupText(e.a()),
                    speedupText(e.b()), e.deltaText(), e.undetermined() ? Format.NONE
                            : "[" + Format.signedPct(pct(e.d().lo())) + ", " + Format.signedPct(pct(e.d().hi())) + "]",
                    e.a().forks() + "f+" + e.b().forks() + "f"));
        }
        String ratio = test.param() + "/" + pair().get(0).param();
        return new Table("speedup A vs B", List.of("row", "A " + ratio, "B " + ratio, "delta", "95% CI", "n"), rows, 1);
    }

    /** The runs' two columns, base first: bh and iomap, or ext4 and xfs for runs of the kernel. */
    private List<PathLabel> pair() {
        return runA.paths();
    }

    static String speedupText(Paired.Estimate e) {
        return String.format(Locale.ROOT, "%.3f", e.value()) + (e.hasInterval() ? " ±" + Format.pct(e.halfWidthPct()) : "");
    }

    /** The shared shift as a sentence: each path's median change and what the rows are tested beyond. */
    public String shiftText() {
        StringBuilder b = new StringBuilder("Median change per path: ");
        shift.perPath().forEach((p, m) -> b.append(p.param()).append(' ').append(Format.signedPct(pct(m))).append(", "));
        b.setLength(b.length() - 2);
        if (shift.log() == 0) {
            return b.append(". The paths did not move the same way, so no shift is shared: each row's whole delta is tested.")
                    .toString();
        }
        return b.append(String.format(Locale.ROOT, ". Both paths moved by %s or more (shared shift, 95%% ±%s): a shift of every "
                + "row is what a change of the machine's state between runs makes as well as a change of code, and two runs "
                + "cannot tell them apart; rows are tested for what changed beyond it.", Format.signedPct(shift.pct()),
                Format.pct(100 * (Math.exp(1.96 * shift.se()) - 1)))).toString();
    }

    /** Speedups with a significant change. */
    public long significantSpeedups() {
        return speedups().stream().filter(SpeedupEntry::significant).count();
    }

    /** bhlf/bh speedups with a significant change. */
    public long significantBhlfSpeedups() {
        return bhlfSpeedups().stream().filter(SpeedupEntry::significant).count();
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
        boolean paired = entries.stream().allMatch(e -> e.a().estimate() != null && e.b().estimate() != null);
        if (entries.stream().map(Entry::variant).distinct().count() == 1 && !entries.get(0).variant().isEmpty()) {
            b.append("JMH tunable parameters of every row: ").append(entries.get(0).variant()).append("\n\n");
        }
        if (paired) {
            b.append(shiftText()).append("\n\n");
        }
        b.append(table().markdown()).append('\n');
        b.append(String.format(Locale.ROOT, "%d of %d changes significant. ", significantCount(), entries.size()));
        b.append(paired ? "delta = B/A - 1 of the IOPS estimates; " + (shift.log() == 0 ? "change = the delta tested"
                : "beyond shift = (B/A) / (1 + shared shift) - 1, the part of the delta that is not the shift every row shared")
                + "; 95% CI of it from the two runs' standard errors (hierarchical bootstrap over forks and passes) and the "
                + "shift's, Student t at Welch-Satterthwaite df over the forks (n = forks per run); ± = half-width of each "
                + "run's own 95% interval; "
                : "delta = B/A - 1 of the mean IOPS; change = the delta tested; 95% CI from Welch's t on the JMH iteration "
                + "scores (n = forks x iterations per run); ± = JMH's 99.9% score error; ");
        b.append("\"~\" = the interval includes 0 (no significant change); \"?\" = too few samples (forks) for an interval.");
        if (unmatched > 0) {
            b.append(" ").append(unmatched).append(" measurement(s) present in only one run are not shown.");
        }
        b.append('\n');
        speedupSection(b, speedups(), pair().get(1));
        speedupSection(b, bhlfSpeedups(), PathLabel.BHLF);
        return b.toString();
    }

    /** The speedups of {@code test} against the base, as a Markdown section of {@link #markdown()} (nothing when none). */
    private void speedupSection(StringBuilder b, List<SpeedupEntry> sp, PathLabel test) {
        if (sp.isEmpty()) {
            return;
        }
        b.append("\nSpeedups (").append(test.param()).append(" IOPS / ").append(pair().get(0).param())
                .append(" IOPS, paired within each fork):\n\n").append(speedupTable(sp, test).markdown()).append('\n');
        b.append(String.format(Locale.ROOT, "%d of %d speedups changed significantly (same method, on the paired "
                + "log ratios: did B change the %s advantage?).%n", sp.stream().filter(SpeedupEntry::significant).count(),
                sp.size(), test.param()));
    }

    /** The columns of {@link #csv()} and the members of each entry of {@link #json()}. */
    static final List<String> COLUMNS = List.of("row", "path", "tunables", "a_iops", "a_score_error", "a_n", "b_iops",
            "b_score_error", "b_n", "delta_pct", "beyond_shift_pct", "ci_low_pct", "ci_high_pct", "p", "significant");

    /**
     * The table's lines, one per row and path then the geometric means, as {@link #COLUMNS}: numbers
     * as numbers (NaN where there is none), {@code significant} "Y", "N", "?" (too few forks) or "".
     */
    private List<List<Object>> records() {
        List<List<Object>> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(List.of(e.key().key(), e.path().param(), e.variant(), e.a().iops(), e.a().scoreError(),
                    e.a().iterations().length, e.b().iops(), e.b().scoreError(), e.b().iterations().length, e.deltaPct(),
                    e.beyondPct(), e.ciLowPct(), e.ciHighPct(), e.p(), e.undetermined() ? "?" : e.significant() ? "Y" : "N"));
        }
        for (Geomean g : geomeans()) {
            out.add(List.of("geomean", g.path() == null ? "all" : g.path().param(), "", g.a(), Double.NaN, g.rows(), g.b(),
                    Double.NaN, g.rows(), g.deltaPct(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, ""));
        }
        return out;
    }

    /**
     * The comparison table as CSV (full precision), {@link #COLUMNS}: nothing but the header and the
     * records (an incomplete run is said by the caller, {@link #incompleteNotices()}).
     */
    public String csv() {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get())) {
            out.printRecord(COLUMNS);
            for (List<Object> r : records()) {
                List<Object> cells = new ArrayList<>(r.size());
                r.forEach(v -> cells.add(v instanceof Double ? SeedTables.num((Double) v) : v));
                out.printRecord(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * The whole comparison as one JSON object: both runs (folder, complete), the shared shift, the
     * table's records ({@link #COLUMNS}), the speedups, the metadata that differ and the summary line;
     * numbers as numbers, null where there is none.
     */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("a", run(runA));
        root.put("b", run(runB));
        Map<String, Object> sh = new LinkedHashMap<>();
        Map<String, Object> perPath = new LinkedHashMap<>();
        shift.perPath().forEach((p, m) -> perPath.put(p.param(), pct(m)));
        sh.put("median_change_pct", perPath);
        sh.put("shared_pct", shift.log() == 0 ? null : shift.pct());
        root.put("shift", sh);
        List<Object> rows = new ArrayList<>();
        for (List<Object> r : records()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                Object v = r.get(i);
                m.put(COLUMNS.get(i), COLUMNS.get(i).equals("significant") ? ("Y".equals(v) ? Boolean.TRUE
                        : "N".equals(v) ? Boolean.FALSE : null) : json(v)); // "?" (too few forks) and "" (geomean): null
            }
            rows.add(m);
        }
        root.put("entries", rows);
        root.put("speedups", speedupsJson(speedups()));
        if (!bhlfSpeedups().isEmpty()) {
            root.put("bhlf_speedups", speedupsJson(bhlfSpeedups()));
        }
        Map<String, Object> diff = new LinkedHashMap<>();
        metadataDifferences().forEach((k, v) -> diff.put(k, List.of(v[0], v[1])));
        root.put("metadata_differences", diff);
        root.put("summary", summaryLine());
        return Json.write(root);
    }

    private static List<Object> speedupsJson(List<SpeedupEntry> entries) {
        List<Object> sp = new ArrayList<>();
        for (SpeedupEntry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", e.key().key());
            m.put("tunables", e.variant());
            m.put("a", json(e.a().value()));
            m.put("a_low", json(e.a().hasInterval() ? e.a().low() : Double.NaN));
            m.put("a_high", json(e.a().hasInterval() ? e.a().high() : Double.NaN));
            m.put("a_forks", e.a().forks());
            m.put("b", json(e.b().value()));
            m.put("b_low", json(e.b().hasInterval() ? e.b().low() : Double.NaN));
            m.put("b_high", json(e.b().hasInterval() ? e.b().high() : Double.NaN));
            m.put("b_forks", e.b().forks());
            m.put("delta_pct", json(e.deltaPct()));
            m.put("ci_low_pct", e.undetermined() ? null : json(pct(e.d().lo())));
            m.put("ci_high_pct", e.undetermined() ? null : json(pct(e.d().hi())));
            m.put("significant", e.undetermined() ? null : e.significant());
            sp.add(m);
        }
        return sp;
    }

    private static Map<String, Object> run(RunFolder r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", r.dir().toString());
        m.put("complete", r.complete());
        return m;
    }

    /** A value in JSON: NaN (none) and infinities as null. */
    private static Object json(Object v) {
        return v instanceof Double && !Double.isFinite((Double) v) ? null : v;
    }

    /** The sentences to tell a reader of {@link #csv()} or {@link #json()} that a run is incomplete (none when both are complete). */
    public List<String> incompleteNotices() {
        List<String> l = new ArrayList<>();
        for (RunFolder r : List.of(runA, runB)) {
            if (!r.complete()) {
                l.add(r.incompleteNotice());
            }
        }
        return l;
    }

    /** One line for the CLI: how many rows changed significantly, the overall geomean delta. */
    public String summaryLine() {
        List<Geomean> g = geomeans();
        String all = g.isEmpty() ? Format.NONE : Format.signedPct(g.get(g.size() - 1).deltaPct());
        String incomplete = runA.complete() && runB.complete() ? "" : " (INCOMPLETE run: results are partial)";
        List<SpeedupEntry> sp = speedups();
        List<SpeedupEntry> lf = bhlfSpeedups();
        return significantCount() + " of " + entries.size() + " row/path pairs changed significantly"
                + (shift.log() == 0 ? "" : " beyond the shared shift of " + Format.signedPct(shift.pct()))
                + (sp.isEmpty() ? "" : ", " + significantSpeedups() + " of " + sp.size() + " speedups")
                + (lf.isEmpty() ? "" : ", " + significantBhlfSpeedups() + " of " + lf.size() + " bhlf speedups")
                + "; geomean " + all + incomplete;
    }
}
