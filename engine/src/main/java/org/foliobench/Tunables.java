package org.foliobench;

import java.util.List;
import java.util.function.Function;

/**
 * Every tunable of the model, each declared once ({@link Tunable}): its kernel name, job-file option,
 * command-line flag, JMH param, default (from {@link Defaults}) and values. The job-file parser, the
 * command line, the runner's forks, the run's metadata and the mount options all take a tunable's
 * names and its validation from here.
 */
public final class Tunables {
    private Tunables() {
    }

    /** {@code mke2fs -b}: the filesystem block size. */
    public static final Tunable<Integer> BLOCK_SIZE = new Tunable<>("mke2fs -b", "block_size", "fb_block_size",
            "--block-size", "blockSize", Defaults.BLOCK_SIZE, null, Tunables::sizeInt,
            b -> b == 1024 || b == 2048 || b == 4096, "use 1k, 2k or 4k: 1024, 2048 or 4096 bytes", String::valueOf);

    /** {@code MAX_PAGECACHE_ORDER}: the largest folio (0 disables large folios). */
    public static final Tunable<Integer> MAX_FOLIO_ORDER = integer("MAX_PAGECACHE_ORDER", "max_folio_order", "--max-folio-order",
            "maxFolioOrder", Defaults.MAX_PAGECACHE_ORDER, 0, Defaults.MAX_PAGECACHE_ORDER);

    /** {@code /sys/block/<dev>/queue/read_ahead_kb}. */
    public static final Tunable<Integer> READ_AHEAD_KB = integer("queue/read_ahead_kb", "read_ahead_kb", "--read-ahead-kb",
            "readAheadKb", Defaults.READ_AHEAD_KB, 0, 1 << 20);

    /** {@code vm.dirty_ratio}. */
    public static final Tunable<Integer> DIRTY_RATIO = integer("vm.dirty_ratio", "dirty_ratio", "--dirty-ratio", "dirtyRatio",
            Defaults.DIRTY_RATIO, 0, 100);

    /** {@code vm.dirty_background_ratio}. */
    public static final Tunable<Integer> DIRTY_BACKGROUND_RATIO = integer("vm.dirty_background_ratio", "dirty_background_ratio",
            "--dirty-background-ratio", "dirtyBackgroundRatio", Defaults.DIRTY_BACKGROUND_RATIO, 0, 100);

    /** {@code vm.dirty_bytes}: 0 uses {@code vm.dirty_ratio}; otherwise at least two pages, as the sysctl requires. */
    public static final Tunable<Long> DIRTY_BYTES = new Tunable<>("vm.dirty_bytes", "dirty_bytes", "fb_dirty_bytes", null, null,
            Defaults.DIRTY_BYTES, null, FioSize::parse, n -> n == 0 || n >= 2L * Defaults.PAGE_SIZE,
            "use 0 (use the ratio) or a size of at least " + 2 * Defaults.PAGE_SIZE, String::valueOf);

    /** {@code vm.dirty_background_bytes}: 0 uses {@code vm.dirty_background_ratio}. */
    public static final Tunable<Long> DIRTY_BACKGROUND_BYTES = new Tunable<>("vm.dirty_background_bytes", "dirty_background_bytes",
            "fb_dirty_background_bytes", null, null, Defaults.DIRTY_BACKGROUND_BYTES, null, FioSize::parse, n -> n >= 0,
            "use 0 (use the ratio) or a size such as 64m", String::valueOf);

    /** {@code vm.dirty_expire_centisecs}. */
    public static final Tunable<Integer> DIRTY_EXPIRE_CENTISECS = integer("vm.dirty_expire_centisecs", "dirty_expire_centisecs",
            null, null, Defaults.DIRTY_EXPIRE_CENTISECS, 0, Integer.MAX_VALUE);

    /** {@code vm.dirty_writeback_centisecs} (0 disables periodic writeback). */
    public static final Tunable<Integer> DIRTY_WRITEBACK_CENTISECS = integer("vm.dirty_writeback_centisecs",
            "dirty_writeback_centisecs", null, null, Defaults.DIRTY_WRITEBACK_CENTISECS, 0, Integer.MAX_VALUE);

    /** The model's RAM, the kernel's {@code mem=}: the page cache's memory, of which the dirty ratios are taken. */
    public static final Tunable<Long> MEM = new Tunable<>("the model's RAM, mem=", "mem", "fb_mem", "--mem", "memBytes",
            Defaults.PAGECACHE_ARENA_BYTES, null, FioSize::parse, n -> n >= (1 << 20) && n % Defaults.PAGE_SIZE == 0,
            "use a size of at least 1m in whole " + Defaults.PAGE_SIZE + "-byte pages, e.g. 4g", FioSize::format);

    /** ext4 {@code dioread_nolock} / {@code nodioread_nolock}; null is the kernel's default for the block size. */
    public static final Tunable<Boolean> DIOREAD_NOLOCK = new Tunable<>("ext4 dioread_nolock", "dioread_nolock", "fb_dioread_nolock",
            "--dioread-nolock", "dioreadNolock", null, "1 with " + Defaults.PAGE_SIZE + "-byte blocks, else 0", Tunables::bit,
            b -> true, "use 1 (dioread_nolock) or 0 (nodioread_nolock)", b -> b ? "1" : "0");

    /** {@code fb_bh_partial_walk}: the buffers a partial write into a large folio walks (bhlf). */
    public static final Tunable<BhPartialWalk> BH_PARTIAL_WALK = choice("fb_bh_partial_walk", "bh_partial_walk",
            "--bh-partial-walk", "bhPartialWalk", Defaults.BH_PARTIAL_WALK, BhPartialWalk.values(), BhPartialWalk::value,
            "use full or range");

    /** {@code fb_defrag_iomap}: what {@code EXT4_IOC_MOVE_EXT} does to an iomap inode. */
    public static final Tunable<DefragIomap> DEFRAG_IOMAP = choice("fb_defrag_iomap", "defrag_iomap", "--defrag-iomap",
            null, Defaults.DEFRAG_IOMAP, DefragIomap.values(), DefragIomap::value, "use eopnotsupp or fallback");

    /** {@code fb_iomap_dirty_check}: which iomap mappings ask {@code ext4_inode_datasync_dirty} (patch 33). */
    public static final Tunable<IomapDirtyCheck> IOMAP_DIRTY_CHECK = choice("fb_iomap_dirty_check", "iomap_dirty_check", null,
            null, Defaults.IOMAP_DIRTY_CHECK, IomapDirtyCheck.values(), IomapDirtyCheck::value, "use direct or all");

    /** All of them, in the order the README lists them. */
    public static final List<Tunable<?>> ALL = List.of(MAX_FOLIO_ORDER, READ_AHEAD_KB, DIRTY_RATIO, DIRTY_BACKGROUND_RATIO,
            DIRTY_BYTES, DIRTY_BACKGROUND_BYTES, DIRTY_EXPIRE_CENTISECS, DIRTY_WRITEBACK_CENTISECS, BLOCK_SIZE, DIOREAD_NOLOCK,
            MEM, BH_PARTIAL_WALK, DEFRAG_IOMAP, IOMAP_DIRTY_CHECK);

    /** A plain decimal integer in {@code [min, max]}, the job-file option {@code fb_<key>}. */
    private static Tunable<Integer> integer(String name, String key, String flag, String param, int dflt, int min, int max) {
        return new Tunable<>(name, key, "fb_" + key, flag, param, dflt, null, Tunables::decimal, n -> n >= min && n <= max,
                "use a whole number " + min + ".." + max, String::valueOf);
    }

    /** One of an enum's values, the job-file option {@code fb_<key>}. */
    /** An enum tunable: one of {@code values}, each spelled {@code format} in any case. */
    private static <E extends Enum<E>> Tunable<E> choice(String name, String key, String flag, String param, E dflt,
            E[] values, Function<E, String> format, String allowed) {
        Function<String, E> parse = s -> {
            for (E e : values) {
                if (format.apply(e).equalsIgnoreCase(s)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(s);
        };
        return new Tunable<>(name, key, "fb_" + key, flag, param, dflt, null, parse, e -> true, allowed, format);
    }

    private static Integer decimal(String s) {
        if (!s.matches("[0-9]{1,10}")) {
            throw new IllegalArgumentException(s);
        }
        long n = Long.parseLong(s);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(s);
        }
        return (int) n;
    }

    private static Integer sizeInt(String s) {
        long n = FioSize.parse(s);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(s);
        }
        return (int) n;
    }

    private static Boolean bit(String s) {
        switch (s) {
            case "0":
                return false;
            case "1":
                return true;
            default:
                throw new IllegalArgumentException(s);
        }
    }
}
