package org.foliobench.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.foliobench.results.SmallWriteTable;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code foliobench smallwrite}: runs {@link SmallWriteBench} (1 KiB and 10 KiB pwrites rewriting a
 * cached file on bh, bhlf with the full and the range buffer walk, and iomap) and prints its table
 * beside the published libMicro numbers ({@link SmallWriteTable}).
 */
@Command(name = "smallwrite", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n",
        footer = {"  foliobench smallwrite --quick    # about 1 minute"},
        description = "Small writes (1k, 10k) rewriting a cached file per call on bh, bhlf (fb_bh_partial_walk=full and range) "
                + "and iomap, beside the published 6.12 / 6.18 / fixed libMicro numbers.")
final class SmallWriteCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Option(names = "--quick", description = "2 warmup and 3 measured iterations of 300 ms per case (default 3 and 5 of 1 s).")
    boolean quick;
    @Option(names = "--forks", paramLabel = "N", description = "JVM forks per case (default 1; 0 runs in this JVM).")
    int forks = 1;

    @Override
    public Integer call() throws Exception {
        if (forks < 0) {
            throw new UsageException("--forks " + forks + " is negative", "use 0 or more");
        }
        try (RunLock lock = RunLock.acquire()) {
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include("^" + java.util.regex.Pattern.quote(SmallWriteBench.class.getName() + ".write") + "$")
                    .forks(forks)
                    .shouldFailOnError(true);
            if (quick) {
                o.warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
                        .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
            }
            top.err.println("smallwrite: " + SmallWriteTable.VARIANTS + " x [1k, 10k], JMH output follows on stderr");
            Collection<RunResult> results = new Runner(o.build(),
                    OutputFormatFactory.createFormatInstance(top.err, VerboseMode.NORMAL)).run();
            Map<String, Map<String, double[]>> byBs = new LinkedHashMap<>();
            for (String bs : List.of("1k", "10k")) {
                byBs.put(bs, new LinkedHashMap<>());
            }
            for (String v : SmallWriteTable.VARIANTS) {
                for (RunResult r : results) {
                    if (!r.getParams().getParam("path").equals(v)) {
                        continue;
                    }
                    String bs = r.getParams().getParam("bs");
                    byBs.get(bs).put(v, cell(r));
                }
            }
            List<SmallWriteTable.Measured> rows = new ArrayList<>(SmallWriteTable.rows(byBs));
            top.out.print(SmallWriteTable.markdown(rows));
        }
        return Foliobench.EXIT_OK;
    }

    /** The bench's per-call numbers of one case, in {@link SmallWriteTable#rows}' order. */
    static double[] cell(RunResult r) {
        return new double[] {r.getPrimaryResult().getScore(), secondary(r, "bhsPerCall"), secondary(r, "bhsPerWrite"),
            secondary(r, "skipsPerCall"), secondary(r, "allocBytesPerCall")};
    }

    private static double secondary(RunResult r, String name) {
        Result<?> x = r.getSecondaryResults().get(name);
        return x == null ? Double.NaN : x.getScore();
    }
}
