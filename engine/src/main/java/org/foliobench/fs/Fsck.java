package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;

/**
 * {@code e2fsck -n}: walks every piece of on-disk metadata and lists the problems it finds,
 * never writing. Committed transactions still in the journal are overlaid in memory first (a
 * read-only replay), so it checks what a mount would see: run it on a crashed image, an unmounted
 * device or one mounted right after a commit.
 *
 * <p>Checks: superblock; metadata area and the tail past the device marked in use; each inode's
 * header, name (unique), extents (inside the data area, lengths, sorted and not overlapping),
 * extent index and leaf blocks (magic, owner, count, index order); no block used twice; no block used but free
 * in the bitmap; no block in use in the bitmap but owned by nothing; no initialized extent past
 * i_disksize; the refcount tree ({@link RefcountTree}: root, blocks, records sorted, disjoint,
 * refcount >= 2, inside the data area) and, for every block, that the extents mapping it are as
 * many as its refcount says (one when it has no record): a block may be mapped twice only when
 * the tree says it is shared. One method per check, named after the e2fsck pass it mirrors.
 */
public final class Fsck {
    private static final int MAX_PROBLEMS = 200;

    private final List<String> problems = new ArrayList<>();
    private final BlockDevice dev;
    private int bs;
    private int bits;
    private long blocks;
    private int inodeCount;
    private long bitmapStart;
    private int bitmapBlocks;
    private long itableStart;
    private long journalStart;
    private int journalBlocks;
    private long firstData;
    private long uuid;
    /** Reads a block as a mount would see it: the journal's committed blocks over the device. */
    private Ext4.BlockReader rd;
    private byte[] bitmap;
    /** Owner per block: -1 metadata area, -2 refcount tree block, 0 unowned, else inode number. */
    private int[] owner;
    /** The refcount tree: recorded[b] = its refcount, 0 when the block has no record; null without records. */
    private int[] recorded;
    /** Per recorded block, the extents mapping it (counted by pass 1). */
    private int[] refs;
    private final Set<String> names = new HashSet<>();

    private Fsck(BlockDevice dev) {
        this.dev = dev;
    }

    /** The problems found, empty for a consistent filesystem. */
    public static List<String> check(BlockDevice dev) throws IOException {
        Fsck f = new Fsck(dev);
        if (!f.checkSuperblock()) {
            return f.problems;
        }
        f.replayJournal();
        f.readBitmap();
        f.checkRefcountTree();
        f.pass1();
        f.pass1bSharedBlocks();
        f.pass5Bitmap();
        return f.problems;
    }

    /** e2fsck's {@code check_super_block}: the geometry must add up before anything is read by it. */
    private boolean checkSuperblock() throws IOException {
        ByteBuffer sb = Ext4.readSuperblock(dev);
        bs = sb.getInt(4);
        blocks = sb.getLong(8);
        inodeCount = (int) sb.getLong(16);
        bitmapStart = sb.getLong(24);
        bitmapBlocks = (int) sb.getLong(32);
        itableStart = sb.getLong(40);
        int itableBlocks = (int) sb.getLong(48);
        journalStart = sb.getLong(56);
        journalBlocks = (int) sb.getLong(64);
        firstData = sb.getLong(72);
        uuid = sb.getLong(80);
        if (bs != 1024 && bs != 2048 && bs != 4096 || blocks * bs > dev.capacity() || firstData >= blocks
                || journalStart + journalBlocks != firstData || itableStart + itableBlocks != journalStart
                || bitmapStart + bitmapBlocks != itableStart) {
            problems.add("superblock geometry is inconsistent");
            return false;
        }
        bits = Integer.numberOfTrailingZeros(bs);
        return true;
    }

    /**
     * e2fsck's journal recovery ({@code e2fsck_run_ext3_journal}), read-only: the committed
     * transactions still in the journal are overlaid on the device in memory.
     */
    private void replayJournal() throws IOException {
        Ext4.BlockReader raw = blk -> {
            ByteBuffer buf = Ext4.ioBuffer(bs);
            Bio bio = new Bio(Bio.Op.READ, blk << (bits - Bio.SECTOR_SHIFT));
            bio.addSegment(buf, 0, bs);
            dev.submitWait(bio);
            if (bio.status() != null) {
                throw bio.status();
            }
            return buf;
        };
        Journal.Replay replay = Journal.scan(raw, journalStart, journalBlocks, bs, uuid);
        rd = blk -> {
            byte[] b = replay.blocks.get(blk);
            if (b != null) {
                return ByteBuffer.wrap(b.clone());
            }
            return raw.read(blk);
        };
    }

    /**
     * The block bitmap, for pass 5; and the metadata area marked as owned, as pass 1's
     * {@code mark_table_blocks} marks the bitmaps and inode tables.
     */
    private void readBitmap() throws IOException {
        bitmap = new byte[bitmapBlocks * bs];
        for (int i = 0; i < bitmapBlocks; i++) {
            rd.read(bitmapStart + i).get(0, bitmap, i * bs, bs);
        }
        owner = new int[(int) blocks];
        for (long b = 0; b < firstData; b++) {
            owner[(int) b] = -1;
        }
    }

    /**
     * The refcount tree ({@link RefcountTree}, which e2fsck has no pass for: ext4 has no reflink),
     * read before pass 1 so that pass 1 tells a shared block from one used twice: its blocks
     * owned; its records sorted, disjoint, refcount >= 2, inside the data area.
     */
    private void checkRefcountTree() throws IOException {
        List<Long> rblks = new ArrayList<>();
        List<long[]> recs = new ArrayList<>();
        String err = RefcountTree.read(rd, rd.read(itableStart), 0, bs, rblks, recs);
        if (err != null) {
            problems.add("refcount tree: " + err);
        }
        for (long rb : rblks) {
            if (rb < firstData || rb >= blocks) {
                problems.add("refcount block " + rb + " outside the data area");
            } else {
                claim(owner, rb, 1, -2, problems);
            }
        }
        long prevEnd = -1;
        for (long[] r : recs) {
            if (r[1] <= 0 || r[2] < 2 || r[0] < firstData || r[0] + r[1] > blocks || r[0] < prevEnd) {
                problems.add("refcount record [" + r[0] + "+" + r[1] + " x" + r[2] + "] is bad or out of order");
                continue;
            }
            prevEnd = r[0] + r[1];
            if (recorded == null) {
                recorded = new int[(int) blocks];
                refs = new int[(int) blocks];
            }
            for (long b = r[0]; b < r[0] + r[1]; b++) {
                recorded[(int) b] = (int) r[2];
            }
        }
    }

    /** e2fsck pass 1: every inode, its extent tree and the blocks it owns. */
    private void pass1() throws IOException {
        for (int ino = 1; ino < inodeCount && problems.size() < MAX_PROBLEMS; ino++) {
            pass1Inode(ino);
        }
    }

    /**
     * One inode of pass 1 ({@code e2fsck_pass1} / {@code check_blocks}): a free slot is zeroed; an
     * inode in use has a good header, name (checked here, see {@link #pass2Name}), i_disksize
     * and extent tree.
     */
    private void pass1Inode(int ino) throws IOException {
        long pos = (long) ino * Ext4.INODE_SIZE;
        ByteBuffer it = rd.read(itableStart + pos / bs);
        int off = (int) (pos % bs);
        short magic = it.getShort(off);
        if (magic == 0) {
            for (int i = 0; i < Ext4.INODE_SIZE; i++) {
                if (it.get(off + i) != 0) {
                    problems.add("inode " + ino + " is free but not zeroed");
                    break;
                }
            }
            return;
        }
        if (magic != Ext4.INODE_MAGIC) {
            problems.add("inode " + ino + " has a bad magic " + Integer.toHexString(magic & 0xffff));
            return;
        }
        int depth = it.get(off + 2);
        int nameLen = it.get(off + 3) & 0xff;
        int count = it.getInt(off + 4);
        long diskSize = it.getLong(off + 8);
        if (nameLen == 0 || nameLen > Ext4.NAME_MAX) {
            problems.add("inode " + ino + " has a bad name length " + nameLen);
            return;
        }
        byte[] nm = new byte[nameLen];
        it.get(off + Ext4.INODE_NAME_OFF, nm);
        pass2Name(ino, new String(nm, StandardCharsets.UTF_8));
        if (diskSize < 0 || (diskSize >> bits) > Ext4.EXT_MAX_BLOCKS) {
            problems.add("inode " + ino + " has a bad i_disksize " + diskSize);
        }
        if (depth < 0 || depth > 2 || count < 0 || count > Ext4.INODE_SLOTS || depth == 2 && count != 1) {
            problems.add("inode " + ino + " has a bad extent header (depth " + depth + ", count " + count + ")");
            return;
        }
        List<ExtentMap.Ext> exts = readExtents(ino, it, off, depth, count);
        if (exts != null) {
            checkExtents(ino, exts, diskSize);
        }
    }

    /**
     * e2fsck pass 2 (directory entries): the flat directory lives in the inodes' slots, so pass 1
     * hands each name over as it reads it; a name may be used once.
     */
    private void pass2Name(int ino, String name) {
        if (!names.add(name)) {
            problems.add("inode " + ino + ": name '" + name + "' used twice");
        }
    }

    /**
     * Pass 1's walk of an extent tree ({@code scan_extent_node}): index and leaf blocks inside the
     * data area, owned by the inode, with good headers and index entries in order. Returns the
     * extents, or null when the index block is unusable.
     */
    private List<ExtentMap.Ext> readExtents(int ino, ByteBuffer it, int off, int depth, int count) throws IOException {
        int cap = ExtentTree.leafCapacity(bs);
        List<ExtentMap.Ext> exts = new ArrayList<>();
        if (depth == 0) {
            for (int k = 0; k < count; k++) {
                exts.add(ExtentTree.decodeExtent(it, off + Ext4.INODE_ENTRIES_OFF + 16 * k));
            }
            return exts;
        }
        ByteBuffer ix = it;
        int ixOff = off + Ext4.INODE_ENTRIES_OFF;
        if (depth == 2) {
            long iblk = it.getLong(off + Ext4.INODE_ENTRIES_OFF + 8);
            if (iblk < firstData || iblk >= blocks) {
                problems.add("inode " + ino + ": extent index block " + iblk + " outside the data area");
                return null;
            }
            claim(owner, iblk, 1, ino, problems);
            ix = rd.read(iblk);
            ixOff = Ext4.LEAF_HEADER;
            count = ix.getShort(2) & 0xffff;
            if (ix.getShort(0) != Ext4.INDEX_MAGIC || ix.getInt(4) != ino || count > cap) {
                problems.add("inode " + ino + ": extent index block " + iblk + " has a bad header");
                return null;
            }
            if (count <= Ext4.INODE_SLOTS) {
                problems.add("inode " + ino + ": index block for only " + count + " leaves");
            }
        }
        if (count == 0) {
            problems.add("inode " + ino + " has an empty extent index");
        }
        long prevFirst = -1;
        for (int k = 0; k < count; k++) {
            int e = ixOff + 16 * k;
            long first = ix.getInt(e) & 0xFFFFFFFFL;
            long leaf = ix.getLong(e + 8);
            if (first <= prevFirst) {
                problems.add("inode " + ino + ": extent index entries out of order");
            }
            prevFirst = first;
            if (leaf < firstData || leaf >= blocks) {
                problems.add("inode " + ino + ": extent leaf " + leaf + " outside the data area");
                continue;
            }
            claim(owner, leaf, 1, ino, problems);
            ByteBuffer lb = rd.read(leaf);
            int n = lb.getShort(2) & 0xffff;
            if (lb.getShort(0) != Ext4.LEAF_MAGIC || lb.getInt(4) != ino || n > cap || n == 0) {
                problems.add("inode " + ino + ": extent leaf " + leaf + " has a bad header");
                continue;
            }
            for (int j = 0; j < n; j++) {
                ExtentMap.Ext x = ExtentTree.decodeExtent(lb, Ext4.LEAF_HEADER + 16 * j);
                if (j == 0 && k > 0 && x.lblk != first) {
                    problems.add("inode " + ino + ": leaf " + leaf + " starts at " + x.lblk + ", index says " + first);
                }
                exts.add(x);
            }
        }
        if (exts.size() <= Ext4.INODE_SLOTS) {
            problems.add("inode " + ino + ": depth-1 tree with only " + exts.size() + " extents");
        }
        return exts;
    }

    /**
     * Pass 1's checks of an inode's extents ({@code scan_extent_node}): lengths, sorted and not
     * overlapping, inside the data area, no initialized extent past i_disksize; their blocks are
     * claimed for the inode (a block claimed twice is pass 1B's duplicate, unless shared).
     */
    private void checkExtents(int ino, List<ExtentMap.Ext> exts, long diskSize) {
        long prevEnd = -1;
        long sizeBlocks = (diskSize + bs - 1) >> bits;
        for (ExtentMap.Ext x : exts) {
            if (x.len <= 0 || x.len > Ext4.EXT_INIT_MAX_LEN || x.end() > Ext4.EXT_MAX_BLOCKS) {
                problems.add("inode " + ino + ": bad extent " + x);
                continue;
            }
            if (x.lblk < prevEnd) {
                problems.add("inode " + ino + ": overlapping or unsorted extent " + x);
            }
            prevEnd = x.end();
            if (x.pblk < firstData || x.pblk + x.len > blocks) {
                problems.add("inode " + ino + ": extent " + x + " outside the data area [" + firstData + ", " + blocks + ")");
                continue;
            }
            if (x.status == ExtentMap.WRITTEN && x.end() > sizeBlocks) {
                problems.add("inode " + ino + ": initialized extent " + x + " past i_disksize " + diskSize);
            }
            if (recorded == null) {
                claim(owner, x.pblk, x.len, ino, problems);
            } else {
                claimShared(owner, recorded, refs, x.pblk, x.len, ino, problems);
            }
        }
    }

    /**
     * e2fsck pass 1B (blocks claimed more than once): a shared block must be mapped by as many
     * extents as its refcount says.
     */
    private void pass1bSharedBlocks() {
        if (recorded != null) {
            for (int b = 0; b < recorded.length && problems.size() < MAX_PROBLEMS; b++) {
                if (recorded[b] != 0 && refs[b] != recorded[b]) {
                    problems.add("block " + b + " has refcount " + recorded[b] + " but " + refs[b] + " extents map it");
                }
            }
        }
    }

    /**
     * e2fsck pass 5 (bitmaps and free counts, {@code check_block_bitmaps}): a block is in use in
     * the bitmap exactly when something owns it, and the bits past the device are set.
     */
    private void pass5Bitmap() {
        for (long b = 0; b < (long) bitmapBlocks * bs * 8 && problems.size() < MAX_PROBLEMS; b++) {
            boolean set = (bitmap[(int) (b >>> 3)] & (1 << (b & 7))) != 0;
            if (b >= blocks) {
                if (!set) {
                    problems.add("bitmap bit " + b + " past the end of the device is clear");
                }
                continue;
            }
            int o = owner[(int) b];
            if (o != 0 && !set) {
                problems.add("block " + b + " is used by " + ownerName(o) + " but free in the bitmap");
            } else if (o == 0 && set) {
                problems.add("block " + b + " is in use in the bitmap but owned by nothing");
            }
        }
    }

    /** A data extent's blocks where some blocks are shared: a recorded block may have several owners. */
    private static void claimShared(int[] owner, int[] recorded, int[] refs, long start, long len, int ino,
            List<String> problems) {
        for (long b = start; b < start + len; b++) {
            int i = (int) b;
            if (recorded[i] == 0) {
                claim(owner, b, 1, ino, problems);
                continue;
            }
            refs[i]++;
            if (owner[i] == 0) {
                owner[i] = ino;
            } else if (owner[i] < 0 && problems.size() < MAX_PROBLEMS) {
                problems.add("shared block " + b + " of inode " + ino + " is also " + ownerName(owner[i]));
            }
        }
    }

    private static String ownerName(int o) {
        return o == -1 ? "the metadata area" : o == -2 ? "a refcount tree block" : "inode " + o;
    }

    private static void claim(int[] owner, long start, long len, int ino, List<String> problems) {
        for (long b = start; b < start + len; b++) {
            if (owner[(int) b] != 0) {
                if (problems.size() < MAX_PROBLEMS) {
                    problems.add("block " + b + " used twice: by " + ownerName(ino) + " and by "
                            + ownerName(owner[(int) b]));
                }
            } else {
                owner[(int) b] = ino;
            }
        }
    }
}
