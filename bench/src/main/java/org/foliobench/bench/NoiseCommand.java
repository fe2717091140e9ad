package org.foliobench.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.foliobench.workloads.FioUnits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code foliobench noise}: the machine's own noise floor for a paired measurement. Two identical
 * variants of a buffered read's core, a copy of {@code bs} bytes out of a 256 MiB off-heap source
 * (the page cache's part of the work, without the model), run in ABBA blocks of chunks like a row's
 * passes. Since the variants are the same code on the same memory, the spread of a block's log
 * ratio is what the machine alone puts into every speedup the tables estimate: how many blocks a
 * row needs for a target interval follows from it, whatever the engine does.
 */
@Command(name = "noise", mixinStandardHelpOptions = true,
        description = "Measure this machine's noise floor: the spread of an ABBA block's ratio between two identical copy loops.",
        footer = {"  foliobench noise              # about 40 seconds", "  foliobench noise --bs 64k --chunk-ms 50"})
final class NoiseCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Option(names = "--bs", paramLabel = "BS", description = "Bytes per copy: 4k, 64k, 1m (default 4k).")
    String bs = "4k";
    @Option(names = "--chunk-ms", split = ",", paramLabel = "MS", description = "Chunk (pass) lengths to try (default 5,25,50,100).")
    List<Integer> chunkMs = new ArrayList<>(List.of(5, 25, 50, 100));
    @Option(names = "--seconds", paramLabel = "S", description = "Measured seconds per chunk length (default 8).")
    int seconds = 8;

    private static final int SOURCE_BYTES = 256 << 20;
    private static final long MAX_BS = 64 << 20;
    private ByteBuffer src;
    private final ByteBuffer[] dst = new ByteBuffer[2];
    private long sink;
    /** Where the copies' checksum goes, so that the JIT keeps them. */
    static volatile long consumed;

    @Override
    public Integer call() throws Exception {
        long size;
        try {
            size = FioUnits.parseSize("--bs", bs);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --bs \"" + bs + "\"", "give a copy size such as 4k, 64k or 1m");
        }
        if (size < 1 || size > MAX_BS) {
            throw new UsageException("--bs " + bs + " is outside 1 byte to 64m", "give a copy size such as 4k, 64k or 1m");
        }
        int len = (int) size;
        Foliobench.positive("--seconds", seconds, 1);
        for (int ms : chunkMs) {
            Foliobench.positive("--chunk-ms", ms, 1);
        }
        src = ByteBuffer.allocateDirect(SOURCE_BYTES);
        for (int i = 0; i < SOURCE_BYTES; i += 4096) {
            src.put(i, (byte) i);
        }
        dst[0] = ByteBuffer.allocateDirect(len);
        dst[1] = ByteBuffer.allocateDirect(len);
        top.out.printf(Locale.ROOT, "%s copies, two identical variants in ABBA blocks, %d s per chunk length%n", bs, seconds);
        top.out.printf(Locale.ROOT, "%9s %8s %13s %16s %16s%n", "chunk", "blocks", "chunk sd", "block ratio sd", "blocks for +-3%");
        for (int ms : chunkMs) {
            long ns = ms * 1_000_000L;
            for (int w = 0; w < Math.max(8, 400 / ms); w++) {
                chunk(w & 1, ns, len); // warm both variants up
            }
            int n = Math.max(3, (int) (seconds * 1000L / (4L * ms)));
            double[] chunks = new double[4 * n];
            double[] ratios = new double[n];
            for (int b = 0; b < n; b++) {
                for (int slot = 0; slot < 4; slot++) {
                    chunks[4 * b + slot] = chunk(Abba.variant(slot), ns, len);
                }
                ratios[b] = Abba.logRatio(chunks, b);
            }
            double sd = Abba.sd(ratios);
            top.out.printf(Locale.ROOT, "%6d ms %8d %12.1f%% %15.1f%% %16d%n", ms, n, Abba.relativeSd(chunks) * 100, sd * 100,
                    Abba.blocksFor(sd, 0.03));
        }
        top.out.printf(Locale.ROOT, "(blocks for +-3%%: independent ABBA blocks a row needs for a 95%% half-width of 3%% at this spread)%n");
        consumed = sink;
        return 0;
    }

    /** One chunk of variant {@code v}: copies until {@code ns} passed; returns nanoseconds per copy. */
    private double chunk(int v, long ns, int len) {
        ByteBuffer d = dst[v];
        int span = SOURCE_BYTES / len;
        long t0 = System.nanoTime();
        long end = t0 + ns;
        long ops = 0;
        do {
            for (int k = 0; k < 16; k++) {
                int off = (int) (ops++ % span) * len;
                d.put(0, src, off, len);
                sink += d.get(len - 1);
            }
        } while (System.nanoTime() - end < 0);
        return (System.nanoTime() - t0) / (double) ops;
    }

    /** The arithmetic of an ABBA block of two variants (A = 0, B = 1), shared with its test. */
    static final class Abba {
        private Abba() {
        }

        /** The variant of slot 0..3 of a block: A B B A. */
        static int variant(int slot) {
            return slot == 0 || slot == 3 ? 0 : 1;
        }

        /** Block {@code b}'s log ratio of A's mean time to B's, from four chunk times in slot order. */
        static double logRatio(double[] chunks, int b) {
            double a = chunks[4 * b] + chunks[4 * b + 3];
            double bb = chunks[4 * b + 1] + chunks[4 * b + 2];
            return Math.log(a / bb);
        }

        static double sd(double[] x) {
            double m = 0;
            for (double v : x) {
                m += v;
            }
            m /= x.length;
            double s = 0;
            for (double v : x) {
                s += (v - m) * (v - m);
            }
            return Math.sqrt(s / (x.length - 1));
        }

        static double relativeSd(double[] x) {
            double m = 0;
            for (double v : x) {
                m += v;
            }
            return sd(x) / (m / x.length);
        }

        /** Independent blocks for a 95% half-width of {@code halfWidth} (a log ratio) at block SD {@code sd}. */
        static int blocksFor(double sd, double halfWidth) {
            double z = 1.96 * sd / halfWidth;
            return (int) Math.ceil(z * z);
        }
    }
}
