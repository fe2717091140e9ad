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
 * libMicro numbers of the June 2026 report ({@value #RESOURCE}, a copy of
 * reference/small-overwrite-regression-2026.csv): v6.12 is bh, v6.18 is bhlf with the full walk,
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

    /** One measured case: ns per call and buffers examined per call, by variant. */
    public record Measured(String bs, Map<String, Double> nsPerCall, Map<String, Double> bhsPerCall) {
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
     * The Markdown table: per block size the measured time per call of each variant, its ratio to
     * bh and the buffers examined per call, then the published 6.12 / 6.18 / fixed times and ratios.
     */
    public static String markdown(List<Measured> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| bs | bh ns/call | bhlf (full walk) | bhlf (range walk) | iomap | buffers/call bh, bhlf full, bhlf range |"
                + " published pwrite: 6.12 / 6.18 / 6.18 fixed (us) | published 6.18/6.12, fixed/6.12 |\n");
        sb.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Measured m : rows) {
            double bh = m.nsPerCall().getOrDefault("bh", Double.NaN);
            sb.append("| ").append(m.bs()).append(" | ").append(ns(bh));
            for (String v : List.of("bhlf", "bhlf-range", "iomap")) {
                double t = m.nsPerCall().getOrDefault(v, Double.NaN);
                sb.append(" | ").append(ns(t)).append(" (").append(ratio(t / bh)).append(')');
            }
            sb.append(" | ");
            List<String> walks = new ArrayList<>();
            for (String v : List.of("bh", "bhlf", "bhlf-range")) {
                Double b = m.bhsPerCall().get(v);
                walks.add(b == null ? "-" : String.format(Locale.ROOT, "%.0f", b));
            }
            sb.append(String.join(", ", walks));
            Published p = publishedFor(m.bs());
            if (p != null) {
                sb.append(String.format(Locale.ROOT, " | %.3f / %.3f / %.3f | %s, %s |", p.v612(), p.v618(), p.v618Fixed(),
                        ratio(p.v618() / p.v612()), ratio(p.v618Fixed() / p.v612())));
            } else {
                sb.append(" | - | - |");
            }
            sb.append('\n');
        }
        sb.append("\nRatios are time per call against bh (lower is faster); the published ones are libMicro's "
                + "pwrite_u1k / pwrite_u10k against v6.12. Buffers/call: BufferHeads write_begin and commit_write "
                + "examined per call (buffer.walk_bhs / calls).\n");
        return sb.toString();
    }

    private static String ns(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "x%.2f", r);
    }

    /** Rows from measurements keyed by block size then variant (insertion order kept). */
    public static List<Measured> rows(Map<String, Map<String, double[]>> byBs) {
        List<Measured> l = new ArrayList<>();
        byBs.forEach((bs, m) -> {
            Map<String, Double> t = new LinkedHashMap<>();
            Map<String, Double> w = new LinkedHashMap<>();
            m.forEach((v, x) -> {
                t.put(v, x[0]);
                if (!v.equals("iomap")) {
                    w.put(v, x[1]);
                }
            });
            l.add(new Measured(bs, t, w));
        });
        return l;
    }
}
