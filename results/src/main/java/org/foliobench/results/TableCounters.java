package org.foliobench.results;

import java.util.LinkedHashMap;
import java.util.Map;
import org.foliobench.stats.CounterNames;

/**
 * The engine's counters (its tracepoints, named {@code subsystem.event}) folded into the columns the
 * tables explain rows with ({@link Measurement#COUNTERS}): the one place where an engine counter
 * name becomes a table column.
 */
public final class TableCounters {
    private TableCounters() {
    }

    /** The table columns of a counter delta, in {@link Measurement#COUNTERS} order, then {@code writebackPages}. */
    public static Map<String, Long> of(Map<String, Long> d) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("mapCalls", d.getOrDefault(CounterNames.PATH_MAP_CALLS, 0L));
        m.put("esLookups", d.getOrDefault(CounterNames.FS_ES_LOOKUPS, 0L));
        m.put("folios", sumPrefix(d, CounterNames.PAGECACHE_FOLIO_ALLOC_ORDER_PREFIX));
        m.put("bufferHeads", d.getOrDefault(CounterNames.BUFFER_BH_ALLOC, 0L));
        m.put("folioStates", d.getOrDefault(CounterNames.IOMAP_FOLIO_STATE_ALLOC, 0L));
        m.put("xaOps", d.getOrDefault(CounterNames.XA_STORE, 0L) + d.getOrDefault(CounterNames.XA_LOAD, 0L) + d.getOrDefault(CounterNames.XA_ERASE, 0L)
                + d.getOrDefault(CounterNames.XA_MARK, 0L));
        m.put("bios", d.getOrDefault(CounterNames.BIO_SUBMITTED, 0L));
        m.put("bioSegments", d.getOrDefault(CounterNames.BIO_SEGMENTS, 0L));
        m.put("bioBytes", d.getOrDefault(CounterNames.BIO_BYTES, 0L));
        m.put("throttlePauses", d.getOrDefault(CounterNames.WRITEBACK_THROTTLE_PAUSES, 0L));
        m.put("journalCommits", d.getOrDefault(CounterNames.JBD2_COMMITS, 0L));
        m.put("writebackPages", d.getOrDefault(CounterNames.WRITEBACK_PAGES_WRITTEN, 0L));
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
