package org.foliobench.workloads;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.foliobench.layout.RowKey;

/**
 * The key of one row of the published fio psync tables (results' ext4-iomap-v4-fio-psync.csv):
 * the CSV's key columns {@code table,type,overwrite,sync,writeback,bs}. Read rows have no
 * Overwrite/Sync/Writeback columns; they are {@code false} here and print as empty in the CSV.
 *
 * <p>Text forms, produced and parsed by the run folders' {@link RowKey}: {@link #key()} {@code read/hole/4K}, {@code write/ramdisk/N/Y/N/64K}; the job-file
 * option {@code fb_row=} carries the key without the block size ({@link #rowKey()},
 * {@code write/ramdisk/N/Y/N}), the block size coming from the job's {@code bs=}.
 */
public record ReferenceRow(Table table, Type type, boolean overwrite, boolean sync, boolean writeback, int bs) {

    /** The CSV {@code table} column. */
    public enum Table {
        READ, WRITE;

        public String csv() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The CSV {@code type} column. */
    public enum Type {
        /** read of a sparse file: every read maps a hole, no device IO. */
        HOLE,
        /** the embedded RamDisk. */
        RAMDISK,
        /** a DirectDevice (O_DIRECT) on a real NVMe namespace or file. */
        NVME,
        /** writes that stay dirty in the page cache (no writeback during the measurement). */
        CACHE;

        public String csv() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ReferenceRow {
        if (table == null || type == null) {
            throw new IllegalArgumentException("table and type are required");
        }
        if (table == Table.READ && (type == Type.CACHE || overwrite || sync || writeback)) {
            throw new IllegalArgumentException("read rows are hole, ramdisk or nvme, without Overwrite/Sync/Writeback");
        }
        if (table == Table.WRITE && type == Type.HOLE) {
            throw new IllegalArgumentException("write rows are cache, ramdisk or nvme");
        }
        if (bs <= 0) {
            throw new IllegalArgumentException("bs must be positive: " + bs);
        }
    }

    public static ReferenceRow read(Type type, int bs) {
        return new ReferenceRow(Table.READ, type, false, false, false, bs);
    }

    public static ReferenceRow write(Type type, boolean overwrite, boolean sync, boolean writeback, int bs) {
        return new ReferenceRow(Table.WRITE, type, overwrite, sync, writeback, bs);
    }

    /** The block sizes of the seed tables, in table order. */
    public static final List<Integer> SEED_BLOCK_SIZES = List.of(4096, 65536, 1048576);

    /** The 39 rows of the published tables, in the published order. */
    public static List<ReferenceRow> seedTable() {
        List<ReferenceRow> rows = new ArrayList<>();
        for (Type t : List.of(Type.HOLE, Type.RAMDISK, Type.NVME)) {
            for (int bs : SEED_BLOCK_SIZES) {
                rows.add(read(t, bs));
            }
        }
        // type, overwrite, sync, writeback: the published write-table order
        Object[][] write = {
            {Type.CACHE, false, false, false},
            {Type.CACHE, true, false, false},
            {Type.RAMDISK, false, false, true},
            {Type.RAMDISK, false, true, false},
            {Type.RAMDISK, true, false, true},
            {Type.RAMDISK, true, true, false},
            {Type.NVME, false, false, true},
            {Type.NVME, false, true, false},
            {Type.NVME, true, false, true},
            {Type.NVME, true, true, false},
        };
        for (Object[] w : write) {
            for (int bs : SEED_BLOCK_SIZES) {
                rows.add(write((Type) w[0], (Boolean) w[1], (Boolean) w[2], (Boolean) w[3], bs));
            }
        }
        return Collections.unmodifiableList(rows);
    }

    /** From the CSV key columns, e.g. {@code ("write","ramdisk","N","Y","N","64K")}; read rows have empty flags. */
    public static ReferenceRow ofCsv(String table, String type, String overwrite, String sync, String writeback, String bs) {
        return of(RowKey.ofCsv(table, type, overwrite, sync, writeback, bs));
    }

    /** Parses {@link #key()}'s form, e.g. {@code read/hole/4K} or {@code write/nvme/Y/Y/N/1M} ({@link RowKey#parse}). */
    public static ReferenceRow parseKey(String key) {
        RowKey k = RowKey.parse(key);
        if (k.numjobs() != 0) {
            throw new IllegalArgumentException("a published row has no " + RowKey.NUMJOBS + ": \"" + key + "\"");
        }
        return of(k);
    }

    /** Parses the {@code fb_row=} form ({@link #rowKey()}) with the job's block size ({@link RowKey#ofSection}). */
    public static ReferenceRow parseRowKey(String rowKey, int bs) {
        return of(RowKey.ofSection(rowKey, bs));
    }

    /** The row of a row key without numjobs; its type must be one of {@link Type}'s. */
    public static ReferenceRow of(RowKey k) {
        Table t = parseEnum(Table.class, k.table(), "table");
        Type ty = parseEnum(Type.class, k.type(), "type");
        if (t == Table.READ) {
            return read(ty, k.bs());
        }
        return write(ty, yn(k.overwrite()), yn(k.sync()), yn(k.writeback()), k.bs());
    }

    /** This row's key, whose text forms ({@link RowKey#key()}, {@link RowKey#section()}) are this row's. */
    public RowKey toRowKey() {
        if (table == Table.READ) {
            return new RowKey(table.csv(), type.csv(), "", "", "", bs);
        }
        return new RowKey(table.csv(), type.csv(), ynText(overwrite), ynText(sync), ynText(writeback), bs);
    }

    /** {@code read/hole/4K}, {@code write/ramdisk/N/Y/N/64K}. */
    public String key() {
        return toRowKey().key();
    }

    /** The key without the block size: the {@code fb_row=} value. */
    public String rowKey() {
        return toRowKey().section();
    }

    /** The CSV's block-size label: {@code 4K}, {@code 64K}, {@code 1M}. */
    public String bsLabel() {
        return toRowKey().bsLabel();
    }

    /** The seed job file of this row: {@code read-hole-4k.fio}, {@code write-ramdisk-n-y-n-64k.fio}. */
    public String fileName() {
        return toRowKey().fileName() + ".fio";
    }

    @Override
    public String toString() {
        return key();
    }

    private static boolean yn(String s) {
        switch (s) {
            case "Y":
                return true;
            case "N":
                return false;
            default:
                throw new IllegalArgumentException("expected Y or N, not \"" + s + "\"");
        }
    }

    private static String ynText(boolean b) {
        return b ? "Y" : "N";
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> c, String s, String what) {
        for (E e : c.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        throw new IllegalArgumentException("bad " + what + " \"" + s + "\"");
    }
}
