package org.foliobench.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Per-call latency of one row and path, in nanoseconds, from the merged HdrHistogram interval
 * log ({@code latency/<path>-<rowfile>.hlog}, or the fsync log under {@code latency/sync/}).
 *
 * @param count       calls recorded (timed calls: with sampling 1 in P, about calls / P)
 * @param min         smallest latency
 * @param mean        mean latency
 * @param stddev      standard deviation
 * @param max         largest latency
 * @param percentiles latency at each of {@link #PERCENTILES} (fio's default list)
 * @param bins        the histogram: count of calls per bucket, keyed by the bucket's highest value
 *                    (HdrHistogram's highest equivalent value, so every percentile is one of the keys;
 *                    fio's json+ {@code bins}); the counts sum to {@code count}
 */
public record LatencySummary(long count, long min, double mean, double stddev, long max,
                             SortedMap<Double, Long> percentiles, SortedMap<Long, Long> bins) {

    /**
     * Upper bounds (exclusive, ns) of fio's latency buckets: {@code latency_ns} 2..1000 ns,
     * {@code latency_us} 2..1000 us, {@code latency_ms} 2..2000 ms, then {@code >=2000} ms.
     */
    static final long[] FIO_BUCKET_BOUNDS;
    /** fio's bucket labels, in the same order. */
    static final List<String> FIO_BUCKET_LABELS = List.of("2", "4", "10", "20", "50", "100", "250", "500", "750", "1000");

    static {
        long[] base = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000};
        FIO_BUCKET_BOUNDS = new long[32];
        for (int i = 0; i < 10; i++) {
            FIO_BUCKET_BOUNDS[i] = base[i];
            FIO_BUCKET_BOUNDS[10 + i] = base[i] * 1_000;
            FIO_BUCKET_BOUNDS[20 + i] = base[i] * 1_000_000;
        }
        FIO_BUCKET_BOUNDS[30] = 2000L * 1_000_000;
        FIO_BUCKET_BOUNDS[31] = Long.MAX_VALUE;
    }

    /** fio's default {@code percentile_list}, the keys of {@code clat_ns.percentile}. */
    public static final List<Double> PERCENTILES = List.of(1.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0,
            80.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99);

    public LatencySummary {
        percentiles = Collections.unmodifiableSortedMap(new TreeMap<>(percentiles));
        bins = Collections.unmodifiableSortedMap(new TreeMap<>(bins));
    }

    /** Summarises a histogram of nanosecond values. */
    static LatencySummary of(AbstractHistogram h) {
        TreeMap<Double, Long> p = new TreeMap<>();
        for (double q : PERCENTILES) {
            p.put(q, h.getValueAtPercentile(q));
        }
        TreeMap<Long, Long> bins = new TreeMap<>();
        for (HistogramIterationValue v : h.recordedValues()) {
            bins.merge(v.getValueIteratedTo(), v.getCountAtValueIteratedTo(), Long::sum);
        }
        long count = h.getTotalCount();
        return new LatencySummary(count, count == 0 ? 0 : h.getMinValue(), h.getMean(), h.getStdDeviation(),
                h.getMaxValue(), p, bins);
    }

    /**
     * Calls per fio latency bucket ({@link #FIO_BUCKET_BOUNDS}), each bin counted once, in the bucket
     * of its key: the buckets partition the calls, so their percentages sum to 100.
     */
    List<Long> fioBucketCounts() {
        long[] c = new long[FIO_BUCKET_BOUNDS.length];
        bins.forEach((v, n) -> {
            int i = 0;
            while (v >= FIO_BUCKET_BOUNDS[i]) {
                i++;
            }
            c[i] += n;
        });
        List<Long> out = new ArrayList<>(c.length);
        for (long n : c) {
            out.add(n);
        }
        return out;
    }

    public long p50() {
        return percentiles.get(50.0);
    }

    public long p99() {
        return percentiles.get(99.0);
    }

    public long p999() {
        return percentiles.get(99.9);
    }
}
