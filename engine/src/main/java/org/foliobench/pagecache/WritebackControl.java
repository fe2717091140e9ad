package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code struct writeback_control}: what a {@code ->writepages} call must write. */
public final class WritebackControl {
    /** {@code enum writeback_sync_modes}. */
    public enum SyncMode {
        /** Don't wait on anything: background and periodic writeback. */
        WB_SYNC_NONE,
        /** Wait on every folio: data integrity (fsync, sync). */
        WB_SYNC_ALL
    }

    public SyncMode syncMode = SyncMode.WB_SYNC_NONE;
    /** Pages still to write; decremented per folio written. */
    public long nrToWrite = Long.MAX_VALUE;
    /** Pages skipped (redirtied). */
    public long pagesSkipped;
    /** Byte range, inclusive, when not {@link #rangeCyclic}. */
    public long rangeStart;
    public long rangeEnd = Long.MAX_VALUE;
    /** Continue from the mapping's {@code writeback_index}. */
    public boolean rangeCyclic;
    public boolean forBackground;
    public boolean forKupdate;
    public boolean forSync;
    public boolean forReclaim;
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

    public WritebackControl() {
    }

    /** WB_SYNC_ALL over {@code [start, end]} (bytes, inclusive), as {@code filemap_fdatawrite_range}. */
    public static WritebackControl syncAll(long start, long end) {
        WritebackControl w = new WritebackControl();
        w.syncMode = SyncMode.WB_SYNC_ALL;
        w.rangeStart = start;
        w.rangeEnd = end;
        return w;
    }

    /** WB_SYNC_NONE of at most {@code nrToWrite} pages, cyclic, as the flusher issues. */
    public static WritebackControl background(long nrToWrite) {
        WritebackControl w = new WritebackControl();
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
