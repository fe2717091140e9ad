package org.foliobench.results;

import java.util.List;
import org.foliobench.layout.RowKey;

/**
 * One line of the seed table: a row key (and tunable variant) with its two measurements, and the
 * paired speedup estimate when both paths ran in the same forks. Either side may be null when it
 * was not measured; {@code paired} is null for a run from before the pass log. In a run of the
 * machine's kernel the two sides are ext4 ({@code bh}, the base) and xfs ({@code iomap}, the test):
 * {@link PathLabel#side()}.
 */
public record Row(RowKey key, String variant, Measurement bh, Measurement iomap, Paired.Estimate paired) {

    public Row(RowKey key, String variant, Measurement bh, Measurement iomap) {
        this(key, variant, bh, iomap, bh == null || iomap == null || bh.rowPasses().isEmpty() ? null
                : Paired.speedup(bh.rowPasses(), bh.path().param(), iomap.path().param()));
    }

    /** The row's two columns, base first ({@link PathLabel#pair()}). */
    public List<PathLabel> paths() {
        return (bh != null ? bh : iomap).path().pair();
    }

    /** The measurement on {@code p}'s side (a row has two: a third column lives in the three-way table). */
    public Measurement get(PathLabel p) {
        switch (p.side()) {
            case 0:
                return bh;
            case 1:
                return iomap;
            default:
                throw new IllegalArgumentException(p + " is not a column of a two-path row: read it from the three-way table");
        }
    }

    /**
     * iomap IOPS / bh IOPS (xfs / ext4): the paired estimate (mean over forks of the ABBA blocks' log ratios) when
     * there is one, else the ratio of the two scores; NaN unless both were measured.
     */
    public double speedup() {
        if (paired != null) {
            return paired.value();
        }
        return bh == null || iomap == null ? Double.NaN : iomap.iops() / bh.iops();
    }
}
