package org.foliobench.fs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sorted, non-overlapping map of logical block ranges, used both for an inode's extent tree
 * (statuses WRITTEN / UNWRITTEN, mirrors the leaves of {@code fs/ext4/extents.c}) and for its
 * extent-status cache ({@code fs/ext4/extents_status.c}: WRITTEN, UNWRITTEN, DELAYED, HOLE).
 * Inserting overrides whatever the range held and merges with compatible neighbours, as
 * {@code ext4_es_insert_extent} and {@code ext4_ext_try_to_merge} do. Not thread-safe: callers
 * hold i_data_sem (tree) or the inode's es lock (status cache).
 */
final class ExtentMap {
    static final int WRITTEN = 1;
    static final int UNWRITTEN = 2;
    static final int DELAYED = 4;
    static final int HOLE = 8;

    /** One extent: {@code [lblk, lblk + len)} at {@code pblk} (meaningless for DELAYED / HOLE). */
    static final class Ext {
        final long lblk;
        final long len;
        final long pblk;
        final int status;

        Ext(long lblk, long len, long pblk, int status) {
            if (len <= 0) {
                throw new IllegalArgumentException("extent length " + len);
            }
            this.lblk = lblk;
            this.len = len;
            this.pblk = hasPblk(status) ? pblk : 0;
            this.status = status;
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

    private final TreeMap<Long, Ext> map = new TreeMap<>();
    private final long maxLen;

    ExtentMap(long maxLen) {
        this.maxLen = maxLen;
    }

    /** The extent containing {@code lblk}, or null. */
    Ext find(long lblk) {
        Map.Entry<Long, Ext> e = map.floorEntry(lblk);
        if (e != null && e.getValue().end() > lblk) {
            return e.getValue();
        }
        return null;
    }

    /** The first extent starting at or after {@code lblk}, or null. */
    Ext next(long lblk) {
        Map.Entry<Long, Ext> e = map.ceilingEntry(lblk);
        return e == null ? null : e.getValue();
    }

    /** The last extent starting before {@code lblk}, or null. */
    Ext prev(long lblk) {
        Map.Entry<Long, Ext> e = map.lowerEntry(lblk);
        return e == null ? null : e.getValue();
    }

    static Ext sub(Ext x, long from, long to) {
        return new Ext(from, to - from, x.pblk + (from - x.lblk), x.status);
    }

    /** Removes {@code [lblk, lblk + len)}, splitting extents that straddle its ends. */
    void remove(long lblk, long len) {
        long end = lblk + len;
        Ext f = find(lblk);
        if (f != null && f.lblk < lblk) {
            map.put(f.lblk, sub(f, f.lblk, lblk));
            if (f.end() > end) {
                map.put(end, sub(f, end, f.end()));
                return;
            }
        }
        while (true) {
            Map.Entry<Long, Ext> e = map.ceilingEntry(lblk);
            if (e == null || e.getKey() >= end) {
                break;
            }
            Ext x = e.getValue();
            map.remove(x.lblk);
            if (x.end() > end) {
                map.put(end, sub(x, end, x.end()));
            }
        }
    }

    private boolean mergeable(Ext a, Ext b) {
        return a.status == b.status && a.end() == b.lblk && a.len + b.len <= maxLen
                && (!hasPblk(a.status) || a.pblk + a.len == b.pblk);
    }

    /** Sets {@code [lblk, lblk + len)} to one extent of the given status, merging neighbours. */
    void insert(long lblk, long len, long pblk, int status) {
        remove(lblk, len);
        Ext n = new Ext(lblk, len, pblk, status);
        Ext p = find(lblk - 1);
        if (p != null && mergeable(p, n)) {
            map.remove(p.lblk);
            n = new Ext(p.lblk, p.len + n.len, p.pblk, status);
        }
        Ext q = map.get(n.end());
        if (q != null && mergeable(n, q)) {
            map.remove(q.lblk);
            n = new Ext(n.lblk, n.len + q.len, n.pblk, status);
        }
        map.put(n.lblk, n);
    }

    /** Puts an extent without merging (loading a tree from disk). */
    void put(Ext e) {
        map.put(e.lblk, e);
    }

    /** Extents overlapping {@code [lblk, end)}, in order (not clipped). */
    List<Ext> overlapping(long lblk, long end) {
        List<Ext> out = new ArrayList<>();
        Ext f = find(lblk);
        if (f != null) {
            out.add(f);
        }
        for (Ext e : map.subMap(lblk, false, end, false).values()) {
            if (e != f) {
                out.add(e);
            }
        }
        if (f == null) {
            Ext at = map.get(lblk);
            if (at != null && !out.contains(at)) {
                out.add(0, at);
            }
        }
        return out;
    }

    Collection<Ext> all() {
        return map.values();
    }

    int size() {
        return map.size();
    }

    void clear() {
        map.clear();
    }

    @Override
    public String toString() {
        return map.values().toString();
    }
}
