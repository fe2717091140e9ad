package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;

/**
 * The model beside the machine's kernel, row by row: the model's bh and iomap IOPS and iomap/bh
 * speedup from a model run, ext4's and xfs's IOPS and xfs/ext4 speedup from a kernel run of the
 * same jobs, and how the two speedups agree ({@link PublishedComparison#agreement}: close within
 * x{@value PublishedComparison#CLOSE_FACTOR}, same direction, opposite), summarised as the published
 * comparison is: direction matches, Spearman rank correlation, geometric mean of kernel/model.
 *
 * <p>Which model path a filesystem runs depends on the kernel ({@link PathLabel#modelCounterpart}):
 * on 6.16 and later ext4 is buffer_head + large folios, so its speedup against xfs isolates iomap's
 * per-extent mapping and ioends, and the model's iomap/bh also carries large folios against order-0.
 */
public final class ModelVsKernel {
    /** One row measured in both runs. */
    public record Entry(RowKey key, Row model, Row kernel) {
        public double modelSpeedup() {
            return model.speedup();
        }

        public double kernelSpeedup() {
            return kernel.speedup();
        }

        /** kernel / model speedup. */
        public double ratio() {
            return kernelSpeedup() / modelSpeedup();
        }

        public boolean directionMatches() {
            return PublishedComparison.sameDirection(kernelSpeedup(), modelSpeedup());
        }

        public PublishedComparison.Agreement agreement() {
            return PublishedComparison.agreement(kernelSpeedup(), modelSpeedup());
        }
    }

    /**
     * @param rows             rows in both runs
     * @param directionMatches rows where both favour the same side
     * @param close            rows within {@link PublishedComparison#CLOSE_FACTOR}
     * @param spearman         rank correlation of the two speedup columns (NaN below 2 rows)
     * @param geomeanRatio     geometric mean of kernel / model speedup
     * @param overlapping      rows whose two 95% intervals overlap, of {@code withIntervals} that have both
     */
    public record Summary(int rows, int directionMatches, int close, double spearman, double geomeanRatio,
                          int withIntervals, int overlapping) {
    }

    private final RunFolder model;
    private final RunFolder kernel;
    private final List<Entry> entries;

    private ModelVsKernel(RunFolder model, RunFolder kernel, List<Entry> entries) {
        this.model = model;
        this.kernel = kernel;
        this.entries = List.copyOf(entries);
    }

    /** The rows of {@code kernel} (ext4 and xfs) that {@code model} (bh and iomap) measured too, in table order. */
    public static ModelVsKernel of(RunFolder model, RunFolder kernel) {
        if (!model.paths().equals(PathLabel.MODEL) || !kernel.paths().equals(PathLabel.KERNEL)) {
            throw new IllegalArgumentException("expected a model run (bh, iomap) and a kernel run (ext4, xfs), not "
                    + model.paths() + " and " + kernel.paths());
        }
        List<Entry> out = new ArrayList<>();
        for (Row k : kernel.rows()) {
            Row m = model.row(k.key());
            if (m != null && positive(m.speedup()) && positive(k.speedup())) {
                out.add(new Entry(k.key(), m, k));
            }
        }
        return new ModelVsKernel(model, kernel, out);
    }

    private static boolean positive(double v) {
        return Double.isFinite(v) && v > 0;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Summary summary() {
        int n = entries.size();
        double[] m = new double[n];
        double[] k = new double[n];
        double[] r = new double[n];
        int dir = 0;
        int close = 0;
        int with = 0;
        int overlap = 0;
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            m[i] = e.modelSpeedup();
            k[i] = e.kernelSpeedup();
            r[i] = e.ratio();
            dir += e.directionMatches() ? 1 : 0;
            close += e.agreement() == PublishedComparison.Agreement.CLOSE ? 1 : 0;
            Paired.Estimate a = e.model().paired();
            Paired.Estimate b = e.kernel().paired();
            if (a != null && b != null && a.hasInterval() && b.hasInterval()) {
                with++;
                overlap += a.lo() <= b.hi() && b.lo() <= a.hi() ? 1 : 0;
            }
        }
        return new Summary(n, dir, close, Stats.spearman(m, k), Stats.geomean(r), with, overlap);
    }

    /** The per-row table. */
    public Table table() {
        List<String> h = new ArrayList<>(List.of("row", "bh IOPS", "iomap IOPS", "iomap/bh", "95% CI", "ext4 IOPS",
                "xfs IOPS", "xfs/ext4", "95% CI", "kernel/model", "agreement"));
        List<List<String>> rows = new ArrayList<>();
        for (Entry e : entries) {
            rows.add(List.of(e.key().key(), SeedTables.iops(e.model().bh()), SeedTables.iops(e.model().iomap()),
                    Format.ratio(e.modelSpeedup()), interval(e.model().paired()), SeedTables.iops(e.kernel().bh()),
                    SeedTables.iops(e.kernel().iomap()), Format.ratio(e.kernelSpeedup()), interval(e.kernel().paired()),
                    Format.ratio(e.ratio()), e.agreement().toString()));
        }
        return new Table("model vs kernel", h, rows, 1).withTextColumn(h.size() - 1);
    }

    private static String interval(Paired.Estimate e) {
        return e == null || !e.hasInterval() ? Format.NONE : Format.ratio(e.low()) + "-" + Format.ratio(e.high());
    }

    /** Which model path each filesystem stands for on the kernel run's kernel, one line. */
    public String correspondence() {
        String release = kernel.metadata().getOrDefault(org.foliobench.layout.RunLayout.Meta.KERNEL, "");
        return "On kernel " + (release.isEmpty() ? "(unknown)" : release) + ": ext4 = "
                + PathLabel.EXT4.modelCounterpart(release) + "; xfs = " + PathLabel.XFS.modelCounterpart(release)
                + ". The model's bh column is order-0 buffer_head.";
    }

    /** The summary as Markdown bullet lines. */
    public String summaryMarkdown() {
        Summary s = summary();
        if (s.rows() == 0) {
            return "- no row measured in both runs\n";
        }
        return String.format(Locale.ROOT, "- direction matches: %d/%d rows%n", s.directionMatches(), s.rows())
                + String.format(Locale.ROOT, "- close (xfs/ext4 within x%.2f of iomap/bh): %d/%d rows%n",
                        PublishedComparison.CLOSE_FACTOR, s.close(), s.rows())
                + "- Spearman rank correlation of the speedups: "
                + (Double.isFinite(s.spearman()) ? String.format(Locale.ROOT, "%.3f", s.spearman()) : Format.NONE)
                + " (N=" + s.rows() + ", ties averaged)\n"
                + "- geometric mean of kernel/model speedup: " + Format.ratio(s.geomeanRatio()) + "\n"
                + (s.withIntervals() == 0 ? "" : String.format(Locale.ROOT,
                        "- 95%% intervals overlap: %d/%d rows%n", s.overlapping(), s.withIntervals()));
    }

    /** {@code model-vs-kernel.md}. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Model vs kernel: ").append(model.name()).append(" beside ").append(kernel.name()).append("\n\n");
        for (RunFolder r : List.of(model, kernel)) {
            if (!r.complete()) {
                b.append("> **").append(r.incompleteNotice()).append("**\n\n");
            }
        }
        b.append(correspondence()).append("\n\n");
        b.append(summaryMarkdown()).append('\n');
        if (!entries.isEmpty()) {
            b.append(table().markdown()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "iomap/bh = the model's paired speedup, xfs/ext4 = the kernel's (real fio, "
                + "ABBA-interleaved runs); close = within a factor of %.2f; same direction = both favour the same side; "
                + "opposite = they do not.%n", PublishedComparison.CLOSE_FACTOR));
        return b.toString();
    }

    /** {@code model-vs-kernel.csv}. */
    public String csv() {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setCommentMarker('#').get())) {
            out.printComment(correspondence());
            out.printRecord("table", "type", "overwrite", "sync", "writeback", "bs", "bh_iops", "iomap_iops",
                    "model_speedup", "model_ci_low", "model_ci_high", "ext4_iops", "xfs_iops", "kernel_speedup",
                    "kernel_ci_low", "kernel_ci_high", "kernel_over_model", "direction_matches", "agreement");
            for (Entry e : entries) {
                RowKey k = e.key();
                Paired.Estimate a = e.model().paired();
                Paired.Estimate b = e.kernel().paired();
                out.printRecord(k.table(), k.type(), k.overwrite(), k.sync(), k.writeback(), k.bsLabel(),
                        num(e.model().bh()), num(e.model().iomap()), SeedTables.num(e.modelSpeedup()), low(a), high(a),
                        num(e.kernel().bh()), num(e.kernel().iomap()), SeedTables.num(e.kernelSpeedup()), low(b), high(b),
                        SeedTables.num(e.ratio()), e.directionMatches() ? "Y" : "N", e.agreement().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static String num(Measurement m) {
        return m == null ? "" : SeedTables.num(m.iops());
    }

    private static String low(Paired.Estimate e) {
        return e == null || !e.hasInterval() ? "" : SeedTables.num(e.low());
    }

    private static String high(Paired.Estimate e) {
        return e == null || !e.hasInterval() ? "" : SeedTables.num(e.high());
    }

    public RunFolder model() {
        return model;
    }

    public RunFolder kernel() {
        return kernel;
    }
}
