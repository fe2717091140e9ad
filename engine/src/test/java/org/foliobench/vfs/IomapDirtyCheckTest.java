package org.foliobench.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import org.foliobench.Defaults;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.device.RamDisk;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code fb_iomap_dirty_check} (patch 33): without the patch every buffered iomap mapping asks
 * {@code ext4_inode_datasync_dirty}, one journal state-lock acquisition each; with it (the
 * default) none does, on the iomap path as on buffer_head. Data is the same either way.
 */
class IomapDirtyCheckTest {
    static final String CHECKS = "jbd2.state_lock_committed_checks";

    @Test
    void parsesAndDefaultsToThePatch() {
        assertEquals(IomapDirtyCheck.DIRECT, Defaults.IOMAP_DIRTY_CHECK);
        assertEquals(IomapDirtyCheck.DIRECT, MountOptions.builder().build().fs().iomapDirtyCheck());
        assertEquals(IomapDirtyCheck.ALL, org.foliobench.Tunables.IOMAP_DIRTY_CHECK.parse(" ALL "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> org.foliobench.Tunables.IOMAP_DIRTY_CHECK.parse("some"));
        assertTrue(e.getMessage().contains("use direct or all"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(IomapDirtyCheck.class)
    void everyBufferedMappingTakesTheJournalLockOnlyWithoutThePatch(IomapDirtyCheck check) throws Exception {
        RamDisk dev = new RamDisk(16L << 20);
        MountOptions o = MountOptions.builder().memBytes(16L << 20).commitIntervalSeconds(0).iomapDirtyCheck(check).build();
        FileSystem.format(dev, o);
        try (FileSystem fs = FileSystem.mount(dev, o)) {
            byte[] data = FileSystemTest.random(3, 64 << 10);
            int calls = 0;
            try (File f = fs.open("f", IoPath.IOMAP, StandardOpenOption.CREATE)) {
                f.pwrite(ByteBuffer.wrap(data), 0);
                f.fsync();
                long before = fs.counters().get(CHECKS);
                long mapsBefore = fs.counters().get("path.map_calls");
                // fstime's copy loop: 1 KiB reads and overwrites of cached data
                ByteBuffer b = ByteBuffer.allocate(1024);
                for (int off = 0; off < data.length; off += 1024) {
                    b.clear();
                    assertEquals(1024, f.pread(b, off));
                    b.flip();
                    f.pwrite(b, off);
                    calls += 2;
                }
                long checks = fs.counters().get(CHECKS) - before;
                long maps = fs.counters().get("path.map_calls") - mapsBefore;
                if (check == IomapDirtyCheck.ALL) {
                    assertTrue(checks >= calls / 2, checks + " state-lock checks for " + calls + " calls");
                    assertTrue(checks <= maps, checks + " checks, " + maps + " mapping calls");
                } else {
                    assertEquals(0, checks, "patch 33: no buffered mapping checks");
                }
                assertArrayEquals(data, FileSystemTest.readAll(f));
            }
            try (File g = fs.open("g", IoPath.BUFFER_HEAD, StandardOpenOption.CREATE)) {
                long before = fs.counters().get(CHECKS);
                g.pwrite(ByteBuffer.wrap(data), 0);
                FileSystemTest.readAll(g);
                assertEquals(0, fs.counters().get(CHECKS) - before, "the buffer_head path never asks");
            }
        }
    }
}
