package org.foliobench.results;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Number formats of the seed table and of our extra columns.
 *
 * <p>The seed's rule, checked against every cell of the published table: IOPS below 10000 are
 * printed as integers ({@code 9830}, {@code 2744}); from 10000 on they are thousands with three
 * significant digits and a {@code k} ({@code 10.7k}, {@code 44.0k}, {@code 565k}); we continue
 * with {@code M} from 999.5k. Bandwidth in MiB/s is an integer from 100 on ({@code 365},
 * {@code 1703}) and three significant digits below ({@code 38.4}).
 */
public final class Format {

    /** What an absent value prints as. */
    public static final String NONE = "-";

    private static final MathContext SIG3 = new MathContext(3, RoundingMode.HALF_EVEN);

    private Format() {
    }

    /** IOPS as the seed prints them: {@code 565k}, {@code 45.1k}, {@code 2744}. */
    public static String iops(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        long r = Math.round(v);
        if (r < 10000) {
            return Long.toString(r);
        }
        if (v < 999_500) {
            return sig3(v / 1000) + "k";
        }
        return sig3(v / 1_000_000) + "M";
    }

    /** MiB/s as the seed prints them: {@code 1703}, {@code 38.4}. */
    public static String bw(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        if (v >= 99.95) {
            return Long.toString(Math.round(v));
        }
        return sig3(v);
    }

    /** Three significant digits, trailing zeros kept: {@code 12.0}, {@code 0.0500}, {@code 565}. */
    public static String sig3(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        if (v == 0) {
            return "0.00";
        }
        BigDecimal r = new BigDecimal(v).round(SIG3);
        int intDigits = r.precision() - r.scale();
        if (intDigits >= 3) {
            return r.setScale(0, RoundingMode.HALF_EVEN).toPlainString();
        }
        return r.setScale(3 - intDigits, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** A ratio such as a speedup: {@code 1.44x}. */
    public static String ratio(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2fx", v) : NONE;
    }

    /** A paired speedup as the progress lines print it: {@code x2.16 +-4.1%}, or {@code x2.16} without an interval. */
    public static String progressSpeedup(Paired.Estimate e) {
        return String.format(Locale.ROOT, "x%.2f", e.value()) + (e.hasInterval() ? " +-" + pct(e.halfWidthPct()) : "");
    }

    /** A percentage with sign: {@code +3.1%}, {@code -12%}. */
    public static String signedPct(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        double a = Math.abs(v);
        String s = a >= 9.95 ? String.format(Locale.ROOT, "%.0f", a) : String.format(Locale.ROOT, "%.1f", a);
        return (v < 0 && !s.matches("0(\\.0)?") ? "-" : "+") + s + "%";
    }

    /** A non-negative percentage such as a score error: {@code 1.2%}. */
    public static String pct(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        return Math.abs(v) >= 9.95 ? String.format(Locale.ROOT, "%.0f%%", v) : String.format(Locale.ROOT, "%.1f%%", v);
    }

    /** A latency in nanoseconds, scaled like fio does: {@code 850ns}, {@code 12.3us}, {@code 4.51ms}. */
    public static String latency(double ns) {
        if (!Double.isFinite(ns) || ns < 0) {
            return NONE;
        }
        if (ns < 1000) {
            return Math.round(ns) + "ns";
        }
        if (ns < 1_000_000) {
            return sig3(ns / 1000) + "us";
        }
        if (ns < 1_000_000_000) {
            return sig3(ns / 1_000_000) + "ms";
        }
        return sig3(ns / 1_000_000_000) + "s";
    }

    /** A count per MiB: three significant digits. */
    public static String perMiB(double v) {
        return sig3(v);
    }

    /** A byte size: {@code 4.00K}, {@code 1.00M}, {@code 512}. */
    public static String bytes(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        if (v < 1024) {
            return Long.toString(Math.round(v));
        }
        if (v < 1024 * 1024) {
            return sig3(v / 1024) + "K";
        }
        return sig3(v / (1024 * 1024)) + "M";
    }
}
