package org.foliobench.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.foliobench.layout.RowKey;

/**
 * The three-way table of a run with the paths bh, iomap and bhlf (buffer_head + large folios),
 * laid out like the 2024-11 cover letter of "[PATCH 0/9] ext4: enable large folio for regular files":
 * per row the three column pairs (IOPS, BW) and, for iomap and bhlf, "+%" against bh, from the paired
 * estimates (every pair of paths of a row ran in the same forks, ABC CBA). Then published vs measured
 * over that mail's 39 rows ({@value #RESOURCE}), with bhlf/iomap. The two-column tables and
 * published-vs-measured over the seed's 39 rows are the run's usual ones (iomap/bh).
 */
public final class ThreeWayTable {
    /** Classpath resource of the 2024-11 rows. */
    public static final String RESOURCE = "/org/foliobench/results/ext4-large-folio-bh-2024-11-fio-psync.csv";

    /** One published 2024-11 row: IOPS of bh, iomap, bhlf. */
    public record Published(RowKey key, double bh, double iomap, double bhlf) {
    }

    private ThreeWayTable() {
    }

    /** The 39 published rows, in the mail's order. */
    public static List<Published> published() {
        List<Published> l = new ArrayList<>();
        for (CSVRecord r : ReferenceTable.records(RESOURCE)) {
            RowKey k = RowKey.ofCsv(r.get("table"), r.get("type"), r.get("overwrite"), r.get("sync"), r.get("writeback"),
                    r.get("bs"));
            l.add(new Published(k, Double.parseDouble(r.get("bh_iops")), Double.parseDouble(r.get("iomap_iops")),
                    Double.parseDouble(r.get("bhlf_iops"))));
        }
        return l;
    }

    /** True when the run measured bhlf beside bh. */
    public static boolean applies(RunFolder run) {
        return run.measurements().stream().anyMatch(m -> m.path() == PathLabel.BHLF);
    }

    /** The measurements of one row (no tunable variant), by path. */
    static Map<PathLabel, Measurement> row(RunFolder run, RowKey key) {
        return rowWhere(run, key::equals);
    }

    /** The measurements of a published row: its own key, or in a numjobs sweep its numjobs=1 row ({@link RowKey#publishable}). */
    static Map<PathLabel, Measurement> publishedRow(RunFolder run, RowKey published) {
        return rowWhere(run, k -> k.publishable() && k.base().equals(published));
    }

    private static Map<PathLabel, Measurement> rowWhere(RunFolder run, java.util.function.Predicate<RowKey> key) {
        Map<PathLabel, Measurement> m = new LinkedHashMap<>();
        for (Measurement x : run.measurements()) {
            if (key.test(x.row()) && x.variant().isEmpty()) {
                m.put(x.path(), x);
            }
        }
        return m;
    }

    /** The paired speedup {@code test/base} of a row, or null when the two did not run in the same forks. */
    static Paired.Estimate speedup(Map<PathLabel, Measurement> row, PathLabel base, PathLabel test) {
        Measurement b = row.get(base);
        if (b == null || row.get(test) == null || b.rowPasses().isEmpty()) {
            return null;
        }
        return Paired.speedup(b.rowPasses(), base.param(), test.param());
    }

    private static String plus(Paired.Estimate e) {
        return e == null ? "-" : Format.signedPct(100 * (e.value() - 1));
    }

    private static String interval(Paired.Estimate e) {
        if (e == null) {
            return "-";
        }
        return Format.ratio(e.value()) + (e.hasInterval()
                ? String.format(Locale.ROOT, " [%.2f-%.2f]", e.low(), e.high()) : "");
    }

    /** The Markdown: the rows of the run with three column pairs, then published vs measured (2024-11). */
    public static String markdown(RunFolder run) {
        StringBuilder sb = new StringBuilder();
        sb.append("| row | bh IOPS | bh BW | iomap IOPS | iomap BW | iomap +% | bhlf IOPS | bhlf BW | bhlf +% |"
                + " iomap/bh [95% CI] | bhlf/bh [95% CI] | bhlf/iomap [95% CI] |\n");
        sb.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        List<RowKey> keys = new ArrayList<>();
        for (Measurement m : run.measurements()) {
            if (m.variant().isEmpty() && !keys.contains(m.row())) {
                keys.add(m.row());
            }
        }
        for (RowKey k : keys) {
            Map<PathLabel, Measurement> r = row(run, k);
            sb.append("| ").append(k.key());
            for (PathLabel p : PathLabel.MODEL3) {
                Measurement m = r.get(p);
                sb.append(" | ").append(m == null ? "-" : Format.iops(m.iops()))
                        .append(" | ").append(m == null ? "-" : Format.bw(m.bwMiB()));
                if (p != PathLabel.BH) {
                    sb.append(" | ").append(plus(speedup(r, PathLabel.BH, p)));
                }
            }
            sb.append(" | ").append(interval(speedup(r, PathLabel.BH, PathLabel.IOMAP)))
                    .append(" | ").append(interval(speedup(r, PathLabel.BH, PathLabel.BHLF)))
                    .append(" | ").append(interval(speedup(r, PathLabel.IOMAP, PathLabel.BHLF))).append(" |\n");
        }
        sb.append("\n").append(publishedVsMeasured(run));
        return sb.toString();
    }

    /**
     * Published vs measured over the 2024-11 rows, laid out like the mail: per row the published
     * IOPS of the three columns, then for iomap and bhlf "+%" against bh, published and measured
     * (the paired estimate with its 95% interval), then bhlf/iomap; a measured value whose interval
     * holds the published one is marked "(in CI)"; rows the run did not measure are left out. Under the
     * table, over the rows measured on all three paths: how many have iomap, and bhlf, ahead of bh, and
     * bhlf at or below iomap, measured beside published.
     */
    public static String publishedVsMeasured(RunFolder run) {
        StringBuilder sb = new StringBuilder();
        sb.append("published (2024-11, \"[PATCH 0/9] ext4: enable large folio for regular files\") vs measured:\n\n");
        sb.append("| row | published IOPS bh / iomap / bhlf | iomap +% published | measured [95% CI] | bhlf +% published"
                + " | measured [95% CI] | bhlf/iomap published | measured [95% CI] |\n");
        sb.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
        int rows = 0;
        int[] measured = new int[3];
        int[] published = new int[3];
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Published p : published()) {
            Map<PathLabel, Measurement> r = publishedRow(run, p.key());
            if (r.isEmpty()) {
                continue;
            }
            Paired.Estimate io = speedup(r, PathLabel.BH, PathLabel.IOMAP);
            Paired.Estimate lf = speedup(r, PathLabel.BH, PathLabel.BHLF);
            Paired.Estimate lfio = speedup(r, PathLabel.IOMAP, PathLabel.BHLF);
            sb.append("| ").append(p.key().key())
                    .append(" | ").append(Format.iops(p.bh())).append(" / ").append(Format.iops(p.iomap()))
                    .append(" / ").append(Format.iops(p.bhlf()))
                    .append(" | ").append(Format.signedPct(100 * (p.iomap() / p.bh() - 1))).append(" | ").append(plusCell(io, p.iomap() / p.bh()))
                    .append(" | ").append(Format.signedPct(100 * (p.bhlf() / p.bh() - 1))).append(" | ").append(plusCell(lf, p.bhlf() / p.bh()))
                    .append(" | ").append(Format.ratio(p.bhlf() / p.iomap())).append(" | ").append(cell(lfio, p.bhlf() / p.iomap()))
                    .append(" |\n");
            if (io != null && lf != null && lfio != null) {
                rows++;
                count(measured, io.value(), lf.value(), lfio.value());
                count(published, p.iomap() / p.bh(), p.bhlf() / p.bh(), p.bhlf() / p.iomap());
                lo = Math.min(lo, p.bhlf() / p.iomap());
                hi = Math.max(hi, p.bhlf() / p.iomap());
            }
        }
        sb.append(String.format(Locale.ROOT, "%n- iomap ahead of bh: %d/%d rows measured, %d/%d published%n"
                + "- bhlf ahead of bh: %d/%d rows measured, %d/%d published%n"
                + "- bhlf at or below iomap: %d/%d rows measured, %d/%d published%s%n",
                measured[0], rows, published[0], rows, measured[1], rows, published[1], rows, measured[2], rows,
                published[2], rows, rows == 0 ? "" : String.format(Locale.ROOT, " (published bhlf/iomap %.2f-%.2f)", lo, hi)));
        return sb.toString();
    }

    /** Counts iomap/bh > 1, bhlf/bh > 1 and bhlf/iomap <= 1 into {@code n[0..2]}. */
    private static void count(int[] n, double iomapOverBh, double bhlfOverBh, double bhlfOverIomap) {
        n[0] += iomapOverBh > 1 ? 1 : 0;
        n[1] += bhlfOverBh > 1 ? 1 : 0;
        n[2] += bhlfOverIomap <= 1 ? 1 : 0;
    }

    /** A measured speedup as "+%" with its interval in "+%", marked when the interval holds the published ratio. */
    private static String plusCell(Paired.Estimate e, double published) {
        if (e == null) {
            return "-";
        }
        String ci = e.hasInterval() ? " [" + Format.signedPct(100 * (e.low() - 1)) + ", " + Format.signedPct(100 * (e.high() - 1)) + "]" : "";
        return Format.signedPct(100 * (e.value() - 1)) + ci + (e.contains(published) ? " (in CI)" : "");
    }

    private static String cell(Paired.Estimate e, double published) {
        if (e == null) {
            return "-";
        }
        return interval(e) + (e.contains(published) ? " (in CI)" : "");
    }
}
