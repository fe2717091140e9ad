package org.foliobench.workloads;

import java.util.Locale;

import org.foliobench.FioSize;
import org.foliobench.InvalidValue;

/**
 * fio's integer and time units (fio's HOWTO, "Parameter types"). Sizes are {@link FioSize}'s, the one
 * size rule of foliobench (fio's parser with its default {@code kb_base=1024}: {@code 4k = 4096},
 * {@code 1Mi = 1048576}, {@code 1MiB = 1000000}); this class names the option in errors.
 *
 * <p>Times (the {@code time} type, {@code parse.c:get_mult_time()}): a number with an optional
 * case-insensitive suffix {@code d h m s sec ms msec us usec}; without a suffix the value is in
 * seconds. Results are in microseconds, fio's internal unit.
 */
public final class FioUnits {
    private FioUnits() {
    }

    private static final String TIME_FIX = "use a whole number with an optional d, h, m, s, ms or us suffix, e.g. 30s";

    /** Parses a size value for {@code option}; throws {@link InvalidValue} naming the option. */
    public static long parseSize(String option, String value) {
        try {
            return FioSize.parse(value);
        } catch (InvalidValue e) {
            throw new InvalidValue(option + "=" + value.strip() + ": " + e.problem(), e.fix());
        }
    }

    /**
     * Microseconds as fio's time type is written, the inverse of {@link #parseTimeMicros}: the largest
     * of {@code s}, {@code ms}, {@code us} that divides it ({@code 2s}, {@code 250ms}, {@code 10us}).
     */
    public static String formatTimeMicros(long micros) {
        if (micros % 1_000_000 == 0) {
            return (micros / 1_000_000) + "s";
        }
        if (micros % 1_000 == 0) {
            return (micros / 1_000) + "ms";
        }
        return micros + "us";
    }

    /** Parses a time value for {@code option} into microseconds; a bare number is seconds. */
    public static long parseTimeMicros(String option, String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new InvalidValue("empty value for " + option, TIME_FIX);
        }
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return mul(option, value, parseHex(option, v, TIME_FIX), 1_000_000L);
        }
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new InvalidValue("bad value \"" + value + "\" for " + option + ": not a time", TIME_FIX);
        }
        String suffix = v.substring(i).toLowerCase(Locale.ROOT);
        long mult;
        switch (suffix) {
            case "":
            case "s":
            case "sec":
                mult = 1_000_000L;
                break;
            case "us":
            case "usec":
                mult = 1L;
                break;
            case "ms":
            case "msec":
                mult = 1_000L;
                break;
            case "m":
                mult = 60_000_000L;
                break;
            case "h":
                mult = 3_600_000_000L;
                break;
            case "d":
                mult = 86_400_000_000L;
                break;
            default:
                if (suffix.startsWith(".")) {
                    throw new InvalidValue("bad value \"" + value + "\" for " + option + ": not a whole number", TIME_FIX);
                }
                throw new InvalidValue("bad unit \"" + v.substring(i) + "\" in " + option + "=" + value,
                        "use d, h, m, s, ms or us; a bare number is seconds");
        }
        long n;
        try {
            n = Long.parseLong(v.substring(0, i));
        } catch (NumberFormatException e) {
            throw new InvalidValue("value \"" + value + "\" for " + option + " is too large", TIME_FIX);
        }
        return mul(option, value, n, mult);
    }

    private static long parseHex(String option, String v, String fix) {
        String hex = v.substring(2);
        if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new InvalidValue("bad value \"" + v + "\" for " + option
                    + ": not a hexadecimal number (hex values take no unit suffix)", fix);
        }
        try {
            return Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new InvalidValue("value \"" + v + "\" for " + option + " is too large", fix);
        }
    }

    private static long mul(String option, String value, long n, long mult) {
        try {
            return Math.multiplyExact(n, mult);
        } catch (ArithmeticException e) {
            throw new InvalidValue("value \"" + value + "\" for " + option + " is too large", TIME_FIX);
        }
    }
}
