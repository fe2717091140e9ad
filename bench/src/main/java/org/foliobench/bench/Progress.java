package org.foliobench.bench;

import java.util.Locale;

/**
 * The progress line printed after each fork,
 * {@code [fork 2/3] [12/39] write/ramdisk/N/N/Y/64K  bh 31.9k  iomap 68.9k  IOPS  x2.16 +-4.1% (ETA 1m12s)},
 * and its ETA: the mean time of the forks done so far times the forks the plan still has (the
 * minimum rounds; forks added for a wide interval extend it as they come).
 */
final class Progress {
    private final int rows;
    private final int rounds;
    private int planned;
    private int done;

    Progress(int rows, int rounds) {
        this.rows = rows;
        this.rounds = rounds;
        this.planned = rows * rounds;
    }

    /** Marks a fork done; an {@code extra} one (past the minimum rounds) was not in the plan. */
    void step(boolean extra) {
        done++;
        if (extra) {
            planned++;
        }
    }

    int done() {
        return done;
    }

    /** Estimated nanoseconds left, given the elapsed nanoseconds of what is done. */
    long etaNanos(long elapsedNanos) {
        if (done == 0) {
            return -1;
        }
        return (long) ((double) elapsedNanos / done * Math.max(0, planned - done));
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

    /** The line printed after fork {@code round} (1-based) of row {@code index} (1-based) of {@code total}. */
    static String line(int round, int rounds, int index, int total, String key, String outcome, long etaNanos) {
        int w = String.valueOf(total).length();
        return String.format(Locale.ROOT, "[fork %d/%d] [%" + w + "d/%d] %-26s %s%s", round, rounds, index, total, key, outcome,
                etaNanos > 0 ? " (ETA " + duration(etaNanos) + ")" : "");
    }
}
