package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.foliobench.mm.OnStack;

/**
 * {@code struct writeback_control}: what a {@code ->writepages} call must write. The kernel's lives
 * on the caller's stack; {@link #syncAll} and {@link #background} hand out the calling thread's one
 * (a new one when it is in use by an outer call), which the caller gives back with {@link #release}.
 */
public final class WritebackControl {
    /** {@code enum writeback_sync_modes}. */
    enum SyncMode {
        /** Don't wait on anything: background and periodic writeback. */
        WB_SYNC_NONE,
        /** Wait on every folio: data integrity (fsync, sync). */
        WB_SYNC_ALL
    }

    SyncMode syncMode = SyncMode.WB_SYNC_NONE;
    /** Pages still to write; decremented per folio written. */
    public long nrToWrite = Long.MAX_VALUE;
    /** Pages skipped (redirtied). */
    long pagesSkipped;
    /** Byte range, inclusive, when not {@link #rangeCyclic}. */
    public long rangeStart;
    public long rangeEnd = Long.MAX_VALUE;
    /** Continue from the mapping's {@code writeback_index}. */
    public boolean rangeCyclic;
    boolean forBackground;
    boolean forKupdate;
    boolean forSync;
    boolean forReclaim;
    /** Tag TOWRITE first (livelock avoidance) even for WB_SYNC_NONE. */
    public boolean taggedWritepages;

    // writeback_iter() state
    boolean iterStarted;
    long iterIndex;
    long iterEnd;
    int iterTag;
    final List<Folio> fbatch = new ArrayList<>();
    int fbatchPos;
    IOException savedErr;
    boolean iterDone;

    private static final OnStack<WritebackControl> STACK = new OnStack<>();

    public WritebackControl() {
    }

    /** The calling thread's control with every field at its initial value. */
    private static WritebackControl onStack() {
        WritebackControl w = STACK.take();
        return w != null ? w : new WritebackControl();
    }

    /**
     * The writeback is over: the batch references of a walk left unfinished (an exception) are
     * dropped, the control is reset and becomes the thread's free one.
     */
    public void release() {
        if (!fbatch.isEmpty()) {
            Writeback.finish(this);
        }
        syncMode = SyncMode.WB_SYNC_NONE;
        nrToWrite = Long.MAX_VALUE;
        pagesSkipped = 0;
        rangeStart = 0;
        rangeEnd = Long.MAX_VALUE;
        rangeCyclic = false;
        forBackground = false;
        forKupdate = false;
        forSync = false;
        forReclaim = false;
        taggedWritepages = false;
        iterStarted = false;
        iterIndex = 0;
        iterEnd = 0;
        iterTag = 0;
        fbatch.clear();
        fbatchPos = 0;
        savedErr = null;
        iterDone = false;
        STACK.put(this);
    }

    /** WB_SYNC_ALL over {@code [start, end]} (bytes, inclusive), as {@code filemap_fdatawrite_range}. */
    public static WritebackControl syncAll(long start, long end) {
        WritebackControl w = onStack();
        w.syncMode = SyncMode.WB_SYNC_ALL;
        w.rangeStart = start;
        w.rangeEnd = end;
        return w;
    }

    /** WB_SYNC_NONE of at most {@code nrToWrite} pages, cyclic, as the flusher issues. */
    public static WritebackControl background(long nrToWrite) {
        WritebackControl w = onStack();
        w.nrToWrite = nrToWrite;
        w.rangeCyclic = true;
        w.forBackground = true;
        return w;
    }

    public boolean isSyncAll() {
        return syncMode == SyncMode.WB_SYNC_ALL;
    }

    /** The first error a folio callback reported during {@link Writeback#writebackIter}. */
    public IOException error() {
        return savedErr;
    }

    @Override
    public String toString() {
        return "wbc[" + syncMode + " nr_to_write=" + nrToWrite + " range=" + (rangeCyclic ? "cyclic" : rangeStart + "-" + rangeEnd) + "]";
    }
}
