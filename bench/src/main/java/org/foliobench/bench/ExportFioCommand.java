package org.foliobench.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.foliobench.workloads.FioJobWriter;
import org.foliobench.workloads.JobFileException;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code foliobench export-fio DIR}: the seed jobs as job files real fio 3.x runs, one per row
 * ({@code DIR/<row>.fio}, {@link FioJobWriter}), at the seed's sizes or divided as a quick table's.
 */
@Command(name = "export-fio", mixinStandardHelpOptions = true,
        description = "Write the seed jobs as plain fio job files (one per row) that real fio runs.")
final class ExportFioCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Parameters(index = "0", paramLabel = "DIR", description = "Where the job files go (created if missing).")
    Path dir;
    @Option(names = "--rows", split = ",", paramLabel = "ROW", description = "Row keys or globs (default all 39).")
    List<String> rows = new ArrayList<>();
    @Option(names = "--bs", split = ",", paramLabel = "BS", description = "Block sizes: 4k, 64k, 1m (default all).")
    List<String> bs = new ArrayList<>();
    @Option(names = "--size-divisor", paramLabel = "N", description = "Divide file sizes and fb_mem by N, as tables --size-divisor (default 1).")
    Integer sizeDivisor;
    @Option(names = "--quick", description = "The quick table's sizes (seed sizes / " + Foliobench.QUICK_DIVISOR + ").")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        Foliobench.positive("--size-divisor", sizeDivisor, 1);
        int divisor = sizeDivisor != null ? sizeDivisor : quick ? Foliobench.QUICK_DIVISOR : 1;
        List<ReferenceRow> selected = Plan.selectRows(SeedJobs.rows(), rows, Plan.parseBlockSizes(bs));
        Path target = top.cwd.resolve(dir).toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new UsageException(dir + " is not a directory", "give a directory for the job files");
        }
        RunFolder.checkWritable(target);
        Files.createDirectories(target);
        for (ReferenceRow r : selected) {
            Files.writeString(target.resolve(r.fileName()), text(workload(r, divisor), divisor), StandardCharsets.UTF_8);
        }
        top.out.println("wrote " + selected.size() + " fio job file(s) to " + top.displayPath(target)
                + (divisor == 1 ? "" : " (sizes / " + divisor + ")") + "; run one in a directory of the filesystem under test:"
                + " cd MOUNT && fio --output-format=json+ --output=RESULT.json " + top.displayPath(target.resolve(selected.get(0).fileName())));
        return Foliobench.EXIT_OK;
    }

    /** {@code row}'s seed workload with its sizes divided by {@code divisor} (the seed's tunables). */
    static Workload workload(ReferenceRow row, int divisor) {
        SeedJobs.Seed seed;
        try {
            seed = SeedJobs.load(row);
        } catch (JobFileException e) {
            throw new IllegalStateException("packaged seed job is broken: " + e.getMessage(), e);
        }
        return Workload.resolve(row.key(), seed.file(), Workload.Tunables.of(seed.job()), divisor, null);
    }

    /** The fio job file of a seed workload whose sizes are the seed's / {@code divisor}: its setup jobs and its measured job. */
    static String text(Workload w, int divisor) {
        List<JobSpec> jobs = new ArrayList<>(w.setup());
        jobs.add(w.job());
        return FioJobWriter.jobFile(FioJobWriter.header(w.job().row().orElseThrow(), divisor), jobs);
    }
}
