package org.foliobench.fs;

import java.util.concurrent.atomic.LongAdder;
import org.foliobench.stats.CounterNames;

/**
 * The extent-status cache ({@code fs/ext4/extents_status.c}): per inode, {@link Inode#es}
 * under {@link Inode#esLock} ({@code i_es_lock}), holding written, unwritten, delayed and
 * hole ranges, and the sequence counter bumped by every insert and removal
 * ({@code ext4_es_inc_seq}, {@link Inode#esSeq}: the iomap validity cookie).
 */
final class ExtentStatus {
    final LongAdder esLookups;
    final LongAdder esHits;
    final LongAdder esInserts;

    ExtentStatus(Ext4 fs) {
        this.esLookups = fs.counters.counter(CounterNames.FS_ES_LOOKUPS);
        this.esHits = fs.counters.counter("fs.es_hits");
        this.esInserts = fs.counters.counter("fs.es_inserts");
    }

    /**
     * {@code ext4_es_lookup_extent}: the cached extent (or hole) at {@code lblk} answered in
     * {@code out}, null on a miss.
     */
    MapBlocks lookupExtent(Inode inode, long lblk, int len, MapBlocks out) {
        esLookups.increment();
        synchronized (inode.esLock) {
            ExtentMap.Ext e = inode.es.find(lblk);
            if (e != null) {
                esHits.increment();
                return MapBlocks.fromExt(e, lblk, len, out);
            }
        }
        return null;
    }

    /** {@code ext4_es_insert_extent}. */
    void esInsert(Inode inode, long lblk, long len, long pblk, int status) {
        synchronized (inode.esLock) {
            inode.es.insert(lblk, len, pblk, status);
        }
        esInserts.increment();
        inode.bumpEsSeq();
    }

    /** {@code ext4_es_remove_extent}. */
    void esRemove(Inode inode, long lblk, long len) {
        synchronized (inode.esLock) {
            inode.es.remove(lblk, len);
        }
        inode.bumpEsSeq();
    }

    /** First delayed status extent starting in (lblk, end). Under the es lock. */
    static ExtentMap.Ext nextDelayed(Inode inode, long lblk, long end) {
        return inode.es.nextWithStatus(lblk + 1, end, ExtentMap.DELAYED);
    }
}
