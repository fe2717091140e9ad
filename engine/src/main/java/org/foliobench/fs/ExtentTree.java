package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.foliobench.stats.Counters;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;

/**
 * The inodes' extent trees ({@code fs/ext4/extents.c}): their on-disk encoding in the inode's
 * slot, leaf and index blocks (format in {@link Ext4}), growing and shrinking the tree, the
 * lookup and allocation halves of {@code ext4_ext_map_blocks}, unwritten conversion and
 * {@code ext4_ext_remove_space}. The in-memory extents are {@link Inode#tree}, under i_data_sem.
 */
final class ExtentTree {
    static final int REMOVE_MAX_EXTENTS = 8;

    private final Ext4 fs;
    private final int bs;
    private final Mballoc mballoc;
    private final Counters counters;
    private final ExtentStatus extentStatus;
    private final Delalloc delalloc;
    /** The cached extent leaf and index blocks, by block number. */
    private final ConcurrentHashMap<Long, MetaBuffer> buffers = new ConcurrentHashMap<>();

    ExtentTree(Ext4 fs) {
        this.fs = fs;
        this.bs = fs.bs;
        this.mballoc = fs.mballoc;
        this.counters = fs.counters;
        this.extentStatus = fs.extentStatus;
        this.delalloc = fs.delalloc;
    }

    // ---------------------------------------------------------------- encoding

    static ExtentMap.Ext decodeExtent(ByteBuffer d, int off) {
        long lblk = d.getInt(off) & 0xFFFFFFFFL;
        int raw = d.getInt(off + 4);
        boolean unwritten = raw < 0;
        long len = raw & 0x7FFFFFFF;
        return new ExtentMap.Ext(lblk, len, d.getLong(off + 8), unwritten ? ExtentMap.UNWRITTEN : ExtentMap.WRITTEN);
    }

    static void encodeExtent(ByteBuffer d, int off, ExtentMap.Ext e) {
        d.putInt(off, (int) e.lblk);
        d.putInt(off + 4, (int) e.len | (e.status == ExtentMap.UNWRITTEN ? 0x80000000 : 0));
        d.putLong(off + 8, e.pblk);
    }

    static int leafCapacity(int bs) {
        return (bs - Ext4.LEAF_HEADER) / 16;
    }

    /** Reads the tree whose root is the inode slot at {@code off} of {@code d} (mount). */
    void load(Inode inode, ByteBuffer d, int off) throws IOException {
        int depth = d.get(off + 2);
        int count = d.getInt(off + 4);
        List<long[]> index = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int e = off + Ext4.INODE_ENTRIES_OFF + 16 * k;
            if (depth == 0) {
                inode.tree.put(decodeExtent(d, e));
            } else if (depth == 1) {
                index.add(new long[] {d.getInt(e) & 0xFFFFFFFFL, d.getLong(e + 8)});
            } else {
                inode.indexBlock = d.getLong(e + 8);
                MetaBuffer ib = new MetaBuffer(inode.indexBlock, bs);
                ib.data.put(0, fs.readBlocks(inode.indexBlock, 1), 0, bs);
                buffers.put(inode.indexBlock, ib);
                int n = ib.data.getShort(2) & 0xffff;
                for (int j = 0; j < n; j++) {
                    int x = Ext4.LEAF_HEADER + 16 * j;
                    index.add(new long[] {ib.data.getInt(x) & 0xFFFFFFFFL, ib.data.getLong(x + 8)});
                }
            }
        }
        for (long[] ix : index) {
            long leaf = ix[1];
            inode.leaves.add(ix);
            MetaBuffer lb = new MetaBuffer(leaf, bs);
            lb.data.put(0, fs.readBlocks(leaf, 1), 0, bs);
            buffers.put(leaf, lb);
            int n = lb.data.getShort(2) & 0xffff;
            for (int j = 0; j < n; j++) {
                inode.tree.put(decodeExtent(lb.data, Ext4.LEAF_HEADER + 16 * j));
            }
        }
    }

    /**
     * Fits the extents into the inode's slots, or into leaves indexed from the slots, or from an
     * index block, writing every leaf and index block whose contents changed into the handle;
     * returns the depth, for {@link #encodeRoot}. Called under i_data_sem.
     */
    int writeTree(Handle h, Inode inode) throws ErrnoException {
        ExtentMap tree = inode.tree;
        int depth;
        if (tree.size() <= Ext4.INODE_SLOTS) {
            freeExtentBlocks(h, inode);
            depth = 0;
        } else {
            writeLeaves(h, inode, tree.all());
            if (inode.leaves.size() <= Ext4.INODE_SLOTS) {
                if (inode.indexBlock != 0) {
                    freeMetaBlock(h, inode.indexBlock);
                    inode.indexBlock = 0;
                }
                depth = 1;
            } else {
                if (inode.indexBlock == 0) {
                    MapBlocks r = new MapBlocks();
                    mballoc.alloc(h, inode.leaves.get(0)[1], 1, Mballoc.Kind.METADATA, 0, r);
                    newBuffer(r.pblk);
                    inode.indexBlock = r.pblk;
                }
                writeIndex(h, inode);
                depth = 2;
            }
        }
        return depth;
    }

    /** The root of the tree in the inode slot at {@code off}: depth, entry count, then the extents or index entries. */
    static void encodeRoot(ByteBuffer d, int off, Inode inode, int depth) {
        ExtentMap tree = inode.tree;
        int count = depth == 0 ? tree.size() : depth == 1 ? inode.leaves.size() : 1;
        d.put(off + 2, (byte) depth);
        d.putInt(off + 4, count);
        for (int k = 0; k < count; k++) {
            int e = off + Ext4.INODE_ENTRIES_OFF + 16 * k;
            if (depth == 0) {
                encodeExtent(d, e, tree.get(k));
            } else if (depth == 1) {
                d.putInt(e, (int) inode.leaves.get(k)[0]);
                d.putLong(e + 8, inode.leaves.get(k)[1]);
            } else {
                d.putLong(e + 8, inode.indexBlock);
            }
        }
    }

    private void freeMetaBlock(Handle h, long blk) {
        mballoc.free(h, blk, 1, true);
        buffers.remove(blk);
    }

    /** Frees every leaf and the index block: the tree goes back into the inode. */
    void freeExtentBlocks(Handle h, Inode inode) {
        for (int i = 0; i < inode.leaves.size(); i++) {
            freeMetaBlock(h, inode.leaves.get(i)[1]);
        }
        inode.leaves.clear();
        if (inode.indexBlock != 0) {
            freeMetaBlock(h, inode.indexBlock);
            inode.indexBlock = 0;
        }
    }

    /**
     * Distributes the extents over the leaves by their first logical block, drops empty leaves
     * and splits an overflowing one in two ({@code ext4_ext_split}), writing only leaves whose
     * contents changed. EFBIG, before any change, when the index would exceed its block.
     */
    private void writeLeaves(Handle h, Inode inode, List<ExtentMap.Ext> exts) throws ErrnoException {
        int cap = leafCapacity(bs);
        List<long[]> leaves = inode.leaves;
        List<List<ExtentMap.Ext>> parts = new ArrayList<>();
        List<Long> blocks = new ArrayList<>();
        if (leaves.isEmpty()) {
            parts.add(new ArrayList<>(exts));
            blocks.add(0L);
        } else {
            int li = 0;
            for (int i = 0; i < leaves.size(); i++) {
                parts.add(new ArrayList<>());
                blocks.add(leaves.get(i)[1]);
            }
            for (ExtentMap.Ext e : exts) {
                while (li + 1 < leaves.size() && e.lblk >= leaves.get(li + 1)[0]) {
                    li++;
                }
                parts.get(li).add(e);
            }
        }
        List<List<ExtentMap.Ext>> outParts = new ArrayList<>();
        List<Long> outBlocks = new ArrayList<>();
        List<Long> dropped = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            List<ExtentMap.Ext> p = parts.get(i);
            if (p.isEmpty()) {
                dropped.add(blocks.get(i));
                continue;
            }
            if (p.size() <= cap) {
                outParts.add(p);
                outBlocks.add(blocks.get(i));
                continue;
            }
            int per = cap / 2;
            for (int from = 0; from < p.size(); from += per) {
                outParts.add(p.subList(from, Math.min(p.size(), from + per)));
                outBlocks.add(from == 0 ? blocks.get(i) : 0L);
            }
        }
        if (outParts.size() > cap) {
            throw new ErrnoException(Errno.EFBIG, inode + " has " + exts.size() + " extents, more than its extent tree holds ("
                    + (long) cap * cap + " at this block size)");
        }
        for (long blk : dropped) {
            if (blk != 0) {
                freeMetaBlock(h, blk);
            }
        }
        leaves.clear();
        for (int i = 0; i < outParts.size(); i++) {
            long blk = outBlocks.get(i);
            if (blk == 0) {
                MapBlocks r = new MapBlocks();
                mballoc.alloc(h, outParts.get(i).get(0).pblk, 1, Mballoc.Kind.METADATA, 0, r);
                blk = r.pblk;
                newBuffer(blk);
            }
            leaves.add(new long[] {outParts.get(i).get(0).lblk, blk});
            writeLeaf(h, inode, blk, outParts.get(i));
        }
    }

    private void writeIndex(Handle h, Inode inode) {
        ByteBuffer img = ByteBuffer.allocate(bs);
        img.putShort(0, Ext4.INDEX_MAGIC);
        img.putShort(2, (short) inode.leaves.size());
        img.putInt(4, inode.ino);
        for (int i = 0; i < inode.leaves.size(); i++) {
            img.putInt(Ext4.LEAF_HEADER + 16 * i, (int) inode.leaves.get(i)[0]);
            img.putLong(Ext4.LEAF_HEADER + 16 * i + 8, inode.leaves.get(i)[1]);
        }
        MetaBuffer bh = buffers.get(inode.indexBlock);
        if (bh.data.mismatch(img) != -1) {
            bh.data.put(0, img, 0, bs);
            h.dirtyMetadata(bh);
        }
    }

    private void writeLeaf(Handle h, Inode inode, long pblk, List<ExtentMap.Ext> part) {
        ByteBuffer img = ByteBuffer.allocate(bs);
        img.putShort(0, Ext4.LEAF_MAGIC);
        img.putShort(2, (short) part.size());
        img.putInt(4, inode.ino);
        for (int i = 0; i < part.size(); i++) {
            encodeExtent(img, Ext4.LEAF_HEADER + 16 * i, part.get(i));
        }
        MetaBuffer bh = buffers.get(pblk);
        if (bh.data.mismatch(img) != -1) {
            bh.data.put(0, img, 0, bs);
            h.dirtyMetadata(bh);
            counters.counter("fs.extent_leaf_writes").increment();
        }
    }

    /** {@code sb_getblk} of a freshly allocated metadata block: zeroed, not read. */
    private MetaBuffer newBuffer(long blk) {
        MetaBuffer bh = new MetaBuffer(blk, bs);
        buffers.put(blk, bh);
        return bh;
    }

    // ---------------------------------------------------------------- ext4_ext_map_blocks

    /**
     * The extent tree, caching what it finds (extent or hole) in the status tree. Under i_data_sem.
     * The kernel caches it with {@code ext4_es_insert_extent} ({@code ext4_map_blocks} after
     * {@code ext4_ext_map_blocks}; {@code ext4_ext_put_gap_in_cache} for a hole), which bumps the
     * sequence like every insert (patch 21's {@code ext4_es_inc_seq}).
     */
    MapBlocks lookupTree(Inode inode, long lblk, int len, MapBlocks out) {
        ExtentMap.Ext t = inode.tree.find(lblk);
        synchronized (inode.esLock) {
            ExtentMap.Ext d = inode.es.find(lblk);
            if (d != null) {
                return MapBlocks.fromExt(d, lblk, len, out);
            }
            extentStatus.esInserts.increment();
            inode.bumpEsSeq();
            if (t != null) {
                inode.es.insert(t.lblk, t.len, t.pblk, t.status);
                return MapBlocks.fromExt(t, lblk, len, out);
            }
            ExtentMap.Ext nt = inode.tree.next(lblk);
            ExtentMap.Ext ne = inode.es.next(lblk);
            long end = Ext4.EXT_MAX_BLOCKS;
            if (nt != null) {
                end = Math.min(end, nt.lblk);
            }
            if (ne != null) {
                end = Math.min(end, ne.lblk);
            }
            // ext4_ext_put_gap_in_cache
            inode.es.insert(lblk, end - lblk, 0, ExtentMap.HOLE);
            return out.set(lblk, 0, (int) Math.min(len, end - lblk), 0);
        }
    }

    /**
     * The create half of {@code ext4_map_blocks} ({@code ext4_ext_map_blocks} with create,
     * {@code ext4_da_map_blocks} for DELALLOC_RESERVE), under i_data_sem held for write.
     */
    MapBlocks mapCreate(Handle h, Inode inode, long lblk, int len, int flags, int alignment, MapBlocks out)
            throws ErrnoException {
        Ext4.checkLive(inode);
        boolean create = (flags & Ext4.GET_BLOCKS_CREATE) != 0;
        boolean unwrit = (flags & Ext4.GET_BLOCKS_UNWRIT_EXT) != 0;
        boolean convert = (flags & Ext4.GET_BLOCKS_CONVERT) != 0;
        ExtentMap.Ext t = inode.tree.find(lblk);
        if (t != null) {
            if (alignment != 0) {
                throw new ErrnoException(Errno.EINVAL, "aligned allocation at " + lblk + " of " + inode + " is not over a hole");
            }
            int n = (int) Math.min(len, t.end() - lblk);
            long p = t.pblk + (lblk - t.lblk);
            if (t.status == ExtentMap.WRITTEN) {
                return out.set(lblk, p, n, MapBlocks.MAPPED);
            }
            if (!convert && (!create || unwrit)) {
                return out.set(lblk, p, n, MapBlocks.UNWRITTEN);
            }
            // ext4_ext_handle_unwritten_extents: convert to initialized
            inode.tree.insert(lblk, n, p, ExtentMap.WRITTEN);
            extentStatus.esInsert(inode, lblk, n, p, ExtentMap.WRITTEN);
            fs.writeInode(h, inode);
            return out.set(lblk, p, n, MapBlocks.MAPPED | (convert ? 0 : MapBlocks.NEW));
        }
        if (convert && !create) {
            return lookupTree(inode, lblk, len, out);
        }
        ExtentMap.Ext delayed;
        long runEnd;
        synchronized (inode.esLock) {
            delayed = inode.es.find(lblk);
            if (delayed != null && delayed.status != ExtentMap.DELAYED) {
                delayed = null;
            }
            if (delayed != null) {
                runEnd = delayed.end();
            } else {
                ExtentMap.Ext nt = inode.tree.next(lblk);
                runEnd = nt == null ? Ext4.EXT_MAX_BLOCKS : nt.lblk;
                ExtentMap.Ext nd = ExtentStatus.nextDelayed(inode, lblk, runEnd);
                if (nd != null) {
                    runEnd = nd.lblk;
                }
            }
        }
        int n = (int) Math.min(len, runEnd - lblk);
        if (!create) {
            if (delayed != null) {
                return out.set(lblk, 0, n, MapBlocks.DELAYED);
            }
            delalloc.reserveDelayedLocked(inode, lblk, lblk + n, n);
            return out.set(lblk, 0, n, MapBlocks.DELAYED | MapBlocks.NEW);
        }
        if (alignment != 0 && (n < len || delayed != null)) {
            throw new ErrnoException(Errno.EINVAL, "aligned allocation of " + lblk + "+" + len + " of " + inode
                    + " is not over one hole");
        }
        n = Math.min(n, unwrit ? Ext4.EXT_UNWRITTEN_MAX_LEN : Ext4.EXT_INIT_MAX_LEN);
        mballoc.alloc(h, findGoal(inode, lblk), n, delayed != null ? Mballoc.Kind.DELALLOC : Mballoc.Kind.DATA,
                alignment, out);
        long pblk = out.pblk;
        int got = out.len;
        int st = unwrit ? ExtentMap.UNWRITTEN : ExtentMap.WRITTEN;
        inode.tree.insert(lblk, got, pblk, st);
        synchronized (inode.esLock) {
            inode.es.insert(lblk, got, pblk, st);
            if (delayed != null) {
                inode.reservedBlocks -= got;
            }
        }
        extentStatus.esInserts.increment();
        inode.bumpEsSeq();
        fs.writeInode(h, inode);
        return out.set(lblk, pblk, got, MapBlocks.NEW | (unwrit ? MapBlocks.UNWRITTEN : MapBlocks.MAPPED));
    }

    /** {@code ext4_ext_find_goal}: right after the previous extent, else a spot chosen by inode number. */
    private long findGoal(Inode inode, long lblk) {
        ExtentMap.Ext p = inode.tree.prev(lblk);
        if (p != null) {
            long g = p.pblk + (lblk - p.lblk);
            if (g < fs.blocksCount) {
                return g;
            }
        }
        ExtentMap.Ext nx = inode.tree.next(lblk);
        if (nx != null && nx.pblk - (nx.lblk - lblk) >= fs.firstDataBlock) {
            return nx.pblk - (nx.lblk - lblk);
        }
        long data = fs.blocksCount - fs.firstDataBlock;
        return fs.firstDataBlock + (inode.ino % 16) * (data / 16);
    }

    /** {@link Ext4#convertUnwritten}. */
    long convertUnwritten(Handle h, Inode inode, long lblk, long len) throws ErrnoException {
        Ext4.checkRange(lblk, len);
        inode.iDataSem.writeLock().lock();
        try {
            long end = lblk + len;
            long total = 0;
            ExtentMap.Ext e;
            for (long pos = lblk; pos < end && (e = inode.tree.firstOverlapping(pos, end, ExtentMap.UNWRITTEN)) != null; ) {
                long s = Math.max(e.lblk, pos);
                long t = Math.min(e.end(), end);
                long p = e.pblk + (s - e.lblk);
                inode.tree.insert(s, t - s, p, ExtentMap.WRITTEN); // e is not read after the change
                extentStatus.esInsert(inode, s, t - s, p, ExtentMap.WRITTEN);
                total += t - s;
                pos = t;
            }
            if (total > 0) {
                fs.writeInode(h, inode);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- remove space

    /** Credits of one step of {@link #removeSpace}. */
    private int removeCredits() {
        return REMOVE_MAX_EXTENTS + 4 + 1 + Ext4.INODE_SLOTS + 2;
    }

    /**
     * {@code ext4_ext_remove_space}: frees extents in {@code [from, to)}, from the end down (a
     * shared block loses one reference instead, {@link RefcountTree#decrement}); the CoW fork's
     * ranges there are cancelled first ({@code xfs_reflink_cancel_cow_range}).
     */
    void removeSpace(Inode inode, long from, long to, long newSize) throws IOException {
        long maxBlocks = 2L * bs * 8;
        fs.reflink.cancelCow(inode, from, to - from);
        while (to > from) {
            Handle h = fs.journalStart(removeCredits() + (fs.reflink.refcount.isEmpty() ? 0 : fs.reflink.refcount.credits()));
            try {
                inode.iDataSem.writeLock().lock();
                try {
                    List<ExtentMap.Ext> ov = inode.tree.overlapping(from, to);
                    if (ov.isEmpty()) {
                        return;
                    }
                    long lo = to;
                    long blocks = 0;
                    int cnt = 0;
                    boolean cut = false;
                    for (int i = ov.size() - 1; i >= 0 && cnt < REMOVE_MAX_EXTENTS && !cut; i--) {
                        ExtentMap.Ext e = ov.get(i);
                        long s = Math.max(e.lblk, from);
                        long t = Math.min(e.end(), lo);
                        if (t - s > maxBlocks - blocks) {
                            s = t - (maxBlocks - blocks);
                            cut = true;
                        }
                        blocks += t - s;
                        lo = s;
                        cnt++;
                        cut |= blocks >= maxBlocks;
                    }
                    if (cnt == ov.size() && !cut) {
                        lo = from;
                    }
                    for (ExtentMap.Ext e : inode.tree.overlapping(lo, to)) {
                        long s = Math.max(e.lblk, lo);
                        long t = Math.min(e.end(), to);
                        fs.reflink.refcount.decrement(h, e.pblk + (s - e.lblk), t - s);
                    }
                    inode.tree.remove(lo, to - lo);
                    extentStatus.esRemove(inode, lo, to - lo);
                    if (newSize >= 0) {
                        inode.diskSize = Math.min(inode.diskSize, Math.max(newSize, lo << fs.bits));
                    }
                    fs.writeInode(h, inode);
                    to = lo;
                } finally {
                    inode.iDataSem.writeLock().unlock();
                }
            } finally {
                h.stop();
            }
        }
    }
}
