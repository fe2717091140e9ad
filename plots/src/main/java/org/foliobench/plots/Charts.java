package org.foliobench.plots;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import javax.imageio.ImageIO;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.foliobench.results.LatencySummary;
import org.foliobench.results.Measurement;
import org.foliobench.results.Paired;
import org.foliobench.results.PathLabel;
import org.foliobench.results.PublishedComparison;
import org.foliobench.results.Row;
import org.foliobench.layout.RowKey;
import org.foliobench.results.RunFolder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (XChart), rendered headless to PNG and SVG (over VectorGraphics2D), each with
 * a footer that says what its marks and error bars are, and the run, N and the machine:
 * <ul>
 * <li>{@code bw-<section>}: grouped bars, bh vs iomap MiB/s per block size (and bhlf, a third bar, in
 *     a run of the three paths), with error bars of half
 *     the 95% interval of each path's IOPS (one standard deviation of the passes for a run from
 *     before the pass log), one chart per table section ({@code read/hole}, {@code write/cache/N/N/N}...);</li>
 * <li>{@code latency-<section>}: p50/p99/p99.9 per-call latency per path (bhlf too in a three-path
 *     run) and block size (log axis);</li>
 * <li>{@code speedup-read}, {@code speedup-write}: per row (rows spelled out, top to bottom) the
 *     measured iomap/bh speedup with its paired 95% interval, beside the published speedup;</li>
 * <li>{@code speedup-scatter}: measured against published speedup, log-log, with the y = x line and
 *     each measured speedup's interval.</li>
 * </ul>
 */
public final class Charts {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final Color BH = new Color(0x4C72B0);
    static final Color IOMAP = new Color(0xDD8452);
    static final Color BHLF = new Color(0x55A868);
    static final Color PUBLISHED = new Color(0x8C8C8C);
    /** The section charts' size in pixels (PNG), before the footer. */
    static final int WIDTH = 960;
    static final int HEIGHT = 600;
    private static final Font FOOTER_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final int FOOTER_PAD = 10;

    private Charts() {
    }

    /**
     * A named chart ready to encode: the XChart chart with its footer lines (wrapped to its width)
     * below it; {@link #width()} and {@link #height()} are the image's.
     */
    public record NamedChart(String name, String caption, Chart<?, ?> chart, List<String> footer) {

        public NamedChart {
            footer = List.copyOf(footer);
        }

        public int width() {
            return chart.getWidth();
        }

        public int height() {
            return chart.getHeight() + footerLines().size() * lineHeight() + (footer.isEmpty() ? 0 : 2 * FOOTER_PAD);
        }

        public byte[] png() throws IOException {
            BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            paint(g);
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        }

        public byte[] svg() throws IOException {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(g);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height())).writeTo(out);
            return out.toByteArray();
        }

        private void paint(Graphics2D g) {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width(), height());
            chart.paint(g, chart.getWidth(), chart.getHeight());
            g.setFont(FOOTER_FONT);
            g.setColor(new Color(0x444444));
            int y = chart.getHeight() + FOOTER_PAD + g.getFontMetrics().getAscent();
            for (String l : footerLines()) {
                g.drawString(l, FOOTER_PAD, y);
                y += lineHeight();
            }
        }

        /** The footer's lines, each entry word-wrapped to the chart's width. */
        List<String> footerLines() {
            FontMetrics fm = METRICS.getFontMetrics(FOOTER_FONT);
            int max = width() - 2 * FOOTER_PAD;
            List<String> out = new ArrayList<>();
            for (String entry : footer) {
                StringBuilder line = new StringBuilder();
                for (String word : entry.split(" ")) {
                    if (line.length() > 0 && fm.stringWidth(line + " " + word) > max) {
                        out.add(line.toString());
                        line.setLength(0);
                    }
                    line.append(line.length() > 0 ? " " : "").append(word);
                }
                out.add(line.toString());
            }
            return out;
        }

        private static int lineHeight() {
            return METRICS.getFontMetrics(FOOTER_FONT).getHeight() + 2;
        }
    }

    /** Font metrics for laying out footers before anything is drawn. */
    private static final Graphics2D METRICS = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();

    /** Every chart of a run, in report order; sections without data are left out. */
    public static List<NamedChart> all(RunFolder run) {
        List<NamedChart> out = new ArrayList<>();
        Map<String, List<Row>> sections = sections(run);
        for (Map.Entry<String, List<Row>> s : sections.entrySet()) {
            // a section's bandwidth and latency side by side
            NamedChart bw = bandwidth(run, s.getKey(), s.getValue());
            if (bw != null) {
                out.add(bw);
            }
            NamedChart lat = latency(run, s.getKey(), s.getValue());
            if (lat != null) {
                out.add(lat);
            }
        }
        PublishedComparison pc = PublishedComparison.of(run);
        for (boolean read : new boolean[] {true, false}) {
            NamedChart c = speedups(run, pc, read);
            if (c != null) {
                out.add(c);
            }
        }
        NamedChart sc = speedupScatter(run, pc);
        if (sc != null) {
            out.add(sc);
        }
        return out;
    }

    /** Rows grouped by table section ({@code read/hole}...), rows with tunable variants kept apart. */
    static Map<String, List<Row>> sections(RunFolder run) {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        for (Row r : run.rows()) {
            String key = r.key().section() + (r.key().numjobs() == 0 ? "" : " [" + RowKey.NUMJOBS + "=" + r.key().numjobs() + "]")
                    + (r.variant().isEmpty() ? "" : " [" + r.variant() + "]");
            m.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    /** {@code read/hole} to {@code read-hole}; variants appended file-safely. */
    static String fileName(String section) {
        return section.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9=.]+", "-").replace('=', '_').replaceAll("-+$", "");
    }

    /**
     * A row spelled out for a label: the type, the write flags that are Y by name, the block size
     * ({@code ramdisk, Sync, 64K}; {@code cache, 1M} is a new file, no fsync, no writeback), the threads
     * of a numjobs sweep ({@code numjobs=2}), and any tunables.
     */
    static String rowLabel(RowKey k, String variant) {
        List<String> parts = new ArrayList<>(List.of(k.type()));
        if (!k.isRead()) {
            if ("Y".equals(k.overwrite())) {
                parts.add("Overwrite");
            }
            if ("Y".equals(k.sync())) {
                parts.add("Sync");
            }
            if ("Y".equals(k.writeback())) {
                parts.add("Writeback");
            }
        }
        parts.add(k.bsLabel());
        if (k.numjobs() > 0) {
            parts.add(RowKey.NUMJOBS + "=" + k.numjobs());
        }
        return String.join(", ", parts) + (variant.isEmpty() ? "" : " [" + variant + "]");
    }

    private static String sectionTitle(String section) {
        RowKey k = RowKey.parse(section.split(" ")[0] + "/4K");
        String rest = section.contains(" ") ? section.substring(section.indexOf(' ')) : "";
        if (k.isRead()) {
            return "buffer read, " + k.type() + rest;
        }
        return "buffer write, " + k.type() + " Overwrite=" + k.overwrite() + " Sync=" + k.sync() + " Writeback="
                + k.writeback() + rest;
    }

    /** The footer's last line: the run, what N is, the machine. */
    static String runLine(RunFolder run, String n) {
        Map<String, String> m = run.machine();
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k.equals("cores") ? v + " cores" : k.equals("kernel") ? "kernel " + v : v));
        String host = m.containsKey("host") ? "host " + parts.remove(0) + (parts.isEmpty() ? "" : ": ") : "";
        return "run " + run.name() + (run.complete() ? "" : " (INCOMPLETE)") + " | " + n
                + (m.isEmpty() ? "" : " | " + host + String.join(", ", parts));
    }

    /**
     * N of the measurements behind a chart: forks per row for a paired run (the samples of every
     * interval), JMH iterations for a run from before the pass log.
     */
    static String samples(List<Measurement> ms) {
        IntSummaryStatistics forks = ms.stream().filter(m -> m.estimate() != null).mapToInt(m -> m.estimate().forks())
                .summaryStatistics();
        if (forks.getCount() > 0) {
            return "N = " + range(forks) + " forks per row and path";
        }
        IntSummaryStatistics it = ms.stream().mapToInt(m -> m.iterations().length).summaryStatistics();
        return "N = " + range(it) + " JMH iterations per row and path";
    }

    private static String range(IntSummaryStatistics s) {
        return s.getMin() == s.getMax() ? String.valueOf(s.getMin()) : s.getMin() + "-" + s.getMax();
    }

    /**
     * The paths a section's charts show: the row's pair, then bhlf when the run measured it beside
     * bh ({@code --paths bh,iomap,bhlf}): three bars per block size.
     */
    static List<PathLabel> chartPaths(RunFolder run, Row row) {
        List<PathLabel> l = new ArrayList<>(row.paths());
        if (l.equals(PathLabel.MODEL) && run.measurements().stream().anyMatch(m -> m.path() == PathLabel.BHLF)) {
            l.add(PathLabel.BHLF);
        }
        return l;
    }

    /** The measurement of {@code p} in row {@code r}: a side of the row, or the run's bhlf one of the same row and variant. */
    static Measurement measurement(RunFolder run, Row r, PathLabel p) {
        if (p != PathLabel.BHLF) {
            return r.get(p);
        }
        for (Measurement m : run.measurements()) {
            if (m.path() == p && m.row().equals(r.key()) && m.variant().equals(r.variant())) {
                return m;
            }
        }
        return null;
    }

    /** A path's colour: bh blue, iomap orange, bhlf green (the kernel's ext4 and xfs as bh and iomap). */
    static Color color(PathLabel p) {
        return p == PathLabel.BHLF ? BHLF : p.side() == 0 ? BH : IOMAP;
    }

    static NamedChart bandwidth(RunFolder run, String section, List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(sectionTitle(section))
                .xAxisTitle("bs").yAxisTitle("MiB/s").build();
        style(c);
        c.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        List<Measurement> ms = new ArrayList<>();
        List<PathLabel> pair = chartPaths(run, rows.get(0));
        for (PathLabel p : pair) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (Row r : rows) {
                Measurement m = measurement(run, r, p);
                x.add(r.key().bsLabel());
                y.add(m == null ? 0.0 : m.bwMiB());
                double e = m == null ? 0.0 : errorBar(m) * r.key().bs() / (1 << 20);
                err.add(e);
                if (m != null) {
                    ms.add(m);
                }
            }
            CategorySeries s = c.addSeries(p.title(), x, y, err);
            s.setFillColor(color(p));
        }
        if (ms.isEmpty()) {
            return null;
        }
        String bars;
        if (ms.stream().allMatch(m -> m.estimate() != null && m.estimate().hasInterval())) {
            bars = "Bars: each path's IOPS (the paired estimate over forks) x bs, in MiB/s. Error bars: +- half the width of "
                    + "that estimate's 95% interval (hierarchical bootstrap over forks and blocks, Student t).";
        } else if (ms.stream().allMatch(m -> m.estimate() != null)) {
            bars = "Bars: each path's IOPS (the paired estimate over forks) x bs, in MiB/s. Error bars: +- one standard "
                    + "deviation of its passes, not an interval (too few forks for one: it needs 3 or more).";
        } else {
            bars = "Bars: each path's mean IOPS x bs, in MiB/s. Error bars: +- one standard deviation of its JMH iterations "
                    + "(a run from before the pass log).";
        }
        return new NamedChart("bw-" + fileName(section), sectionTitle(section) + ": bandwidth (MiB/s), "
                + pair.stream().map(PathLabel::param).collect(java.util.stream.Collectors.joining(" vs ")), c,
                List.of(bars, runLine(run, samples(ms))));
    }

    static NamedChart latency(RunFolder run, String section, List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(sectionTitle(section) + ": latency per call").xAxisTitle("bs").yAxisTitle("microseconds (log)").build();
        style(c);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        c.getStyler().setOverlapped(true); // points of every series at the category's centre
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(8);
        double[] qs = {50.0, 99.0, 99.9};
        LongSummaryStatistics timed = new LongSummaryStatistics();
        for (PathLabel p : chartPaths(run, rows.get(0))) {
            if (rows.stream().anyMatch(r -> measurement(run, r, p) == null || measurement(run, r, p).latency() == null)) {
                continue; // a log axis cannot show a missing point
            }
            rows.forEach(r -> timed.accept(measurement(run, r, p).latency().count()));
            for (double q : qs) {
                List<String> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (Row r : rows) {
                    LatencySummary l = measurement(run, r, p).latency();
                    x.add(r.key().bsLabel());
                    y.add(Math.max(0.001, l.percentiles().get(q) / 1000.0));
                }
                CategorySeries s = c.addSeries(p.param() + " p" + (q == 99.9 ? "99.9" : String.valueOf((int) q)), x, y);
                Color base = color(p);
                s.setLineColor(base);
                s.setMarkerColor(base);
                s.setLineStyle(q == 50.0 ? new BasicStroke(2f)
                        : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                                q == 99.0 ? new float[] {6f, 4f} : new float[] {2f, 3f}, 0f));
                s.setMarker(q == 50.0 ? SeriesMarkers.CIRCLE : q == 99.0 ? SeriesMarkers.SQUARE : SeriesMarkers.TRIANGLE_UP);
            }
        }
        if (timed.getCount() == 0) {
            return null;
        }
        String what = "Points: the 50th, 99th and 99.9th percentile of the data call (pread/pwrite; a Sync=Y row's fsync is "
                + "timed apart, see fio/) over every measured pass, from the HdrHistogram logs (3 significant digits). No error "
                + "bars: percentiles of all timed calls, not estimates with an interval.";
        return new NamedChart("latency-" + fileName(section),
                sectionTitle(section) + ": per-call latency p50 / p99 / p99.9 (us)", c,
                List.of(what, runLine(run, "N = " + timed.getMin() + (timed.getMin() == timed.getMax() ? "" : "-" + timed.getMax())
                        + " timed calls per row and path (some calls timed at random 1 in P where timing costs; fio/ says P)")));
    }

    /**
     * Per row, top to bottom in table order: the measured iomap/bh speedup (a dot) with its paired 95%
     * interval (a line, exactly its ends on the log axis), and the published speedup (a diamond).
     */
    static NamedChart speedups(RunFolder run, PublishedComparison pc, boolean read) {
        List<PublishedComparison.Entry> es = pc.entries().stream().filter(e -> e.key().isRead() == read).toList();
        if (es.isEmpty()) {
            return null;
        }
        int n = es.size();
        XYChart c = new XYChartBuilder().width(WIDTH + 100).height(160 + 34 * n)
                .title("iomap / bh IOPS speedup, " + (read ? "buffer read" : "buffer write") + ": measured vs published")
                .xAxisTitle("speedup (x, log scale)").yAxisTitle("").build();
        style(c);
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisLogarithmicDecadeOnly(false);
        c.getStyler().setXAxisDecimalPattern("0.0#");
        c.getStyler().setMarkerSize(10);
        c.getStyler().setYAxisMin(-0.6);
        c.getStyler().setYAxisMax(n - 0.4);
        c.getStyler().setYAxisTickMarkSpacingHint(12); // a tick at every row (or half row: those stay unlabelled)
        List<String> labels = new ArrayList<>();
        es.forEach(e -> labels.add(rowLabel(e.key(), e.variant())));
        c.getStyler().setyAxisTickLabelsFormattingFunction(v -> {
            long i = Math.round(v);
            // XChart drops an axis whose tick labels repeat or are empty: the ticks between and beyond rows get
            // blanks of distinct lengths
            return Math.abs(v - i) < 1e-6 && i >= 0 && i < n ? labels.get((int) (n - 1 - i))
                    : " ".repeat(1 + (int) Math.round(4 * Math.abs(v + 1)));
        });
        double lo = 1;
        double hi = 1;
        double[] y = new double[n];
        double[] pub = new double[n];
        double[] mea = new double[n];
        boolean intervals = false;
        for (int i = 0; i < n; i++) {
            PublishedComparison.Entry e = es.get(i);
            y[i] = n - 1 - i;
            pub[i] = e.publishedSpeedup();
            mea[i] = e.measured();
            lo = Math.min(lo, Math.min(pub[i], mea[i]));
            hi = Math.max(hi, Math.max(pub[i], mea[i]));
            Paired.Estimate ci = e.interval();
            if (ci != null && ci.hasInterval()) {
                XYSeries s = c.addSeries("ci " + i, new double[] {ci.low(), ci.high()}, new double[] {y[i], y[i]});
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(IOMAP);
                s.setLineStyle(new BasicStroke(3f));
                s.setShowInLegend(false);
                lo = Math.min(lo, ci.low());
                hi = Math.max(hi, ci.high());
                intervals = true;
            }
        }
        XYSeries one = c.addSeries("1x: both paths equal", new double[] {1, 1}, new double[] {-0.6, n - 0.4});
        one.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        one.setMarker(SeriesMarkers.NONE);
        one.setLineColor(PUBLISHED);
        one.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        XYSeries p = c.addSeries("published (v4 cover letter, measured on v3)", pub, y);
        p.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        p.setMarker(SeriesMarkers.DIAMOND);
        p.setMarkerColor(PUBLISHED);
        XYSeries m = c.addSeries(intervals ? "measured, with its 95% interval" : "measured", mea, y);
        m.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        m.setMarker(SeriesMarkers.CIRCLE);
        m.setMarkerColor(IOMAP);
        c.getStyler().setXAxisMin(lo * 0.9);
        c.getStyler().setXAxisMax(hi * 1.1);
        String what = intervals ? "Dots: the paired speedup, iomap IOPS / bh IOPS in the same forks (mean over forks of the "
                + "ABBA blocks' log ratios); lines: its 95% interval (hierarchical bootstrap over forks and blocks, Student t at "
                + "forks - 2 df), drawn exactly, not as +- bars. Diamonds: the published speedup. Write rows name the flags that "
                + "are Y (no flag: a new file, no fsync, no writeback)."
                : "Dots: the measured speedup, iomap IOPS / bh IOPS (no interval: a run from before the pass log). Diamonds: the "
                + "published speedup. Write rows name the flags that are Y.";
        List<Measurement> ms = new ArrayList<>();
        run.rows().stream().filter(r -> r.key().isRead() == read).forEach(r -> {
            for (PathLabel l : r.paths()) {
                if (r.get(l) != null) {
                    ms.add(r.get(l));
                }
            }
        });
        return new NamedChart(read ? "speedup-read" : "speedup-write", "iomap/bh speedup per " + (read ? "read" : "write")
                + " row: measured with its 95% interval, and published", c, List.of(what, runLine(run, samples(ms))));
    }

    static NamedChart speedupScatter(RunFolder run, PublishedComparison pc) {
        if (pc.entries().isEmpty()) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(820).height(780).title("measured vs published speedup (iomap / bh)")
                .xAxisTitle("published speedup (x)").yAxisTitle("measured speedup (x)").build();
        style(c);
        c.getStyler().setMarkerSize(9);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setXAxisDecimalPattern("0.0");
        c.getStyler().setYAxisDecimalPattern("0.0");
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        boolean intervals = false;
        int k = 0;
        for (boolean read : new boolean[] {true, false}) {
            List<PublishedComparison.Entry> es = pc.entries().stream().filter(e -> e.key().isRead() == read).toList();
            if (es.isEmpty()) {
                continue;
            }
            double[] x = es.stream().mapToDouble(PublishedComparison.Entry::publishedSpeedup).toArray();
            double[] y = es.stream().mapToDouble(PublishedComparison.Entry::measured).toArray();
            for (int i = 0; i < x.length; i++) {
                lo = Math.min(lo, Math.min(x[i], y[i]));
                hi = Math.max(hi, Math.max(x[i], y[i]));
                Paired.Estimate ci = es.get(i).interval();
                if (ci != null && ci.hasInterval()) {
                    XYSeries s = c.addSeries("ci " + k++, new double[] {x[i], x[i]}, new double[] {ci.low(), ci.high()});
                    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(read ? BH : IOMAP);
                    s.setLineStyle(new BasicStroke(2f));
                    s.setShowInLegend(false);
                    lo = Math.min(lo, ci.low());
                    hi = Math.max(hi, ci.high());
                    intervals = true;
                }
            }
            XYSeries s = c.addSeries(read ? "read rows" : "write rows", x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(read ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setMarkerColor(read ? BH : IOMAP);
        }
        lo = Math.min(1, lo) * 0.9;
        hi = hi * 1.1;
        c.getStyler().setXAxisMin(lo);
        c.getStyler().setXAxisMax(hi);
        c.getStyler().setYAxisMin(lo);
        c.getStyler().setYAxisMax(hi);
        XYSeries diag = c.addSeries("y = x (agreement)", new double[] {lo, hi}, new double[] {lo, hi});
        diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineColor(PUBLISHED);
        diag.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
        String what = "One point per row: the published speedup across, the measured one up" + (intervals
                ? "; vertical lines: the measured speedup's paired 95% interval." : " (no intervals: a run from before the pass log).")
                + " On the dashed line they agree; above it iomap gains more here than in the mail.";
        List<Measurement> ms = new ArrayList<>();
        run.rows().forEach(r -> {
            for (PathLabel l : r.paths()) {
                if (r.get(l) != null) {
                    ms.add(r.get(l));
                }
            }
        });
        return new NamedChart("speedup-scatter", "measured against published speedup, one point per row; on the dashed "
                + "line they agree, above it iomap gains more here than in the mail", c, List.of(what, runLine(run, samples(ms))));
    }

    private static void style(Chart<?, ?> c) {
        Styler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        if (s instanceof AxesChartStyler) {
            ((AxesChartStyler) s).setPlotGridLinesColor(new Color(0xDDDDDD));
        }
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(new Color(0xCCCCCC));
        s.setPlotBorderVisible(false);
        s.setAntiAlias(true);
        s.setToolTipsEnabled(false);
    }

    /** Error bar in IOPS: half the 95% interval of a paired measurement, else the passes' standard deviation. */
    static double errorBar(Measurement m) {
        Paired.Estimate e = m.estimate();
        if (e != null && e.hasInterval()) {
            return (e.high() - e.low()) / 2;
        }
        return Double.isFinite(m.stdDev()) ? m.stdDev() : 0.0;
    }
}
