package org.foliobench.plots;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Throughput against threads (fio numjobs, Unixbench parallel copies), one line per path or
 * variant: the scaling chart of issue 16. The series' colors follow the other charts (buffer_head
 * blue, iomap orange), a variant of iomap dashed.
 */
public final class ScalingChart {
    private ScalingChart() {
    }

    /** One line: its label, the thread counts and the throughput at each. */
    public record Series(String label, List<Integer> threads, List<Double> throughput) {
        public Series {
            threads = List.copyOf(threads);
            throughput = List.copyOf(throughput);
            if (threads.size() != throughput.size() || threads.isEmpty()) {
                throw new IllegalArgumentException("series " + label + ": " + threads.size() + " thread counts, "
                        + throughput.size() + " values");
            }
        }
    }

    /**
     * The charts of a numjobs sweep ({@link org.foliobench.results.ScalingTable}): per swept row,
     * MiB/s (all threads together) against numjobs, one line per path; none for a run without a sweep.
     */
    public static List<Charts.NamedChart> of(org.foliobench.results.RunFolder run) {
        List<Charts.NamedChart> out = new ArrayList<>();
        for (org.foliobench.results.ScalingTable.Group g : org.foliobench.results.ScalingTable.groups(run)) {
            List<Series> series = new ArrayList<>();
            g.byPath().forEach((path, byN) -> {
                List<Integer> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                byN.forEach((n, m) -> {
                    if (Double.isFinite(m.bwMiB())) {
                        x.add(n);
                        y.add(m.bwMiB());
                    }
                });
                if (!x.isEmpty()) {
                    series.add(new Series(path.param(), x, y));
                }
            });
            if (!series.isEmpty()) {
                out.add(of(NAME_PREFIX + Charts.fileName(g.label()), g.label() + ": throughput against threads (numjobs)",
                        "MiB/s (all threads)", series, List.of("each thread a fio clone of the job (all on its filename= when it"
                                + " gives one); throughput summed over the threads as fio's group_reporting does")));
            }
        }
        return out;
    }

    /** The file names of the numjobs sweep's charts start with this. */
    public static final String NAME_PREFIX = "scaling-";

    /** The chart named {@code name} (file name without extension), titled and footed as given. */
    public static Charts.NamedChart of(String name, String title, String yAxis, List<Series> series, List<String> footer) {
        XYChart c = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT).title(title)
                .xAxisTitle("threads").yAxisTitle(yAxis).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(0xDDDDDD));
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setPlotBorderVisible(false);
        c.getStyler().setAntiAlias(true);
        c.getStyler().setToolTipsEnabled(false);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setXAxisDecimalPattern("#");
        Map<String, Integer> perColor = new LinkedHashMap<>();
        for (Series s : series) {
            List<Double> x = new ArrayList<>();
            s.threads().forEach(t -> x.add(t.doubleValue()));
            XYSeries xs = c.addSeries(s.label(), x, s.throughput());
            xs.setMarker(SeriesMarkers.CIRCLE);
            boolean bh = s.label().startsWith("bh");
            Color color = bh ? Charts.BH : Charts.IOMAP;
            int n = perColor.merge(bh ? "bh" : "iomap", 1, Integer::sum);
            if (n > 1) {
                color = color.darker();
                xs.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
                        10f, new float[] {6f, 4f}, 0f));
            }
            xs.setLineColor(color);
            xs.setMarkerColor(color);
        }
        return new Charts.NamedChart(name, title, c, footer);
    }
}
