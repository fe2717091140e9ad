package org.foliobench.layout;

import java.util.Locale;

/**
 * The key of one table row, exactly the published CSV's key columns: {@code read/hole/4K},
 * {@code write/ramdisk/Y/N/Y/4K} (table/type[/overwrite/sync/writeback]/bs). Read rows have
 * empty Overwrite/Sync/Writeback; block sizes are written as the CSV does ({@code 4K},
 * {@code 64K}, {@code 1M}; fio's {@code k/m} are powers of 1024).
 *
 * <p>{@code numjobs} is a dimension only in a scaling sweep ({@code --numjobs 1,2,4}): 0 is the
 * job's own numjobs (the seed's 1) and leaves the key as the published one; N > 0 appends
 * {@link #NUMJOBS_SEPARATOR}{@code numjobs=N} ({@code read/hole/4K@numjobs=2}). The bench names a
 * benchmark's files and pass log by this key, so the suffix is declared here, once, for both the
 * bench ({@link #withNumjobs}, {@link #numjobsOf}, {@link #withoutNumjobs}, which also take
 * {@code job:} keys) and the results.
 */
public record RowKey(String table, String type, String overwrite, String sync, String writeback, int bs, int numjobs) {

    /** The name of the dimension: the key suffix's and the tables' column. */
    public static final String NUMJOBS = "numjobs";
    /** Between a row key and its {@code numjobs=N}. */
    public static final String NUMJOBS_SEPARATOR = "@";
    private static final String NUMJOBS_SUFFIX = NUMJOBS_SEPARATOR + NUMJOBS + "=";
    /** fio's range of numjobs. */
    public static final int MAX_NUMJOBS = 4096;

    /** A row of the published table (no numjobs dimension). */
    public RowKey(String table, String type, String overwrite, String sync, String writeback, int bs) {
        this(table, type, overwrite, sync, writeback, bs, 0);
    }

    public RowKey {
        if (numjobs < 0 || numjobs > MAX_NUMJOBS) {
            throw new IllegalArgumentException("numjobs is 1.." + MAX_NUMJOBS + ", not " + numjobs);
        }
        if (!"read".equals(table) && !"write".equals(table)) {
            throw new IllegalArgumentException("table is read or write, not \"" + table + "\"");
        }
        if (type == null || type.isEmpty() || !type.equals(type.toLowerCase(Locale.ROOT)) || type.contains("/")) {
            throw new IllegalArgumentException("type is a lower-case word such as hole, ramdisk, nvme or cache, not \"" + type + "\"");
        }
        if ("read".equals(table)) {
            if (!overwrite.isEmpty() || !sync.isEmpty() || !writeback.isEmpty()) {
                throw new IllegalArgumentException("read rows have no Overwrite/Sync/Writeback");
            }
        } else {
            yn(overwrite);
            yn(sync);
            yn(writeback);
        }
        if (bs <= 0) {
            throw new IllegalArgumentException("block size must be positive: " + bs);
        }
    }

    /** {@code key} (a row key or a {@code job:} key) with {@code numjobs=N} appended; 0 leaves it as it is. */
    public static String withNumjobs(String key, int numjobs) {
        return numjobs == 0 ? key : key + NUMJOBS_SUFFIX + numjobs;
    }

    /** The numjobs a key ({@link #withNumjobs}) carries, 0 for none. */
    public static int numjobsOf(String key) {
        int at = key.lastIndexOf(NUMJOBS_SUFFIX);
        if (at < 0) {
            return 0;
        }
        String n = key.substring(at + NUMJOBS_SUFFIX.length());
        if (n.isEmpty() || n.length() > 4 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad " + NUMJOBS + " in \"" + key + "\" (expected e.g. read/hole/4K"
                    + NUMJOBS_SUFFIX + "2)");
        }
        int v = Integer.parseInt(n);
        if (v < 1 || v > MAX_NUMJOBS) {
            throw new IllegalArgumentException(NUMJOBS + " in \"" + key + "\" is out of range 1.." + MAX_NUMJOBS);
        }
        return v;
    }

    /** The key without its {@code numjobs=N}: the job it runs. */
    public static String withoutNumjobs(String key) {
        int at = key.lastIndexOf(NUMJOBS_SUFFIX);
        return at < 0 ? key : key.substring(0, at);
    }

    /** This row without the numjobs dimension: the published row it sweeps. */
    public RowKey base() {
        return numjobs == 0 ? this : new RowKey(table, type, overwrite, sync, writeback, bs);
    }

    /**
     * Whether this row stands for its published row: the published rows ran one job each, so an
     * unswept row or a sweep's numjobs=1 row does, more threads do not.
     */
    public boolean publishable() {
        return numjobs <= 1;
    }

    /** This row at {@code n} threads (0: no numjobs dimension). */
    public RowKey withNumjobs(int n) {
        return new RowKey(table, type, overwrite, sync, writeback, bs, n);
    }

    /** Parses {@code read/hole/4K}, {@code write/nvme/Y/Y/N/1M} or {@code read/hole/4K@numjobs=2}. */
    public static RowKey parse(String key) {
        int nj = numjobsOf(key);
        RowKey k = parseBase(withoutNumjobs(key));
        return nj == 0 ? k : k.withNumjobs(nj);
    }

    private static RowKey parseBase(String key) {
        int slash = key.lastIndexOf('/');
        String[] p = (slash < 0 ? key : key.substring(0, slash)).split("/", -1);
        if (slash < 0 || !(p.length == 2 && "read".equals(p[0]) || p.length == 5 && "write".equals(p[0]))) {
            throw new IllegalArgumentException("bad row key \"" + key
                    + "\": expected read/TYPE/BS (read/hole/4K) or write/TYPE/OVERWRITE/SYNC/WRITEBACK/BS (write/ramdisk/Y/N/Y/4K)");
        }
        return ofSection(key.substring(0, slash), parseBs(key.substring(slash + 1), key));
    }

    /**
     * From a {@link #section()} ({@code read/hole}, {@code write/ramdisk/N/Y/N}, a job file's
     * {@code fb_row=}) and a block size in bytes.
     */
    public static RowKey ofSection(String section, int bs) {
        String[] p = section.split("/", -1);
        if ("read".equals(p[0])) {
            if (p.length != 2) {
                throw new IllegalArgumentException("a read row is read/TYPE, e.g. read/hole, not \"" + section + "\"");
            }
            return new RowKey("read", p[1], "", "", "", bs);
        }
        if ("write".equals(p[0])) {
            if (p.length != 5) {
                throw new IllegalArgumentException(
                        "a write row is write/TYPE/OVERWRITE/SYNC/WRITEBACK, e.g. write/ramdisk/N/Y/N, not \"" + section + "\"");
            }
            return new RowKey("write", p[1], p[2], p[3], p[4], bs);
        }
        throw new IllegalArgumentException("bad table \"" + p[0] + "\" in \"" + section + "\" (a row starts with read/ or write/)");
    }

    /** From the CSV key columns. */
    public static RowKey ofCsv(String table, String type, String overwrite, String sync, String writeback, String bs) {
        return new RowKey(table, type, overwrite, sync, writeback, parseBs(bs, bs));
    }

    public boolean isRead() {
        return "read".equals(table);
    }

    /** {@code read/hole/4K}, {@code write/ramdisk/Y/N/Y/4K}; in a numjobs sweep {@code read/hole/4K@numjobs=2}. */
    public String key() {
        return withNumjobs(section() + "/" + bsLabel(), numjobs);
    }

    /** The key without the block size, the table section: {@code read/hole}, {@code write/cache/N/N/N}. */
    public String section() {
        return isRead() ? "read/" + type : "write/" + type + "/" + overwrite + "/" + sync + "/" + writeback;
    }

    /** File-name form: {@code read-hole-4k}, {@code write-ramdisk-y-n-y-4k} ({@link #fileName(String)}). */
    public String fileName() {
        return fileName(key());
    }

    /**
     * The file-name form of a row key or a {@code job:} key, the one naming rule of a run's per-row
     * files ({@link RunLayout}): {@code write-ramdisk-y-n-y-4k}, {@code read-hole-4k_numjobs_2},
     * {@code job-myjob}. Seed job files are this plus {@code .fio}.
     */
    public static String fileName(String key) {
        return key.toLowerCase(Locale.ROOT).replace('/', '-').replace(':', '-').replaceAll("[^a-z0-9._-]", "_");
    }

    /** The CSV's block-size label: {@code 4K}, {@code 64K}, {@code 1M}. */
    public String bsLabel() {
        if (bs % (1 << 30) == 0) {
            return (bs >> 30) + "G";
        }
        if (bs % (1 << 20) == 0) {
            return (bs >> 20) + "M";
        }
        if (bs % 1024 == 0) {
            return (bs >> 10) + "K";
        }
        return Integer.toString(bs);
    }

    @Override
    public String toString() {
        return key();
    }

    /** A block-size label ({@code 4K}, {@code 64K}, {@code 1M}; {@code k/m/g} are powers of 1024) in bytes. */
    public static int parseBs(String s, String context) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty block size in \"" + context + "\"");
        }
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        long mult = 1;
        String digits = s;
        if (last == 'K' || last == 'M' || last == 'G') {
            mult = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            digits = s.substring(0, s.length() - 1);
        }
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 9) {
            throw new IllegalArgumentException("bad block size \"" + s + "\" in \"" + context + "\" (expected e.g. 4K, 64K, 1M)");
        }
        long v = Long.parseLong(digits) * mult;
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad block size \"" + s + "\" in \"" + context + "\"");
        }
        return (int) v;
    }

    private static void yn(String s) {
        if (!"Y".equals(s) && !"N".equals(s)) {
            throw new IllegalArgumentException("Overwrite/Sync/Writeback are Y or N, not \"" + s + "\"");
        }
    }
}
