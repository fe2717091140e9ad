package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;

/**
 * The published table beside ours: per row the published speedup (iomap/bh IOPS in the cover
 * letter), the measured one, their ratio and an agreement, and a summary: how many rows go the
 * same direction, Spearman's rank correlation of the two speedup columns (ties averaged), and
 * the geometric mean of measured/published speedup.
 *
 * <p>Agreement: <b>close</b> when measured and published speedup are within a factor of
 * {@value #CLOSE_FACTOR} of each other (whatever the direction: 0.97x against 1.02x is close);
 * otherwise <b>same direction</b> when both say the same path is faster, else <b>opposite</b>.
 * The factor is a judgement call: the published table is one run per cell without error bars,
 * on different hardware, and its "close to even" rows (4K) differ by a few percent; a 25% band
 * separates "we reproduce the size of the effect" from "we reproduce only its sign".
 */
public final class PublishedComparison {

    /** Measured and published speedup within this factor of each other count as close. */
    public static final double CLOSE_FACTOR = 1.25;

    /** How a measured speedup relates to the published one. */
    public enum Agreement {
        CLOSE("close"), SAME_DIRECTION("same direction"), OPPOSITE("opposite");

        private final String text;

        Agreement(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One row present in both tables. */
    public record Entry(RowKey key, String variant, ReferenceTable.Entry published, double measured,
                        Paired.Estimate interval) {

        /** Without an interval (a run from before the pass log). */
        public Entry(RowKey key, String variant, ReferenceTable.Entry published, double measured) {
            this(key, variant, published, measured, null);
        }

        public double publishedSpeedup() {
            return published.speedup();
        }

        /** measured / published speedup. */
        public double ratio() {
            return measured / publishedSpeedup();
        }

        public boolean directionMatches() {
            return sameDirection(measured, publishedSpeedup());
        }

        public Agreement agreement() {
            return PublishedComparison.agreement(measured, publishedSpeedup());
        }
    }

    /** Both speedups favour the same side (or both are exactly even). */
    public static boolean sameDirection(double speedup, double reference) {
        return Math.signum(Math.log(speedup)) == Math.signum(Math.log(reference));
    }

    /** How a speedup relates to a reference speedup: close within {@link #CLOSE_FACTOR}, else by direction. */
    public static Agreement agreement(double speedup, double reference) {
        if (Math.abs(Math.log(speedup / reference)) <= Math.log(CLOSE_FACTOR) + 1e-12) {
            return Agreement.CLOSE;
        }
        return sameDirection(speedup, reference) ? Agreement.SAME_DIRECTION : Agreement.OPPOSITE;
    }

    /**
     * @param rows             rows compared
     * @param directionMatches rows where both tables favour the same path
     * @param close            rows within {@link #CLOSE_FACTOR}
     * @param spearman         rank correlation of the speedups (NaN below 2 rows)
     * @param geomeanRatio     geometric mean of measured / published speedup
     */
    public record Summary(int rows, int directionMatches, int close, double spearman, double geomeanRatio,
                          int withInterval, int insideInterval) {
    }

    private final List<Entry> entries;

    PublishedComparison(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
    }

    /** Compares a run with the published table: rows measured on both paths that the mail has. */
    public static PublishedComparison of(RunFolder run) {
        return of(run, ReferenceTable.published());
    }

    public static PublishedComparison of(RunFolder run, ReferenceTable ref) {
        List<Entry> out = new ArrayList<>();
        for (Row r : run.rows()) {
            ReferenceTable.Entry p = ref.get(r.key());
            double s = r.speedup();
            if (p != null && Double.isFinite(s) && s > 0) {
                out.add(new Entry(r.key(), r.variant(), p, s, r.paired()));
            }
        }
        return new PublishedComparison(out);
    }

    public List<Entry> entries() {
        return entries;
    }

    public Summary summary() {
        int n = entries.size();
        double[] pub = new double[n];
        double[] mea = new double[n];
        double[] ratio = new double[n];
        int dir = 0;
        int close = 0;
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            pub[i] = e.publishedSpeedup();
            mea[i] = e.measured();
            ratio[i] = e.ratio();
            dir += e.directionMatches() ? 1 : 0;
            close += e.agreement() == Agreement.CLOSE ? 1 : 0;
        }
        int withInterval = 0;
        int inside = 0;
        for (Entry e : entries) {
            if (e.interval() != null && e.interval().hasInterval()) {
                withInterval++;
                inside += e.interval().contains(e.publishedSpeedup()) ? 1 : 0;
            }
        }
        return new Summary(n, dir, close, Stats.spearman(pub, mea), Stats.geomean(ratio), withInterval, inside);
    }

    /** The per-row table. */
    public Table table() {
        boolean variants = entries.stream().anyMatch(e -> !e.variant().isEmpty());
        List<String> h = new ArrayList<>(List.of("row"));
        if (variants) {
            h.add("tunables");
        }
        int keys = h.size();
        h.addAll(List.of("published bh IOPS", "published iomap IOPS", "published speedup", "measured speedup",
                "measured/published", "agreement"));
        List<List<String>> rows = new ArrayList<>();
        for (Entry e : entries) {
            List<String> c = new ArrayList<>(List.of(e.key().key()));
            if (variants) {
                c.add(e.variant());
            }
            c.add(Format.iops(e.published().bhIops()));
            c.add(Format.iops(e.published().iomapIops()));
            c.add(Format.ratio(e.publishedSpeedup()));
            c.add(Format.ratio(e.measured()));
            c.add(Format.ratio(e.ratio()));
            c.add(e.agreement().toString());
            rows.add(c);
        }
        return new Table("published vs measured", h, rows, keys).withTextColumn(h.size() - 1);
    }

    /** The summary as Markdown bullet lines. */
    public String summaryMarkdown() {
        Summary s = summary();
        if (s.rows() == 0) {
            return "- no row measured on both paths yet\n";
        }
        return String.format(Locale.ROOT, "- direction matches: %d/%d rows%n", s.directionMatches(), s.rows())
                + String.format(Locale.ROOT, "- close (speedup within x%.2f of the published one): %d/%d rows%n",
                        CLOSE_FACTOR, s.close(), s.rows())
                + "- Spearman rank correlation of the speedups: "
                + (Double.isFinite(s.spearman()) ? String.format(Locale.ROOT, "%.3f", s.spearman()) : Format.NONE)
                + " (N=" + s.rows() + ", ties averaged)\n"
                + "- geometric mean of measured/published speedup: " + Format.ratio(s.geomeanRatio()) + "\n"
                + (s.withInterval() == 0 ? "" : String.format(Locale.ROOT,
                        "- published speedup inside our 95%% interval: %d/%d rows%n", s.insideInterval(), s.withInterval()));
    }

    /** {@code published-vs-measured.md}. */
    public String markdown(RunFolder run) {
        StringBuilder b = new StringBuilder();
        b.append("# Published vs measured speedup: ").append(run.name()).append("\n\n");
        if (!run.complete()) {
            b.append("> **").append(run.incompleteNotice()).append("**\n\n");
        }
        b.append("Published: ").append(ReferenceTable.SOURCE).append(".\n\n");
        b.append(summaryMarkdown()).append('\n');
        if (!entries.isEmpty()) {
            b.append(table().markdown()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "speedup = iomap IOPS / bh IOPS. close = within a factor of %.2f of the "
                + "published speedup; same direction = both favour the same path; opposite = they do not.%n", CLOSE_FACTOR));
        return b.toString();
    }

    /** {@code published-vs-measured.csv}. */
    public String csv(RunFolder run) {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setCommentMarker('#').get())) {
            if (!run.complete()) {
                out.printComment(run.incompleteNotice());
            }
            out.printRecord("table", "type", "overwrite", "sync", "writeback", "bs", "tunables", "published_bh_iops",
                    "published_iomap_iops", "published_speedup", "measured_speedup", "measured_over_published",
                    "direction_matches", "agreement");
            for (Entry e : entries) {
                RowKey k = e.key();
                out.printRecord(k.table(), k.type(), k.overwrite(), k.sync(), k.writeback(), k.bsLabel(), e.variant(),
                        SeedTables.num(e.published().bhIops()), SeedTables.num(e.published().iomapIops()),
                        SeedTables.num(e.publishedSpeedup()), SeedTables.num(e.measured()), SeedTables.num(e.ratio()),
                        e.directionMatches() ? "Y" : "N", e.agreement().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
