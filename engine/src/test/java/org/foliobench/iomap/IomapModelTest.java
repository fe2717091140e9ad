package org.foliobench.iomap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.foliobench.pagecache.WritebackControl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized model test of the iomap path: writes (some cut short by a faulting source),
 * reads, fsync, drop_caches, truncate, zeroing of partial blocks, with a background flusher
 * running writeback concurrently; the file is checked against a byte-array model, and at the end
 * across writeback, drop_caches and remount, with fsck and exact delalloc accounting.
 */
class IomapModelTest {
    static final int MAX = 3 << 20;

    @ParameterizedTest
    @CsvSource({"1, 4096", "2, 1024", "3, 4096", "4, 2048", "5, 1024", "6, 4096"})
    void randomOpsAgainstModel(long seed, int bs) throws Exception {
        List<String> log = new ArrayList<>();
        try {
            run(seed, bs, log);
        } catch (Throwable t) {
            int from = Math.max(0, log.size() - 40);
            fail("seed " + seed + " bs " + bs + " failed after " + log.size() + " ops; last ops:\n  "
                    + String.join("\n  ", log.subList(from, log.size())), t);
        }
    }

    private void run(long seed, int bs, List<String> log) throws Exception {
        Random r = new Random(seed);
        try (IomapHarness h = new IomapHarness(bs)) {
            IomapHarness.OpenFile f = h.open("m");
            byte[] model = new byte[MAX];
            long[] size = {0};
            org.foliobench.pagecache.AddressSpace fm = f.mapping;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> flusherError = new AtomicReference<>();
            Thread flusher = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        fm.doWritepages(WritebackControl.background(64));
                    } catch (Throwable t) {
                        flusherError.compareAndSet(null, t);
                        return;
                    }
                    Thread.yield();
                }
            }, "test-flusher");
            flusher.start();
            try {
                for (int op = 0; op < 250; op++) {
                    int k = r.nextInt(100);
                    if (k < 45) {
                        long pos = r.nextInt(MAX - 1);
                        int len = 1 + r.nextInt(r.nextBoolean() ? 9000 : 400_000);
                        len = (int) Math.min(len, MAX - pos);
                        byte[] d = IomapHarness.data((int) seed * 1000 + op, pos, len);
                        long fault = r.nextInt(10) == 0 ? r.nextInt(len) : -1;
                        log.add("write " + pos + "+" + len + (fault >= 0 ? " fault@" + fault : ""));
                        h.path.faultSourceAfter(fault);
                        long n;
                        try {
                            n = h.write(f, pos, d);
                        } catch (java.io.IOException e) {
                            n = 0;
                            if (fault != 0) {
                                throw e;
                            }
                        } finally {
                            h.path.faultSourceAfter(-1);
                        }
                        assertEquals(fault >= 0 ? Math.min(fault, len) : len, n, "bytes written");
                        System.arraycopy(d, 0, model, (int) pos, (int) n);
                        if (n > 0) {
                            size[0] = Math.max(size[0], pos + n);
                        }
                    } else if (k < 70) {
                        long pos = r.nextInt(MAX);
                        int len = 1 + r.nextInt(300_000);
                        log.add("read " + pos + "+" + len);
                        check(h, f, model, size[0], pos, len);
                    } else if (k < 76) {
                        log.add("fsync");
                        h.fsync(f);
                    } else if (k < 81) {
                        log.add("drop_caches");
                        h.dropCaches();
                    } else if (k < 87) {
                        long ns = r.nextInt(MAX);
                        log.add("truncate " + ns);
                        h.truncate(f, ns);
                        if (ns < size[0]) {
                            Arrays.fill(model, (int) ns, (int) size[0], (byte) 0);
                        }
                        size[0] = ns;
                    } else if (k < 93) {
                        if (size[0] == 0) {
                            continue;
                        }
                        long pos = r.nextInt((int) size[0]);
                        long len = 1 + r.nextInt(50_000);
                        len = Math.min(len, size[0] - pos);
                        log.add("zero_partial " + pos + "+" + len);
                        f.inode.iRwsem().writeLock().lock();
                        try {
                            h.path.zeroPartialBlocks(f.inode, f.mapping, pos, len);
                        } finally {
                            f.inode.iRwsem().writeLock().unlock();
                        }
                        long end = pos + len;
                        long mask = bs - 1;
                        if ((pos >> Integer.numberOfTrailingZeros(bs)) == ((end - 1) >> Integer.numberOfTrailingZeros(bs))) {
                            if ((pos & mask) != 0 || (end & mask) != 0) {
                                Arrays.fill(model, (int) pos, (int) end, (byte) 0);
                            }
                        } else {
                            if ((pos & mask) != 0) {
                                Arrays.fill(model, (int) pos, (int) ((pos + mask) & ~mask), (byte) 0);
                            }
                            if ((end & mask) != 0) {
                                Arrays.fill(model, (int) (end & ~mask), (int) end, (byte) 0);
                            }
                        }
                    } else {
                        log.add("fdatawrite");
                        f.mapping.filemapFdatawriteRange(0, Long.MAX_VALUE);
                    }
                    assertEquals(size[0], f.inode.size(), "i_size");
                }
            } finally {
                stop.set(true);
                flusher.join();
            }
            if (flusherError.get() != null) {
                throw new AssertionError("flusher failed", flusherError.get());
            }
            log.add("final checks");
            check(h, f, model, size[0], 0, MAX);
            h.fsync(f);
            assertEquals(0, f.inode.reservedBlocks(), "reservation after writeback");
            assertEquals(0, h.fs.dirtyClusters());
            assertEquals(size[0], f.inode.diskSize());
            h.dropCaches();
            check(h, f, model, size[0], 0, MAX);
            h.remount();
            f = h.open("m");
            check(h, f, model, size[0], 0, MAX);
            List<String> problems = h.fsck();
            assertEquals(List.of(), problems);
        }
    }

    private static void check(IomapHarness h, IomapHarness.OpenFile f, byte[] model, long size, long pos, int len)
            throws Exception {
        byte[] got = h.read(f, pos, len);
        int expectLen = (int) Math.max(0, Math.min(len, size - pos));
        assertEquals(expectLen, got.length, "read length at " + pos);
        for (int i = 0; i < got.length; i++) {
            if (got[i] != model[(int) pos + i]) {
                fail("byte " + (pos + i) + ": expected " + model[(int) pos + i] + " got " + got[i]);
            }
        }
    }
}
