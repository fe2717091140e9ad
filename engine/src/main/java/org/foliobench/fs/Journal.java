package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.CounterNames;

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
 *
 * <p>Nothing is allocated per handle or commit once the caches are warm: handles come from the
 * {@code jbd2_journal_handle} cache and transactions from {@code jbd2_transaction_s}, both freed as
 * jbd2 frees them (at the handle's stop, after the commit); their block and inode lists are array
 * lists deduplicated through the block's and the inode's own fields, as jbd2 does with
 * {@code b_transaction} and {@code i_transaction}.
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
    /** {@code current->journal_info}: the handle this thread holds (null when none; never removed, so no entry is reallocated). */
    private final ThreadLocal<Handle> current = new ThreadLocal<>();
    /** {@code jbd2_handle_cache}. */
    private final KmemCache<Handle> handleCache;
    /** {@code transaction_cache}. */
    private final KmemCache<Transaction> transactionCache;
    private Transaction running;
    /** {@code j_reserved_credits}: credits of reserved handles not started yet; under {@link #lock}. */
    private int reservedCredits;
    private long nextTid;
    private volatile long commitSequence;
    private volatile ErrnoException aborted;
    /** Next free log block; the log holds committed transactions in [1, head). */
    private int head;
    /**
     * Blocks whose newest committed copy ({@link MetaBuffer#checkpointData}) is not yet written home
     * (the transactions' {@code t_checkpoint_list}s: a block committed again leaves the older list,
     * as {@code __jbd2_journal_remove_checkpoint} in the commit). Changed only under the commit lock.
     */
    private final ArrayList<MetaBuffer> checkpointList = new ArrayList<>();
    /** Metadata blocks freed by committed transactions, allocatable once checkpointed. Under the commit lock. */
    private final ArrayList<Mballoc.FreeData> checkpointFreedMeta = new ArrayList<>();
    /** The checkpoint's bounce buffer (up to 256 blocks) and the journal superblock's, reused under the commit lock. */
    private ByteBuffer homeBuf;
    private ByteBuffer sbBuf;
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
    private MetaBuffer[] commitBufs = new MetaBuffer[16];
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
    private final LongAdder creditOverruns;
    private final LongAdder reservedStarts;
    /** {@link #transactionCommitted} calls (state-lock acquisitions) and those that found the lock held. */
    private final LongAdder committedChecks;
    private final LongAdder committedCheckContended;

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
        this.handles = fs.counters.counter(CounterNames.JBD2_HANDLES);
        this.commits = fs.counters.counter(CounterNames.JBD2_COMMITS);
        this.blocksWritten = fs.counters.counter("jbd2.blocks_written");
        this.checkpoints = fs.counters.counter("jbd2.checkpoints");
        this.waits = fs.counters.counter("jbd2.handle_waits");
        this.creditOverruns = fs.counters.counter("jbd2.credit_overruns");
        this.reservedStarts = fs.counters.counter("jbd2.reserved_handle_starts");
        this.committedChecks = fs.counters.counter(CounterNames.JBD2_STATE_LOCK_COMMITTED_CHECKS);
        this.committedCheckContended = fs.counters.counter(CounterNames.JBD2_STATE_LOCK_COMMITTED_CONTENDED);
        this.handleCache = KmemCache.create("jbd2_journal_handle", Defaults.SLAB_FREE_OBJECTS, () -> new Handle(this),
                fs.counters);
        this.transactionCache = KmemCache.create("jbd2_transaction_s", Defaults.SLAB_FREE_OBJECTS, Transaction::new,
                fs.counters);
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
        return start(credits, 0);
    }

    /**
     * {@code jbd2__journal_start(journal, credits, rsvCredits)}: with {@code rsvCredits > 0} the
     * handle also carries a reserved handle ({@code h_rsv_handle}) whose credits are held in
     * {@code j_reserved_credits} (at most half a transaction, as {@code add_transaction_credits}
     * allows), counted against every running transaction until it is started or freed.
     */
    Handle start(int credits, int rsvCredits) throws ErrnoException {
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
                    running = transactionCache.alloc().init(nextTid++); // jbd2_get_transaction
                }
                Transaction t = running;
                if (t.state == Transaction.State.LOCKED) {
                    // a commit is waiting for t_updates to drain: wait for the next transaction
                    waits.increment();
                    stateChanged.awaitUninterruptibly();
                    continue;
                }
                int tUsed = t.size() + t.outstandingCredits;
                if (tUsed > 0 && tUsed + reservedCredits + credits + rsvCredits > maxTransactionBuffers) {
                    if (rsvCredits > 0 && reservedCredits > 0
                            && reservedCredits + credits + rsvCredits > maxTransactionBuffers) {
                        // the reserved credits are too many to fit this handle: wait until freed.
                        // Only a reserving caller (a writeback round) waits here: the completion
                        // worker, which frees them, reserves nothing and must never wait for itself
                        waits.increment();
                        stateChanged.awaitUninterruptibly();
                        continue;
                    }
                    toCommit = t.tid; // transaction full: commit it first (add_transaction_credits)
                } else if (rsvCredits > 0 && reservedCredits > 0
                        && reservedCredits + rsvCredits > maxTransactionBuffers / 2) {
                    // at most half a transaction may be reserved: wait for reserved handles to go
                    waits.increment();
                    stateChanged.awaitUninterruptibly();
                    continue;
                } else {
                    t.updates++;
                    t.outstandingCredits += credits;
                    Handle h = handleCache.alloc().init(t, credits);
                    if (rsvCredits > 0) {
                        reservedCredits += rsvCredits;
                        h.rsvHandle = handleCache.alloc().init(null, rsvCredits);
                    }
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

    /**
     * {@code jbd2_journal_start_reserved}: the reserved handle joins the running transaction (or
     * starts one) without waiting: it may join a transaction locked for commit, whose commit then
     * waits for it; its credits move from {@code j_reserved_credits} to the transaction.
     */
    Handle startReserved(Handle rsv) throws ErrnoException {
        if (!rsv.reserved) {
            throw new IllegalStateException("jbd2_journal_start_reserved of a handle that is not reserved");
        }
        if (current.get() != null) {
            freeReserved(rsv);
            throw new IllegalStateException("jbd2_journal_start_reserved while this thread holds a handle");
        }
        if (aborted != null) {
            freeReserved(rsv);
            checkAborted();
        }
        lock.lock();
        try {
            if (running == null) {
                running = transactionCache.alloc().init(nextTid++);
            }
            Transaction t = running;
            reservedCredits -= rsv.credits;
            stateChanged.signalAll(); // sub_reserved_credits: wake_up(&journal->j_wait_reserved)
            t.updates++;
            t.outstandingCredits += rsv.credits;
            rsv.transaction = t;
            rsv.reserved = false;
            current.set(rsv);
            handles.increment();
            reservedStarts.increment();
            return rsv;
        } finally {
            lock.unlock();
        }
    }

    /** {@code jbd2_journal_free_reserved}. */
    void freeReserved(Handle rsv) {
        lock.lock();
        try {
            reservedCredits -= rsv.credits;
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
        rsv.free();
        handleCache.free(rsv);
    }

    /** {@code jbd2_journal_stop}: the transaction loses an update, the handle goes back to its cache. */
    void stop(Handle h) {
        current.set(null);
        Handle rsv = h.rsvHandle;
        if (rsv != null) {
            h.rsvHandle = null;
            freeReserved(rsv); // not taken: jbd2_journal_stop disposes of it
        }
        lock.lock();
        try {
            Transaction t = h.transaction.live();
            t.outstandingCredits -= h.credits;
            if (--t.updates == 0) {
                stateChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }
        h.free();
        handleCache.free(h);
    }

    void dirtyMetadata(Handle h, MetaBuffer bh) {
        lock.lock();
        try {
            Transaction t = h.transaction.live();
            if (bh.transaction != t) {
                bh.transaction = t;
                t.buffers.add(bh);
                if (h.credits > 0) {
                    h.credits--;
                    t.outstandingCredits--;
                } else {
                    creditOverruns.increment();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code jbd2_journal_file_inode}: on the transaction's inode list once. */
    void addOrderedInode(Handle h, Inode inode) {
        lock.lock();
        try {
            Transaction t = h.transaction.live();
            if (inode.orderedTid != t.tid) {
                inode.orderedTid = t.tid;
                t.orderedInodes.add(inode);
            }
        } finally {
            lock.unlock();
        }
    }

    void freeData(Handle h, long pblk, long len) {
        Mballoc.FreeData fd = fs.mballoc.freeData(pblk, len);
        lock.lock();
        try {
            h.transaction.live().freedData.add(fd);
        } finally {
            lock.unlock();
        }
    }

    void freeMeta(Handle h, long pblk) {
        Mballoc.FreeData fd = fs.mballoc.freeData(pblk, 1);
        lock.lock();
        try {
            h.transaction.live().freedMeta.add(fd);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code jbd2_transaction_committed}: true unless {@code tid} is the running or the committing
     * transaction, read under the state lock ({@code read_lock(&journal->j_state_lock)}: it
     * dereferences both transactions). Counts every acquisition, and those that found the lock
     * held (here the state lock is exclusive, so those waited; the kernel's rwlock lets readers
     * share it but still bounces its cache line between CPUs on every acquisition).
     */
    boolean transactionCommitted(long tid) {
        committedChecks.increment();
        if (!lock.tryLock()) {
            committedCheckContended.increment();
            lock.lock();
        }
        try {
            if (running != null && running.tid == tid) {
                return false;
            }
            return tid <= commitSequence; // a committing transaction is above the commit sequence
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
        Handle held = current.get();
        if (held != null) {
            throw new IllegalStateException("commit of transaction " + tid + " requested while this thread holds a handle"
                    + " on transaction " + held.tid() + ": stop the handle first");
        }
        commitLock.lock();
        try {
            if (commitSequence >= tid) {
                return;
            }
            checkAborted();
            Transaction t;
            MetaBuffer[] bufs;
            byte[][] copies;
            int n = 0;
            lock.lock();
            try {
                t = running;
                if (t == null || t.tid != tid) {
                    return; // nothing started for tid (callers only ask for started tids)
                }
                if (t.updates == 0 && t.isEmpty()) {
                    return; // an empty transaction keeps running
                }
                // T_LOCKED: no new handles; wait for the open ones (jbd2_journal_wait_updates). A
                // transaction full of open handles' credits but without buffers yet commits once they
                // stop, so a starter that found it full sleeps here instead of retrying
                t.state = Transaction.State.LOCKED;
                while (t.updates > 0) {
                    stateChanged.awaitUninterruptibly();
                }
                if (t.isEmpty()) {
                    // the handles stopped without changing anything: it keeps running, empty
                    t.state = Transaction.State.RUNNING;
                    stateChanged.signalAll();
                    return;
                }
                // freeze the metadata: copy it while no handle can change it
                if (commitBufs.length < t.buffers.size()) {
                    commitBufs = new MetaBuffer[Integer.highestOneBit(t.buffers.size()) << 1];
                    commitCopies = new byte[commitBufs.length][];
                }
                bufs = commitBufs;
                copies = commitCopies;
                for (int i = 0; i < t.buffers.size(); i++) {
                    MetaBuffer bh = t.buffers.get(i);
                    byte[] copy = frozenCache.alloc(); // jbd2_alloc(): b_frozen_data from the jbd2_<size> slab
                    bh.data.get(0, copy);
                    bufs[n] = bh;
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
                    for (int i = 0; i < t.orderedInodes.size(); i++) {
                        w.writeAndWait(t.orderedInodes.get(i));
                    }
                }
                writeLog(t.tid, bufs, copies, n);
            } catch (IOException e) {
                java.util.Arrays.fill(copies, 0, n, null); // the failed commit's copies go to the GC
                java.util.Arrays.fill(bufs, 0, n, null);
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
                    MetaBuffer bh = bufs[i];
                    if (bh.checkpointData != null) {
                        frozenCache.free(bh.checkpointData); // superseded before its checkpoint: never written home
                    } else {
                        checkpointList.add(bh);
                    }
                    bh.checkpointData = copies[i];
                    copies[i] = null;
                    bufs[i] = null;
                }
                for (int i = 0; i < t.freedMeta.size(); i++) {
                    checkpointFreedMeta.add(t.freedMeta.get(i));
                }
                t.state = Transaction.State.COMMITTED;
                commitSequence = t.tid;
                stateChanged.signalAll();
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < t.freedData.size(); i++) {
                fs.mballoc.releaseFreed(t.freedData.get(i));
            }
            t.free(); // jbd2_journal_free_transaction: its copies are on the checkpoint list now
            transactionCache.free(t);
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
    private void writeLog(long tid, MetaBuffer[] bufs, byte[][] copies, int n) throws IOException {
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
                buf.putLong(off + DESC_HEADER + 8 * k, bufs[i + k].blocknr);
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
        sortByBlock(checkpointList);
        writeHome(checkpointList);
        writeSuperblock(commitSequence + 1);
        for (int i = 0; i < checkpointList.size(); i++) {
            MetaBuffer bh = checkpointList.get(i);
            frozenCache.free(bh.checkpointData); // written home: the frozen copy is done
            bh.checkpointData = null;
        }
        checkpointList.clear();
        head = 1;
        for (int i = 0; i < checkpointFreedMeta.size(); i++) {
            fs.mballoc.releaseFreed(checkpointFreedMeta.get(i));
        }
        checkpointFreedMeta.clear();
        checkpoints.increment();
    }

    /** Insertion sort by home block (the list is short and mostly sorted; no comparator or merge buffer). */
    private static void sortByBlock(ArrayList<MetaBuffer> list) {
        for (int i = 1; i < list.size(); i++) {
            MetaBuffer x = list.get(i);
            int j = i - 1;
            while (j >= 0 && list.get(j).blocknr > x.blocknr) {
                list.set(j + 1, list.get(j));
                j--;
            }
            list.set(j + 1, x);
        }
    }

    /** Writes the copies home in runs of up to 256 contiguous blocks through the reused bounce buffer, then flushes. */
    private void writeHome(ArrayList<MetaBuffer> list) throws IOException {
        if (list.isEmpty()) {
            return;
        }
        int i = 0;
        while (i < list.size()) {
            int j = i + 1;
            while (j < list.size() && list.get(j).blocknr == list.get(j - 1).blocknr + 1 && j - i < 256) {
                j++;
            }
            if (homeBuf == null || homeBuf.capacity() < (j - i) * bs) {
                homeBuf = Ext4.ioBuffer(Integer.highestOneBit(Math.max(j - i, 16) * 2 - 1) * bs);
            }
            for (int k = i; k < j; k++) {
                homeBuf.put((k - i) * bs, list.get(k).checkpointData);
            }
            fs.writeBlocks(list.get(i).blocknr, homeBuf, j - i);
            i = j;
        }
        fs.flushDevice();
    }

    /** Writes the journal superblock: log empty, next transaction {@code sequence} at block 1. */
    void writeSuperblock(long sequence) throws IOException {
        if (sbBuf == null) {
            sbBuf = Ext4.ioBuffer(bs);
        }
        ByteBuffer buf = sbBuf;
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
