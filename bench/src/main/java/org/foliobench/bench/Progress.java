package org.foliobench.bench;

import java.util.List;
import java.util.Locale;

/**
 * The progress line printed after each benchmark,
 * {@code [12/78] write/ramdisk/N/N/Y/64K iomap ... 4123 IOPS 257.7 MiB/s (ETA 6m12s)}, and its ETA:
 * the elapsed time scaled by the estimated cost of what is left over the cost of what is done.
 * A benchmark's cost estimate is a fixed part (fork, format, populating memory) plus the bytes it
 * moves (layout and every pass); the ratio, not the constants, carries the ETA.
 */
final class Progress {
    /** The fixed cost of one benchmark, in bytes-equivalents: fork + mkfs + arena populate. */
    static final long FIXED_COST = 256L << 20;

    private final double[] weights;
    private final int total;
    private double doneWeight;
    private int done;

    Progress(double[] weights) {
        this.weights = weights.clone();
        this.total = weights.length;
    }

    /** Weights of the plan's runnable benchmarks for {@code passes} passes each (warmup + measured). */
    static Progress of(List<Plan.Bench> benches, int passes) {
        double[] w = new double[benches.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = cost(benches.get(i), passes);
        }
        return new Progress(w);
    }

    static double cost(Plan.Bench b, int passes) {
        long size = b.workload().job().size();
        boolean layout = b.workload().job().laysOutFile();
        double perPass = size;
        if (b.workload().job().fsync() > 0 || b.workload().job().fdatasync() > 0) {
            perPass += b.iosPerPass() * (b.nvme() ? 4L << 20 : 256L << 10); // a flush is worth a few MiB of copying
        }
        return FIXED_COST + (layout ? size : 0) + (double) passes * perPass;
    }

    /** Marks the next benchmark done. */
    void step() {
        doneWeight += weights[done];
        done++;
    }

    int done() {
        return done;
    }

    int total() {
        return total;
    }

    /** Estimated nanoseconds left, given the elapsed nanoseconds of what is done. */
    long etaNanos(long elapsedNanos) {
        if (done == 0 || doneWeight == 0) {
            return -1;
        }
        double left = 0;
        for (int i = done; i < total; i++) {
            left += weights[i];
        }
        return (long) (elapsedNanos * (left / doneWeight));
    }

    /** {@code 6m12s}, {@code 45s}, {@code 1h02m}; {@code ?} when unknown. */
    static String duration(long nanos) {
        if (nanos < 0) {
            return "?";
        }
        long s = Math.round(nanos / 1e9);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }

    /** The line printed after benchmark {@code index} (1-based) of {@code total}. */
    static String line(int index, int total, String key, String path, String outcome, long etaNanos) {
        int w = String.valueOf(total).length();
        return String.format(Locale.ROOT, "[%" + w + "d/%d] %-26s %-5s ... %s%s", index, total, key, path, outcome,
                index < total ? " (ETA " + duration(etaNanos) + ")" : "");
    }

    /** {@code 4123 IOPS 257.7 MiB/s}, IOPS rounded to an integer, MiB/s to one decimal. */
    static String rate(double iops, double mibPerSec) {
        return String.format(Locale.ROOT, "%.0f IOPS %.1f MiB/s", iops, mibPerSec);
    }
}
