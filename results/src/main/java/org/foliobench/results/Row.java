package org.foliobench.results;

/**
 * One line of the seed table: a row key (and tunable variant) with its two measurements, and the
 * paired speedup estimate when both paths ran in the same forks. Either side may be null when it
 * was not measured; {@code paired} is null for a run from before the pass log.
 */
public record Row(RowKey key, String variant, Measurement bh, Measurement iomap, Paired.Estimate paired) {

    public Row(RowKey key, String variant, Measurement bh, Measurement iomap) {
        this(key, variant, bh, iomap, bh == null || iomap == null || bh.rowPasses().isEmpty() ? null
                : Paired.speedup(bh.rowPasses(), PathLabel.BH.param(), PathLabel.IOMAP.param()));
    }

    public Measurement get(PathLabel p) {
        return p == PathLabel.BH ? bh : iomap;
    }

    /**
     * iomap IOPS / bh IOPS: the paired estimate (mean over forks of the ABBA blocks' log ratios) when
     * there is one, else the ratio of the two scores; NaN unless both were measured.
     */
    public double speedup() {
        if (paired != null) {
            return paired.value();
        }
        return bh == null || iomap == null ? Double.NaN : iomap.iops() / bh.iops();
    }
}
