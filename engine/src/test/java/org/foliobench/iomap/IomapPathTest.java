package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IomapPathTest {
    /** A model of the file's bytes, for checks. */
    static void apply(byte[] model, long pos, byte[] d) {
        System.arraycopy(d, 0, model, (int) pos, d.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void writeReadBackUnalignedAcrossDropCachesAndRemount(int bs) throws Exception {
        try (IomapHarness h = new IomapHarness(bs)) {
            IomapHarness.OpenFile f = h.open("a");
            int size = 3 << 20;
            byte[] model = new byte[size];
            long end = 0;
            long[][] writes = {{0, 100}, {5000, 7000}, {4095, 2}, {65536 * 3 + 17, 300000}, {1 << 20, 1 << 20},
                    {(1 << 20) - 1, 3}, {2_500_000, 1000}, {777, 1}, {2 << 20, 65536}, {123456, 4096}};
            int seed = 1;
            for (long[] w : writes) {
                byte[] d = IomapHarness.data(seed++, w[0], (int) w[1]);
                assertEquals(d.length, h.write(f, w[0], d));
                apply(model, w[0], d);
                end = Math.max(end, w[0] + w[1]);
            }
            assertEquals(end, f.inode.size());
            byte[] expect = Arrays.copyOf(model, (int) end);
            assertArrayEquals(expect, h.read(f, 0, (int) end), "from the page cache");
            // odd-sized reads
            assertArrayEquals(Arrays.copyOfRange(model, 4000, 9000), h.read(f, 4000, 5000));
            h.fsync(f);
            assertTrue(h.dropCaches() > 0);
            assertArrayEquals(expect, h.read(f, 0, (int) end), "after writeback and drop_caches");
            h.remount();
            f = h.open("a");
            assertEquals(end, f.inode.size());
            assertEquals(end, f.inode.diskSize());
            assertArrayEquals(expect, h.read(f, 0, (int) end), "after remount");
            // overwrite after remount: partial blocks read from disk
            byte[] d = IomapHarness.data(99, 3000, 5000);
            h.write(f, 3000, d);
            apply(expect, 3000, d);
            h.dropCaches();
            assertArrayEquals(expect, h.read(f, 0, (int) end));
            h.fsync(f);
            h.dropCaches();
            assertArrayEquals(expect, h.read(f, 0, (int) end));
            assertEquals(0, f.inode.reservedBlocks());
            assertEquals(0, h.fs.dirtyClusters());
            assertTrue(h.fsck().isEmpty(), () -> {
                try {
                    return h.fsck().toString();
                } catch (Exception e) {
                    return e.toString();
                }
            });
        }
    }
}
