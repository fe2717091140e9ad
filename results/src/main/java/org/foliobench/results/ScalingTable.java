package org.foliobench.results;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.foliobench.layout.RowKey;

/**
 * The scaling table of a numjobs sweep ({@code --numjobs 1,2,4}; {@code scaling.md} and
 * {@code scaling.csv}): per row (and tunable variant) and path, the throughput at each numjobs,
 * the aggregate of all the job's threads as fio's {@code group_reporting} sums it (each pass counts
 * the calls and bytes of every clone over the pass's wall time), and the scaling against one thread
 * ({@code numjobs=1}: throughput at N over throughput at 1; "-" when the sweep has no 1).
 */
public final class ScalingTable {

    /** {@code scaling.md} and {@code scaling.csv} in the run folder. */
    public static final String NAME = "scaling";

    /** The CSV's columns: one line per row, numjobs and path. */
    public static final List<String> CSV_HEADER = List.of("row", "table", "type", "overwrite", "sync", "writeback", "bs", "tunables",
            RowKey.NUMJOBS, "path", "iops", "bw_mib", "iops_ci_low", "iops_ci_high", "scaling");

    private ScalingTable() {
    }

    /**
     * One swept row: the published row it sweeps ({@link RowKey#base()}), its tunable variant, the
     * numjobs values measured (ascending), and per path (table order) the measurement at each.
     */
    public record Group(RowKey row, String variant, List<Integer> numjobs, Map<PathLabel, Map<Integer, Measurement>> byPath) {
        public Group {
            numjobs = List.copyOf(numjobs);
        }

        /** The measurement of {@code path} at {@code n} threads, or null. */
        public Measurement get(PathLabel path, int n) {
            Map<Integer, Measurement> m = byPath.get(path);
            return m == null ? null : m.get(n);
        }

        /** IOPS at {@code n} over IOPS at one thread, NaN when either is missing. */
        public double scaling(PathLabel path, int n) {
            Measurement one = get(path, 1);
            Measurement m = get(path, n);
            return one == null || m == null ? Double.NaN : m.iops() / one.iops();
        }

        /** {@code read/hole/4K}, with the variant in brackets if any. */
        public String label() {
            return row.key() + (variant.isEmpty() ? "" : " [" + variant + "]");
        }
    }

    /** Does the run sweep numjobs (its rows carry a {@value RowKey#NUMJOBS})? */
    public static boolean applies(RunFolder run) {
        return run.measurements().stream().anyMatch(m -> m.row().numjobs() > 0);
    }

    /** The swept rows of a run, in the run's row order. */
    public static List<Group> groups(RunFolder run) {
        Map<String, RowKey> rows = new LinkedHashMap<>();
        Map<String, String> variants = new LinkedHashMap<>();
        Map<String, TreeSet<Integer>> numjobs = new LinkedHashMap<>();
        Map<String, Map<PathLabel, Map<Integer, Measurement>>> byPath = new LinkedHashMap<>();
        for (Measurement m : run.measurements()) {
            if (m.row().numjobs() == 0) {
                continue;
            }
            String k = m.row().base().key() + "\u0000" + m.variant();
            rows.putIfAbsent(k, m.row().base());
            variants.putIfAbsent(k, m.variant());
            numjobs.computeIfAbsent(k, x -> new TreeSet<>()).add(m.row().numjobs());
            byPath.computeIfAbsent(k, x -> new TreeMap<>()).computeIfAbsent(m.path(), x -> new TreeMap<>())
                    .put(m.row().numjobs(), m);
        }
        List<Group> out = new ArrayList<>();
        rows.forEach((k, row) -> out.add(new Group(row, variants.get(k), new ArrayList<>(numjobs.get(k)), byPath.get(k))));
        return out;
    }

    /** The paths measured in any swept row, in table order. */
    static List<PathLabel> paths(List<Group> groups) {
        TreeSet<PathLabel> s = new TreeSet<>();
        groups.forEach(g -> s.addAll(g.byPath().keySet()));
        return new ArrayList<>(s);
    }

    /** The table: one line per row and numjobs, per path its IOPS, MiB/s and scaling against one thread. */
    public static Table table(RunFolder run) {
        List<Group> groups = groups(run);
        List<PathLabel> paths = paths(groups);
        List<String> h = new ArrayList<>(List.of("row", RowKey.NUMJOBS));
        for (PathLabel p : paths) {
            h.add(p.param() + " IOPS");
            h.add(p.param() + " MiB/s");
            h.add(p.param() + " vs 1 thread");
        }
        List<List<String>> lines = new ArrayList<>();
        for (Group g : groups) {
            for (int n : g.numjobs()) {
                List<String> c = new ArrayList<>(List.of(g.label(), Integer.toString(n)));
                for (PathLabel p : paths) {
                    Measurement m = g.get(p, n);
                    c.add(SeedTables.iops(m));
                    c.add(SeedTables.bw(m));
                    c.add(Format.ratio(g.scaling(p, n)));
                }
                lines.add(c);
            }
        }
        return new Table("scaling", h, lines, 1);
    }

    /** {@code scaling.md}: the table under a line saying what it shows. */
    public static String markdown(RunFolder run) {
        StringBuilder b = new StringBuilder();
        if (!run.complete()) {
            b.append("**").append(run.incompleteNotice()).append("**\n\n");
        }
        b.append("Throughput against threads: fio numjobs, each thread a clone of the job (on its own file, or all on the"
                + " job's filename= when it gives one, as the seeds do), reported together as with group_reporting;"
                + " \"vs 1 thread\" is the throughput over that of numjobs=1.\n\n");
        b.append(table(run).markdown());
        return b.toString();
    }

    /** {@code scaling.csv}: {@link #CSV_HEADER}, one line per row, numjobs and path, full precision. */
    public static String csv(RunFolder run) {
        StringWriter w = new StringWriter();
        try (CSVPrinter out = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get())) {
            out.printRecord(CSV_HEADER);
            for (Group g : groups(run)) {
                for (int n : g.numjobs()) {
                    for (PathLabel p : g.byPath().keySet()) {
                        Measurement m = g.get(p, n);
                        if (m == null) {
                            continue;
                        }
                        RowKey k = g.row();
                        Paired.Estimate e = m.estimate();
                        out.printRecord(k.key(), k.table(), k.type(), k.overwrite(), k.sync(), k.writeback(), k.bsLabel(), g.variant(),
                                n, p.param(), SeedTables.num(m.iops()), SeedTables.num(m.bwMiB()),
                                e == null || !e.hasInterval() ? "" : SeedTables.num(e.low()),
                                e == null || !e.hasInterval() ? "" : SeedTables.num(e.high()), SeedTables.num(g.scaling(p, n)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
