package org.foliobench.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.foliobench.stats.CounterNames;

/**
 * The engine's counters (its tracepoints, named {@code subsystem.event}) folded into the columns the
 * tables explain rows with ({@link #COLUMNS}): the one place where an engine counter
 * name becomes a table column.
 */
public final class TableCounters {
    private TableCounters() {
    }

    /** One column: its name and its value from a counter delta. */
    private record Column(String name, ToLongFunction<Map<String, Long>> value) {
    }

    /** A column summing these counters. */
    private static Column sum(String name, String... counters) {
        return new Column(name, d -> {
            long s = 0;
            for (String c : counters) {
                s += d.getOrDefault(c, 0L);
            }
            return s;
        });
    }

    /** The table's columns, in table order. */
    private static final List<Column> TABLE = List.of(
            sum("mapCalls", CounterNames.PATH_MAP_CALLS),
            sum("esLookups", CounterNames.FS_ES_LOOKUPS),
            new Column("folios", d -> sumPrefix(d, CounterNames.PAGECACHE_FOLIO_ALLOC_ORDER_PREFIX)),
            sum("bufferHeads", CounterNames.BUFFER_BH_ALLOC),
            sum("folioStates", CounterNames.IOMAP_FOLIO_STATE_ALLOC),
            sum("xaOps", CounterNames.XA_STORE, CounterNames.XA_LOAD, CounterNames.XA_ERASE, CounterNames.XA_MARK),
            sum("bios", CounterNames.BIO_SUBMITTED),
            sum("bioSegments", CounterNames.BIO_SEGMENTS),
            sum("bioBytes", CounterNames.BIO_BYTES),
            sum("throttlePauses", CounterNames.WRITEBACK_THROTTLE_PAUSES),
            sum("journalCommits", CounterNames.JBD2_COMMITS));
    /** Recorded beside the table's columns (the writeback a pass caused), not one of them. */
    private static final Column WRITEBACK_PAGES = sum("writebackPages", CounterNames.WRITEBACK_PAGES_WRITTEN);

    /** The names of the table's counter columns, in table order. */
    public static final List<String> COLUMNS = TABLE.stream().map(Column::name).toList();

    /** The table columns of a counter delta, in {@link #COLUMNS} order, then {@code writebackPages}. */
    public static Map<String, Long> of(Map<String, Long> d) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Column c : TABLE) {
            m.put(c.name(), c.value().applyAsLong(d));
        }
        m.put(WRITEBACK_PAGES.name(), WRITEBACK_PAGES.value().applyAsLong(d));
        return m;
    }

    /**
     * The copy-on-write counters of a delta (jobs with {@code fb_reflink=1}): staging allocations
     * at writeback ({@code cowAllocs}, {@code cowAllocBlocks}), partial blocks read from the
     * srcmap by write_begin ({@code srcmapReads}), remaps at ioend completion ({@code cowRemaps},
     * {@code cowRemapBlocks}); empty when all are zero.
     */
    public static Map<String, Long> cow(Map<String, Long> d) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("cowAllocs", d.getOrDefault(CounterNames.FS_COW_ALLOC_CALLS, 0L));
        m.put("cowAllocBlocks", d.getOrDefault(CounterNames.FS_COW_ALLOC_BLOCKS, 0L));
        m.put("srcmapReads", d.getOrDefault(CounterNames.IOMAP_SRCMAP_READS, 0L));
        m.put("cowRemaps", d.getOrDefault(CounterNames.FS_COW_REMAPS, 0L));
        m.put("cowRemapBlocks", d.getOrDefault(CounterNames.FS_COW_REMAP_BLOCKS, 0L));
        return m.values().stream().allMatch(v -> v == 0) ? Map.of() : m;
    }

    /** The sum of every counter whose name starts with {@code prefix}. */
    public static long sumPrefix(Map<String, Long> d, String prefix) {
        long s = 0;
        for (Map.Entry<String, Long> e : d.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                s += e.getValue();
            }
        }
        return s;
    }
}
