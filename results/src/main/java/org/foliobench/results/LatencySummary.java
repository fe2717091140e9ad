package org.foliobench.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;

/**
 * Per-call latency of one row and path, in nanoseconds, from the merged HdrHistogram interval
 * log ({@code latency/<path>-<rowfile>.hlog}).
 *
 * @param count       calls recorded
 * @param min         smallest latency
 * @param mean        mean latency
 * @param stddev      standard deviation
 * @param max         largest latency
 * @param percentiles latency at each of {@link #PERCENTILES} (fio's default list) and 99.9
 */
public record LatencySummary(long count, long min, double mean, double stddev, long max,
                             SortedMap<Double, Long> percentiles, List<Long> fioBucketCounts) {

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
        fioBucketCounts = List.copyOf(fioBucketCounts);
    }

    /** Summarises a histogram of nanosecond values. */
    static LatencySummary of(AbstractHistogram h) {
        TreeMap<Double, Long> p = new TreeMap<>();
        for (double q : PERCENTILES) {
            p.put(q, h.getValueAtPercentile(q));
        }
        long count = h.getTotalCount();
        List<Long> buckets = new ArrayList<>();
        long lo = 0;
        for (long hi : FIO_BUCKET_BOUNDS) {
            long top = Math.min(hi - 1, h.getMaxValue());
            buckets.add(lo > top ? 0 : h.getCountBetweenValues(lo, top));
            lo = hi;
        }
        return new LatencySummary(count, count == 0 ? 0 : h.getMinValue(), h.getMean(), h.getStdDeviation(),
                h.getMaxValue(), p, buckets);
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
