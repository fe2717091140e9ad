package org.foliobench.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.iopath.IoPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code foliobench fstime}: patch 33's table ({@link Fstime}): Unixbench's three file-copy tests
 * with N parallel copies on bh, on iomap without patch 33 ({@code fb_iomap_dirty_check=all}) and
 * on iomap with it (the default), with the journal state-lock acquisitions per MiB copied that
 * explain the difference.
 */
@Command(name = "fstime", mixinStandardHelpOptions = true,
        footerHeading = "%nExamples:%n",
        footer = {"  foliobench fstime                       # copies 1,2,4; 1 s (+1 s warmup) per case, about 1 minute",
            "  foliobench fstime --copies 2 --seconds 1 --tests fstime"},
        description = "Unixbench fstime file copies (1024/2000, 256/500, 4096/8000) with N parallel copies: bh, iomap "
                + "without patch 33 (fb_iomap_dirty_check=all) and with it; KBps and journal state-lock checks per MiB.")
final class FstimeCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Option(names = "--copies", paramLabel = "N[,N..]", split = ",", description = "parallel copies to sweep (default 1,2,4).")
    List<Integer> copies = List.of(1, 2, 4);
    @Option(names = "--seconds", paramLabel = "S",
            description = "measured duration of each case, after a warmup as long (default 1; fstime's own is 30).")
    double seconds = 1;
    @Option(names = "--tests", paramLabel = "T[,T..]", split = ",",
            description = "fstime (1024/2000), fsbuffer (256/500), fsdisk (4096/8000); default all three.")
    List<String> tests = List.of("fstime", "fsbuffer", "fsdisk");
    @Option(names = "--chart", paramLabel = "DIR",
            description = "also write fstime-<test>.png and .svg there: KBps against copies, one line per case.")
    java.nio.file.Path chartDir;

    /** The columns: path and dirty check. */
    static final List<Object[]> CASES = List.of(new Object[] {IoPath.BUFFER_HEAD, IomapDirtyCheck.DIRECT},
            new Object[] {IoPath.IOMAP, IomapDirtyCheck.ALL}, new Object[] {IoPath.IOMAP, IomapDirtyCheck.DIRECT});

    @Override
    public Integer call() throws Exception {
        List<Fstime.Test> ts = new ArrayList<>();
        for (String t : tests) {
            Fstime.Test found = Fstime.TESTS.stream().filter(x -> x.name().equals(t.trim())).findFirst().orElse(null);
            if (found == null) {
                throw new UsageException("unknown fstime test \"" + t + "\"", "use fstime, fsbuffer or fsdisk");
            }
            ts.add(found);
        }
        for (int n : copies) {
            if (n < 1 || n > 256) {
                throw new UsageException("--copies " + n + " is out of range", "use 1 to 256 copies");
            }
        }
        if (!(seconds > 0 && seconds <= 600)) {
            throw new UsageException("--seconds " + seconds + " is out of range", "use more than 0 and at most 600");
        }
        try (RunLock lock = RunLock.acquire()) {
            top.err.printf(Locale.ROOT, "fstime: %d cases of %.1f s on a RamDisk, %d CPUs%n",
                    ts.size() * copies.size() * CASES.size(), seconds, Runtime.getRuntime().availableProcessors());
            List<Fstime.Result> all = new ArrayList<>();
            for (Fstime.Test t : ts) {
                for (int n : copies) {
                    for (Object[] c : CASES) {
                        Fstime.Result r;
                        try {
                            r = Fstime.run(t, (IoPath) c[0], (IomapDirtyCheck) c[1], n, seconds);
                        } catch (OutOfMemoryError | org.foliobench.ErrnoException e) {
                            long mib = 4L * n * t.bufsize() * t.maxblocks() >> 20;
                            throw new UsageException(t + " with " + n + " copies needs about " + mib + " MiB of direct memory"
                                    + " (" + e.getMessage() + ")", "run with FOLIOBENCH_JAVA_OPTS=-XX:MaxDirectMemorySize=2g, "
                                    + "or fewer --copies");
                        }
                        top.err.printf(Locale.ROOT, "  %s, %d copies, %s %s: %.0f KBps%n", t, n, r.path().shortName(),
                                r.check().value(), r.kbps());
                        all.add(r);
                    }
                }
            }
            top.out.print(markdown(all));
            if (chartDir != null) {
                java.nio.file.Path dir = top.cwd.resolve(chartDir);
                java.nio.file.Files.createDirectories(dir);
                for (Fstime.Test t : ts) {
                    org.foliobench.plots.Charts.NamedChart ch = chart(t, all);
                    java.nio.file.Files.write(dir.resolve(ch.name() + ".png"), ch.png());
                    java.nio.file.Files.write(dir.resolve(ch.name() + ".svg"), ch.svg());
                    top.err.println("chart: " + dir.resolve(ch.name() + ".png"));
                }
            }
        }
        return Foliobench.EXIT_OK;
    }

    /** KBps against copies for one test: bh, iomap without patch 33, iomap with it. */
    static org.foliobench.plots.Charts.NamedChart chart(Fstime.Test t, List<Fstime.Result> all) {
        List<org.foliobench.plots.ScalingChart.Series> series = new ArrayList<>();
        for (Object[] c : CASES) {
            List<Integer> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Fstime.Result r : all) {
                if (r.test().equals(t) && r.path() == c[0] && r.check() == c[1]) {
                    x.add(r.copies());
                    y.add(r.kbps() / 1024);
                }
            }
            if (!x.isEmpty()) {
                series.add(new org.foliobench.plots.ScalingChart.Series(label((IoPath) c[0], (IomapDirtyCheck) c[1]), x, y));
            }
        }
        return org.foliobench.plots.ScalingChart.of("fstime-" + t.name(), t + ": throughput against parallel copies",
                "MiB/s (sum over copies)", series, List.of("Unixbench fstime copy loop (read bufsize, write it, "
                        + "start over at the source's end) per copy, each a thread on one RamDisk filesystem; "
                        + Runtime.getRuntime().availableProcessors() + " CPUs. w/o patch 33: fb_iomap_dirty_check=all, "
                        + "every buffered write's iomap_begin takes the journal state lock."));
    }

    static String label(IoPath p, IomapDirtyCheck c) {
        return p == IoPath.BUFFER_HEAD ? "bh" : c == IomapDirtyCheck.ALL ? "iomap w/o patch 33" : "iomap";
    }

    /** The table: one row per test and copy count, the three cases side by side, the lock counts of iomap without the patch. */
    static String markdown(List<Fstime.Result> rs) {
        StringBuilder s = new StringBuilder();
        s.append("| test | copies | bh KBps | iomap w/o patch 33 KBps | iomap KBps | patch 33 gain "
                + "| state-lock checks/MiB w/o | with | contended/MiB w/o |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i + 2 < rs.size(); i += 3) {
            Fstime.Result bh = rs.get(i);
            Fstime.Result without = rs.get(i + 1);
            Fstime.Result with = rs.get(i + 2);
            s.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.2fx | %.0f | %.0f | %.1f |%n", bh.test(),
                    bh.copies(), bh.kbps(), without.kbps(), with.kbps(), with.kbps() / without.kbps(),
                    without.checksPerMiB(), with.checksPerMiB(), without.contendedPerMiB()));
        }
        return s.toString();
    }
}
