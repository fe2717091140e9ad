package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.foliobench.results.FioJsonImport;
import org.foliobench.results.PathLabel;
import org.foliobench.results.ReferenceTable;
import org.foliobench.layout.RowKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code foliobench import-fio DIR...}: real fio JSON ({@code json} or {@code json+}) of the exported
 * jobs, one folder per filesystem, into a run folder that {@code report}, {@code compare} and the
 * charts read like a model run ({@link FioJsonImport}: each fio run a pass, ABBA-interleaved runs of
 * the two filesystems paired as the model's forks).
 */
@Command(name = "import-fio", mixinStandardHelpOptions = true,
        description = "Import real fio JSON (json or json+) of the exported jobs, one folder per filesystem, into a run folder.")
final class ImportFioCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "A folder of fio JSON files of one filesystem, named ext4 or xfs "
            + "(e.g. runs/RUN/kernel/ext4), or FS=DIR.")
    List<String> dirs;
    @Option(names = "--model", paramLabel = "RUN", description = "A model run to set beside it (model-vs-kernel.md).")
    Path model;
    @Option(names = "--kernel", paramLabel = "RELEASE", description = "The kernel the runs were made on (uname -r), for the table's notes.")
    String kernel;
    @Option(names = "--out", paramLabel = "DIR", description = "Where run folders go (default ./runs).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Map<PathLabel, Path> sources = sources(dirs, top.cwd);
        Path modelRun = model != null ? KernelCommand.checkModel(top.cwd.resolve(model)) : null;
        Map<RowKey, List<FioJsonImport.Sweep>> byRow = new TreeMap<>(Comparator.comparingInt(
                (RowKey k) -> ReferenceTable.published().order(k) < 0 ? Integer.MAX_VALUE : ReferenceTable.published().order(k))
                .thenComparing(RowKey::key));
        TreeSet<String> versions = new TreeSet<>();
        List<String> skipped = new ArrayList<>();
        int files = 0;
        for (Map.Entry<PathLabel, Path> e : sources.entrySet()) {
            for (Path f : jsonFiles(e.getValue())) {
                files++;
                FioJsonImport.FioRun r;
                try {
                    r = FioJsonImport.read(Files.readString(f, StandardCharsets.UTF_8), top.displayPath(f), e.getKey());
                } catch (IllegalArgumentException x) {
                    throw new UsageException(TableRunner.firstLine(x.getMessage()), "import fio's own --output-format=json or json+ files");
                }
                versions.add(r.fioVersion());
                skipped.addAll(r.skipped());
                r.sweeps().forEach(s -> byRow.computeIfAbsent(s.row(), k -> new ArrayList<>()).add(s));
            }
        }
        if (byRow.isEmpty()) {
            throw new UsageException("no fio job of a table row in " + files + " JSON file(s)"
                    + (skipped.isEmpty() ? "" : ": " + skipped.get(0)), "run the jobs foliobench export-fio writes");
        }
        Path runBase = top.cwd.resolve(out != null ? out : Path.of("runs")).toAbsolutePath().normalize();
        RunFolder.checkWritable(runBase);
        RunFolder folder = RunFolder.createAt(runBase.resolve(RunFolder.name(LocalDateTime.now(), RunFolder.host())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("foliobench.command", "foliobench " + String.join(" ", top.argv));
        meta.put("foliobench.subcommand", "import-fio");
        meta.put(org.foliobench.layout.RunLayout.Meta.STARTED, java.time.OffsetDateTime.now().toString());
        meta.put("run_folder", folder.dir().toString());
        sources.forEach((p, d) -> meta.put("import." + p.param(), d.toString()));
        meta.put("import.files", Integer.toString(files));
        meta.put("fio.version", String.join(", ", versions));
        if (kernel != null) {
            meta.put(org.foliobench.layout.RunLayout.Meta.KERNEL, kernel);
        }
        for (int i = 0; i < skipped.size(); i++) {
            meta.put("import.left_out." + (i + 1), skipped.get(i));
        }
        if (modelRun != null) {
            meta.put(org.foliobench.layout.RunLayout.Meta.MODEL_RUN, modelRun.toString());
        }
        for (List<FioJsonImport.Sweep> sweeps : byRow.values()) {
            sweeps.sort(Comparator.comparingLong(FioJsonImport.Sweep::endMillis).thenComparing(FioJsonImport.Sweep::source));
            FioPassLog.appendRow(folder.dir(), sweeps);
        }
        folder.writeMetadata(meta);
        folder.complete();
        top.out.println("imported " + files + " fio JSON file(s) of " + String.join(", ", versions) + ": " + byRow.size()
                + " row(s)" + (skipped.isEmpty() ? "" : ", " + skipped.size() + " job(s) left out (first: " + skipped.get(0) + ")"));
        KernelCommand.report(top, folder.dir());
        return Foliobench.EXIT_OK;
    }

    /** {@code FS=DIR} or a DIR named after its filesystem; each filesystem once. */
    static Map<PathLabel, Path> sources(List<String> dirs, Path cwd) throws UsageException {
        Map<PathLabel, Path> out = new LinkedHashMap<>();
        for (String d : dirs) {
            int eq = d.indexOf('=');
            Path p = cwd.resolve(eq < 0 ? d : d.substring(eq + 1)).toAbsolutePath().normalize();
            String name = eq < 0 ? (p.getFileName() == null ? "" : p.getFileName().toString()) : d.substring(0, eq);
            PathLabel label = PathLabel.KERNEL.stream().filter(l -> l.param().equalsIgnoreCase(name)).findFirst().orElse(null);
            if (label == null) {
                throw new UsageException("cannot tell which filesystem " + d + " holds", "name the folder ext4 or xfs, or pass ext4=DIR / xfs=DIR");
            }
            if (!Files.isDirectory(p)) {
                throw new UsageException("no folder " + p, "give a folder of fio JSON files");
            }
            if (out.put(label, p) != null) {
                throw new UsageException(label.param() + " is given twice", "give one folder per filesystem");
            }
        }
        return out;
    }

    /** The {@code *.json} files of a folder, by name. */
    static List<Path> jsonFiles(Path dir) throws IOException, UsageException {
        List<Path> l = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            ds.forEach(l::add);
        }
        if (l.isEmpty()) {
            throw new UsageException("no *.json in " + dir, "give a folder of fio --output-format=json+ --output=FILE.json results");
        }
        l.sort(Comparator.comparing(Path::toString));
        return l;
    }
}
