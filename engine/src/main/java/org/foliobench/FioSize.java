package org.foliobench;

import java.util.Locale;

/**
 * fio's integer sizes with its default {@code kb_base=1024}, the one size syntax of foliobench (job
 * files, device specs, command-line sizes), as fio's {@code parse.c:str_to_decimal()} and
 * {@code __get_mult_bytes()} read them:
 * <ul>
 *   <li>a decimal number, or a {@code 0x} hexadecimal number (which takes no unit);</li>
 *   <li>then an optional case-insensitive unit: {@code k m g t p}, alone or followed by {@code b} or
 *       {@code i}, is a power of 1024 ({@code 4k = 4kb = 4KB = 4ki = 4096}, {@code 1Mi = 1048576});
 *       {@code kib mib gib tib pib} are powers of 1000 ({@code 1MiB = 1000000}): with kb_base=1024 fio
 *       deliberately inverts the IEC meaning "to avoid breaking old scripts", and only the spellings
 *       ending in {@code iB} are inverted (fio's HOWTO table lists {@code 1mi} as 10^6, its parser
 *       reads 2^20; the parser is what fio runs); {@code b} alone is bytes.</li>
 * </ul>
 * Stricter than fio, which ignores what it does not recognise ({@code 4x} is 4 bytes there): an
 * unknown unit, a sign, a fraction or an overflow is an error.
 */
public final class FioSize {
    private FioSize() {
    }

    /** The fix every size error suggests. */
    static final String FIX = "use a whole number with an optional k, m, g, t or p (powers of 1024), e.g. 4k or 1g";

    /** Parses {@code value} (surrounding blanks ignored); throws {@link InvalidValue}. */
    public static long parse(String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new InvalidValue("empty size", FIX);
        }
        if (v.startsWith("0x") || v.startsWith("0X")) {
            String hex = v.substring(2);
            if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new InvalidValue("\"" + value + "\" is not a hexadecimal number (hex values take no unit)", FIX);
            }
            try {
                return Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new InvalidValue("size \"" + value + "\" is too large", FIX);
            }
        }
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new InvalidValue("\"" + value + "\" is not a size", FIX);
        }
        String unit = v.substring(i);
        long mult = multiplier(unit.toLowerCase(Locale.ROOT));
        if (mult < 0) {
            if (unit.startsWith(".") || unit.startsWith(",")) {
                throw new InvalidValue("\"" + value + "\" is not a whole number", FIX);
            }
            throw new InvalidValue("bad unit \"" + unit + "\" in \"" + value + "\"",
                    "use k, m, g, t or p (powers of 1024), optionally with b: 4k, 4kb; kib..pib are powers of 1000");
        }
        try {
            return Math.multiplyExact(Long.parseLong(v.substring(0, i)), mult);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new InvalidValue("size \"" + value + "\" is too large", FIX);
        }
    }

    /**
     * {@code bytes} as fio writes a size back ({@link #parse} reads it again): with the largest of
     * {@code k m g t p} (powers of 1024) that divides it, else plain bytes ({@code 4k}, {@code 1m}, {@code 1000}).
     */
    public static String format(long bytes) {
        String units = "kmgtp";
        for (int i = units.length(); i > 0; i--) {
            long unit = 1L << (10 * i);
            if (bytes != 0 && bytes % unit == 0) {
                return (bytes / unit) + units.substring(i - 1, i);
            }
        }
        return Long.toString(bytes);
    }

    /** {@code __get_mult_bytes()} with kb_base=1024; -1 for a unit fio's table does not have. */
    private static long multiplier(String unit) {
        if (unit.isEmpty() || unit.equals("b")) {
            return 1;
        }
        int pow = "kmgtp".indexOf(unit.charAt(0)) + 1;
        String rest = unit.substring(1);
        if (pow == 0 || !(rest.isEmpty() || rest.equals("b") || rest.equals("i") || rest.equals("ib"))) {
            return -1;
        }
        long base = rest.equals("ib") ? 1000 : 1024;
        long m = 1;
        for (int k = 0; k < pow; k++) {
            m *= base;
        }
        return m;
    }
}
