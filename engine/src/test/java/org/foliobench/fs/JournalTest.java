package org.foliobench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.device.RecordingDevice;
import org.foliobench.stats.Counters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JournalTest {
    private long leafWrites;
    static FsOptions opts(int bs) {
        return FsOptions.builder().blockSize(bs).journalBlocks(128).inodeCount(16).commitIntervalSeconds(0)
                .counters(new Counters()).build();
    }

    /** What a mount must see: every file's name, i_disksize and extent tree. */
    static String state(Ext4 fs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Inode> e : new TreeMap<>(fs.namei.namespace()).entrySet()) {
            sb.append(e.getKey()).append(" size=").append(e.getValue().diskSize()).append(' ')
                    .append(fs.extents(e.getValue())).append('\n');
        }
        return sb.toString();
    }

    /** A random workload of metadata operations with commits, on files f0..f3. */
    static void workload(Ext4 fs, Random rnd, int nops, List<String> log) throws IOException {
        int bs = fs.blockSize();
        for (int op = 0; op < nops; op++) {
            String name = "f" + rnd.nextInt(4);
            int kind = rnd.nextInt(100);
            Inode inode;
            try {
                inode = fs.lookup(name);
            } catch (ErrnoException e) {
                log.add("create " + name);
                fs.create(name);
                continue;
            }
            long lblk = rnd.nextInt(400);
            int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 64);
            if (kind < 30) {
                boolean unwrit = rnd.nextBoolean();
                boolean delayed = rnd.nextInt(3) == 0;
                log.add("alloc " + name + " " + lblk + "+" + len + (unwrit ? " unwritten" : "") + (delayed ? " delayed" : ""));
                try {
                    if (delayed) {
                        fs.insertDelayedBlocks(inode, lblk, len);
                    }
                    Handle h = fs.journalStart(fs.transBlocks(len));
                    try {
                        MapBlocks m = fs.ext4MapBlocks(h, inode, lblk, len,
                                unwrit ? Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT : Ext4.GET_BLOCKS_CREATE);
                        if (m.isMapped()) {
                            fs.updateDiskSize(h, inode, (lblk + m.len()) * bs);
                        }
                    } finally {
                        h.stop();
                    }
                    fs.releaseDelayedBlocks(inode, lblk, len);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOSPC) {
                        throw e;
                    }
                }
            } else if (kind < 40) {
                log.add("convert " + name + " " + lblk + "+" + len);
                Handle h = fs.journalStart(fs.transBlocks(len));
                try {
                    if (fs.convertUnwritten(h, inode, lblk, len) > 0) {
                        fs.updateDiskSize(h, inode, (lblk + len) * bs);
                    }
                } finally {
                    h.stop();
                }
            } else if (kind < 48) {
                long size = (long) rnd.nextInt(400) * bs + rnd.nextInt(bs);
                log.add("truncate " + name + " " + size);
                fs.truncate(inode, size);
            } else if (kind < 58) {
                log.add("punch " + name + " " + lblk + "+" + len);
                fs.punchHole(inode, lblk, len);
            } else if (kind < 61) {
                log.add("unlink " + name);
                fs.unlink(name);
            } else if (kind < 80) {
                log.add("commit");
                fs.commit();
            } else {
                log.add("fsync " + name);
                fs.fsyncCommit(inode, rnd.nextBoolean());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048, 4096})
    @Tag("slow") // a power-cut suite (every cut point): ./mvnw verify runs it, -Pfast leaves it out
    void crashAtEveryCutPointRecoversTheLastCommit(int bs) throws IOException {
        int cuts = 0;
        for (long seed : new long[] {11, 12, 13, 14, 15, 16, 17, 18}) {
            cuts += crashRun(bs, seed, 260);
        }
        assertTrue(leafWrites > 0, "the workload never grew an extent tree into leaf blocks");
        System.out.println("JournalTest bs=" + bs + ": " + cuts + " cut points checked");
        assertTrue(cuts >= 1500, "only " + cuts + " cut points");
    }

    private int crashRun(int bs, long seed, int nops) throws IOException {
        Random rnd = new Random(seed * 7 + bs);
        RamDisk inner = new RamDisk(2 << 20);
        FsOptions o = opts(bs);
        Ext4.format(inner, o);
        RecordingDevice rec = new RecordingDevice(inner);
        rec.startRecording();
        Ext4 fs = Ext4.mount(rec, o);
        List<Integer> points = new ArrayList<>();
        List<String> states = new ArrayList<>();
        points.add(0);
        states.add(state(fs));
        Ext4 live = fs;
        fs.journal.commitHook = () -> {
            points.add(rec.events());
            states.add(state(live));
        };
        List<String> log = new ArrayList<>();
        try {
            workload(fs, rnd, nops, log);
            leafWrites += fs.counters().get("fs.extent_leaf_writes");
            assertTrue(fs.counters().get("jbd2.checkpoints") > 0, "the log never wrapped: " + fs.counters().snapshot());
            fs.unmount();
        } catch (IOException | RuntimeException | AssertionError e) {
            fail("seed " + seed + " bs " + bs + ": workload failed: " + e + "\n  " + String.join("\n  ", log), e);
        }
        int total = rec.events();
        int checked = 0;
        int k = 0;
        for (int c = 0; c <= total; c++) {
            // commit k is durable once its log write (the event before its flush) is on the media
            while (k + 1 < points.size() && points.get(k + 1) - 1 <= c) {
                k++;
            }
            String why = "seed " + seed + " bs " + bs + " cut " + c + "/" + total;
            checkImage(rec.imageAt(c), o, states.get(k), why, log);
            checked++;
            for (int variant = 0; variant < 2 && c < total && rec.units(c) > 1; variant++) {
                int torn = 1 + rnd.nextInt(rec.units(c) - 1);
                int kt = k;
                // a commit log write torn inside its commit block: the block's header and checksum
                // sit in its first sector, so once that sector landed the transaction is complete
                int units = rec.units(c);
                if (k + 1 < points.size() && points.get(k + 1) - 2 == c && torn > units - bs / 512) {
                    kt = k + 1;
                }
                checkImage(rec.imageAt(c, torn), o, states.get(kt), why + " torn after " + torn + " units", log);
                checked++;
            }
        }
        return checked;
    }

    private static void checkImage(BlockDevice img, FsOptions o, String expected, String why, List<String> log) {
        try {
            List<String> problems = Fsck.check(img);
            assertEquals(List.of(), problems, "fsck of the crashed image");
            Ext4 fs = Ext4.mount(img, o.toBuilder().counters(new Counters()).build());
            try {
                assertEquals(expected, state(fs), "mount must see the last committed state");
            } finally {
                fs.shutdown();
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            fail(why + ": " + e + "\nworkload:\n  " + String.join("\n  ", log), e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void deviceErrorDuringCommitAbortsAndRemountRecovers(int flushFails) throws IOException {
        RamDisk inner = new RamDisk(2 << 20);
        FsOptions o = opts(1024);
        Ext4.format(inner, o);
        RecordingDevice dev = new RecordingDevice(inner);
        Ext4 fs = Ext4.mount(dev, o);
        workload(fs, new Random(5), 40, new ArrayList<>());
        fs.commit();
        String committed = state(fs);
        Inode a = fs.create("new");
        Handle h = fs.journalStart(fs.transBlocks(8));
        fs.ext4MapBlocks(h, a, 0, 8, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT);
        h.stop();
        if (flushFails == 1) {
            dev.failFlushAfter(0);
        } else {
            dev.failWriteAfter(0);
        }
        ErrnoException e = assertThrows(ErrnoException.class, fs::commit);
        assertEquals(Errno.EIO, e.errno());
        assertEquals(Errno.EIO, assertThrows(ErrnoException.class, () -> fs.journalStart(1)).errno(),
                "an aborted journal refuses new handles");
        assertEquals(Errno.EIO, assertThrows(ErrnoException.class, fs::unmount).errno());
        dev.clearFaults();
        fs.shutdown();
        assertEquals(List.of(), Fsck.check(inner));
        Ext4 again = Ext4.mount(inner, o);
        String seen = state(again);
        // the failed commit is either absent or (a failed flush after a complete write) fully there
        if (!seen.equals(committed)) {
            assertEquals(1, flushFails, "a failed write must leave the previous commit: " + seen);
            assertTrue(seen.contains("new size=0"), seen);
        }
        again.unmount();
        assertEquals(List.of(), Fsck.check(inner));
    }

    @Test
    void deviceErrorDuringCheckpointLeavesTheLogToReplay() throws IOException {
        RamDisk inner = new RamDisk(2 << 20);
        FsOptions o = opts(2048);
        Ext4.format(inner, o);
        RecordingDevice dev = new RecordingDevice(inner);
        Ext4 fs = Ext4.mount(dev, o);
        workload(fs, new Random(9), 60, new ArrayList<>());
        fs.commit();
        String committed = state(fs);
        dev.failWriteAfter(1); // the second checkpoint write fails after the first landed
        assertEquals(Errno.EIO, assertThrows(ErrnoException.class, fs::unmount).errno());
        dev.clearFaults();
        fs.shutdown();
        assertEquals(List.of(), Fsck.check(inner));
        Ext4 again = Ext4.mount(inner, o);
        assertEquals(committed, state(again));
        assertTrue(again.counters().get("jbd2.replayed_transactions") > 0, "the log was replayed");
        again.unmount();
        assertEquals(List.of(), Fsck.check(inner));
    }

    @Test
    void fsyncCommitsOnlyWhenTheInodeChanged() throws IOException {
        RamDisk disk = new RamDisk(2 << 20);
        FsOptions o = opts(4096);
        Ext4.format(disk, o);
        Ext4 fs = Ext4.mount(disk, o);
        Inode a = fs.create("a");
        Inode b = fs.create("b");
        assertTrue(fs.fsyncCommit(a, false));
        long commits = fs.counters().get("jbd2.commits");
        Handle h = fs.journalStart(fs.transBlocks(4));
        fs.ext4MapBlocks(h, b, 0, 4, Ext4.GET_BLOCKS_CREATE_UNWRIT_EXT);
        h.stop();
        assertTrue(!fs.fsyncCommit(a, true), "a did not change");
        assertEquals(commits, fs.counters().get("jbd2.commits"));
        assertTrue(fs.fsyncCommit(b, true));
        assertEquals(commits + 1, fs.counters().get("jbd2.commits"));
        fs.unmount();
    }

    @Test
    void orderedDataIsWrittenBeforeTheMetadata() throws IOException {
        RamDisk inner = new RamDisk(2 << 20);
        FsOptions o = opts(4096);
        Ext4.format(inner, o);
        RecordingDevice dev = new RecordingDevice(inner);
        dev.startRecording();
        Ext4 fs = Ext4.mount(dev, o);
        Inode a = fs.create("a");
        List<Integer> calls = new ArrayList<>();
        fs.setOrderedDataWriter(inode -> calls.add(dev.events()));
        Handle h = fs.journalStart(fs.transBlocks(4));
        fs.ext4MapBlocks(h, a, 0, 4, Ext4.GET_BLOCKS_CREATE);
        h.addInodeWrite(a);
        h.stop();
        int before = dev.events();
        fs.commit();
        assertEquals(List.of(before), calls, "the writer runs once, before any log write");
        fs.unmount();
    }

    @Test
    void committedTransactionsGoBackToTheirCacheAndCheckpointedCopiesToTheirs() throws IOException {
        Ext4 fs = Ext4Test.fresh(new RamDisk(2 << 20), opts(4096));
        Counters c = fs.counters();
        Inode a = fs.create("a");
        fs.commit();
        Handle h = fs.journalStart(fs.transBlocks(4));
        Transaction t = h.transaction;
        fs.ext4MapBlocks(h, a, 0, 4, Ext4.GET_BLOCKS_CREATE);
        int blocks = t.buffers.size();
        fs.updateDiskSize(h, a, 4 * 4096L);
        assertEquals(blocks, t.buffers.size(), "the inode's block joined the transaction once (b_transaction)");
        h.addInodeWrite(a);
        h.addInodeWrite(a);
        assertEquals(List.of(a), t.orderedInodes, "the inode joined the ordered list once (i_transaction)");
        h.stop();
        assertEquals(1, c.get("slab.jbd2_transaction_s.active"));
        fs.commit();
        assertEquals(0, c.get("slab.jbd2_transaction_s.active"), "freed once committed");
        assertThrows(IllegalStateException.class, t::live, "a committed transaction is not used again");
        assertEquals(blocks, c.get("slab.jbd2_4k.active"), "one frozen copy per logged block, waiting for the checkpoint");
        Handle h2 = fs.journalStart(fs.transBlocks(4));
        assertSame(t, h2.transaction, "the next transaction reuses the freed one");
        assertEquals(List.of(), t.buffers);
        assertEquals(List.of(), t.orderedInodes);
        h2.addInodeWrite(a);
        assertEquals(List.of(a), t.orderedInodes, "a new tid takes the inode again");
        h2.stop();
        fs.unmount();
        assertEquals(0, c.get("slab.jbd2_4k.active"), "the checkpoint wrote every copy home and freed it");
        assertEquals(List.of(), Fsck.check(fs.device()));
    }

    @Test
    void concurrentHandlesAndCommits() throws Exception {
        RamDisk disk = new RamDisk(8 << 20);
        FsOptions o = opts(1024).toBuilder().journalBlocks(256).build();
        Ext4.format(disk, o);
        Ext4 fs = Ext4.mount(disk, o);
        List<Throwable> errors = new ArrayList<>();
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            Inode inode = fs.create("t" + t);
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        Handle h = fs.journalStart(fs.transBlocks(2));
                        MapBlocks m = fs.ext4MapBlocks(h, inode, i * 2L, 2, Ext4.GET_BLOCKS_CREATE);
                        fs.updateDiskSize(h, inode, (i * 2L + m.len()) * 1024);
                        h.stop();
                        if (i % 25 == id) {
                            fs.fsyncCommit(inode, true);
                        }
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(List.of(), errors);
        String st = state(fs);
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
        Ext4 again = Ext4.mount(disk, o);
        assertEquals(st, state(again));
        again.unmount();
    }
    /**
     * A handle whose credits do not fit beside the open handles of a transaction that has changed
     * nothing yet sleeps until they stop ({@code wait_transaction_locked}), then joins the same,
     * still empty transaction: it must neither retry in a loop nor commit anything.
     */
    @Test
    void aHandleThatDoesNotFitSleepsUntilTheOpenHandlesStop() throws Exception {
        RamDisk disk = new RamDisk(8 << 20);
        FsOptions o = opts(4096);
        Ext4.format(disk, o);
        Ext4 fs = Ext4.mount(disk, o);
        int max = fs.journal.maxTransactionBuffers;
        Handle big = fs.journalStart(max - 2);
        long waits0 = fs.counters().get("jbd2.handle_waits");
        long commits0 = fs.counters().get("jbd2.commits");
        Throwable[] err = new Throwable[1];
        Thread late = new Thread(() -> {
            try {
                fs.journalStart(8).stop();
            } catch (Throwable e) {
                err[0] = e;
            }
        }, "late-handle");
        late.start();
        long deadline = System.nanoTime() + 10_000_000_000L; // a liveness bound, not a timing
        while (late.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                fail("the late handle never slept (state " + late.getState() + ", handle waits "
                        + (fs.counters().get("jbd2.handle_waits") - waits0) + "): it retries in a loop");
            }
            Thread.yield();
        }
        long waits = fs.counters().get("jbd2.handle_waits") - waits0;
        assertTrue(waits <= 2, "the late handle went round " + waits + " times before it slept");
        big.stop();
        late.join();
        assertEquals(null, err[0]);
        assertEquals(commits0, fs.counters().get("jbd2.commits"), "nothing changed, so nothing committed");
        fs.unmount();
        assertEquals(List.of(), Fsck.check(disk));
    }
}
