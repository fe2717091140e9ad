package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVsKernelTest {
    @TempDir
    Path tmp;

    private RunFolder model() throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.forks = 4;
        s.iterations = 8;
        s.latency = false;
        s.rows = k -> List.of("read/hole/1M", "write/cache/N/N/N/1M", "read/hole/4K").contains(k.key());
        return RunFolder.read(RunFixtures.paired(tmp.resolve("model"), s));
    }

    @Test
    void setsTheKernelsRowsBesideTheModelsWithTheirAgreement() throws IOException {
        RunFolder model = model();
        RunFolder kernel = RunFolder.read(RunFixtures.kernel(tmp));
        ModelVsKernel c = ModelVsKernel.of(model, kernel);
        assertEquals(List.of("read/hole/1M", "write/cache/N/N/N/1M"), c.entries().stream().map(e -> e.key().key()).toList(),
                "rows in both runs, table order; read/hole/4K has no kernel row");
        for (ModelVsKernel.Entry e : c.entries()) {
            assertEquals(e.kernel().speedup() / e.model().speedup(), e.ratio(), 1e-12);
            assertEquals(PublishedComparison.agreement(e.kernelSpeedup(), e.modelSpeedup()), e.agreement());
            assertEquals(PathLabel.EXT4, e.kernel().bh().path());
            assertEquals(PathLabel.XFS, e.kernel().iomap().path());
        }
        ModelVsKernel.Summary s = c.summary();
        assertEquals(2, s.rows());
        double g = Math.sqrt(c.entries().get(0).ratio() * c.entries().get(1).ratio());
        assertEquals(g, s.geomeanRatio(), 1e-12);
        String md = c.markdown();
        assertTrue(md.contains("On kernel " + RunFixtures.FIXTURE_KERNEL + ": ext4 = bhlf"), md);
        assertTrue(md.contains("| write/cache/N/N/N/1M |"), md);
        assertTrue(md.contains("- direction matches: " + s.directionMatches() + "/2 rows"), md);
        String csv = c.csv();
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("table,type,overwrite,sync,writeback,bs,bh_iops,iomap_iops,model_speedup")), csv);
        assertEquals(2 + 2, csv.lines().count(), "comment, header, two rows");
    }

    @Test
    void theRunsMustBeAModelRunAndAKernelRun() throws IOException {
        RunFolder model = model();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelVsKernel.of(model, model));
        assertTrue(e.getMessage().contains("expected a model run (bh, iomap) and a kernel run (ext4, xfs)"), e.getMessage());
    }
}
