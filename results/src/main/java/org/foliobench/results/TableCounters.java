package org.foliobench.results;

import java.util.LinkedHashMap;
import java.util.Map;

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
        m.put("mapCalls", d.getOrDefault("path.map_calls", 0L));
        m.put("esLookups", d.getOrDefault("fs.es_lookups", 0L));
        m.put("folios", sumPrefix(d, "pagecache.folio_alloc_order_"));
        m.put("bufferHeads", d.getOrDefault("buffer.bh_alloc", 0L));
        m.put("folioStates", d.getOrDefault("iomap.folio_state_alloc", 0L));
        m.put("xaOps", d.getOrDefault("xa.store", 0L) + d.getOrDefault("xa.load", 0L) + d.getOrDefault("xa.erase", 0L)
                + d.getOrDefault("xa.mark", 0L));
        m.put("bios", d.getOrDefault("bio.submitted", 0L));
        m.put("bioSegments", d.getOrDefault("bio.segments", 0L));
        m.put("bioBytes", d.getOrDefault("bio.bytes", 0L));
        m.put("throttlePauses", d.getOrDefault("writeback.throttle_pauses", 0L));
        m.put("journalCommits", d.getOrDefault("jbd2.commits", 0L));
        m.put("writebackPages", d.getOrDefault("writeback.pages_written", 0L));
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
        m.put("cowAllocs", d.getOrDefault("fs.cow_alloc_calls", 0L));
        m.put("cowAllocBlocks", d.getOrDefault("fs.cow_alloc_blocks", 0L));
        m.put("srcmapReads", d.getOrDefault("iomap.srcmap_reads", 0L));
        m.put("cowRemaps", d.getOrDefault("fs.cow_remaps", 0L));
        m.put("cowRemapBlocks", d.getOrDefault("fs.cow_remap_blocks", 0L));
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
