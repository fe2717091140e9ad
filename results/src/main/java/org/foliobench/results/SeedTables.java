package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;

/**
 * The seed's two tables from a run: read table {@code type bs | bh IOPS BW | iomap IOPS BW},
 * write table {@code type Overwrite Sync Writeback bs | bh IOPS BW | iomap IOPS BW}, IOPS and
 * BW formatted as the cover letter does ({@link Format#iops}, {@link Format#bw}), then our
 * columns: speedup (iomap/bh IOPS), score error, p50/p99 latency, mapping calls per MiB, folios
 * per MiB and average bio size per path.
 *
 * <p>Three forms: the cover letter's plain-text layout ({@link #seedText}, only the published
 * columns, byte for byte the mail's), Markdown ({@link #markdown}) and CSV ({@link #csv}; the
 * reference CSV's columns first, so the two files line up, then ours at full precision).
 * Rows come in the seed's order; rows not measured are left out, or shown as "not run" with the
 * runner's reason when the metadata has {@code skipped.<rowkey>}.
 */
public final class SeedTables {

    /** The explaining counters of the Markdown table, with their column titles. */
    static final Map<String, String> MD_COUNTERS = new LinkedHashMap<>();

    static {
        MD_COUNTERS.put("mapCalls", "map/MiB");
        MD_COUNTERS.put("folios", "folios/MiB");
    }

    private SeedTables() {
    }

    // ------------------------------------------------------------- cover-letter text layout

    /** The published table in the cover letter's plain-text layout (reproduces the mail). */
    public static String seedText(ReferenceTable ref) {
        List<Line> lines = new ArrayList<>();
        for (ReferenceTable.Entry e : ref.entries()) {
            lines.add(new Line(e.key(), Format.iops(e.bhIops()), bwPublished(e.bhBwMiB()),
                    Format.iops(e.iomapIops()), bwPublished(e.iomapBwMiB())));
        }
        return seedText(lines, PathLabel.MODEL);
    }

    /**
     * A run in the cover letter's plain-text layout: the published columns only, titled with the
     * run's columns (the mail's for a model run, ext4 and xfs for a kernel run); of a numjobs sweep
     * the numjobs=1 rows.
     */
    public static String seedText(RunFolder run) {
        List<Line> lines = new ArrayList<>();
        for (Row r : run.rows()) {
            if (r.key().publishable()) { // a numjobs sweep's other rows are in scaling.md
                lines.add(new Line(r.key(), iops(r.bh()), bw(r.bh()), iops(r.iomap()), bw(r.iomap())));
            }
        }
        return seedText(lines, run.paths());
    }

    private static String bwPublished(double v) {
        // the CSV stores the mail's figures, which are already rounded as printed
        return v == Math.rint(v) ? Long.toString((long) v) : Format.bw(v);
    }

    private record Line(RowKey key, String bhIops, String bhBw, String iomapIops, String iomapBw) {
    }

    private static String seedText(List<Line> lines, List<PathLabel> paths) {
        String base = paths.get(0).title();
        String test = paths.get(1).title();
        StringBuilder b = new StringBuilder();
        List<Line> reads = lines.stream().filter(l -> l.key().isRead()).toList();
        List<Line> writes = lines.stream().filter(l -> !l.key().isRead()).toList();
        if (!reads.isEmpty()) {
            b.append("   == buffer read ==\n");
            b.append("                  ").append(base).append(" ".repeat(Math.max(1, 19 - base.length()))).append(test).append('\n');
            b.append("   type     bs    IOPS    BW(MiB/s)  IOPS    BW(MiB/s)\n");
            b.append("   ").append("-".repeat(52)).append('\n');
            for (Line l : reads) {
                StringBuilder s = new StringBuilder("   ");
                cell(s, l.key().type(), 9);
                cell(s, l.key().bsLabel(), 6);
                cell(s, l.bhIops(), 8);
                cell(s, l.bhBw(), 11);
                cell(s, l.iomapIops(), 8);
                s.append(l.iomapBw());
                b.append(s).append('\n');
            }
        }
        if (!writes.isEmpty()) {
            b.append("   == buffer write ==\n");
            b.append("                                        ").append(base).append(" ".repeat(Math.max(1, 13 - base.length())))
                    .append(test).append('\n');
            b.append("   type   Overwrite Sync Writeback bs   IOPS   BW    IOPS   BW\n");
            b.append("   ").append("-".repeat(60)).append('\n');
            for (Line l : writes) {
                StringBuilder s = new StringBuilder("   ");
                cell(s, l.key().type(), 9);
                cell(s, l.key().overwrite(), 8);
                cell(s, l.key().sync(), 5);
                cell(s, l.key().writeback(), 10);
                cell(s, l.key().bsLabel(), 5);
                cell(s, l.bhIops(), 7);
                cell(s, l.bhBw(), 6);
                cell(s, l.iomapIops(), 7);
                s.append(l.iomapBw());
                b.append(s).append('\n');
            }
        }
        return b.toString();
    }

    private static void cell(StringBuilder s, String v, int width) {
        s.append(v);
        s.append(" ".repeat(Math.max(1, width - v.length())));
    }

    // ------------------------------------------------------------------------- Markdown

    /** The read table (hole, ramdisk, nvme rows). */
    public static Table readTable(RunFolder run) {
        return table(run, true);
    }

    /** The write table (cache, ramdisk, nvme rows). */
    public static Table writeTable(RunFolder run) {
        return table(run, false);
    }

    private static Table table(RunFolder run, boolean read) {
        List<PathLabel> paths = run.paths();
        boolean variants = run.rows().stream().anyMatch(r -> r.key().isRead() == read && !r.variant().isEmpty());
        boolean notes = ordered(run).stream().anyMatch(o -> o instanceof String && RowKey.parse((String) o).isRead() == read);
        List<String> h = new ArrayList<>();
        h.add("type");
        if (!read) {
            h.addAll(List.of("Overwrite", "Sync", "Writeback"));
        }
        h.add("bs");
        boolean nj = sweepsNumjobs(run);
        if (nj) {
            h.add(RowKey.NUMJOBS);
        }
        if (variants) {
            h.add("tunables");
        }
        int keys = h.size();
        for (PathLabel p : paths) {
            h.add(p.param() + " IOPS");
            h.add(p.param() + " BW(MiB/s)");
        }
        h.add("speedup");
        h.add("95% CI");
        h.add("published");
        for (PathLabel p : paths) {
            h.add(p.param() + " ±");
        }
        for (PathLabel p : paths) {
            h.add(p.param() + " p50/p99");
        }
        for (Map.Entry<String, String> c : MD_COUNTERS.entrySet()) {
            for (PathLabel p : paths) {
                h.add(p.param() + " " + c.getValue());
            }
        }
        for (PathLabel p : paths) {
            h.add(p.param() + " avg bio");
        }
        for (PathLabel p : paths) {
            h.add(p.param() + " alloc/call");
        }
        h.add("disturbed");
        if (notes) {
            h.add("note");
        }
        List<List<String>> rows = new ArrayList<>();
        for (Object o : ordered(run)) {
            RowKey k = o instanceof Row ? ((Row) o).key() : RowKey.parse((String) o);
            if (k.isRead() != read) {
                continue;
            }
            List<String> c = new ArrayList<>();
            c.add(k.type());
            if (!read) {
                c.addAll(List.of(k.overwrite(), k.sync(), k.writeback()));
            }
            c.add(k.bsLabel());
            if (nj) {
                c.add(numjobsCell(k));
            }
            if (o instanceof String) {
                if (variants) {
                    c.add("");
                }
                while (c.size() < h.size() - 1) {
                    c.add(Format.NONE);
                }
                c.add("not run: " + run.skipped().get(o));
                rows.add(c);
                continue;
            }
            Row r = (Row) o;
            if (variants) {
                c.add(r.variant());
            }
            for (PathLabel p : paths) {
                c.add(iops(r.get(p)));
                c.add(bw(r.get(p)));
            }
            c.add(Format.ratio(r.speedup()));
            c.add(r.paired() != null && r.paired().hasInterval()
                    ? Format.ratio(r.paired().low()) + "-" + Format.ratio(r.paired().high()) : Format.NONE);
            ReferenceTable.Entry pub = ReferenceTable.published().get(r.key());
            c.add(pub == null ? Format.NONE : Format.ratio(pub.speedup()) + (r.paired() != null && r.paired().contains(pub.speedup())
                    ? " (in CI)" : ""));
            for (PathLabel p : paths) {
                Measurement m = r.get(p);
                c.add(m == null || !Double.isFinite(m.errorPct()) ? Format.NONE : "±" + Format.pct(m.errorPct()));
            }
            for (PathLabel p : paths) {
                Measurement m = r.get(p);
                LatencySummary l = m == null ? null : m.latency();
                c.add(l == null ? Format.NONE : Format.latency(l.p50()) + " / " + Format.latency(l.p99()));
            }
            for (String counter : MD_COUNTERS.keySet()) {
                for (PathLabel p : paths) {
                    c.add(opt(r.get(p), m -> m.perMiB(counter), Format::perMiB));
                }
            }
            for (PathLabel p : paths) {
                c.add(opt(r.get(p), Measurement::avgBioBytes, Format::bytes));
            }
            for (PathLabel p : paths) {
                c.add(opt(r.get(p), Measurement::allocPerCall, v -> Math.round(v) + " B"));
            }
            c.add(disturbed(r));
            if (notes) {
                c.add("");
            }
            rows.add(c);
        }
        Table t = new Table(read ? "buffer read" : "buffer write", h, rows, keys);
        return notes ? t.withTextColumn(h.size() - 1) : t;
    }

    /** Measured rows in order, with skipped (not measured) row keys as strings in their seed place. */
    static List<Object> ordered(RunFolder run) {
        ReferenceTable ref = ReferenceTable.published();
        List<Object> out = new ArrayList<>(run.rows());
        for (String key : run.skipped().keySet()) {
            RowKey k;
            try {
                k = RowKey.parse(key);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (run.row(k) == null) {
                out.add(key);
            }
        }
        out.sort((a, b) -> {
            RowKey ka = a instanceof Row ? ((Row) a).key() : RowKey.parse((String) a);
            RowKey kb = b instanceof Row ? ((Row) b).key() : RowKey.parse((String) b);
            int oa = ref.order(ka);
            int ob = ref.order(kb);
            oa = oa < 0 ? Integer.MAX_VALUE : oa;
            ob = ob < 0 ? Integer.MAX_VALUE : ob;
            return Integer.compare(oa, ob); // stable: run order within the same position
        });
        return out;
    }

    /** Disturbed over measured passes of both paths, {@code 1/16}; "-" for a run without a pass log. */
    static String disturbed(Row r) {
        long d = 0;
        long n = 0;
        for (PathLabel p : r.paths()) {
            Measurement m = r.get(p);
            if (m != null && m.estimate() != null) {
                d += m.disturbedPasses();
                n += m.passes().size();
            }
        }
        return n == 0 ? Format.NONE : d + "/" + n;
    }

    static String iops(Measurement m) {
        return m == null ? Format.NONE : Format.iops(m.iops());
    }

    static String bw(Measurement m) {
        return m == null ? Format.NONE : Format.bw(m.bwMiB());
    }

    private static String opt(Measurement m, Function<Measurement, OptionalDouble> f, Function<Double, String> fmt) {
        if (m == null) {
            return Format.NONE;
        }
        OptionalDouble v = f.apply(m);
        return v.isPresent() ? fmt.apply(v.getAsDouble()) : Format.NONE;
    }

    /** The legend printed under the tables. */
    public static final String LEGEND = "IOPS = completed psync calls per second (565k = 565 000), BW = MiB/s "
            + "(IOPS x bs / 2^20), as the cover letter prints them. speedup = iomap IOPS / bh IOPS, the paired "
            + "estimate: both paths in each fork, passes in ABBA blocks, mean over forks of the median block log ratio; "
            + "95% CI = its interval (hierarchical bootstrap over forks and blocks, Student t at forks - 1 df); "
            + "published = the cover letter's speedup, \"(in CI)\" when our interval contains it. "
            + "± = half-width of each path's own 95% IOPS interval (JMH's 99.9% score error for a run from before "
            + "the pass log). "
            + "alloc/call = bytes the JVM allocated per call during the timed sweeps (all threads); "
            + "disturbed = measured passes during which GC ran or JIT or CPU steal took over "
            + PassLog.DISTURBED_PCT + "% of the pass (kept, not dropped). "
            + "p50/p99 = latency percentiles of the data call (pread/pwrite; the fsync of a Sync=Y row is timed apart, its percentiles in fio/ and latency/sync/) from the HdrHistogram logs. "
            + "map/MiB = filesystem mapping calls (get_block / iomap_begin) per MiB moved; "
            + "folios/MiB = folios allocated per MiB; avg bio = bioBytes / bios. \"-\" = not measured.";

    /** What a kernel run's tables mean, before {@link #LEGEND}. */
    static final String KERNEL_NOTE = "Kernel run: the same jobs through real fio on ext4 and xfs on this machine's kernel, "
            + "in the places of bh and iomap: speedup = xfs IOPS / ext4 IOPS. IOPS = fio's own (calls / fio's runtime, "
            + "whole milliseconds); each fork is one ABBA block of fio runs (ext4 xfs xfs ext4, or the reverse), one run a "
            + "pass; the engine's counters, alloc/call and the JVM's disturbances do not apply there (\"-\", 0); "
            + "p50/p99 = fio's clat percentiles (json+ bins), which leave a Sync=Y row's fsync out.";

    /** The legend under a run's tables: {@link #LEGEND}, after {@link #KERNEL_NOTE} for a kernel run. */
    public static String legend(RunFolder run) {
        return run.paths().equals(PathLabel.KERNEL) ? KERNEL_NOTE + " " + LEGEND : LEGEND;
    }

    /** The whole {@code tables.md}: header, incomplete notice, both tables, the legend. */
    public static String markdown(RunFolder run) {
        StringBuilder b = new StringBuilder();
        b.append("# foliobench fio psync tables: ").append(run.name()).append("\n\n");
        if (!run.complete()) {
            b.append("> **").append(run.incompleteNotice()).append("**\n\n");
        }
        String desc = runDescription(run);
        if (!desc.isEmpty()) {
            b.append(desc).append("\n\n");
        }
        Table read = readTable(run);
        Table write = writeTable(run);
        if (read.rows().isEmpty() && write.rows().isEmpty()) {
            b.append("No rows measured yet.\n\n");
        }
        for (Table t : List.of(read, write)) {
            if (t.rows().isEmpty()) {
                continue;
            }
            b.append("## == ").append(t.title()).append(" ==\n\n").append(t.markdown()).append('\n');
        }
        b.append(legend(run)).append('\n');
        List<String> capped = run.metadata().entrySet().stream().filter(e -> e.getKey().startsWith(org.foliobench.layout.RunLayout.Meta.CAPPED_PREFIX))
                .map(e -> e.getKey().substring(org.foliobench.layout.RunLayout.Meta.CAPPED_PREFIX.length()) + ": " + e.getValue()).toList();
        if (!capped.isEmpty()) {
            b.append("\nRows that reached the fork cap before their interval reached the target:\n\n");
            capped.forEach(c -> b.append("- ").append(c).append('\n'));
        }
        return b.toString();
    }

    /** One line about the machine from the metadata (cpu, cores, memory, kernel, jvm, git), or empty. */
    public static String runDescription(RunFolder run) {
        List<String> parts = new ArrayList<>();
        run.machine().forEach((k, v) -> {
            if (!k.equals("host")) {
                parts.add(k + ": " + v);
            }
        });
        String git = run.metadata().getOrDefault(org.foliobench.layout.RunLayout.Meta.GIT_COMMIT, "");
        if (!git.isEmpty()) {
            parts.add("git: " + git);
        }
        return String.join("; ", parts);
    }

    // ------------------------------------------------------------------------------ CSV

    /**
     * CSV header: the reference CSV's columns, then ours; {@code paths} name the per-path columns
     * ({@code bh_iops}, or {@code ext4_iops} in a kernel run).
     */
    public static List<String> csvHeader(List<PathLabel> paths) {
        return csvHeader(paths, false);
    }

    /** {@link #csvHeader(List)}, with a {@value RowKey#NUMJOBS} column after {@code bs} in a numjobs sweep ({@link #sweepsNumjobs}). */
    public static List<String> csvHeader(List<PathLabel> paths, boolean numjobs) {
        List<String> h = new ArrayList<>(List.of("table", "type", "overwrite", "sync", "writeback", "bs"));
        if (numjobs) {
            h.add(RowKey.NUMJOBS);
        }
        h.addAll(List.of(paths.get(0).param() + "_iops", paths.get(0).param() + "_bw_mib", paths.get(1).param() + "_iops",
                paths.get(1).param() + "_bw_mib", "speedup", "tunables", "status",
                "speedup_ci_low", "speedup_ci_high", "forks", "published_speedup", "published_in_ci"));
        for (PathLabel p : paths) {
            for (String c : PATH_COLUMNS) {
                h.add(p.param() + "_" + c);
            }
        }
        return h;
    }

    /** What the CSVs say of each measured path: prefixed with the path in the wide CSV, a line's own in the long one. */
    static final List<String> PATH_COLUMNS = pathColumns();

    private static List<String> pathColumns() {
        List<String> h = new ArrayList<>(List.of("alloc_per_call", "disturbed_passes", "score_error", "error_pct", "iterations",
                "p50_ns", "p99_ns", "p999_ns", "max_ns"));
        for (String c : Measurement.COUNTERS) {
            h.add(c + "_per_mib");
        }
        h.add("avg_bio_bytes");
        return List.copyOf(h);
    }

    /** {@link #PATH_COLUMNS} of {@code m} (null: not measured, every cell empty). */
    private static List<Object> pathCells(Measurement m) {
        List<Object> c = new ArrayList<>();
        if (m == null) {
            PATH_COLUMNS.forEach(x -> c.add(""));
            return c;
        }
        OptionalDouble alloc = m.allocPerCall();
        c.add(alloc.isPresent() ? num(alloc.getAsDouble()) : "");
        c.add(m.estimate() == null ? "" : m.disturbedPasses());
        c.add(num(m.scoreError()));
        c.add(num(m.errorPct()));
        c.add(m.iterations().length);
        LatencySummary l = m.latency();
        c.add(l == null ? "" : l.p50());
        c.add(l == null ? "" : l.p99());
        c.add(l == null ? "" : l.p999());
        c.add(l == null ? "" : l.max());
        for (String counter : Measurement.COUNTERS) {
            OptionalDouble v = m.perMiB(counter);
            c.add(v.isPresent() ? num(v.getAsDouble()) : "");
        }
        OptionalDouble bio = m.avgBioBytes();
        c.add(bio.isPresent() ? num(bio.getAsDouble()) : "");
        return c;
    }

    /** The long CSV's columns: one line per row and path. */
    public static final List<String> LONG_CSV_HEADER = longHeader(false);

    /** {@link #LONG_CSV_HEADER}, with a {@value RowKey#NUMJOBS} column after {@code bs_bytes} in a numjobs sweep. */
    public static List<String> longCsvHeader(boolean numjobs) {
        return numjobs ? longHeader(true) : LONG_CSV_HEADER;
    }

    private static List<String> longHeader(boolean numjobs) {
        List<String> h = new ArrayList<>(List.of("table", "type", "overwrite", "sync", "writeback", "bs", "bs_bytes"));
        if (numjobs) {
            h.add(RowKey.NUMJOBS);
        }
        h.addAll(List.of("tunables", "path", "iops", "iops_ci_low", "iops_ci_high", "bw_mib", "forks", "speedup", "speedup_ci_low", "speedup_ci_high"));
        h.addAll(PATH_COLUMNS);
        return List.copyOf(h);
    }

    /**
     * {@code tables-long.csv}: the measurements in long format, one line per row and path ({@link #LONG_CSV_HEADER}:
     * the row's key columns, {@code bs_bytes} as a number, the path, its IOPS with its 95% interval, MiB/s, the
     * row's paired speedup with its interval, then what the wide CSV has per path), for tools that group by
     * columns (pandas, R, spreadsheets) without reshaping. Nothing but the header and the lines; skipped rows
     * have no line.
     */
    public static String longCsv(RunFolder run) {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get())) {
            boolean nj = sweepsNumjobs(run);
            out.printRecord(longCsvHeader(nj));
            for (Row r : run.rows()) {
                for (PathLabel p : r.paths()) {
                    Measurement m = r.get(p);
                    if (m == null) {
                        continue;
                    }
                    List<Object> c = new ArrayList<>();
                    keyCells(c, r.key(), false);
                    c.add(r.key().bs());
                    if (nj) {
                        c.add(r.key().numjobs());
                    }
                    c.add(r.variant());
                    c.add(p.param());
                    Paired.Estimate e = m.estimate();
                    c.add(num(m.iops()));
                    c.add(e == null || !e.hasInterval() ? "" : num(e.low()));
                    c.add(e == null || !e.hasInterval() ? "" : num(e.high()));
                    c.add(num(m.bwMiB()));
                    c.add(e == null ? "" : e.forks());
                    Paired.Estimate s = r.paired();
                    c.add(num(r.speedup()));
                    c.add(s == null || !s.hasInterval() ? "" : num(s.low()));
                    c.add(s == null || !s.hasInterval() ? "" : num(s.high()));
                    c.addAll(pathCells(m));
                    out.printRecord(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** The tables as one CSV (commons-csv, RFC 4180), full precision, seed order. */
    public static String csv(RunFolder run) {
        List<PathLabel> paths = run.paths();
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setCommentMarker('#').get())) {
            if (!run.complete()) {
                out.printComment(run.incompleteNotice());
            }
            boolean nj = sweepsNumjobs(run);
            List<String> header = csvHeader(paths, nj);
            out.printRecord(header);
            for (Object o : ordered(run)) {
                List<Object> c = new ArrayList<>();
                if (o instanceof String) {
                    RowKey k = RowKey.parse((String) o);
                    keyCells(c, k, nj);
                    c.addAll(List.of("", "", "", "", "", ""));
                    c.add("not run: " + run.skipped().get(o));
                    while (c.size() < header.size()) {
                        c.add("");
                    }
                    out.printRecord(c);
                    continue;
                }
                Row r = (Row) o;
                keyCells(c, r.key(), nj);
                for (PathLabel p : paths) {
                    Measurement m = r.get(p);
                    c.add(m == null ? "" : num(m.iops()));
                    c.add(m == null ? "" : num(m.bwMiB()));
                }
                c.add(num(r.speedup()));
                c.add(r.variant());
                c.add(r.bh() != null && r.iomap() != null ? "ok" : "partial");
                Paired.Estimate e = r.paired();
                ReferenceTable.Entry pub = ReferenceTable.published().get(r.key());
                c.add(e == null || !e.hasInterval() ? "" : num(e.low()));
                c.add(e == null || !e.hasInterval() ? "" : num(e.high()));
                c.add(e == null ? "" : e.forks());
                c.add(pub == null ? "" : num(pub.speedup()));
                c.add(pub == null || e == null || !e.hasInterval() ? "" : e.contains(pub.speedup()) ? "Y" : "N");
                for (PathLabel p : paths) {
                    c.addAll(pathCells(r.get(p)));
                }
                out.printRecord(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void keyCells(List<Object> c, RowKey k, boolean numjobs) {
        c.addAll(List.of(k.table(), k.type(), k.overwrite(), k.sync(), k.writeback(), k.bsLabel()));
        if (numjobs) {
            c.add(numjobsCell(k));
        }
    }

    /** Does the run sweep numjobs ({@code --numjobs}): do its rows carry a {@value RowKey#NUMJOBS}? */
    public static boolean sweepsNumjobs(RunFolder run) {
        return run.rows().stream().anyMatch(r -> r.key().numjobs() > 0) || run.skipped().keySet().stream()
                .anyMatch(k -> k.contains(RowKey.NUMJOBS_SEPARATOR));
    }

    private static String numjobsCell(RowKey k) {
        return k.numjobs() == 0 ? "" : Integer.toString(k.numjobs());
    }

    /** A number for CSV: empty when not finite, otherwise up to 6 significant decimals. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
