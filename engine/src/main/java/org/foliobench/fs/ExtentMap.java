package org.foliobench.fs;

import java.util.ArrayList;
import java.util.List;
import org.foliobench.mm.KmemCache;

/**
 * A sorted, non-overlapping map of logical block ranges, used both for an inode's extent tree
 * (statuses WRITTEN / UNWRITTEN, mirrors the leaves of {@code fs/ext4/extents.c}) and for its
 * extent-status cache ({@code fs/ext4/extents_status.c}: WRITTEN, UNWRITTEN, DELAYED, HOLE).
 * Inserting overrides whatever the range held and merges with compatible neighbours, as
 * {@code ext4_es_insert_extent} and {@code ext4_ext_try_to_merge} do. Not thread-safe: callers
 * hold i_data_sem (tree) or the inode's es lock (status cache).
 *
 * <p>Entries are kept in an array sorted by their primitive {@code lblk} (binary search, no boxed
 * keys, no iterators), extended in place when a range merges with a neighbour, and come from and
 * go back to a {@link KmemCache} ({@code ext4_es_cachep}). So an entry returned by {@link #find},
 * {@link #next}, {@link #prev}, {@link #nextWithStatus}, {@link #firstOverlapping} or {@link #get}
 * is live: read it under the lock that guards the map and before changing the map;
 * {@link #overlapping} and {@link #all} return copies.
 */
final class ExtentMap {
    static final int WRITTEN = 1;
    static final int UNWRITTEN = 2;
    static final int DELAYED = 4;
    static final int HOLE = 8;

    /** One extent: {@code [lblk, lblk + len)} at {@code pblk} (meaningless for DELAYED / HOLE). */
    static final class Ext {
        long lblk;
        long len;
        long pblk;
        int status;

        /** A free entry, as the cache constructs it. */
        Ext() {
        }

        Ext(long lblk, long len, long pblk, int status) {
            set(lblk, len, pblk, status);
        }

        Ext set(long lblk, long len, long pblk, int status) {
            if (len <= 0) {
                throw new IllegalArgumentException("extent length " + len);
            }
            this.lblk = lblk;
            this.len = len;
            this.pblk = hasPblk(status) ? pblk : 0;
            this.status = status;
            return this;
        }

        long end() {
            return lblk + len;
        }

        @Override
        public String toString() {
            return "[" + lblk + "+" + len + (hasPblk(status) ? "@" + pblk : "") + " " + statusName(status) + "]";
        }
    }

    static boolean hasPblk(int status) {
        return status == WRITTEN || status == UNWRITTEN;
    }

    static String statusName(int s) {
        switch (s) {
            case WRITTEN: return "W";
            case UNWRITTEN: return "U";
            case DELAYED: return "D";
            case HOLE: return "H";
            default: return "?" + s;
        }
    }

    private final long maxLen;
    private final KmemCache<Ext> cache;
    private Ext[] a = new Ext[4];
    private int n;

    ExtentMap(long maxLen) {
        this(maxLen, null);
    }

    /** Entries from {@code cache} (null: plain allocation). */
    ExtentMap(long maxLen, KmemCache<Ext> cache) {
        this.maxLen = maxLen;
        this.cache = cache;
    }

    private Ext newExt(long lblk, long len, long pblk, int status) {
        return (cache != null ? cache.alloc() : new Ext()).set(lblk, len, pblk, status);
    }

    private void freeExt(Ext e) {
        if (cache != null) {
            e.len = 0; // a stale reference sees an empty extent
            cache.free(e);
        }
    }

    /** The index of the last entry starting at or before {@code lblk}, or -1. */
    private int floorIndex(long lblk) {
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid].lblk <= lblk) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    private void insertAt(int i, Ext e) {
        if (n == a.length) {
            a = java.util.Arrays.copyOf(a, 2 * n);
        }
        System.arraycopy(a, i, a, i + 1, n - i);
        a[i] = e;
        n++;
    }

    /** Deletes entries {@code [from, to)} from the array (they were freed or moved by the caller). */
    private void deleteRange(int from, int to) {
        if (to <= from) {
            return;
        }
        System.arraycopy(a, to, a, from, n - to);
        for (int i = n - (to - from); i < n; i++) {
            a[i] = null;
        }
        n -= to - from;
    }

    /** The extent containing {@code lblk}, or null. */
    Ext find(long lblk) {
        int i = floorIndex(lblk);
        return i >= 0 && a[i].end() > lblk ? a[i] : null;
    }

    /** The first extent starting at or after {@code lblk}, or null. */
    Ext next(long lblk) {
        int i = floorIndex(lblk);
        if (i >= 0 && a[i].lblk == lblk) {
            return a[i];
        }
        return i + 1 < n ? a[i + 1] : null;
    }

    /** The last extent starting before {@code lblk}, or null. */
    Ext prev(long lblk) {
        int i = floorIndex(lblk - 1);
        return i >= 0 ? a[i] : null;
    }

    /** The first extent of {@code status} starting in {@code [from, end)}, or null. */
    Ext nextWithStatus(long from, long end, int status) {
        int i = floorIndex(from);
        if (i < 0 || a[i].lblk < from) {
            i++;
        }
        for (; i < n && a[i].lblk < end; i++) {
            if (a[i].status == status) {
                return a[i];
            }
        }
        return null;
    }

    /** The first extent of {@code status} overlapping {@code [from, end)}, or null. */
    Ext firstOverlapping(long from, long end, int status) {
        int i = floorIndex(from);
        if (i < 0 || a[i].end() <= from) {
            i++;
        }
        for (; i < n && a[i].lblk < end; i++) {
            if (a[i].status == status) {
                return a[i];
            }
        }
        return null;
    }

    /** The {@code i}-th extent in order ({@code 0 <= i < size()}). */
    Ext get(int i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("extent " + i + " of " + n);
        }
        return a[i];
    }

    /** Removes {@code [lblk, lblk + len)}, splitting extents that straddle its ends. */
    void remove(long lblk, long len) {
        long end = lblk + len;
        int i = floorIndex(lblk);
        if (i >= 0 && a[i].end() > lblk && a[i].lblk < lblk) {
            Ext f = a[i];
            long fEnd = f.end();
            f.len = lblk - f.lblk;
            if (fEnd > end) {
                insertAt(i + 1, newExt(end, fEnd - end, f.pblk + (end - f.lblk), f.status));
                return;
            }
            i++;
        } else if (i < 0 || a[i].lblk < lblk) {
            i++;
        }
        int j = i;
        while (j < n && a[j].lblk < end) {
            Ext x = a[j];
            if (x.end() > end) {
                long cut = end - x.lblk;
                x.set(end, x.len - cut, x.pblk + cut, x.status);
                break;
            }
            freeExt(x);
            j++;
        }
        deleteRange(i, j);
    }

    private boolean mergeable(Ext a, long lblk, long len, long pblk, int status) {
        return a.status == status && a.end() == lblk && a.len + len <= maxLen
                && (!hasPblk(status) || a.pblk + a.len == pblk);
    }

    /** Sets {@code [lblk, lblk + len)} to one extent of the given status, merging neighbours. */
    void insert(long lblk, long len, long pblk, int status) {
        if (len <= 0) {
            throw new IllegalArgumentException("extent length " + len);
        }
        if (!hasPblk(status)) {
            pblk = 0;
        }
        remove(lblk, len);
        int i = floorIndex(lblk) + 1; // where an entry starting at lblk goes
        Ext cur;
        if (i > 0 && mergeable(a[i - 1], lblk, len, pblk, status)) {
            cur = a[i - 1];
            cur.len += len; // ext4_es_try_to_merge_left
            i--;
        } else {
            cur = newExt(lblk, len, pblk, status);
            insertAt(i, cur);
        }
        if (i + 1 < n) {
            Ext q = a[i + 1];
            if (mergeable(cur, q.lblk, q.len, q.pblk, q.status)) {
                cur.len += q.len; // ext4_es_try_to_merge_right
                deleteRange(i + 1, i + 2);
                freeExt(q);
            }
        }
    }

    /** Puts an extent without merging (loading a tree from disk); replaces one at the same start. */
    void put(Ext e) {
        int i = floorIndex(e.lblk);
        if (i >= 0 && a[i].lblk == e.lblk) {
            a[i].set(e.lblk, e.len, e.pblk, e.status);
            return;
        }
        insertAt(i + 1, newExt(e.lblk, e.len, e.pblk, e.status));
    }

    /** Copies of the extents overlapping {@code [lblk, end)}, in order (not clipped). */
    List<Ext> overlapping(long lblk, long end) {
        List<Ext> out = new ArrayList<>();
        int i = floorIndex(lblk);
        if (i < 0 || a[i].end() <= lblk) {
            i++;
        }
        for (; i < n && a[i].lblk < end; i++) {
            Ext e = a[i];
            out.add(new Ext(e.lblk, e.len, e.pblk, e.status));
        }
        return out;
    }

    /** Copies of every extent, in order. */
    List<Ext> all() {
        List<Ext> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Ext e = a[i];
            out.add(new Ext(e.lblk, e.len, e.pblk, e.status));
        }
        return out;
    }

    int size() {
        return n;
    }

    /** Empties the map, its entries back to the cache. */
    void clear() {
        for (int i = 0; i < n; i++) {
            freeExt(a[i]);
            a[i] = null;
        }
        n = 0;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? ", " : "").append(a[i]);
        }
        return b.append(']').toString();
    }
}
