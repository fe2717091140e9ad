package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CounterLogTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void passesFoldIntoOneJsonDocument() throws Exception {
        CounterLog a = new CounterLog(tmp, "bh-write-cache-n-n-n-4k");
        a.append(10, 40960, 1234, 1, List.of(), Map.of("bio.submitted", 0L, "path.map_calls", 10L));
        a.append(10, 40960, 1200, 1, List.of("3 pages were written back during a cache pass"), Map.of("writeback.pages_written", 3L));
        List<String> v = CounterLog.finish(tmp, "bh-write-cache-n-n-n-4k", "write/cache/N/N/N/4K", "bh");
        assertEquals(List.of("\"3 pages were written back during a cache pass\""), v);
        Path f = CounterLog.file(tmp, "bh-write-cache-n-n-n-4k");
        Map<String, Object> doc = (Map<String, Object>) JsonCheck.parse(Files.readString(f));
        assertEquals("write/cache/N/N/N/4K", doc.get("row"));
        List<Object> its = (List<Object>) doc.get("iterations");
        assertEquals(2, its.size());
        Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) its.get(0)).get("counters");
        assertEquals(10L, c.get("path.map_calls"));
        assertFalse(Files.exists(CounterLog.partFile(tmp, "bh-write-cache-n-n-n-4k")));
        // a benchmark that never reached a measured pass still gets a (empty) document
        assertEquals(List.of(), CounterLog.finish(tmp, "iomap-x", "x", "iomap"));
        assertEquals(List.of(), ((Map<String, Object>) JsonCheck.parse(Files.readString(CounterLog.file(tmp, "iomap-x")))).get("iterations"));
    }
}
