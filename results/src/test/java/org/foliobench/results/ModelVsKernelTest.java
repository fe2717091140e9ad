package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.foliobench.layout.RunLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVsKernelTest {
    @TempDir
    Path tmp;

    private RunFolder model() throws IOException {
        return model(false);
    }

    /** A model run of read/hole/1M, write/cache/N/N/N/1M and read/hole/4K, with the bhlf column when {@code bhlf}. */
    private RunFolder model(boolean bhlf) throws IOException {
        RunFixtures.Spec s = new RunFixtures.Spec();
        s.forks = 4;
        s.iterations = 8;
        s.latency = false;
        s.bhlf = bhlf;
        s.rows = k -> List.of("read/hole/1M", "write/cache/N/N/N/1M", "read/hole/4K").contains(k.key());
        return RunFolder.read(RunFixtures.paired(tmp.resolve(bhlf ? "model3" : "model"), s));
    }

    /** The fixture kernel run, its metadata saying it ran on {@code release}. */
    private RunFolder kernelOn(String release) throws IOException {
        Path run = RunFixtures.kernel(tmp.resolve(release));
        Files.writeString(run.resolve(RunLayout.METADATA_JSON), Json.write(Map.of(RunLayout.Meta.KERNEL, release)),
                StandardCharsets.UTF_8);
        return RunFolder.read(run);
    }

    @Test
    void setsTheKernelsRowsBesideTheModelsWithTheirAgreement() throws IOException {
        RunFolder model = model();
        RunFolder kernel = RunFolder.read(RunFixtures.kernel(tmp));
        ModelVsKernel c = ModelVsKernel.of(model, kernel);
        assertEquals(List.of("read/hole/1M", "write/cache/N/N/N/1M"), c.entries().stream().map(e -> e.key().key()).toList(),
                "rows in both runs, table order; read/hole/4K has no kernel row");
        assertEquals(PathLabel.BH, c.base(), "a two-path model run: ext4 beside bh");
        for (ModelVsKernel.Entry e : c.entries()) {
            assertEquals(model.row(e.key()).speedup(), e.modelSpeedup(), 1e-12);
            assertEquals(PathLabel.BH, e.base().path());
            assertEquals(e.kernel().speedup() / e.modelSpeedup(), e.ratio(), 1e-12);
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
        assertTrue(md.contains("The model run has no bhlf column, so xfs/ext4 stands beside iomap/bh"), md);
        assertEquals(List.of("row", "bh IOPS", "iomap IOPS", "iomap/bh"), c.table().header().subList(0, 4));
        assertTrue(md.contains("| write/cache/N/N/N/1M |"), md);
        assertTrue(md.contains("- direction matches: " + s.directionMatches() + "/2 rows"), md);
        String csv = c.csv();
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("table,type,overwrite,sync,writeback,bs,model_base,model_base_iops,iomap_iops,model_speedup")), csv);
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("write,cache,N,N,N,1M,bh,")), csv);
        assertEquals(2 + 2, csv.lines().count(), "comment, header, two rows");
    }

    @Test
    void sinceSixSixteenExt4StandsBesideTheModelsBhlf() throws IOException {
        RunFolder model = model(true);
        ModelVsKernel c = ModelVsKernel.of(model, kernelOn("6.16.0"));
        assertEquals(PathLabel.BHLF, c.base());
        assertEquals(2, c.entries().size());
        for (ModelVsKernel.Entry e : c.entries()) {
            assertEquals(PathLabel.BHLF, e.base().path());
            assertEquals(PathLabel.IOMAP, e.iomap().path());
            Paired.Estimate lf = Paired.speedup(e.base().rowPasses(), PathLabel.BHLF.param(), PathLabel.IOMAP.param());
            assertEquals(lf.value(), e.modelSpeedup(), 1e-12, "iomap/bhlf, paired in the same forks");
            assertTrue(Math.abs(e.modelSpeedup() - model.row(e.key()).speedup()) > 1e-6,
                    "the fixture's bhlf differs from its bh, so the two pairs differ: " + e);
        }
        String md = c.markdown();
        assertTrue(md.contains("xfs/ext4 stands beside the model's iomap/bhlf."), md);
        assertEquals(List.of("row", "bhlf IOPS", "iomap IOPS", "iomap/bhlf"), c.table().header().subList(0, 4));
        assertTrue(md.contains("- close (xfs/ext4 within x1.25 of iomap/bhlf)"), md);
        assertTrue(c.csv().lines().anyMatch(l -> l.startsWith("write,cache,N,N,N,1M,bhlf,")), c.csv());
    }

    @Test
    void beforeSixSixteenExt4StandsBesideBhEvenInAThreeWayRun() throws IOException {
        ModelVsKernel c = ModelVsKernel.of(model(true), kernelOn("6.15.9"));
        assertEquals(PathLabel.BH, c.base());
        assertTrue(c.entries().stream().allMatch(e -> e.base().path() == PathLabel.BH));
        assertTrue(c.correspondence().contains("ext4 = bh (buffer_head, order-0 folios")
                && c.correspondence().endsWith("xfs/ext4 stands beside the model's iomap/bh (order-0 buffer_head)."), c.correspondence());
    }

    @Test
    void theRunsMustBeAModelRunAndAKernelRun() throws IOException {
        RunFolder model = model();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelVsKernel.of(model, model));
        assertTrue(e.getMessage().contains("expected a model run (bh, iomap) and a kernel run (ext4, xfs)"), e.getMessage());
    }
}
