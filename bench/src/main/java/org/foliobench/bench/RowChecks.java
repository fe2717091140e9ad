package org.foliobench.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.CounterNames;
import org.foliobench.workloads.DirtyLimits;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;

/**
 * What a row must be to mean what it says (DESIGN.md's workload table): the paths its job can run
 * on, checked at setup, and per sweep the calls it made and the writeback it saw. A sweep that
 * contradicts its row is reported in the pass log, never hidden.
 */
final class RowChecks {
    private final JobSpec job;

    RowChecks(JobSpec job) {
        this.job = job;
    }

    /** {@code fb_reflink=1} runs on iomap only: ext4's buffer_head path has no reflink. */
    static void checkPaths(String row, JobSpec job, IoPath[] paths) {
        if (job.reflink()) {
            for (IoPath p : paths) {
                if (p != IoPath.IOMAP) {
                    throw new IllegalStateException(row + ": fb_reflink=1 on the " + p.shortName() + " path: ext4's"
                            + " buffer_head path has no reflink (FICLONE fails with EOPNOTSUPP); run it on iomap only");
                }
            }
        }
    }

    /** What in a sweep of {@code ops} calls with counter deltas {@code delta} contradicts the row's meaning. */
    List<String> violations(Map<String, Long> delta, long ops) {
        List<String> v = new ArrayList<>();
        long size = job.size();
        long calls = job.numjobs() * job.iosPerPass();
        if (job.runtimeMicros() == 0 && ops != calls) {
            v.add("the sweep made " + ops + " calls, not " + calls + " (numjobs x size / bs)");
        }
        if (job.rw().isWrite() && job.fsync() == 0 && job.fdatasync() == 0 && !job.endFsync()) { // a sync writes back by design
            long writebackPages = delta.getOrDefault(CounterNames.WRITEBACK_PAGES_WRITTEN, 0L);
            DirtyLimits l = job.dirtyLimits().orElse(null);
            boolean writebackRow = job.row().map(ReferenceRow::writeback).orElse(l != null && size >= l.bgThreshBytes());
            if (!writebackRow && writebackPages > 0) {
                v.add(writebackPages + " pages were written back during a cache sweep (size " + size
                        + " must stay below the background threshold" + (l != null ? " " + l.bgThreshBytes() : "") + ")");
            }
            if (writebackRow && writebackPages == 0) {
                v.add("no writeback during a Writeback=Y sweep (size " + size + " must exceed the dirty threshold"
                        + (l != null ? " " + l.threshBytes() : "") + ")");
            }
        }
        return v;
    }
}
