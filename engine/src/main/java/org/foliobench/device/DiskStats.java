package org.foliobench.device;

import java.util.concurrent.atomic.LongAdder;

/**
 * Per-device IO counters, the fields of {@code /proc/diskstats} that explain a benchmark:
 * completed IOs, merged IOs, sectors and time spent, per direction, plus cache flushes.
 */
public final class DiskStats {
    private final LongAdder[] ios = {new LongAdder(), new LongAdder()};
    private final LongAdder[] merges = {new LongAdder(), new LongAdder()};
    private final LongAdder[] sectors = {new LongAdder(), new LongAdder()};
    private final LongAdder[] nanos = {new LongAdder(), new LongAdder()};
    private final LongAdder[] errors = {new LongAdder(), new LongAdder()};
    private final LongAdder flushes = new LongAdder();

    /** Each device keeps one ({@link BlockDevice#stats}). */
    DiskStats() {
    }

    /** Accounts one completed bio ({@code blk_account_io_done}). */
    void account(Bio.Op op, long bytes, long elapsedNanos) {
        int d = op.ordinal();
        ios[d].increment();
        sectors[d].add(bytes >> Bio.SECTOR_SHIFT);
        nanos[d].add(elapsedNanos);
    }

    /** A bio merged into an earlier one before dispatch (the "merges" columns). */
    void accountMerge(Bio.Op op) {
        merges[op.ordinal()].increment();
    }

    void accountError(Bio.Op op) {
        errors[op.ordinal()].increment();
    }

    void accountFlush() {
        flushes.increment();
    }

    public long ios(Bio.Op op) {
        return ios[op.ordinal()].sum();
    }

    long merges(Bio.Op op) {
        return merges[op.ordinal()].sum();
    }

    long sectors(Bio.Op op) {
        return sectors[op.ordinal()].sum();
    }

    public long bytes(Bio.Op op) {
        return sectors(op) << Bio.SECTOR_SHIFT;
    }

    public long nanos(Bio.Op op) {
        return nanos[op.ordinal()].sum();
    }

    long errors(Bio.Op op) {
        return errors[op.ordinal()].sum();
    }

    long flushes() {
        return flushes.sum();
    }

    @Override
    public String toString() {
        return "reads=" + ios(Bio.Op.READ) + " rmerges=" + merges(Bio.Op.READ) + " rsectors=" + sectors(Bio.Op.READ)
                + " writes=" + ios(Bio.Op.WRITE) + " wmerges=" + merges(Bio.Op.WRITE)
                + " wsectors=" + sectors(Bio.Op.WRITE) + " flushes=" + flushes();
    }
}
