package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.foliobench.layout.BenchParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.runner.options.Options;

/** {@link BenchParams}' names are the table benchmark's {@code @Param} fields, and the runner sets each. */
class BenchParamsTest {
    @TempDir
    Path tmp;

    static final List<String> FORK_PARAMS = List.of(BenchParams.ROWS, BenchParams.PATHS, BenchParams.FORK, BenchParams.BLOCKS,
            BenchParams.SIZE_DIVISORS, BenchParams.WARMUP_MS, BenchParams.WARMUP_MAX_MS, BenchParams.ROW_WARMUP_MAX_MS,
            BenchParams.PASS_MS, BenchParams.LATENCY);

    @Test
    void everyNameIsAParamOfTheBenchmarkAndSetByTheRunner() throws Exception {
        Options o = TableRunner.options(List.of(TableRunnerTest.bench("read/hole/4K", "iomap", null)), 0,
                TableRunnerTest.settings(null, null), tmp);
        for (String name : FORK_PARAMS) {
            assertNotNull(PsyncBench.Fio.class.getField(name).getAnnotation(Param.class), name + " is a @Param of PsyncBench.Fio");
            assertTrue(o.getParameter(name).hasValue(), name + " is set by TableRunner");
        }
    }

    @Test
    void thePassLogsRunShapeParamsAreThoseTheForkRecords() throws Exception {
        PsyncBench.Fio f = new PsyncBench.Fio();
        assertTrue(f.params().keySet().containsAll(BenchParams.RUN_SHAPE), f.params().keySet().toString());
    }
}
