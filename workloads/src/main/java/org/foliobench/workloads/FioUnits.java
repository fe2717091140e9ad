package org.foliobench.workloads;

import java.util.Locale;

/**
 * fio's integer and time units, as documented in fio's HOWTO ("Parameter types"), with the default
 * {@code kb_base=1024} (fio's "compatibility mode"), mirroring {@code parse.c:str_to_decimal()}.
 *
 * <p>Sizes: a decimal number or a {@code 0x} hexadecimal number (hex takes no suffix), then an
 * optional case-insensitive suffix:
 * <ul>
 *   <li>{@code k m g t p}, optionally followed by {@code b}: powers of 1024 ({@code 4k = 4kb = 4KB = 4096});</li>
 *   <li>{@code ki mi gi ti pi}, optionally followed by {@code b}: powers of 1000 ({@code 1mi = 1000ki = 1000000});
 *       in kb_base=1024 mode fio deliberately inverts the IEC meaning "to avoid breaking old scripts";</li>
 *   <li>{@code b} alone: bytes.</li>
 * </ul>
 * foliobench is stricter than fio's C parser, which silently ignores a suffix it does not know
 * ({@code 4x} is 4 bytes in fio): here an unknown suffix, a sign, a fraction or an overflow is an error.
 * Note that fio's C code reads {@code ki}/{@code mi} without the trailing {@code b} as 1024-based,
 * contrary to its HOWTO; foliobench follows the HOWTO.
 *
 * <p>Times (the {@code time} type): a number with an optional case-insensitive suffix {@code d h m s sec
 * ms msec us usec}; without a suffix the value is in seconds. Results are in microseconds, fio's
 * internal unit.
 */
public final class FioUnits {
    private FioUnits() {
    }

    private static final String SIZE_FIX = "use a whole number with an optional k, m, g, t or p suffix, e.g. 4k or 1g";
    private static final String TIME_FIX = "use a whole number with an optional d, h, m, s, ms or us suffix, e.g. 30s";

    /** Parses a size value for {@code option}; throws {@link IllegalArgumentException} with a {@code problem (fix)} message. */
    public static long parseSize(String option, String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new BadValueException("empty value for " + option, SIZE_FIX);
        }
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return parseHex(option, v, SIZE_FIX);
        }
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new BadValueException("bad value \"" + value + "\" for " + option + ": not a size", SIZE_FIX);
        }
        String digits = v.substring(0, i);
        String suffix = v.substring(i).toLowerCase(Locale.ROOT);
        long mult = sizeMultiplier(suffix);
        if (mult < 0) {
            if (suffix.startsWith(".") || suffix.startsWith(",")) {
                throw new BadValueException("bad value \"" + value + "\" for " + option + ": not a whole number", SIZE_FIX);
            }
            throw new BadValueException("bad unit \"" + v.substring(i) + "\" in " + option + "=" + value,
                    "use k, m, g, t or p (powers of 1024), optionally with b: 4k, 4kb");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), mult);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new BadValueException("value \"" + value + "\" for " + option + " is too large", SIZE_FIX);
        }
    }

    /** Parses a time value for {@code option} into microseconds; a bare number is seconds. */
    public static long parseTimeMicros(String option, String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new BadValueException("empty value for " + option, TIME_FIX);
        }
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return mul(option, value, parseHex(option, v, TIME_FIX), 1_000_000L);
        }
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new BadValueException("bad value \"" + value + "\" for " + option + ": not a time", TIME_FIX);
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
                    throw new BadValueException("bad value \"" + value + "\" for " + option + ": not a whole number", TIME_FIX);
                }
                throw new BadValueException("bad unit \"" + v.substring(i) + "\" in " + option + "=" + value,
                        "use d, h, m, s, ms or us; a bare number is seconds");
        }
        long n;
        try {
            n = Long.parseLong(v.substring(0, i));
        } catch (NumberFormatException e) {
            throw new BadValueException("value \"" + value + "\" for " + option + " is too large", TIME_FIX);
        }
        return mul(option, value, n, mult);
    }

    /** -1 when the suffix is not a size unit. */
    private static long sizeMultiplier(String suffix) {
        if (suffix.isEmpty() || suffix.equals("b")) {
            return 1;
        }
        String s = suffix.endsWith("b") ? suffix.substring(0, suffix.length() - 1) : suffix;
        long base = 1024;
        if (s.length() == 2 && s.charAt(1) == 'i') {
            base = 1000;
            s = s.substring(0, 1);
        }
        if (s.length() != 1) {
            return -1;
        }
        int pow = "kmgtp".indexOf(s.charAt(0)) + 1;
        if (pow == 0) {
            return -1;
        }
        long m = 1;
        for (int k = 0; k < pow; k++) {
            m *= base;
        }
        return m;
    }

    private static long parseHex(String option, String v, String fix) {
        String hex = v.substring(2);
        if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new BadValueException("bad value \"" + v + "\" for " + option
                    + ": not a hexadecimal number (hex values take no unit suffix)", fix);
        }
        try {
            return Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new BadValueException("value \"" + v + "\" for " + option + " is too large", fix);
        }
    }

    private static long mul(String option, String value, long n, long mult) {
        try {
            return Math.multiplyExact(n, mult);
        } catch (ArithmeticException e) {
            throw new BadValueException("value \"" + value + "\" for " + option + " is too large", TIME_FIX);
        }
    }
}
