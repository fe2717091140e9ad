package org.foliobench.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;

/**
 * The small-write table: time per {@code pwrite} of 1 KiB and 10 KiB rewriting a cached file on bh,
 * bhlf (full walk), bhlf (range walk) and iomap (the bench's {@code SmallWriteBench}), beside the
 * libMicro numbers of the June 2026 report ({@value #RESOURCE}): v6.12 is bh, v6.18 is bhlf with the full walk,
 * v6.18 with the fix is bhlf with the range walk. Absolute times are not comparable (a JVM model on
 * a shared VM against a kernel on bare metal); the ratios to bh are.
 */
public final class SmallWriteTable {
    /** Classpath resource of the published libMicro numbers. */
    public static final String RESOURCE = "/org/foliobench/results/small-overwrite-regression-2026.csv";

    /** The measured variants, in column order (the bench's {@code path} param). */
    public static final List<String> VARIANTS = List.of("bh", "bhlf", "bhlf-range", "iomap");

    /** One published case: usecs per call on 6.12, 6.18, 6.18 with the fix. */
    public record Published(String name, double v612, double v618, double v618Fixed) {
    }

    /**
     * One variant's measurement of one case.
     *
     * @param nsPerCall         time per pwrite
     * @param bhsPerCall        BufferHeads write_begin and commit_write examined per pwrite
     *                          ({@code buffer.walk_bhs / calls}; NaN on iomap)
     * @param bhsPerWrite       the same per write_begin call ({@code buffer.walk_bhs / buffer.walk_writes})
     * @param skipsPerCall      {@code b_this_page} links followed to reach the written range
     *                          ({@code get_nth_bh}, {@code buffer.walk_skips / calls})
     * @param allocBytesPerCall bytes the benchmark thread allocated per pwrite (NaN: not measured)
     */
    public record Cell(double nsPerCall, double bhsPerCall, double bhsPerWrite, double skipsPerCall, double allocBytesPerCall) {
        /** A cell from the bench's numbers in that order; missing trailing ones are NaN. */
        static Cell of(double[] x) {
            return new Cell(at(x, 0), at(x, 1), at(x, 2), at(x, 3), at(x, 4));
        }

        private static double at(double[] x, int i) {
            return i < x.length ? x[i] : Double.NaN;
        }
    }

    /** One measured case (block size): a {@link Cell} per variant. */
    public record Measured(String bs, Map<String, Cell> cells) {
        /** Time per call of {@code variant}, NaN when it did not run. */
        public double ns(String variant) {
            Cell c = cells.get(variant);
            return c == null ? Double.NaN : c.nsPerCall();
        }
    }

    private SmallWriteTable() {
    }

    /** The published cases, in the CSV's order. */
    public static List<Published> published() {
        List<Published> l = new ArrayList<>();
        for (CSVRecord r : ReferenceTable.records(RESOURCE)) {
            l.add(new Published(r.get("case"), Double.parseDouble(r.get("v6_12_usec_per_call")),
                    Double.parseDouble(r.get("v6_18_usec_per_call")),
                    Double.parseDouble(r.get("v6_18_fixed_usec_per_call"))));
        }
        return l;
    }

    /** The published {@code pwrite_u<bs>} case ({@code 1k}, {@code 10k}): our benchmark is pwrite at sequential offsets. */
    static Published publishedFor(String bs) {
        for (Published p : published()) {
            if (p.name().equals("pwrite_u" + bs.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }

    /**
     * The Markdown: per block size the measured time per call of each variant and its ratio to bh,
     * beside the published 6.12 / 6.18 / fixed times and their ratios to 6.12; then, per block size
     * and variant, what a call did: buffers examined, links skipped, bytes allocated.
     */
    public static String markdown(List<Measured> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| bs | bh ns/call | bhlf (full walk) | bhlf (range walk) | iomap |"
                + " published pwrite: 6.12 / 6.18 / 6.18 fixed (us) | published 6.18/6.12, fixed/6.12 |"
                + " measured bhlf full/bh, range/bh |\n");
        sb.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Measured m : rows) {
            double bh = m.ns("bh");
            sb.append("| ").append(m.bs()).append(" | ").append(ns(bh));
            for (String v : List.of("bhlf", "bhlf-range", "iomap")) {
                double t = m.ns(v);
                sb.append(" | ").append(ns(t)).append(" (").append(ratio(t / bh)).append(')');
            }
            Published p = publishedFor(m.bs());
            if (p != null) {
                sb.append(String.format(Locale.ROOT, " | %.3f / %.3f / %.3f | %s, %s", p.v612(), p.v618(), p.v618Fixed(),
                        ratio(p.v618() / p.v612()), ratio(p.v618Fixed() / p.v612())));
            } else {
                sb.append(" | - | -");
            }
            sb.append(" | ").append(ratio(m.ns("bhlf") / bh)).append(", ").append(ratio(m.ns("bhlf-range") / bh)).append(" |\n");
        }
        sb.append("\nRatios are time per call against bh (lower is faster); the published ones are libMicro's "
                + "pwrite_u1k / pwrite_u10k against v6.12 (v6.12 = bh, v6.18 = bhlf full walk, v6.18 fixed = bhlf range walk).\n");
        sb.append("\nPer call:\n\n");
        sb.append("| bs | path | ns/call | buffers examined/call | buffers/write_begin | links skipped/call | bytes allocated/call |\n");
        sb.append("|---|---|--:|--:|--:|--:|--:|\n");
        for (Measured m : rows) {
            for (String v : VARIANTS) {
                Cell c = m.cells().get(v);
                if (c == null) {
                    continue;
                }
                sb.append("| ").append(m.bs()).append(" | ").append(v).append(" | ").append(ns(c.nsPerCall()))
                        .append(" | ").append(count(c.bhsPerCall())).append(" | ").append(count(c.bhsPerWrite()))
                        .append(" | ").append(count(c.skipsPerCall())).append(" | ").append(bytes(c.allocBytesPerCall()))
                        .append(" |\n");
            }
        }
        sb.append("\nBuffers examined: BufferHeads whose state write_begin and commit_write looked at "
                + "(buffer.walk_bhs; per write_begin: / buffer.walk_writes). Links skipped: b_this_page links get_nth_bh "
                + "followed to reach the written range without examining the buffers (buffer.walk_skips). Bytes allocated: "
                + "the benchmark thread's Java heap allocation per call.\n");
        return sb.toString();
    }

    private static String bytes(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String count(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) < 10 && v != Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String ns(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "x%.2f", r);
    }

    /**
     * Rows from measurements keyed by block size then variant (insertion order kept): per variant
     * {ns/call, buffers/call, buffers/write_begin, skips/call, bytes allocated/call}, trailing ones optional.
     */
    public static List<Measured> rows(Map<String, Map<String, double[]>> byBs) {
        List<Measured> l = new ArrayList<>();
        byBs.forEach((bs, m) -> {
            Map<String, Cell> c = new LinkedHashMap<>();
            m.forEach((v, x) -> c.put(v, Cell.of(x)));
            l.add(new Measured(bs, c));
        });
        return l;
    }
}
