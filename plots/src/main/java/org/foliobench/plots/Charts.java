package org.foliobench.plots;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.foliobench.results.LatencySummary;
import org.foliobench.results.Measurement;
import org.foliobench.results.PathLabel;
import org.foliobench.results.PublishedComparison;
import org.foliobench.results.Row;
import org.foliobench.results.RowKey;
import org.foliobench.results.RunFolder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (XChart), rendered headless to PNG (BitmapEncoder) and SVG
 * (VectorGraphicsEncoder over VectorGraphics2D):
 * <ul>
 * <li>{@code bw-<section>}: grouped bars, bh vs iomap MiB/s per block size, with the 95% interval
 *     of each path's IOPS as error bars (half its width; one standard deviation of the passes for a
 *     run from before the pass log), one chart per table section ({@code read/hole}, {@code write/cache/N/N/N}...);</li>
 * <li>{@code latency-<section>}: p50/p99/p99.9 per-call latency per path and block size (log axis);</li>
 * <li>{@code speedup-read}, {@code speedup-write}: published vs measured iomap/bh speedup per row;</li>
 * <li>{@code speedup-scatter}: measured against published speedup, log-log, with the y = x line.</li>
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
    static final Color PUBLISHED = new Color(0x8C8C8C);

    private Charts() {
    }

    /** A named chart ready to encode. */
    public record NamedChart(String name, String caption, Chart<?, ?> chart) {

        public byte[] png() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            return out.toByteArray();
        }

        public byte[] svg() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return out.toByteArray();
        }
    }

    /** Every chart of a run, in report order; sections without data are left out. */
    public static List<NamedChart> all(RunFolder run) {
        List<NamedChart> out = new ArrayList<>();
        Map<String, List<Row>> sections = sections(run);
        for (Map.Entry<String, List<Row>> s : sections.entrySet()) {
            // a section's bandwidth and latency side by side
            NamedChart bw = bandwidth(s.getKey(), s.getValue());
            if (bw != null) {
                out.add(bw);
            }
            NamedChart lat = latency(s.getKey(), s.getValue());
            if (lat != null) {
                out.add(lat);
            }
        }
        PublishedComparison pc = PublishedComparison.of(run);
        for (boolean read : new boolean[] {true, false}) {
            NamedChart c = speedupBars(pc, read);
            if (c != null) {
                out.add(c);
            }
        }
        NamedChart sc = speedupScatter(pc);
        if (sc != null) {
            out.add(sc);
        }
        return out;
    }

    /** Rows grouped by table section ({@code read/hole}...), rows with tunable variants kept apart. */
    static Map<String, List<Row>> sections(RunFolder run) {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        for (Row r : run.rows()) {
            String key = r.key().section() + (r.variant().isEmpty() ? "" : " [" + r.variant() + "]");
            m.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    /** {@code read/hole} to {@code read-hole}; variants appended file-safely. */
    static String fileName(String section) {
        return section.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9=.]+", "-").replace('=', '_').replaceAll("-+$", "");
    }

    private static String label(Row r) {
        return r.key().bsLabel();
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

    static NamedChart bandwidth(String section, List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(720).height(440).title(sectionTitle(section))
                .xAxisTitle("bs").yAxisTitle("MiB/s").build();
        style(c);
        c.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        boolean any = false;
        List<PathLabel> pair = rows.get(0).paths();
        for (PathLabel p : pair) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (Row r : rows) {
                Measurement m = r.get(p);
                x.add(label(r));
                y.add(m == null ? 0.0 : m.bwMiB());
                double e = m == null ? 0.0 : errorBar(m) * r.key().bs() / (1 << 20);
                err.add(e);
                any |= m != null;
            }
            CategorySeries s = c.addSeries(p.title(), x, y, err);
            s.setFillColor(p.side() == 0 ? BH : IOMAP);
        }
        return any ? new NamedChart("bw-" + fileName(section), sectionTitle(section) + ": bandwidth (MiB/s), "
                + pair.get(0).param() + " vs " + pair.get(1).param(), c)
                : null;
    }

    static NamedChart latency(String section, List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(720).height(440)
                .title(sectionTitle(section) + ": latency per call").xAxisTitle("bs").yAxisTitle("microseconds (log)").build();
        style(c);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        c.getStyler().setOverlapped(true); // points of every series at the category's centre
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(8);
        boolean any = false;
        double[] qs = {50.0, 99.0, 99.9};
        for (PathLabel p : rows.get(0).paths()) {
            if (rows.stream().anyMatch(r -> r.get(p) == null || r.get(p).latency() == null)) {
                continue; // a log axis cannot show a missing point
            }
            for (double q : qs) {
                List<String> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (Row r : rows) {
                    LatencySummary l = r.get(p).latency();
                    x.add(label(r));
                    y.add(Math.max(0.001, l.percentiles().get(q) / 1000.0));
                }
                CategorySeries s = c.addSeries(p.param() + " p" + (q == 99.9 ? "99.9" : String.valueOf((int) q)), x, y);
                Color base = p.side() == 0 ? BH : IOMAP;
                s.setLineColor(base);
                s.setMarkerColor(base);
                s.setLineStyle(q == 50.0 ? new BasicStroke(2f)
                        : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                                q == 99.0 ? new float[] {6f, 4f} : new float[] {2f, 3f}, 0f));
                s.setMarker(q == 50.0 ? SeriesMarkers.CIRCLE : q == 99.0 ? SeriesMarkers.SQUARE : SeriesMarkers.TRIANGLE_UP);
                any = true;
            }
        }
        return any ? new NamedChart("latency-" + fileName(section),
                sectionTitle(section) + ": per-call latency p50 / p99 / p99.9 (us)", c) : null;
    }

    static NamedChart speedupBars(PublishedComparison pc, boolean read) {
        List<PublishedComparison.Entry> es = pc.entries().stream().filter(e -> e.key().isRead() == read).toList();
        if (es.isEmpty()) {
            return null;
        }
        CategoryChart c = new CategoryChartBuilder().width(read ? 900 : 1400).height(520)
                .title("iomap / bh IOPS speedup, " + (read ? "buffer read" : "buffer write") + ": published vs measured")
                .xAxisTitle("row").yAxisTitle("speedup (x)").build();
        style(c);
        c.getStyler().setXAxisLabelRotation(60);
        List<String> x = new ArrayList<>();
        List<Double> pub = new ArrayList<>();
        List<Double> mea = new ArrayList<>();
        for (PublishedComparison.Entry e : es) {
            RowKey k = e.key();
            String l = k.isRead() ? k.type() + " " + k.bsLabel()
                    : k.type() + " " + k.overwrite() + k.sync() + k.writeback() + " " + k.bsLabel();
            if (!e.variant().isEmpty()) {
                l += " [" + e.variant() + "]";
            }
            x.add(l);
            pub.add(e.publishedSpeedup());
            mea.add(e.measured());
        }
        c.addSeries("published (v3, Xeon 6240)", x, pub).setFillColor(PUBLISHED);
        c.addSeries("measured", x, mea).setFillColor(IOMAP);
        String name = read ? "speedup-read" : "speedup-write";
        String cap = "iomap/bh speedup per " + (read ? "read" : "write") + " row, published vs measured"
                + (read ? "" : " (write rows labelled type Overwrite/Sync/Writeback bs)");
        return new NamedChart(name, cap, c);
    }

    static NamedChart speedupScatter(PublishedComparison pc) {
        if (pc.entries().isEmpty()) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(640).height(600).title("measured vs published speedup (iomap / bh)")
                .xAxisTitle("published speedup (x)").yAxisTitle("measured speedup (x)").build();
        style(c);
        c.getStyler().setMarkerSize(9);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setXAxisDecimalPattern("0.0");
        c.getStyler().setYAxisDecimalPattern("0.0");
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
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
        return new NamedChart("speedup-scatter", "measured against published speedup, one point per row; on the dashed "
                + "line they agree, above it iomap gains more here than in the mail", c);
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
    static double errorBar(org.foliobench.results.Measurement m) {
        org.foliobench.results.Paired.Estimate e = m.estimate();
        if (e != null && e.hasInterval()) {
            return (e.high() - e.low()) / 2;
        }
        return Double.isFinite(m.stdDev()) ? m.stdDev() : 0.0;
    }
}
