package org.foliobench.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named event counters, the engine's tracepoints: one instance per mounted filesystem, so a
 * benchmark of one IO path reads that path's counts. Names are "subsystem.event", e.g.
 * {@code fs.map_calls}, {@code pagecache.folios_order_9}, {@code bio.segments}. Hot paths look a
 * counter up once and keep the {@link LongAdder}.
 */
public final class Counters {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

    /** An empty set: every counter reads zero until first incremented. */
    public Counters() {
    }

    /** The counter of that name, created at zero on first use. */
    public LongAdder counter(String name) {
        return counters.computeIfAbsent(name, n -> new LongAdder());
    }

    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** A sorted copy of every counter's value. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Sets every counter back to zero (between benchmark iterations). */
    public void reset() {
        counters.values().forEach(LongAdder::reset);
    }

    /** {@code after - before} per name: the events of one measured interval. */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }
}
