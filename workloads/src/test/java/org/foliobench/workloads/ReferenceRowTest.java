package org.foliobench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class ReferenceRowTest {

    /** The key columns of the published CSV (results' ext4-iomap-v4-fio-psync.csv). */
    static List<ReferenceRow> csvRows() throws Exception {
        try (InputStream in = ReferenceRowTest.class.getResourceAsStream("ext4-iomap-v4-fio-psync.csv")) {
            assertNotNull(in, "test resource ext4-iomap-v4-fio-psync.csv");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertEquals("table,type,overwrite,sync,writeback,bs,bh_iops,bh_bw_mib,iomap_iops,iomap_bw_mib", r.readLine());
            List<ReferenceRow> rows = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                String[] c = line.split(",", -1);
                rows.add(ReferenceRow.ofCsv(c[0], c[1], c[2], c[3], c[4], c[5]));
            }
            return rows;
        }
    }

    @Test
    void seedTableIsThePublishedCsvInOrder() throws Exception {
        List<ReferenceRow> csv = csvRows();
        assertEquals(39, csv.size());
        assertEquals(39, new HashSet<>(csv).size());
        assertEquals(csv, ReferenceRow.seedTable());
    }

    @Test
    void keysRoundTrip() {
        for (ReferenceRow row : ReferenceRow.seedTable()) {
            assertEquals(row, ReferenceRow.parseKey(row.key()));
            assertEquals(row, ReferenceRow.parseRowKey(row.rowKey(), row.bs()));
        }
        ReferenceRow r = ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, true, false, 65536);
        assertEquals("write/ramdisk/N/Y/N/64K", r.key());
        assertEquals("write/ramdisk/N/Y/N", r.rowKey());
        assertEquals("write-ramdisk-n-y-n-64k.fio", r.fileName());
        ReferenceRow h = ReferenceRow.read(ReferenceRow.Type.HOLE, 1 << 20);
        assertEquals("read/hole/1M", h.key());
        assertEquals("read-hole-1m.fio", h.fileName());
        assertEquals("4K", ReferenceRow.read(ReferenceRow.Type.NVME, 4096).bsLabel());
        assertEquals("3000", ReferenceRow.read(ReferenceRow.Type.NVME, 3000).bsLabel());
    }

    @Test
    void invalidRows() {
        assertThrows(IllegalArgumentException.class,
                () -> new ReferenceRow(ReferenceRow.Table.READ, ReferenceRow.Type.CACHE, false, false, false, 4096));
        assertThrows(IllegalArgumentException.class,
                () -> new ReferenceRow(ReferenceRow.Table.READ, ReferenceRow.Type.HOLE, true, false, false, 4096));
        assertThrows(IllegalArgumentException.class,
                () -> ReferenceRow.write(ReferenceRow.Type.HOLE, false, false, false, 4096));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.read(ReferenceRow.Type.HOLE, 0));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.parseKey("write/ramdisk/N/Y/4K"));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.parseKey("write/ramdisk/N/Y/X/4K"));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.parseKey("read/hole/N/4K"));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.parseKey("hole"));
        assertThrows(IllegalArgumentException.class, () -> ReferenceRow.ofCsv("read", "hole", "N", "", "", "4K"));
    }
}
