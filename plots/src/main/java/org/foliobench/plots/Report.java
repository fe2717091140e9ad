package org.foliobench.plots;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foliobench.results.AtomicWrite;
import org.foliobench.results.FioJsonExport;
import org.foliobench.results.FioLatLog;
import org.foliobench.results.ModelVsKernel;
import org.foliobench.results.PathLabel;
import org.foliobench.results.PublishedComparison;
import org.foliobench.results.RunFolder;
import org.foliobench.results.RunFolderException;
import org.foliobench.results.ScalingTable;
import org.foliobench.results.SeedTables;
import org.foliobench.results.ThreeWayTable;

/**
 * {@code foliobench report RUN}: regenerates every output of a run folder from its
 * {@code jmh.json}, latency logs and metadata:
 * {@code tables.md}, {@code tables.csv} (wide: one line per row), {@code tables-long.csv} (one line per row and
 * path), {@code published-vs-measured.md}/{@code .csv} (the .md with the 2024-11 rows in a run with bhlf),
 * {@code scaling.md}/{@code .csv} and {@code charts/scaling-<row>.png} in a numjobs sweep ({@link ScalingTable}),
 * {@code fio/<rowfile>.json}, the same jobs in fio-plot's layout under {@code fio-plot/}
 * ({@link FioJsonExport#fioPlot}), {@code charts/<name>.png} and {@code .svg}, and {@code index.html}.
 *
 * <p>Idempotent: each file is written to a temporary file and renamed over the old one (nothing
 * is ever half-written), {@code index.html} last; chart and fio files of an earlier report that
 * this one did not write are removed. The outputs carry no generation time, so regenerating an
 * unchanged run gives the same bytes. Runs headless ({@code java.awt.headless=true}).
 */
public final class Report {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public static final String INDEX = "index.html";
    public static final String CHARTS_DIR = "charts";
    public static final String FIO_DIR = "fio";
    /** The model beside a kernel run: {@code model-vs-kernel.md} and {@code .csv}. */
    public static final String MODEL_VS_KERNEL = "model-vs-kernel";

    /**
     * What a report wrote.
     *
     * @param dir      the run folder
     * @param files    every file written, index.html last
     * @param complete false when the run has the INCOMPLETE marker
     * @param rows     rows in the tables
     * @param beside   the model set beside a kernel run ({@code model-vs-kernel.md}), or null
     * @param message  one line for the CLI (says INCOMPLETE when it is)
     */
    public record Written(Path dir, List<Path> files, boolean complete, int rows, ModelVsKernel beside, String message) {
        public Path index() {
            return dir.resolve(INDEX);
        }
    }

    private Report() {
    }

    /** Reads the run folder and writes the report into it. */
    public static Written write(Path runFolder) throws IOException {
        return write(RunFolder.read(runFolder));
    }

    /** Writes the report of an already read run into its folder. */
    public static Written write(RunFolder run) throws IOException {
        Path dir = run.dir();
        if (!Files.isDirectory(dir)) {
            throw new RunFolderException(dir + " is not a directory");
        }
        List<Path> written = new ArrayList<>();
        written.add(AtomicWrite.write(dir.resolve("tables.md"), SeedTables.markdown(run)));
        written.add(AtomicWrite.write(dir.resolve("tables.csv"), SeedTables.csv(run)));
        written.add(AtomicWrite.write(dir.resolve("tables-long.csv"), SeedTables.longCsv(run)));
        PublishedComparison pc = PublishedComparison.of(run);
        written.add(AtomicWrite.write(dir.resolve("published-vs-measured.md"), publishedVsMeasured(run, pc)));
        written.add(AtomicWrite.write(dir.resolve("published-vs-measured.csv"), pc.csv(run)));
        List<String> notes = new ArrayList<>();
        ModelVsKernel beside = besideModel(run, notes);
        if (beside != null) {
            written.add(AtomicWrite.write(dir.resolve(MODEL_VS_KERNEL + ".md"), beside.markdown()));
            written.add(AtomicWrite.write(dir.resolve(MODEL_VS_KERNEL + ".csv"), beside.csv()));
        }

        if (ScalingTable.applies(run)) {
            written.add(AtomicWrite.write(dir.resolve(ScalingTable.NAME + ".md"), ScalingTable.markdown(run)));
            written.add(AtomicWrite.write(dir.resolve(ScalingTable.NAME + ".csv"), ScalingTable.csv(run)));
        }

        Path fio = dir.resolve(FIO_DIR);
        Map<String, String> exports = FioJsonExport.all(run);
        removeStale(fio, writeAll(fio, exports, written), ".json");
        Path fioLogs = fio.resolve(FioLatLog.DIR);
        removeStale(fioLogs, writeAll(fioLogs, FioLatLog.all(run), written), ".log");
        Path fioPlot = dir.resolve(FioJsonExport.FIO_PLOT_DIR);
        removeStaleTree(fioPlot, writeAll(fioPlot, FioJsonExport.fioPlot(run), written));

        Path chartsDir = dir.resolve(CHARTS_DIR);
        Set<Path> chartFiles = new HashSet<>();
        List<Charts.NamedChart> charts = new ArrayList<>(Charts.all(run));
        charts.addAll(ScalingChart.of(run));
        for (Charts.NamedChart c : charts) {
            Path png = AtomicWrite.write(chartsDir.resolve(c.name() + ".png"), c.png());
            Path svg = AtomicWrite.write(chartsDir.resolve(c.name() + ".svg"), c.svg());
            written.add(png);
            written.add(svg);
            chartFiles.add(png);
            chartFiles.add(svg);
        }
        removeStale(chartsDir, chartFiles, ".png", ".svg");

        written.add(AtomicWrite.write(dir.resolve(INDEX),
                HtmlReport.page(run, charts, new ArrayList<>(exports.keySet()), beside)));
        int rows = run.rows().size();
        String msg = (run.complete() ? "" : "INCOMPLETE run (" + org.foliobench.layout.RunLayout.INCOMPLETE + " marker present, results partial): ")
                + "report of " + rows + " row(s), " + charts.size() + " chart(s) written to " + dir.resolve(INDEX)
                + notes.stream().map(n -> "; " + n).reduce("", String::concat);
        return new Written(dir, Collections.unmodifiableList(written), run.complete(), rows, beside, msg);
    }

    /**
     * {@code published-vs-measured.md}: the seed's rows (iomap/bh), and in a run with bhlf the rows
     * of the 2024-11 table it measured too, with "+%" against bh for iomap and bhlf ({@link ThreeWayTable}).
     */
    static String publishedVsMeasured(RunFolder run, PublishedComparison pc) {
        String seed = pc.markdown(run);
        return ThreeWayTable.applies(run) ? seed + "\n" + ThreeWayTable.publishedVsMeasured(run) : seed;
    }

    /**
     * The model run a kernel run names in its metadata ({@link org.foliobench.layout.RunLayout.Meta#MODEL_RUN}) set beside
     * it; null for a model run, or (with a note why) when the named run cannot be read.
     */
    static ModelVsKernel besideModel(RunFolder run, List<String> notes) {
        String named = run.metadata().get(org.foliobench.layout.RunLayout.Meta.MODEL_RUN);
        if (named == null || named.isEmpty() || !run.paths().equals(PathLabel.KERNEL)) {
            return null;
        }
        try {
            return ModelVsKernel.of(RunFolder.read(run.dir().resolve(named)), run);
        } catch (RunFolderException | IllegalArgumentException e) {
            notes.add("no model-vs-kernel table: " + named + ": " + e.getMessage());
            return null;
        }
    }

    /** Removes the JSON files under {@code dir} that are not in {@code keep}, and the folders that leaves empty. */
    /** Writes each file (name relative to {@code dir} -> text), adds it to {@code written}; returns the set written. */
    private static Set<Path> writeAll(Path dir, Map<String, String> files, List<Path> written) throws IOException {
        Set<Path> out = new HashSet<>();
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path p = AtomicWrite.write(dir.resolve(e.getKey()), e.getValue());
            written.add(p);
            out.add(p);
        }
        return out;
    }

    private static void removeStaleTree(Path dir, Set<Path> keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> all;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(java.util.Comparator.reverseOrder()).toList(); // children before their folder
        }
        for (Path p : all) {
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json") && !keep.contains(p)) {
                Files.delete(p);
            } else if (Files.isDirectory(p) && !p.equals(dir)) {
                try (java.util.stream.Stream<Path> s = Files.list(p)) {
                    if (s.findAny().isEmpty()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static void removeStale(Path dir, Set<Path> keep, String... suffixes) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                boolean ours = false;
                for (String s : suffixes) {
                    ours |= n.endsWith(s);
                }
                if (ours && !keep.contains(p) && Files.isRegularFile(p)) {
                    Files.delete(p);
                }
            }
        }
    }
}
