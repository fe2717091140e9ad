package org.foliobench.results;

/**
 * One line of the seed table: a row key (and tunable variant) with its two measurements.
 * Either side may be null when it was not measured.
 */
public record Row(RowKey key, String variant, Measurement bh, Measurement iomap) {

    public Measurement get(PathLabel p) {
        return p == PathLabel.BH ? bh : iomap;
    }

    /** iomap IOPS / bh IOPS, NaN unless both were measured. */
    public double speedup() {
        return bh == null || iomap == null ? Double.NaN : iomap.iops() / bh.iops();
    }
}
