package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;

/**
 * The reference counts of shared data blocks, as XFS's refcount btree ({@code fs/xfs/libxfs/
 * xfs_refcount.c}) keeps them: records {@code (start, length, refcount)} only for ranges mapped by
 * two or more extents; a block in use and in no record has one owner. ext4 has no reflink; this
 * is the on-disk piece the model adds for it, journaled like every other metadata block.
 *
 * <h2>On-disk format</h2>
 * <pre>
 * inode 0's slot       (unused by ext4) the root: u16 magic 0x8EFC, u16 0, u32 block count,
 *                      8 bytes 0, then up to {@link #ROOT_SLOTS} u64 refcount block numbers
 * refcount block       u16 magic 0xF30C, u16 record count, 12 bytes 0, then 16-byte records
 *                      {u64 start pblk, u32 length, u32 refcount}, sorted by start, disjoint,
 *                      refcount >= 2, neighbours with the same refcount merged
 * </pre>
 * An all-zero slot is an empty tree (a freshly formatted filesystem). Every change rewrites the
 * records into the blocks in order, dirtying only the blocks whose contents changed, in the
 * caller's handle, so a crash leaves the counts and the extent trees that use them in step.
 *
 * <p>Locking: under {@code this}; callers hold the i_data_sem of the inodes whose extents they
 * change (order: handle, i_data_sem, this, the allocator lock, the journal's state lock).
 */
final class RefcountTree {
    static final short ROOT_MAGIC = (short) 0x8EFC;
    static final short BLOCK_MAGIC = (short) 0xF30C;
    static final int HEADER = 16;
    static final int RECORD = 16;
    /** Block numbers the root in inode 0's slot holds. */
    static final int ROOT_SLOTS = (Ext4.INODE_SIZE - HEADER) / 8;

    private final Ext4 fs;
    /** start pblk -> {length, refcount}; the arrays are never changed once in the map. */
    private TreeMap<Long, long[]> recs = new TreeMap<>();
    /** The refcount blocks in use, in order. */
    private final List<MetaBuffer> blocks = new ArrayList<>();
    /** Records held, read without the lock by {@link #isEmpty}. */
    private volatile int size;
    /**
     * The records as sorted primitive arrays, rebuilt with every change, for the lookups of every
     * write and writeback mapping call ({@link #run}, {@link #refs}): no boxing, no entry objects.
     */
    private long[] starts = new long[0];
    private long[] lens = new long[0];
    private long[] counts = new long[0];

    /** Rebuilds {@link #starts}, {@link #lens} and {@link #counts} from {@link #recs}. Under {@code this}. */
    private void index() {
        int n = recs.size();
        starts = new long[n];
        lens = new long[n];
        counts = new long[n];
        int i = 0;
        for (Map.Entry<Long, long[]> e : recs.entrySet()) {
            starts[i] = e.getKey();
            lens[i] = e.getValue()[0];
            counts[i] = e.getValue()[1];
            i++;
        }
        size = n;
    }

    /** The index of the last record starting at or before {@code pblk}, or -1. Under {@code this}. */
    private int floor(long pblk) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= pblk) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    RefcountTree(Ext4 fs) {
        this.fs = fs;
    }

    /** Records per refcount block. */
    static int capacity(int bs) {
        return (bs - HEADER) / RECORD;
    }

    /** True when no block is shared (the fast path of every mapping call). */
    boolean isEmpty() {
        return size == 0;
    }

    synchronized int records() {
        return recs.size();
    }

    /** Credits a change may need: every refcount block, one more, and the root's inode table block. */
    synchronized int credits() {
        return blocks.size() + 3;
    }

    /** {@code xfs_refcount_lookup}: the refcount of an in-use data block (1 when in no record). */
    synchronized int refs(long pblk) {
        int i = floor(pblk);
        if (i >= 0 && starts[i] + lens[i] > pblk) {
            return (int) counts[i];
        }
        return 1;
    }

    /**
     * {@code xfs_reflink_find_shared} / {@code xfs_reflink_trim_around_shared}: from {@code pblk},
     * the length of the run of at most {@code len} blocks that is uniformly shared (positive) or
     * uniformly unshared (negative).
     */
    synchronized long run(long pblk, long len) {
        if (starts.length == 0) {
            return -len;
        }
        int i = floor(pblk);
        if (i >= 0 && starts[i] + lens[i] > pblk) {
            return Math.min(len, starts[i] + lens[i] - pblk);
        }
        return -(i + 1 < starts.length ? Math.min(len, starts[i + 1] - pblk) : len);
    }

    /** {@code xfs_refcount_increase_extent}: one more extent maps every block of the range. */
    void increment(Handle h, long pblk, long len) throws ErrnoException {
        adjust(h, pblk, len, +1);
    }

    /**
     * {@code xfs_refcount_decrease_extent} (with {@code xfs_free_extent} of what drops to zero):
     * one extent less maps every block of the range; blocks nobody maps any more are freed.
     */
    void decrement(Handle h, long pblk, long len) throws ErrnoException {
        adjust(h, pblk, len, -1);
    }

    private void adjust(Handle h, long pblk, long len, int delta) throws ErrnoException {
        List<long[]> freed = new ArrayList<>();
        synchronized (this) {
            if (recs.isEmpty() && delta < 0) {
                freed.add(new long[] {pblk, len});
            } else {
                TreeMap<Long, long[]> next = new TreeMap<>(recs);
                long end = pblk + len;
                // split the records overlapping the range at its edges, then take them out
                Map.Entry<Long, long[]> head = next.floorEntry(pblk);
                if (head != null && head.getKey() < pblk && head.getKey() + head.getValue()[0] > pblk) {
                    long hs = head.getKey();
                    long[] hv = head.getValue();
                    next.put(hs, new long[] {pblk - hs, hv[1]});
                    next.put(pblk, new long[] {hs + hv[0] - pblk, hv[1]});
                }
                Map.Entry<Long, long[]> tail = next.lowerEntry(end);
                if (tail != null && tail.getKey() + tail.getValue()[0] > end) {
                    long ts = tail.getKey();
                    long[] tv = tail.getValue();
                    next.put(ts, new long[] {end - ts, tv[1]});
                    next.put(end, new long[] {ts + tv[0] - end, tv[1]});
                }
                Map<Long, long[]> inside = new TreeMap<>(next.subMap(pblk, true, end, false));
                next.subMap(pblk, true, end, false).clear();
                long pos = pblk;
                for (Map.Entry<Long, long[]> r : inside.entrySet()) {
                    if (r.getKey() > pos) {
                        piece(next, freed, pos, r.getKey() - pos, 1 + delta);
                    }
                    piece(next, freed, r.getKey(), r.getValue()[0], r.getValue()[1] + delta);
                    pos = r.getKey() + r.getValue()[0];
                }
                if (pos < end) {
                    piece(next, freed, pos, end - pos, 1 + delta);
                }
                merge(next, pblk);
                merge(next, end);
                int cap = capacity(fs.bs) * ROOT_SLOTS;
                if (next.size() > cap) {
                    throw new ErrnoException(Errno.ENOSPC, "the refcount tree is full (" + cap + " shared ranges at block size "
                            + fs.bs + "); unshare or delete reflinked files, or use a larger block size");
                }
                recs = next;
                index();
                write(h);
            }
        }
        for (long[] f : freed) {
            fs.mballoc.free(h, f[0], f[1], false);
        }
    }

    /** A range whose new refcount is {@code refs}: a record (>= 2), nothing (1), or freed (0). */
    private static void piece(TreeMap<Long, long[]> next, List<long[]> freed, long start, long len, long refs) {
        if (refs >= 2) {
            next.put(start, new long[] {len, refs});
        } else if (refs == 0) {
            freed.add(new long[] {start, len});
        } else if (refs < 0) {
            throw new IllegalStateException("refcount of blocks " + start + "+" + len + " below zero");
        }
    }

    /** Merges the record ending at {@code at} with the one starting there if their refcounts match. */
    private static void merge(TreeMap<Long, long[]> next, long at) {
        long[] right = next.get(at);
        Map.Entry<Long, long[]> left = next.lowerEntry(at);
        if (right != null && left != null && left.getKey() + left.getValue()[0] == at && left.getValue()[1] == right[1]
                && left.getValue()[0] + right[0] <= Integer.MAX_VALUE) {
            next.remove(at);
            next.put(left.getKey(), new long[] {left.getValue()[0] + right[0], right[1]});
        }
    }

    /** Writes the records into the refcount blocks and the root, in {@code h}. Under {@code this}. */
    private void write(Handle h) throws ErrnoException {
        int cap = capacity(fs.bs);
        int need = (recs.size() + cap - 1) / cap;
        while (blocks.size() > need) {
            MetaBuffer b = blocks.remove(blocks.size() - 1);
            fs.mballoc.free(h, b.blocknr, 1, true);
        }
        while (blocks.size() < need) {
            MapBlocks r = new MapBlocks();
            long goal = blocks.isEmpty() ? fs.firstDataBlock : blocks.get(blocks.size() - 1).blocknr + 1;
            fs.mballoc.alloc(h, goal, 1, Mballoc.Kind.METADATA, 0, r);
            blocks.add(new MetaBuffer(r.pblk, fs.bs));
        }
        java.util.Iterator<Map.Entry<Long, long[]>> it = recs.entrySet().iterator();
        for (MetaBuffer b : blocks) {
            ByteBuffer img = ByteBuffer.allocate(fs.bs);
            int n = 0;
            while (n < cap && it.hasNext()) {
                Map.Entry<Long, long[]> r = it.next();
                int off = HEADER + RECORD * n;
                img.putLong(off, r.getKey());
                img.putInt(off + 8, (int) r.getValue()[0]);
                img.putInt(off + 12, (int) r.getValue()[1]);
                n++;
            }
            img.putShort(0, BLOCK_MAGIC);
            img.putShort(2, (short) n);
            if (b.data.mismatch(img) != -1) {
                b.data.put(0, img, 0, fs.bs);
                h.dirtyMetadata(b);
            }
        }
        MetaBuffer root = fs.itableBuffer(0);
        ByteBuffer img = ByteBuffer.allocate(Ext4.INODE_SIZE);
        if (!blocks.isEmpty()) {
            img.putShort(0, ROOT_MAGIC);
            img.putInt(4, blocks.size());
            for (int i = 0; i < blocks.size(); i++) {
                img.putLong(HEADER + 8 * i, blocks.get(i).blocknr);
            }
        }
        int off = fs.itableOffset(0);
        if (root.data.slice(off, Ext4.INODE_SIZE).mismatch(img) != -1) {
            root.data.put(off, img, 0, Ext4.INODE_SIZE);
            h.dirtyMetadata(root);
        }
    }

    /** At mount: the root from inode 0's slot, then the records of every refcount block. */
    synchronized void load() throws IOException {
        List<long[]> r = new ArrayList<>();
        List<Long> blks = new ArrayList<>();
        String err = read(fs::readBlock, fs.itableBuffer(0).data, fs.itableOffset(0), fs.bs, blks, r);
        if (err != null) {
            throw new ErrnoException(Errno.EUCLEAN, "refcount tree: " + err + "; run fsck");
        }
        for (long b : blks) {
            MetaBuffer mb = new MetaBuffer(b, fs.bs);
            mb.data.put(0, fs.readBlock(b), 0, fs.bs);
            blocks.add(mb);
        }
        for (long[] x : r) {
            recs.put(x[0], new long[] {x[1], x[2]});
        }
        index();
    }

    /**
     * Decodes the tree whose root is at {@code off} of {@code itable0} into {@code blks} (its
     * blocks) and {@code out} ({start, len, refcount} records); returns what is wrong, or null.
     */
    static String read(Ext4.BlockReader rd, ByteBuffer itable0, int off, int bs, List<Long> blks, List<long[]> out)
            throws IOException {
        short magic = itable0.getShort(off);
        if (magic == 0) {
            for (int i = 0; i < Ext4.INODE_SIZE; i++) {
                if (itable0.get(off + i) != 0) {
                    return "root slot (inode 0) is not zeroed";
                }
            }
            return null;
        }
        if (magic != ROOT_MAGIC) {
            return "bad root magic " + Integer.toHexString(magic & 0xffff);
        }
        int n = itable0.getInt(off + 4);
        if (n <= 0 || n > ROOT_SLOTS) {
            return "bad block count " + n;
        }
        int cap = capacity(bs);
        for (int i = 0; i < n; i++) {
            long b = itable0.getLong(off + HEADER + 8 * i);
            blks.add(b);
            ByteBuffer d = rd.read(b);
            int cnt = d.getShort(2) & 0xffff;
            if (d.getShort(0) != BLOCK_MAGIC || cnt == 0 || cnt > cap) {
                return "refcount block " + b + " has a bad header";
            }
            for (int k = 0; k < cnt; k++) {
                int o = HEADER + RECORD * k;
                out.add(new long[] {d.getLong(o), d.getInt(o + 8) & 0xFFFFFFFFL, d.getInt(o + 12) & 0xFFFFFFFFL});
            }
        }
        return null;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, long[]> e : recs.entrySet()) {
            sb.append('[').append(e.getKey()).append('+').append(e.getValue()[0]).append(" x").append(e.getValue()[1]).append(']');
        }
        return sb.toString();
    }
}
