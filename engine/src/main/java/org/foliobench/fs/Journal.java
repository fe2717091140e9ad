package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import org.foliobench.Defaults;
import org.foliobench.mm.KmemCache;
import org.foliobench.vfs.Errno;
import org.foliobench.vfs.ErrnoException;

/**
 * The jbd2-like journal in a region of the device ({@code journal_t}).
 *
 * <p>Log format (block numbers relative to the journal region): block 0 is the journal
 * superblock (magic, block size, length, {@code s_sequence}, {@code s_start}); a committed
 * transaction is one or more descriptor blocks (magic, DESCRIPTOR, tid, count, home block
 * numbers), each followed by copies of those metadata blocks, then a commit block (magic,
 * COMMIT, tid, CRC32C of every descriptor and copied block). Recovery walks from
 * {@code s_start} expecting {@code s_sequence}, {@code s_sequence + 1}...; the first block that
 * is not the expected descriptor or a commit block with a matching checksum ends the log, so a
 * torn last transaction is ignored.
 *
 * <p>Transactions: RUNNING (handles join) -> LOCKED (no new handles, wait for
 * {@code t_updates == 0}) -> the metadata is copied (frozen) and a new transaction may start ->
 * ordered data written -> log written and the device flushed -> COMMITTED. Committed copies stay
 * in memory until checkpointed to their home location, which happens when the log is full and
 * at unmount; the checkpoint then rewrites the journal superblock ({@code s_start = 1}).
 * Freed data blocks return to the allocator when the transaction freeing them commits; freed
 * metadata blocks when the transactions that logged them are checkpointed (instead of jbd2's
 * revoke records: a replay can then never overwrite a reused block).
 */
final class Journal {
    static final int JBD2_MAGIC = 0xC03B3998;
    static final int DESCRIPTOR = 1;
    static final int COMMIT = 2;
    static final int SUPERBLOCK = 4;
    /** Descriptor header bytes before the home block numbers. */
    static final int DESC_HEADER = 24;

    private final Ext4 fs;
    /** The filesystem's uuid seeds every checksum, so a stale log of an earlier format never replays. */
    private final long uuid;
    final long start;
    final int nblocks;
    private final int bs;
    /** {@code j_max_transaction_buffers}: a quarter of the log, as jbd2. */
    final int maxTransactionBuffers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stateChanged = lock.newCondition();
    /** Wakes kjournald2 only to stop it; its period is a timed wait on this condition. */
    private final Condition kjournaldWake = lock.newCondition();
    private final ReentrantLock commitLock = new ReentrantLock();
    private final ThreadLocal<Handle> current = new ThreadLocal<>();
    private Transaction running;
    private long nextTid;
    private volatile long commitSequence;
    private volatile ErrnoException aborted;
    /** Next free log block; the log holds committed transactions in [1, head). */
    private int head;
    /** Home block -> newest committed copy not yet checkpointed ({@code t_checkpoint_list}). */
    private final LinkedHashMap<Long, byte[]> checkpoint = new LinkedHashMap<>();
    private final List<long[]> checkpointFreedMeta = new ArrayList<>();
    private volatile OrderedDataWriter orderedWriter;
    /** The commit's log buffer, reused (commits are serialized by the commit lock). */
    private ByteBuffer logBuf;
    private static final byte[] ZERO_BLOCK = new byte[4096];
    /**
     * The commit's frozen metadata copies ({@code b_frozen_data}), from the kernel's
     * {@code jbd2_<size>} slab ({@code jbd2_alloc}): one per journalled block, kept as the
     * checkpoint copy until written home or superseded by a newer commit, then freed.
     */
    private final KmemCache<byte[]> frozenCache;
    /** The commit's block list ({@code t_buffers} in log order), reused: commits are serialized by the commit lock. */
    private long[] commitHomes = new long[16];
    private byte[][] commitCopies = new byte[16][];
    /** The commit's checksum ({@code j_csum_seed}) and a view of the log buffer for it, reused. */
    private final CRC32C commitCrc = new CRC32C();
    private final byte[] uuidBytes = new byte[8];
    private ByteBuffer logDup;
    /** Test hook: runs in the committing thread right after a commit is durable. */
    volatile Runnable commitHook;
    private Thread kjournald;
    private volatile boolean stopping;

    private final LongAdder handles;
    private final LongAdder commits;
    private final LongAdder blocksWritten;
    private final LongAdder checkpoints;
    private final LongAdder waits;

    Journal(Ext4 fs, long start, int nblocks, int bs, long firstTid, long uuid) {
        this.fs = fs;
        this.uuid = uuid;
        this.start = start;
        this.nblocks = nblocks;
        this.bs = bs;
        this.maxTransactionBuffers = nblocks / 4;
        this.nextTid = firstTid;
        this.commitSequence = firstTid - 1;
        this.head = 1;
        this.handles = fs.counters.counter("jbd2.handles");
        this.commits = fs.counters.counter("jbd2.commits");
        this.blocksWritten = fs.counters.counter("jbd2.blocks_written");
        this.checkpoints = fs.counters.counter("jbd2.checkpoints");
        this.waits = fs.counters.counter("jbd2.handle_waits");
        this.frozenCache = KmemCache.create("jbd2_" + (bs >> 10) + "k", Defaults.SLAB_FREE_OBJECTS, () -> new byte[bs],
                fs.counters);
        ByteBuffer.wrap(uuidBytes).putLong(0, uuid);
    }

    void setOrderedWriter(OrderedDataWriter w) {
        this.orderedWriter = w;
    }

    /** {@code j_commit_sequence}: the last committed tid. */
    long commitSequence() {
        return commitSequence;
    }

    private void checkAborted() throws ErrnoException {
        ErrnoException a = aborted;
        if (a != null) {
            throw new ErrnoException(Errno.EIO, "journal aborted after an earlier IO error ("
                    + a.getMessage() + "); unmount and mount again to recover", a);
        }
    }

    void checkAbortedPublic() throws ErrnoException {
        checkAborted();
    }

    boolean isAborted() {
        return aborted != null;
    }

    /** {@code jbd2__journal_start} / {@code start_this_handle}. */
    Handle start(int credits) throws ErrnoException {
        Handle cur = current.get();
        if (cur != null) {
            cur.ref++;
            return cur;
        }
        checkAborted();
        while (true) {
            long toCommit = -1;
            lock.lock();
            try {
                if (running == null) {
                    running = new Transaction(nextTid++);
                }
                Transaction t = running;
                if (t.state == Transaction.State.LOCKED) {
                    // a commit is waiting for t_updates to drain: wait for the next transaction
                    waits.increment();
                    stateChanged.awaitUninterruptibly();
                    continue;
                }
                int used = t.size() + t.outstandingCredits;
                if (used > 0 && used + credits > maxTransactionBuffers) {
                    toCommit = t.tid; // transaction full: commit it first (add_transaction_credits)
                } else {
                    t.updates++;
                    t.outstandingCredits += credits;
                    Handle h = new Handle(this, t, credits);
                    current.set(h);
                    handles.increment();
                    return h;
                }
            } finally {
                lock.unlock();
            }
            waits.increment();
            commit(toCommit);
            checkAborted();
        }
    }

    /** {@code jbd2_journal_stop}. */
    void stop(Handle h) {
        current.remove();
        lock.lock();
        try {
            Transaction t = h.transaction;
            t.outstandingCredits -= h.credits;
            if (--t.updates == 0) {
                stateChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void dirtyMetadata(Handle h, MetaBuffer bh) {
        lock.lock();
        try {
            Transaction t = h.transaction;
            if (bh.transaction != t) {
                bh.transaction = t;
                t.buffers.put(bh.blocknr, bh);
                if (h.credits > 0) {
                    h.credits--;
                    t.outstandingCredits--;
                } else {
                    fs.counters.counter("jbd2.credit_overruns").increment();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void addOrderedInode(Handle h, Inode inode) {
        lock.lock();
        try {
            h.transaction.orderedInodes.add(inode);
        } finally {
            lock.unlock();
        }
    }

    void freeData(Handle h, long pblk, long len) {
        lock.lock();
        try {
            h.transaction.freedData.add(new long[] {pblk, len});
        } finally {
            lock.unlock();
        }
    }

    void freeMeta(Handle h, long pblk) {
        lock.lock();
        try {
            h.transaction.freedMeta.add(new long[] {pblk, 1});
        } finally {
            lock.unlock();
        }
    }

    /** The running transaction's tid, or -1 when none runs. */
    long runningTid() {
        lock.lock();
        try {
            return running == null ? -1 : running.tid;
        } finally {
            lock.unlock();
        }
    }

    /** {@code jbd2_complete_transaction}: returns once {@code tid} is committed. */
    void completeTransaction(long tid) throws ErrnoException {
        if (commitSequence < tid) {
            checkAborted();
            commit(tid); // returns once tid committed (or if it never changed anything)
        }
    }

    /** Commits the running transaction, if it changed anything. */
    void commitRunning() throws ErrnoException {
        long tid = runningTid();
        if (tid >= 0) {
            commit(tid);
        }
    }

    /** {@code jbd2_journal_commit_transaction} of transaction {@code tid} (no-op if done or empty). */
    void commit(long tid) throws ErrnoException {
        if (current.get() != null) {
            throw new IllegalStateException("commit of transaction " + tid + " requested while this thread holds a handle"
                    + " on transaction " + current.get().transaction.tid + ": stop the handle first");
        }
        commitLock.lock();
        try {
            if (commitSequence >= tid) {
                return;
            }
            checkAborted();
            Transaction t;
            long[] homes;
            byte[][] copies;
            int n = 0;
            lock.lock();
            try {
                t = running;
                if (t == null || t.tid != tid) {
                    return; // nothing started for tid (callers only ask for started tids)
                }
                if (t.buffers.isEmpty() && t.orderedInodes.isEmpty() && t.freedData.isEmpty()) {
                    return; // an empty transaction keeps running
                }
                t.state = Transaction.State.LOCKED;
                while (t.updates > 0) {
                    stateChanged.awaitUninterruptibly();
                }
                // freeze the metadata: copy it while no handle can change it
                if (commitHomes.length < t.buffers.size()) {
                    commitHomes = new long[Integer.highestOneBit(t.buffers.size()) << 1];
                    commitCopies = new byte[commitHomes.length][];
                }
                homes = commitHomes;
                copies = commitCopies;
                for (MetaBuffer bh : t.buffers.values()) {
                    byte[] copy = frozenCache.alloc(); // jbd2_alloc(): b_frozen_data from the jbd2_<size> slab
                    bh.data.get(0, copy);
                    homes[n] = bh.blocknr;
                    copies[n++] = copy;
                    if (bh.transaction == t) {
                        bh.transaction = null;
                    }
                }
                t.state = Transaction.State.COMMITTING;
                running = null;
                stateChanged.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                OrderedDataWriter w = orderedWriter;
                if (w != null) {
                    for (Inode inode : t.orderedInodes) {
                        w.writeAndWait(inode);
                    }
                }
                writeLog(t.tid, homes, copies, n);
            } catch (IOException e) {
                java.util.Arrays.fill(copies, 0, n, null); // the failed commit's copies go to the GC
                ErrnoException err = new ErrnoException(Errno.EIO, "journal commit of transaction " + t.tid
                        + " failed: " + e.getMessage() + "; the journal is aborted, remount to recover", e);
                aborted = err;
                lock.lock();
                try {
                    stateChanged.signalAll();
                } finally {
                    lock.unlock();
                }
                throw err;
            }
            lock.lock();
            try {
                for (int i = 0; i < n; i++) {
                    byte[] older = checkpoint.remove(homes[i]);
                    if (older != null) {
                        frozenCache.free(older); // superseded before its checkpoint: never written home
                    }
                    checkpoint.put(homes[i], copies[i]);
                    copies[i] = null;
                }
                checkpointFreedMeta.addAll(t.freedMeta);
                t.state = Transaction.State.COMMITTED;
                commitSequence = t.tid;
                stateChanged.signalAll();
            } finally {
                lock.unlock();
            }
            for (long[] f : t.freedData) {
                fs.mballoc.release(f[0], f[1]);
            }
            commits.increment();
            Runnable hook = commitHook;
            if (hook != null) {
                hook.run();
            }
        } finally {
            commitLock.unlock();
        }
    }

    private int descriptorCapacity() {
        return (bs - DESC_HEADER) / 8;
    }

    /** Writes descriptor, metadata copies and commit block, then flushes ({@code REQ_PREFLUSH|REQ_FUA}). */
    private void writeLog(long tid, long[] homes, byte[][] copies, int n) throws IOException {
        int cap = descriptorCapacity();
        int ndesc = Math.max(1, (n + cap - 1) / cap);
        int total = ndesc + n + 1;
        if (total > nblocks - 1) {
            throw new IllegalStateException("transaction " + tid + " of " + total + " blocks exceeds the log of "
                    + (nblocks - 1) + " blocks");
        }
        if (head + total > nblocks) {
            checkpointAll();
        }
        if (logBuf == null || logBuf.capacity() < total * bs) {
            logBuf = Ext4.ioBuffer(Integer.highestOneBit(Math.max(total, 16) * 2 - 1) * bs);
            logDup = logBuf.duplicate();
        }
        ByteBuffer buf = logBuf;
        CRC32C crc = commitCrc;
        crc.reset();
        crc.update(uuidBytes);
        int blk = 0;
        int i = 0;
        for (int d = 0; d < ndesc; d++) {
            int cnt = Math.min(cap, n - i);
            int off = blk * bs;
            buf.put(off, ZERO_BLOCK, 0, bs);
            buf.putInt(off, JBD2_MAGIC);
            buf.putInt(off + 4, DESCRIPTOR);
            buf.putLong(off + 8, tid);
            buf.putInt(off + 16, cnt);
            for (int k = 0; k < cnt; k++) {
                buf.putLong(off + DESC_HEADER + 8 * k, homes[i + k]);
            }
            crc.update(logDup.clear().position(off).limit(off + bs));
            blk++;
            for (int k = 0; k < cnt; k++) {
                byte[] c = copies[i + k];
                buf.put(blk * bs, c);
                crc.update(c);
                blk++;
            }
            i += cnt;
        }
        int off = blk * bs;
        buf.put(off, ZERO_BLOCK, 0, bs);
        buf.putInt(off, JBD2_MAGIC);
        buf.putInt(off + 4, COMMIT);
        buf.putLong(off + 8, tid);
        buf.putInt(off + 16, (int) crc.getValue());
        fs.writeBlocks(start + head, buf, total);
        fs.flushDevice();
        head += total;
        blocksWritten.add(total);
    }

    /**
     * {@code jbd2_log_do_checkpoint} of everything: writes the committed copies home, flushes,
     * then empties the log by rewriting the journal superblock. Called under the commit lock.
     */
    void checkpointAll() throws IOException {
        List<Map.Entry<Long, byte[]>> list;
        List<long[]> freed;
        lock.lock();
        try {
            list = new ArrayList<>(checkpoint.entrySet());
            freed = new ArrayList<>(checkpointFreedMeta);
        } finally {
            lock.unlock();
        }
        writeHome(list);
        writeSuperblock(commitSequence + 1);
        lock.lock();
        try {
            for (Map.Entry<Long, byte[]> e : list) {
                if (checkpoint.remove(e.getKey(), e.getValue())) {
                    frozenCache.free(e.getValue()); // written home: the frozen copy is done
                }
            }
            checkpointFreedMeta.removeAll(freed);
        } finally {
            lock.unlock();
        }
        head = 1;
        for (long[] f : freed) {
            fs.mballoc.release(f[0], f[1]);
        }
        checkpoints.increment();
    }

    private void writeHome(List<Map.Entry<Long, byte[]>> list) throws IOException {
        if (list.isEmpty()) {
            return;
        }
        list.sort((a, b) -> Long.compare(a.getKey(), b.getKey()));
        int i = 0;
        while (i < list.size()) {
            int j = i + 1;
            while (j < list.size() && list.get(j).getKey() == list.get(j - 1).getKey() + 1 && j - i < 256) {
                j++;
            }
            ByteBuffer buf = Ext4.ioBuffer((j - i) * bs);
            for (int k = i; k < j; k++) {
                buf.put((k - i) * bs, list.get(k).getValue());
            }
            fs.writeBlocks(list.get(i).getKey(), buf, j - i);
            i = j;
        }
        fs.flushDevice();
    }

    /** Writes the journal superblock: log empty, next transaction {@code sequence} at block 1. */
    void writeSuperblock(long sequence) throws IOException {
        ByteBuffer buf = Ext4.ioBuffer(bs);
        buf.putInt(0, JBD2_MAGIC);
        buf.putInt(4, SUPERBLOCK);
        buf.putInt(8, bs);
        buf.putInt(12, nblocks);
        buf.putLong(16, sequence);
        buf.putInt(24, 1);
        fs.writeBlocks(start, buf, 1);
        fs.flushDevice();
    }

    /** {@code jbd2_journal_flush} at unmount: commit what runs, checkpoint everything. */
    void shutdown() throws ErrnoException {
        stopThread();
        commitRunning();
        commitLock.lock();
        try {
            checkAborted();
            checkpointAll();
        } catch (IOException e) {
            throw new ErrnoException(Errno.EIO, "journal checkpoint at unmount failed: " + e.getMessage(), e);
        } finally {
            commitLock.unlock();
        }
    }

    /** {@code kjournald2}: commits the running transaction every {@code interval} seconds. */
    void startThread(int intervalSeconds) {
        if (intervalSeconds <= 0) {
            return;
        }
        kjournald = new Thread(() -> {
            long interval = TimeUnit.SECONDS.toNanos(intervalSeconds);
            while (!stopping) {
                lock.lock();
                try {
                    // the running transaction expires commit= seconds after this wakeup (t_expires)
                    long deadline = System.nanoTime() + interval;
                    long left;
                    while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                        kjournaldWake.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
                if (stopping || aborted != null) {
                    return;
                }
                try {
                    commitRunning();
                } catch (ErrnoException e) {
                    return;
                }
            }
        }, "kjournald2-" + fs.dev.describe());
        kjournald.setDaemon(true);
        kjournald.start();
    }

    void stopThread() {
        stopping = true;
        Thread t = kjournald;
        if (t != null) {
            lock.lock();
            try {
                kjournaldWake.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kjournald = null;
        }
    }

    /** The outcome of scanning a log: the newest copy of every logged block and the last tid. */
    static final class Replay {
        final Map<Long, byte[]> blocks = new HashMap<>();
        long lastTid;
        int transactions;
    }

    /**
     * {@code jbd2_journal_recover}'s scan and replay passes, without writing: reads the journal
     * superblock and every complete transaction after it.
     */
    static CRC32C seeded(long uuid) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, uuid));
        return crc;
    }

    static Replay scan(Ext4.BlockReader rd, long start, int nblocks, int bs, long uuid) throws IOException {
        ByteBuffer sb = rd.read(start);
        if (sb.getInt(0) != JBD2_MAGIC || sb.getInt(4) != SUPERBLOCK) {
            throw new ErrnoException(Errno.EUCLEAN, "journal superblock at block " + start + " has a bad magic");
        }
        long seq = sb.getLong(16);
        int pos = sb.getInt(24);
        Replay r = new Replay();
        r.lastTid = seq - 1;
        long expect = seq;
        while (true) {
            Map<Long, byte[]> pending = new LinkedHashMap<>();
            CRC32C crc = seeded(uuid);
            int p = pos;
            boolean ok = false;
            while (p < nblocks) {
                ByteBuffer b = rd.read(start + p);
                if (b.getInt(0) != JBD2_MAGIC || b.getLong(8) != expect) {
                    break;
                }
                int type = b.getInt(4);
                if (type == DESCRIPTOR) {
                    int cnt = b.getInt(16);
                    if (cnt < 0 || cnt > (bs - DESC_HEADER) / 8 || p + 1 + cnt >= nblocks) {
                        break;
                    }
                    crc.update(b.duplicate().position(0).limit(bs));
                    long[] homes = new long[cnt];
                    for (int k = 0; k < cnt; k++) {
                        homes[k] = b.getLong(DESC_HEADER + 8 * k);
                    }
                    p++;
                    for (int k = 0; k < cnt; k++) {
                        ByteBuffer d = rd.read(start + p);
                        byte[] copy = new byte[bs];
                        d.get(0, copy);
                        crc.update(copy);
                        pending.remove(homes[k]);
                        pending.put(homes[k], copy);
                        p++;
                    }
                } else if (type == COMMIT) {
                    ok = b.getInt(16) == (int) crc.getValue();
                    p++;
                    break;
                } else {
                    break;
                }
            }
            if (!ok) {
                return r;
            }
            r.blocks.putAll(pending);
            r.lastTid = expect;
            r.transactions++;
            expect++;
            pos = p;
        }
    }
}
