package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;
import org.foliobench.layout.RunLayout;

/**
 * The model beside the machine's kernel, row by row: the model's IOPS and paired speedup of iomap
 * against the path ext4 runs on that kernel (bh, or bhlf since 6.16 when the model run has it)
 * from a model run, ext4's and xfs's IOPS and xfs/ext4 speedup from a kernel run of the same jobs,
 * and how the two speedups agree ({@link PublishedComparison#agreement}: close within
 * x{@value PublishedComparison#CLOSE_FACTOR}, same direction, opposite), summarised as the published
 * comparison is: direction matches, Spearman rank correlation, geometric mean of kernel/model.
 *
 * <p>Which model path a filesystem runs depends on the kernel ({@link PathLabel#modelPath}): on
 * 6.16 and later ext4 is buffer_head + large folios, so xfs/ext4 stands beside the model's
 * iomap/bhlf of a three-way run ({@code tables --paths bh,iomap,bhlf}); beside a two-path run it
 * stands beside iomap/bh, which also carries large folios against order-0, and the correspondence
 * line says so.
 */
public final class ModelVsKernel {
    /**
     * One row measured in both runs.
     *
     * @param base   the model's measurement of the path ext4 stands for ({@link #base()}: bh or bhlf)
     * @param iomap  the model's iomap measurement
     * @param paired the model's paired iomap/base estimate; null for a run from before the pass log
     * @param kernel the kernel's row (ext4 the base, xfs the test)
     */
    public record Entry(RowKey key, Measurement base, Measurement iomap, Paired.Estimate paired, Row kernel) {
        /** iomap / base IOPS of the model: the paired estimate when there is one. */
        public double modelSpeedup() {
            return paired != null ? paired.value() : iomap.iops() / base.iops();
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
    private final PathLabel base;
    private final List<Entry> entries;

    private ModelVsKernel(RunFolder model, RunFolder kernel, PathLabel base, List<Entry> entries) {
        this.model = model;
        this.kernel = kernel;
        this.base = base;
        this.entries = List.copyOf(entries);
    }

    /**
     * The rows of {@code kernel} (ext4 and xfs) that {@code model} measured too, in table order, set
     * beside the model's iomap against {@link #base()}.
     */
    public static ModelVsKernel of(RunFolder model, RunFolder kernel) {
        if (!model.paths().equals(PathLabel.MODEL) || !kernel.paths().equals(PathLabel.KERNEL)) {
            throw new IllegalArgumentException("expected a model run (bh, iomap) and a kernel run (ext4, xfs), not "
                    + model.paths() + " and " + kernel.paths());
        }
        PathLabel base = PathLabel.EXT4.modelPath(release(kernel)) == PathLabel.BHLF && ThreeWayTable.applies(model)
                ? PathLabel.BHLF : PathLabel.BH;
        List<Entry> out = new ArrayList<>();
        for (Row k : kernel.rows()) {
            Entry e = base == PathLabel.BH ? bhEntry(model.row(k.key()), k) : bhlfEntry(ThreeWayTable.row(model, k.key()), k);
            if (e != null && positive(e.modelSpeedup()) && positive(k.speedup())) {
                out.add(e);
            }
        }
        return new ModelVsKernel(model, kernel, base, out);
    }

    private static Entry bhEntry(Row m, Row k) {
        return m == null || m.bh() == null || m.iomap() == null ? null : new Entry(k.key(), m.bh(), m.iomap(), m.paired(), k);
    }

    private static Entry bhlfEntry(Map<PathLabel, Measurement> m, Row k) {
        Measurement lf = m.get(PathLabel.BHLF);
        Measurement io = m.get(PathLabel.IOMAP);
        return lf == null || io == null ? null
                : new Entry(k.key(), lf, io, ThreeWayTable.speedup(m, PathLabel.BHLF, PathLabel.IOMAP), k);
    }

    private static String release(RunFolder kernel) {
        return kernel.metadata().getOrDefault(RunLayout.Meta.KERNEL, "");
    }

    /** The model path ext4 stands beside: bhlf for a kernel since 6.16 and a three-way model run, else bh. */
    public PathLabel base() {
        return base;
    }

    /** The model's speedup column: {@code iomap/bh} or {@code iomap/bhlf}. */
    private String modelRatio() {
        return PathLabel.IOMAP.param() + "/" + base.param();
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
            Paired.Estimate a = e.paired();
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
        List<String> h = new ArrayList<>(List.of("row", base.param() + " IOPS", "iomap IOPS", modelRatio(), "95% CI", "ext4 IOPS",
                "xfs IOPS", "xfs/ext4", "95% CI", "kernel/model", "agreement"));
        List<List<String>> rows = new ArrayList<>();
        for (Entry e : entries) {
            rows.add(List.of(e.key().key(), SeedTables.iops(e.base()), SeedTables.iops(e.iomap()),
                    Format.ratio(e.modelSpeedup()), interval(e.paired()), SeedTables.iops(e.kernel().bh()),
                    SeedTables.iops(e.kernel().iomap()), Format.ratio(e.kernelSpeedup()), interval(e.kernel().paired()),
                    Format.ratio(e.ratio()), e.agreement().toString()));
        }
        return new Table("model vs kernel", h, rows, 1).withTextColumn(h.size() - 1);
    }

    private static String interval(Paired.Estimate e) {
        return e == null || !e.hasInterval() ? Format.NONE : Format.ratio(e.low()) + "-" + Format.ratio(e.high());
    }

    /** Which model path each filesystem stands for on the kernel run's kernel and which pair the table sets beside it, one line. */
    public String correspondence() {
        String release = release(kernel);
        String pair;
        if (base == PathLabel.BHLF) {
            pair = "xfs/ext4 stands beside the model's iomap/bhlf.";
        } else if (PathLabel.EXT4.modelPath(release) == PathLabel.BHLF) {
            pair = "The model run has no bhlf column, so xfs/ext4 stands beside iomap/bh, whose bh is order-0 buffer_head"
                    + " (run foliobench tables --paths bh,iomap,bhlf for the matching pair).";
        } else {
            pair = "xfs/ext4 stands beside the model's iomap/bh (order-0 buffer_head).";
        }
        return "On kernel " + (release.isEmpty() ? "(unknown)" : release) + ": ext4 = "
                + PathLabel.EXT4.modelCounterpart(release) + "; xfs = " + PathLabel.XFS.modelCounterpart(release)
                + ". " + pair;
    }

    /** The summary as Markdown bullet lines. */
    public String summaryMarkdown() {
        Summary s = summary();
        if (s.rows() == 0) {
            return "- no row measured in both runs\n";
        }
        return String.format(Locale.ROOT, "- direction matches: %d/%d rows%n", s.directionMatches(), s.rows())
                + String.format(Locale.ROOT, "- close (xfs/ext4 within x%.2f of %s): %d/%d rows%n",
                        PublishedComparison.CLOSE_FACTOR, modelRatio(), s.close(), s.rows())
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
        b.append(String.format(Locale.ROOT, "%s = the model's paired speedup, xfs/ext4 = the kernel's (real fio, "
                + "ABBA-interleaved runs); close = within a factor of %.2f; same direction = both favour the same side; "
                + "opposite = they do not.%n", modelRatio(), PublishedComparison.CLOSE_FACTOR));
        return b.toString();
    }

    /** {@code model-vs-kernel.csv}. */
    public String csv() {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setCommentMarker('#').get())) {
            out.printComment(correspondence());
            out.printRecord("table", "type", "overwrite", "sync", "writeback", "bs", "model_base", "model_base_iops", "iomap_iops",
                    "model_speedup", "model_ci_low", "model_ci_high", "ext4_iops", "xfs_iops", "kernel_speedup",
                    "kernel_ci_low", "kernel_ci_high", "kernel_over_model", "direction_matches", "agreement");
            for (Entry e : entries) {
                RowKey k = e.key();
                Paired.Estimate a = e.paired();
                Paired.Estimate b = e.kernel().paired();
                out.printRecord(k.table(), k.type(), k.overwrite(), k.sync(), k.writeback(), k.bsLabel(), base.param(),
                        num(e.base()), num(e.iomap()), SeedTables.num(e.modelSpeedup()), low(a), high(a),
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
