package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.device.Bio;
import org.foliobench.device.BioSet;
import org.foliobench.device.BlockDevice;
import org.foliobench.mm.KmemCache;
import org.foliobench.stats.Counters;
import org.foliobench.workqueue.Workqueue;

/**
 * The ext4-like filesystem metadata layer both IO paths call into: superblock, a flat
 * namespace of inodes, per-inode extent trees with an extent-status cache, the block allocator
 * ({@link Mballoc}), delalloc reservations and a jbd2-like {@link Journal}. Data blocks never go
 * through the journal; every metadata change does, inside a {@link Handle}.
 *
 * <h2>On-disk format (all integers big-endian, block numbers in filesystem blocks)</h2>
 * <pre>
 * block 0              superblock: magic 0xEF53F00B, block size, blocks count, inode count,
 *                      bitmap start/blocks, inode table start/blocks, journal start/blocks,
 *                      first data block, uuid, CRC32C of the fields (all in the first 512 bytes)
 * [bitmap]             block bitmap, one bit per block (1 = in use); bits of the metadata area
 *                      and past the end of the device are set at format
 * [inode table]        256-byte inodes; inode n at byte n*256 (inode 0's slot: the root of the
 *                      refcount tree of shared blocks, {@link RefcountTree}). An inode in
 *                      use: magic 0xE41E, depth (0/1), name length, entry count, i_disksize,
 *                      its name (up to 64 bytes: the flat directory lives in the inode table),
 *                      and 10 16-byte slots holding the extents themselves (depth 0), or index
 *                      entries {first lblk, leaf block} (depth 1), or one entry naming an index
 *                      block (depth 2: magic 0xF30B, count, owner, then index entries)
 * [journal]            the jbd2-like log, see {@link Journal}
 * [data]               data blocks and extent leaf blocks (header magic 0xF30A, count, owner
 *                      inode; then 16-byte extents)
 * extent (16 bytes):   u32 lblk, u32 length (bit 31 = unwritten), u64 pblk
 * </pre>
 * The free-space map is the bitmap; at mount it is turned into a tree of free extents.
 *
 * <h2>How the IO paths use it</h2>
 * <ul>
 * <li>read / lookup: {@code ext4MapBlocks(null, inode, lblk, len, 0)}; one call answers as much of
 * the range as one extent (or hole, up to the next extent) covers.
 * <li>buffered write, delalloc: {@code ext4MapBlocks(null, inode, lblk, len, GET_BLOCKS_DELALLOC_RESERVE)}
 * ({@code ext4_da_map_blocks}: a hole becomes DELAYED|NEW, ENOSPC before any change); the
 * buffer_head path asks per block, iomap per range. A short write gives unused delayed blocks
 * back with {@link #releaseDelayedBlocks}.
 * <li>writeback: {@code h = journalStart(transBlocks(n))}, then {@code ext4MapBlocks(h, inode,
 * lblk, n, GET_BLOCKS_CREATE)} (buffer_head with nodioread_nolock: written, plus
 * {@code h.addInodeWrite(inode)} for data=ordered) or {@code GET_BLOCKS_CREATE_UNWRIT_EXT} (iomap,
 * and buffer_head with {@link #dioreadNolock}), and {@link #updateDiskSize} in the same handle;
 * unwritten extents are converted at IO completion with {@link #convertUnwritten} in a handle of
 * their own (iomap moves i_disksize there too). An initialized extent must never lie past i_disksize
 * once its handle stops ({@link Fsck} checks it, as e2fsck does).
 * <li>fsync: write the data back, then {@link #fsyncCommit}.
 * <li>the iomap validity cookie is {@link Inode#esSeq()}: bumped by every insert into or removal
 * from the extent-status cache, fills from the tree after a miss included (as
 * {@code ext4_es_inc_seq}).
 * </ul>
 * Never commit (fsync, syncFs, commit) while holding a handle; never start a handle while holding
 * i_data_sem.
 *
 * <h2>Locking</h2>
 * Order: the VFS i_rwsem, then a journal handle ({@link #journalStart}), then the inode's
 * i_data_sem, then the allocator lock, then the journal's state lock. Extent-status lookups take
 * only the inode's es lock, as ext4's {@code i_es_lock}.
 */
public final class Ext4 {
    static final int SB_MAGIC = 0xEF53F00B;
    static final int INODE_SIZE = 256;
    static final short INODE_MAGIC = (short) 0xE41E;
    static final short LEAF_MAGIC = (short) 0xF30A;
    static final short INDEX_MAGIC = (short) 0xF30B;
    static final int INODE_NAME_OFF = 24;
    /** {@code i_mtime} / {@code i_ctime} ({@link Inode#mtime}). */
    static final int INODE_TIME_OFF = 16;
    static final int NAME_MAX = 64;
    static final int INODE_ENTRIES_OFF = 96;
    static final int INODE_SLOTS = (INODE_SIZE - INODE_ENTRIES_OFF) / 16;
    static final int LEAF_HEADER = 16;
    /** {@code EXT_INIT_MAX_LEN}. */
    public static final int EXT_INIT_MAX_LEN = 1 << 15;
    /** {@code EXT_UNWRITTEN_MAX_LEN}. */
    public static final int EXT_UNWRITTEN_MAX_LEN = EXT_INIT_MAX_LEN - 1;
    /** Logical blocks are 32-bit on disk ({@code EXT_MAX_BLOCKS}). */
    public static final long EXT_MAX_BLOCKS = 0xFFFFFFFFL;
    /** mke2fs {@code inode_ratio} default: one inode per 16 KiB. */
    public static final int INODE_RATIO = 16384;
    /** Most inodes the default formula gives (the flat namespace is scanned at mount). */
    static final int DEFAULT_MAX_INODES = 8192;
    /** Smallest journal: a quarter (the largest transaction) must hold a maximal handle. */
    public static final int JOURNAL_MIN_BLOCKS = 128;

    /** {@code EXT4_GET_BLOCKS_CREATE}: allocate holes and delalloc ranges (as written). */
    public static final int GET_BLOCKS_CREATE = 0x1;
    /** {@code EXT4_GET_BLOCKS_UNWRIT_EXT}. */
    public static final int GET_BLOCKS_UNWRIT_EXT = 0x2;
    /** {@code EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT}: allocate as unwritten. */
    public static final int GET_BLOCKS_CREATE_UNWRIT_EXT = GET_BLOCKS_UNWRIT_EXT | GET_BLOCKS_CREATE;
    /** {@code EXT4_GET_BLOCKS_DELALLOC_RESERVE}: a hole becomes delayed, reserving its blocks ({@code ext4_da_map_blocks}). */
    public static final int GET_BLOCKS_DELALLOC_RESERVE = 0x4;
    /** {@code EXT4_GET_BLOCKS_CONVERT}: turn an unwritten extent written (end of IO). */
    public static final int GET_BLOCKS_CONVERT = 0x10;
    /**
     * Forced commits after a writeback allocation's ENOSPC before the IO fails with it, on both
     * paths ({@code ext4_writepages}, {@code ext4_iomap_map_blocks}): the kernel retries while
     * free clusters remain; a commit only helps when it frees blocks, so a few suffice here.
     */
    public static final int WRITEBACK_ENOSPC_RETRIES = 3;
    /** The name of {@code sbi->rsv_conversion_wq} (and the infix of its counters). */
    public static final String RSV_CONVERSION_WQ = "ext4-rsv-conversion";

    final BlockDevice dev;
    final FsOptions opts;
    private final boolean dioreadNolock;
    final Counters counters;
    /** {@code ext4_es_cachep}: the entries of every inode's extent-status tree. */
    final KmemCache<ExtentMap.Ext> esCache;
    /** The in-memory entries of the inodes' extent trees (the kernel keeps them in leaf buffers). */
    final KmemCache<ExtentMap.Ext> extentCache;
    private final BioSet bioSet;
    final int bs;
    final int bits;
    final long blocksCount;
    final int inodeCount;
    final long bitmapStart;
    final int bitmapBlocks;
    final long itableStart;
    final int itableBlocks;
    final long journalStart;
    final int journalBlocks;
    final long firstDataBlock;
    final long uuid;

    /** The cached extent leaf and index blocks, by block number. */
    private final ConcurrentHashMap<Long, MetaBuffer> buffers = new ConcurrentHashMap<>();
    /** The block bitmap's and the inode table's buffers, loaded at mount, by their index in the region (no boxed lookup). */
    private MetaBuffer[] bitmapBufs;
    private MetaBuffer[] itableBufs;
    final Mballoc mballoc;
    final Journal journal;
    /** Shared extents and copy on write (the refcount tree in inode 0's slot, the inodes' CoW forks). */
    final Reflink reflink;
    private final ReentrantLock nsLock = new ReentrantLock();
    private final TreeMap<String, Inode> names = new TreeMap<>();
    private final Inode[] inodes;
    private final BitSet usedInodes = new BitSet();
    private volatile boolean mounted = true;
    /**
     * {@code sbi->rsv_conversion_wq} ({@code alloc_workqueue("ext4-rsv-conversion", WQ_MEM_RECLAIM
     * | WQ_UNBOUND, 1)} in {@code ext4_fill_super}): the IO-completion work of both paths, the
     * buffer_head path's unwritten conversions ({@code ext4_end_io_rsv_work}) and the iomap path's
     * ioend completion ({@code ext4_iomap_end_io}); null until mounted.
     */
    private volatile Workqueue rsvConversionWq;

    private final LongAdder mapBlocks;
    private final LongAdder esLookups;
    private final LongAdder esHits;
    private final LongAdder esInserts;
    private final LongAdder daReserve;
    private final LongAdder daReserveBlocks;
    private final LongAdder daRelease;
    private final LongAdder timeUpdates;
    private final LongAdder daReleaseBlocks;

    /** Reads one block of a device image (the live device, or a device plus a journal overlay). */
    interface BlockReader {
        ByteBuffer read(long blk) throws IOException;
    }

    private Ext4(BlockDevice dev, FsOptions opts, ByteBuffer sb, long firstTid) {
        this.dev = dev;
        this.opts = opts;
        this.counters = opts.counters();
        this.esCache = KmemCache.create("extent_status", Defaults.SLAB_FREE_OBJECTS, ExtentMap.Ext::new, counters);
        this.extentCache = KmemCache.create("ext4_extent", Defaults.SLAB_FREE_OBJECTS, ExtentMap.Ext::new, counters);
        this.bioSet = BioSet.create("bio", Defaults.SLAB_FREE_OBJECTS, counters);
        this.bs = sb.getInt(4);
        this.bits = Integer.numberOfTrailingZeros(bs);
        this.blocksCount = sb.getLong(8);
        this.inodeCount = (int) sb.getLong(16);
        this.bitmapStart = sb.getLong(24);
        this.bitmapBlocks = (int) sb.getLong(32);
        this.itableStart = sb.getLong(40);
        this.itableBlocks = (int) sb.getLong(48);
        this.journalStart = sb.getLong(56);
        this.journalBlocks = (int) sb.getLong(64);
        this.firstDataBlock = sb.getLong(72);
        this.uuid = sb.getLong(80);
        this.dioreadNolock = opts.dioreadNolock(bs);
        this.inodes = new Inode[inodeCount];
        this.mapBlocks = counters.counter("fs.map_blocks");
        this.esLookups = counters.counter("fs.es_lookups");
        this.esHits = counters.counter("fs.es_hits");
        this.esInserts = counters.counter("fs.es_inserts");
        this.daReserve = counters.counter("fs.da_reserve");
        this.daReserveBlocks = counters.counter("fs.da_reserve_blocks");
        this.daRelease = counters.counter("fs.da_release");
        this.timeUpdates = counters.counter("fs.time_updates");
        this.daReleaseBlocks = counters.counter("fs.da_release_blocks");
        this.mballoc = new Mballoc(this);
        this.journal = new Journal(this, journalStart, journalBlocks, bs, firstTid, uuid);
        this.reflink = new Reflink(this);
    }

    // ---------------------------------------------------------------- format / mount

    /** {@code mke2fs}: writes an empty filesystem on {@code dev}. Mount it with {@link #mount}. */
    public static void format(BlockDevice dev, FsOptions opts) throws IOException {
        int bs = opts.blockSize();
        if (bs % dev.logicalBlockSize() != 0) {
            throw new ErrnoException(Errno.EINVAL, "block size " + bs + " is smaller than the device's logical block size "
                    + dev.logicalBlockSize());
        }
        long blocks = dev.capacity() / bs;
        int inodes = opts.inodeCount();
        if (inodes == 0) {
            inodes = (int) Math.max(16, Math.min(DEFAULT_MAX_INODES, dev.capacity() / INODE_RATIO));
        }
        int bitmapBlocks = (int) ((blocks + bs * 8L - 1) / (bs * 8L));
        int itableBlocks = (int) (((long) inodes * INODE_SIZE + bs - 1) / bs);
        int jblocks = opts.journalBlocks();
        if (jblocks == 0) {
            jblocks = defaultJournalBlocks(blocks);
        }
        long bitmapStart = 1;
        long itableStart = bitmapStart + bitmapBlocks;
        long journalStart = itableStart + itableBlocks;
        long firstData = journalStart + jblocks;
        if (firstData + 16 > blocks) {
            throw new ErrnoException(Errno.ENOSPC, "device of " + dev.capacity() + " bytes is too small for a filesystem with "
                    + jblocks + " journal blocks and " + inodes + " inodes; use a larger device or a smaller journal");
        }
        ByteBuffer sb = ioBuffer(bs);
        sb.putInt(0, SB_MAGIC);
        sb.putInt(4, bs);
        sb.putLong(8, blocks);
        sb.putLong(16, inodes);
        sb.putLong(24, bitmapStart);
        sb.putLong(32, bitmapBlocks);
        sb.putLong(40, itableStart);
        sb.putLong(48, itableBlocks);
        sb.putLong(56, journalStart);
        sb.putLong(64, jblocks);
        sb.putLong(72, firstData);
        sb.putLong(80, ThreadLocalRandom.current().nextLong());
        sb.putInt(88, sbChecksum(sb));
        Ext4 fs = new Ext4(dev, opts, sb, 1);
        // bitmap: metadata area and the tail past the last block are in use
        ByteBuffer bm = ioBuffer(bitmapBlocks * bs);
        for (long b = 0; b < firstData; b++) {
            bm.put((int) (b >>> 3), (byte) (bm.get((int) (b >>> 3)) | (1 << (b & 7))));
        }
        for (long b = blocks; b < (long) bitmapBlocks * bs * 8; b++) {
            bm.put((int) (b >>> 3), (byte) (bm.get((int) (b >>> 3)) | (1 << (b & 7))));
        }
        fs.writeBlocks(bitmapStart, bm, bitmapBlocks);
        fs.writeBlocks(itableStart, ioBuffer(itableBlocks * bs), itableBlocks);
        fs.writeBlocks(journalStart + 1, ioBuffer(bs), 1);
        fs.journal.writeSuperblock(1);
        fs.writeBlocks(0, sb, 1);
        dev.flush();
    }

    /** {@code ext2fs_default_journal_size}, with a quarter of the device for small ones. */
    static int defaultJournalBlocks(long blocks) {
        if (blocks < 32768) {
            return (int) Math.max(JOURNAL_MIN_BLOCKS, Math.min(1024, blocks / 4));
        }
        if (blocks < 256 * 1024) {
            return 4096;
        }
        if (blocks < 512 * 1024) {
            return 8192;
        }
        if (blocks < 4096 * 1024) {
            return 16384;
        }
        return 32768;
    }

    static int sbChecksum(ByteBuffer sb) {
        CRC32C c = new CRC32C();
        c.update(sb.duplicate().position(0).limit(88));
        return (int) c.getValue();
    }

    static ByteBuffer readSuperblock(BlockDevice dev) throws IOException {
        ByteBuffer sb = ioBuffer(Bio.SECTOR_SIZE < dev.logicalBlockSize() ? dev.logicalBlockSize() : Bio.SECTOR_SIZE);
        Bio bio = new Bio(Bio.Op.READ, 0);
        bio.addSegment(sb, 0, sb.capacity());
        dev.submitWait(bio);
        if (bio.status() != null) {
            throw new ErrnoException(Errno.EIO, "reading the superblock failed: " + bio.status().getMessage(), bio.status());
        }
        if (sb.getInt(0) != SB_MAGIC || sbChecksum(sb) != sb.getInt(88)) {
            throw new ErrnoException(Errno.EINVAL, "no filesystem on " + dev.describe() + " (bad superblock magic or checksum); format it first");
        }
        return sb;
    }

    /**
     * {@code ext4_fill_super} + {@code jbd2_journal_load}: replays committed transactions left in
     * the journal by a crash, checkpoints them, then loads the bitmap and every inode.
     */
    public static Ext4 mount(BlockDevice dev, FsOptions opts) throws IOException {
        ByteBuffer sb = readSuperblock(dev);
        int bs = sb.getInt(4);
        long journalStart = sb.getLong(56);
        int jblocks = (int) sb.getLong(64);
        long uuid = sb.getLong(80);
        Ext4 probe = new Ext4(dev, opts, sb, 1);
        Journal.Replay r = Journal.scan(probe::readBlock, journalStart, jblocks, bs, uuid);
        if (r.transactions > 0) {
            List<Long> homes = new ArrayList<>(r.blocks.keySet());
            homes.sort(null);
            for (long h : homes) {
                ByteBuffer b = ioBuffer(bs);
                b.put(0, r.blocks.get(h));
                probe.writeBlocks(h, b, 1);
            }
            dev.flush();
            probe.counters.counter("jbd2.replayed_transactions").add(r.transactions);
        }
        // the next tid skips any tid a crashed run may have half-written
        long nextTid = r.lastTid + 2;
        Ext4 fs = new Ext4(dev, opts, sb, nextTid);
        fs.journal.writeSuperblock(nextTid);
        fs.load();
        fs.journal.startThread(opts.commitIntervalSeconds());
        fs.rsvConversionWq = Workqueue.alloc(RSV_CONVERSION_WQ, RSV_CONVERSION_WQ + "-" + dev.describe(), fs.counters);
        return fs;
    }

    private void load() throws IOException {
        ByteBuffer bm = readBlocks(bitmapStart, bitmapBlocks);
        bitmapBufs = new MetaBuffer[bitmapBlocks];
        for (int i = 0; i < bitmapBlocks; i++) {
            MetaBuffer bh = new MetaBuffer(bitmapStart + i, bs);
            bh.data.put(0, bm, i * bs, bs);
            bitmapBufs[i] = bh;
        }
        ByteBuffer it = readBlocks(itableStart, itableBlocks);
        itableBufs = new MetaBuffer[itableBlocks];
        for (int i = 0; i < itableBlocks; i++) {
            MetaBuffer bh = new MetaBuffer(itableStart + i, bs);
            bh.data.put(0, it, i * bs, bs);
            itableBufs[i] = bh;
        }
        for (int ino = 1; ino < inodeCount; ino++) {
            MetaBuffer bh = itableBuffer(ino);
            int off = itableOffset(ino);
            ByteBuffer d = bh.data;
            if (d.getShort(off) != INODE_MAGIC) {
                continue;
            }
            int depth = d.get(off + 2);
            int nameLen = d.get(off + 3) & 0xff;
            int count = d.getInt(off + 4);
            byte[] nm = new byte[nameLen];
            d.get(off + INODE_NAME_OFF, nm);
            Inode inode = new Inode(this, ino, new String(nm, StandardCharsets.UTF_8));
            inode.diskSize = d.getLong(off + 8);
            inode.mtime = d.getLong(off + INODE_TIME_OFF);
            inode.setSize(inode.diskSize);
            List<long[]> index = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                int e = off + INODE_ENTRIES_OFF + 16 * k;
                if (depth == 0) {
                    inode.tree.put(decodeExtent(d, e));
                } else if (depth == 1) {
                    index.add(new long[] {d.getInt(e) & 0xFFFFFFFFL, d.getLong(e + 8)});
                } else {
                    inode.indexBlock = d.getLong(e + 8);
                    MetaBuffer ib = new MetaBuffer(inode.indexBlock, bs);
                    ib.data.put(0, readBlocks(inode.indexBlock, 1), 0, bs);
                    buffers.put(inode.indexBlock, ib);
                    int n = ib.data.getShort(2) & 0xffff;
                    for (int j = 0; j < n; j++) {
                        int x = LEAF_HEADER + 16 * j;
                        index.add(new long[] {ib.data.getInt(x) & 0xFFFFFFFFL, ib.data.getLong(x + 8)});
                    }
                }
            }
            for (long[] ix : index) {
                long leaf = ix[1];
                inode.leaves.add(ix);
                MetaBuffer lb = new MetaBuffer(leaf, bs);
                lb.data.put(0, readBlocks(leaf, 1), 0, bs);
                buffers.put(leaf, lb);
                int n = lb.data.getShort(2) & 0xffff;
                for (int j = 0; j < n; j++) {
                    inode.tree.put(decodeExtent(lb.data, LEAF_HEADER + 16 * j));
                }
            }
            inodes[ino] = inode;
            usedInodes.set(ino);
            names.put(inode.name, inode);
        }
        mballoc.loadFromBitmap();
        reflink.refcount.load();
    }

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

    /** {@code ext4_put_super}: commits, checkpoints the journal and detaches from the device. */
    public void unmount() throws IOException {
        if (!mounted) {
            return;
        }
        // ext4_put_super: destroy_workqueue(sbi->rsv_conversion_wq) drains the pending
        // conversions (their handles still commit) before the journal is flushed
        try {
            destroyRsvConversionWq();
        } finally {
            mounted = false;
            journal.shutdown();
        }
    }

    private void destroyRsvConversionWq() {
        Workqueue wq = rsvConversionWq;
        if (wq != null) {
            wq.destroy();
        }
    }

    /**
     * {@code ext4_shutdown(EXT4_GOING_FLAGS_NOLOGFLUSH)}: stops the filesystem without committing
     * or checkpointing anything, as a power cut would; later calls fail with EIO. Crash tests
     * then mount the device (or a {@code RecordingDevice} image) again.
     */
    public void shutdown() {
        mounted = false;
        journal.stopThread();
        destroyRsvConversionWq(); // pending conversions fail with EIO: their extents stay unwritten
    }

    // ---------------------------------------------------------------- IO helpers

    /** A direct buffer aligned to 4 KiB, as O_DIRECT devices need. */
    static ByteBuffer ioBuffer(int size) {
        int rounded = (size + 4095) & ~4095;
        return ByteBuffer.allocateDirect(rounded + 4096).alignedSlice(4096).limit(size).slice();
    }

    ByteBuffer readBlocks(long blk, int n) throws IOException {
        ByteBuffer buf = ioBuffer(n * bs);
        Bio bio = bioSet.alloc(Bio.Op.READ, blk << (bits - Bio.SECTOR_SHIFT));
        bio.addSegment(buf, 0, n * bs);
        dev.submitWait(bio);
        IOException status = bio.status();
        bio.put();
        if (status != null) {
            throw new ErrnoException(Errno.EIO, "reading metadata block " + blk + " failed: " + status.getMessage(), status);
        }
        return buf;
    }

    ByteBuffer readBlock(long blk) throws IOException {
        return readBlocks(blk, 1);
    }

    void writeBlocks(long blk, ByteBuffer buf, int n) throws IOException {
        Bio bio = bioSet.alloc(Bio.Op.WRITE, blk << (bits - Bio.SECTOR_SHIFT));
        bio.addSegment(buf, 0, n * bs);
        dev.submitWait(bio);
        IOException status = bio.status();
        bio.put();
        if (status != null) {
            throw new ErrnoException(Errno.EIO, "writing metadata block " + blk + " failed: " + status.getMessage(), status);
        }
    }

    void flushDevice() throws IOException {
        dev.flush();
    }

    MetaBuffer bitmapBuffer(long block) {
        return bitmapBufs[(int) (block / ((long) bs * 8))];
    }

    MetaBuffer itableBuffer(int ino) {
        return itableBufs[(int) (((long) ino * INODE_SIZE) / bs)];
    }

    int itableOffset(int ino) {
        return (int) (((long) ino * INODE_SIZE) % bs);
    }

    /** {@code sb_getblk} of a freshly allocated metadata block: zeroed, not read. */
    private MetaBuffer newBuffer(long blk) {
        MetaBuffer bh = new MetaBuffer(blk, bs);
        buffers.put(blk, bh);
        return bh;
    }

    // ---------------------------------------------------------------- accessors

    public int blockSize() {
        return bs;
    }

    public int blockBits() {
        return bits;
    }

    public long blocksCount() {
        return blocksCount;
    }

    /**
     * {@code ext4_should_dioread_nolock}: buffer_head writeback allocates unwritten extents and
     * converts them at IO completion instead of ordering data before the commit.
     */
    public boolean dioreadNolock() {
        return dioreadNolock;
    }

    public BlockDevice device() {
        return dev;
    }

    public Counters counters() {
        return counters;
    }

    /** {@code fs_bio_set}: the bios of both IO paths and of the journal ({@code slab.bio.*}). */
    public BioSet bioSet() {
        return bioSet;
    }

    /** {@code s_freeclusters_counter}: blocks free now (excludes blocks freed by uncommitted transactions). */
    public long freeBlocks() {
        return mballoc.freeBlocks();
    }

    /** {@code s_dirtyclusters_counter}: delalloc blocks reserved and not yet allocated. */
    public long dirtyClusters() {
        return mballoc.dirtyClusters();
    }

    /** Shared extents and copy on write on this filesystem. */
    public Reflink reflink() {
        return reflink;
    }

    /** {@code s_resv_clusters}: blocks kept back from data allocations for metadata. */
    public long reservedClusters() {
        return mballoc.resvClusters;
    }

    // ---------------------------------------------------------------- namespace

    /** Creates an empty file ({@code ext4_create}); EEXIST if the name exists, ENOSPC without a free inode. */
    public Inode create(String name) throws IOException {
        checkName(name);
        Handle h = journalStart(2);
        try {
            nsLock.lock();
            try {
                if (names.containsKey(name)) {
                    throw new ErrnoException(Errno.EEXIST, "file '" + name + "' already exists");
                }
                int ino = usedInodes.nextClearBit(1);
                if (ino >= inodeCount) {
                    throw new ErrnoException(Errno.ENOSPC, "all " + (inodeCount - 1) + " inodes are in use; unlink a file or format with more inodes");
                }
                Inode inode = new Inode(this, ino, name);
                usedInodes.set(ino);
                inodes[ino] = inode;
                names.put(name, inode);
                inode.iDataSem.writeLock().lock();
                try {
                    inode.mtime = currentTime();
                    writeInode(h, inode);
                } finally {
                    inode.iDataSem.writeLock().unlock();
                }
                return inode;
            } finally {
                nsLock.unlock();
            }
        } finally {
            h.stop();
        }
    }

    private static void checkName(String name) throws ErrnoException {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX || name.indexOf('/') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "file name '" + name + "' must be 1.." + NAME_MAX + " bytes without '/'");
        }
    }

    /** {@code ext4_lookup}: ENOENT if there is no such file. */
    public Inode lookup(String name) throws ErrnoException {
        nsLock.lock();
        try {
            Inode i = names.get(name);
            if (i == null) {
                throw new ErrnoException(Errno.ENOENT, "no file named '" + name + "'");
            }
            return i;
        } finally {
            nsLock.unlock();
        }
    }

    /** Names of all files, sorted. */
    public List<String> list() {
        nsLock.lock();
        try {
            return new ArrayList<>(names.keySet());
        } finally {
            nsLock.unlock();
        }
    }

    /** {@code ext4_unlink} + {@code ext4_evict_inode}: frees the file's blocks and its inode. */
    public void unlink(String name) throws IOException {
        Inode inode = lookup(name);
        truncate(inode, 0);
        Handle h = journalStart(INODE_SLOTS + 2);
        try {
            nsLock.lock();
            try {
                inode.iDataSem.writeLock().lock();
                try {
                    freeExtentBlocks(h, inode);
                    // ext4_clear_inode: ext4_es_remove_extent(inode, 0, EXT_MAX_BLOCKS), entries back to their caches
                    inode.tree.clear();
                    synchronized (inode.esLock) {
                        inode.es.clear();
                    }
                    MetaBuffer bh = itableBuffer(inode.ino);
                    int off = itableOffset(inode.ino);
                    for (int i = 0; i < INODE_SIZE; i += 8) {
                        bh.data.putLong(off + i, 0);
                    }
                    h.dirtyMetadata(bh);
                    inode.unlinked = true;
                    inode.syncTid = inode.datasyncTid = h.tid();
                } finally {
                    inode.iDataSem.writeLock().unlock();
                }
                names.remove(name);
                inodes[inode.ino] = null;
                usedInodes.clear(inode.ino);
            } finally {
                nsLock.unlock();
            }
        } finally {
            h.stop();
        }
    }

    // ---------------------------------------------------------------- inode write-out

    static int leafCapacity(int bs) {
        return (bs - LEAF_HEADER) / 16;
    }

    /**
     * {@code ext4_mark_inode_dirty} after an extent-tree or size change: writes the inode slot
     * and every extent leaf whose contents changed into the handle. Called under i_data_sem.
     */
    void writeInode(Handle h, Inode inode) throws ErrnoException {
        if (inode.unlinked) {
            throw new ErrnoException(Errno.ENOENT, inode + " was unlinked; its blocks and inode are gone");
        }
        ExtentMap tree = inode.tree;
        MetaBuffer bh = itableBuffer(inode.ino);
        int off = itableOffset(inode.ino);
        ByteBuffer d = bh.data;
        int depth;
        int count;
        if (tree.size() <= INODE_SLOTS) {
            freeExtentBlocks(h, inode);
            depth = 0;
            count = tree.size();
        } else {
            writeLeaves(h, inode, tree.all());
            if (inode.leaves.size() <= INODE_SLOTS) {
                if (inode.indexBlock != 0) {
                    freeMetaBlock(h, inode.indexBlock);
                    inode.indexBlock = 0;
                }
                depth = 1;
                count = inode.leaves.size();
            } else {
                if (inode.indexBlock == 0) {
                    MapBlocks r = new MapBlocks();
                    mballoc.alloc(h, inode.leaves.get(0)[1], 1, Mballoc.Kind.METADATA, 0, r);
                    newBuffer(r.pblk);
                    inode.indexBlock = r.pblk;
                }
                writeIndex(h, inode);
                depth = 2;
                count = 1;
            }
        }
        byte[] nm = inode.nameBytes;
        for (int i = 0; i < INODE_SIZE; i += 8) {
            d.putLong(off + i, 0);
        }
        d.putShort(off, INODE_MAGIC);
        d.put(off + 2, (byte) depth);
        d.put(off + 3, (byte) nm.length);
        d.putInt(off + 4, count);
        d.putLong(off + 8, inode.diskSize);
        d.putLong(off + INODE_TIME_OFF, inode.mtime);
        d.put(off + INODE_NAME_OFF, nm);
        for (int k = 0; k < count; k++) {
            int e = off + INODE_ENTRIES_OFF + 16 * k;
            if (depth == 0) {
                encodeExtent(d, e, tree.get(k));
            } else if (depth == 1) {
                d.putInt(e, (int) inode.leaves.get(k)[0]);
                d.putLong(e + 8, inode.leaves.get(k)[1]);
            } else {
                d.putLong(e + 8, inode.indexBlock);
            }
        }
        h.dirtyMetadata(bh);
        inode.syncTid = h.tid();
        inode.datasyncTid = h.tid();
    }

    /**
     * {@code current_time}: the coarse realtime clock ({@code ktime_get_coarse_real_ts64}), which
     * advances once per tick ({@link Defaults#HZ}), in ns.
     */
    public static long currentTime() {
        long tick = 1_000_000_000L / Defaults.HZ;
        return System.currentTimeMillis() * 1_000_000L / tick * tick;
    }

    /**
     * {@code file_update_time} from {@code file_modified} at the start of every buffered write:
     * when the clock has ticked since the last change ({@code inode_needs_update_time}), mtime and
     * ctime move and the inode is dirtied ({@code generic_update_time} -> {@code ext4_dirty_inode}:
     * a handle of its own writes the inode). Timestamps alone move {@code i_sync_tid}, not
     * {@code i_datasync_tid}: fsync commits them, fdatasync does not. Returns true if it changed.
     */
    public boolean fileUpdateTime(Inode inode) throws ErrnoException {
        long now = currentTime();
        if (inode.mtime == now) {
            return false;
        }
        Handle h = journalStart(2);
        try {
            inode.iDataSem.writeLock().lock();
            try {
                long datasyncTid = inode.datasyncTid;
                inode.mtime = now;
                writeInode(h, inode);
                inode.datasyncTid = datasyncTid; // ext4_update_inode_fsync_trans(handle, inode, 0)
            } finally {
                inode.iDataSem.writeLock().unlock();
            }
        } finally {
            h.stop();
        }
        timeUpdates.increment();
        return true;
    }

    private void freeMetaBlock(Handle h, long blk) {
        mballoc.free(h, blk, 1, true);
        buffers.remove(blk);
    }

    /** Frees every leaf and the index block: the tree goes back into the inode. */
    private void freeExtentBlocks(Handle h, Inode inode) {
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
        img.putShort(0, INDEX_MAGIC);
        img.putShort(2, (short) inode.leaves.size());
        img.putInt(4, inode.ino);
        for (int i = 0; i < inode.leaves.size(); i++) {
            img.putInt(LEAF_HEADER + 16 * i, (int) inode.leaves.get(i)[0]);
            img.putLong(LEAF_HEADER + 16 * i + 8, inode.leaves.get(i)[1]);
        }
        MetaBuffer bh = buffers.get(inode.indexBlock);
        if (bh.data.mismatch(img) != -1) {
            bh.data.put(0, img, 0, bs);
            h.dirtyMetadata(bh);
        }
    }

    private void writeLeaf(Handle h, Inode inode, long pblk, List<ExtentMap.Ext> part) {
        ByteBuffer img = ByteBuffer.allocate(bs);
        img.putShort(0, LEAF_MAGIC);
        img.putShort(2, (short) part.size());
        img.putInt(4, inode.ino);
        for (int i = 0; i < part.size(); i++) {
            encodeExtent(img, LEAF_HEADER + 16 * i, part.get(i));
        }
        MetaBuffer bh = buffers.get(pblk);
        if (bh.data.mismatch(img) != -1) {
            bh.data.put(0, img, 0, bs);
            h.dirtyMetadata(bh);
            counters.counter("fs.extent_leaf_writes").increment();
        }
    }

    // ---------------------------------------------------------------- journal API

    /** {@code ext4_journal_start}: a handle on the running transaction (waits while a commit locks it). */
    public Handle journalStart(int credits) throws ErrnoException {
        checkMounted();
        return journal.start(credits);
    }

    private void checkMounted() throws ErrnoException {
        if (!mounted) {
            throw new ErrnoException(Errno.EIO, "filesystem on " + dev.describe() + " is unmounted or shut down");
        }
    }

    /**
     * {@code ext4_journal_start_with_reserve}: a handle of {@code credits}, carrying a reserved
     * handle of {@code rsvCredits} ({@link Handle#takeReserved}) for work at IO completion that
     * must not wait for a commit. The reservation is capped at half a transaction (jbd2 refuses
     * more; the model's smallest journal is smaller than any ext4 creates).
     */
    public Handle journalStartWithReserve(int credits, int rsvCredits) throws ErrnoException {
        checkMounted();
        return journal.start(credits, Math.min(rsvCredits, journal.maxTransactionBuffers / 2));
    }

    /**
     * {@code ext4_journal_start_reserved}: starts a reserved handle taken from the handle that
     * made it; it never waits for a commit. Stop it as any handle. On error it is freed.
     */
    public Handle journalStartReserved(Handle rsv) throws ErrnoException {
        if (!mounted) {
            rsv.freeReserved();
            checkMounted();
        }
        return journal.startReserved(rsv);
    }

    /**
     * {@code ext4_chunk_trans_blocks}: credits for mapping {@code nblocks} blocks in one call
     * (bitmap blocks spanned, the inode, and every extent leaf a repack may rewrite).
     */
    public int transBlocks(int nblocks) {
        return (int) (nblocks / (bs * 8L)) + 2 + 1 + INODE_SLOTS + 3;
    }

    /** Commits the running transaction now ({@code jbd2_journal_force_commit}). */
    public void commit() throws ErrnoException {
        checkMounted();
        journal.commitRunning();
    }

    /**
     * {@code ext4_sync_file}'s journal part: commits the transaction that last changed the inode
     * ({@code i_datasync_tid} for fdatasync, {@code i_sync_tid} for fsync) unless it is already
     * committed; then only a device cache flush is needed. Returns true if it committed.
     */
    public boolean fsyncCommit(Inode inode, boolean datasync) throws IOException {
        checkMounted();
        long tid = datasync ? inode.datasyncTid : inode.syncTid;
        if (tid > journal.commitSequence()) {
            journal.completeTransaction(tid);
            return true;
        }
        journal.checkAbortedPublic();
        flushDevice();
        counters.counter("fs.fsync_flush_only").increment();
        return false;
    }

    /** {@code fb_iomap_dirty_check}: which iomap mappings ask {@link #inodeDatasyncDirty} (patch 33). */
    public IomapDirtyCheck iomapDirtyCheck() {
        return opts.iomapDirtyCheck();
    }

    /**
     * {@code ext4_inode_datasync_dirty} (no fast commit): whether the transaction that last
     * changed the inode's data-relevant metadata ({@code i_datasync_tid}) is still running or
     * committing, asked of the journal under its state lock ({@link Journal#transactionCommitted}).
     */
    public boolean inodeDatasyncDirty(Inode inode) {
        return !journal.transactionCommitted(inode.datasyncTid);
    }

    /** {@code ext4_sync_fs}: commits the running transaction (flushing the device either way). */
    public void syncFs() throws IOException {
        checkMounted();
        flushRsvConversionWq();
        long before = journal.commitSequence();
        journal.commitRunning();
        if (journal.commitSequence() == before) {
            flushDevice();
        }
    }

    /**
     * {@code flush_workqueue(sbi->rsv_conversion_wq)} ({@code ext4_sync_fs}): returns once every
     * completion work queued so far has run.
     */
    public void flushRsvConversionWq() {
        Workqueue wq = rsvConversionWq;
        if (wq != null) {
            wq.flush();
        }
    }

    /** {@code sbi->rsv_conversion_wq}: where the IO paths queue their completion work. */
    public Workqueue rsvConversionWq() {
        Workqueue wq = rsvConversionWq;
        if (wq == null) {
            throw new IllegalStateException("ext4-rsv-conversion workqueue used before mount");
        }
        return wq;
    }

    /** Registers the data=ordered writer the journal calls before writing a transaction's metadata. */
    public void setOrderedDataWriter(OrderedDataWriter writer) {
        journal.setOrderedWriter(writer);
    }

    /** {@code j_commit_sequence}: the last committed transaction. */
    public long commitSequence() {
        return journal.commitSequence();
    }

    // ---------------------------------------------------------------- mapping

    private static MapBlocks fromExt(ExtentMap.Ext e, long lblk, int len, MapBlocks out) {
        int n = (int) Math.min(len, e.end() - lblk);
        switch (e.status) {
            case ExtentMap.WRITTEN: return out.set(lblk, e.pblk + (lblk - e.lblk), n, MapBlocks.MAPPED);
            case ExtentMap.UNWRITTEN: return out.set(lblk, e.pblk + (lblk - e.lblk), n, MapBlocks.UNWRITTEN);
            case ExtentMap.DELAYED: return out.set(lblk, 0, n, MapBlocks.DELAYED);
            default: return out.set(lblk, 0, n, 0);
        }
    }

    /** {@code ext4_es_lookup_extent} then {@code ext4_ext_map_blocks} without create. */
    private MapBlocks lookup(Inode inode, long lblk, int len, MapBlocks out) {
        esLookups.increment();
        synchronized (inode.esLock) {
            ExtentMap.Ext e = inode.es.find(lblk);
            if (e != null) {
                esHits.increment();
                return fromExt(e, lblk, len, out);
            }
        }
        inode.iDataSem.readLock().lock();
        try {
            return lookupTree(inode, lblk, len, out);
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    /**
     * The extent tree, caching what it finds (extent or hole) in the status tree. Under i_data_sem.
     * The kernel caches it with {@code ext4_es_insert_extent} ({@code ext4_map_blocks} after
     * {@code ext4_ext_map_blocks}; {@code ext4_ext_put_gap_in_cache} for a hole), which bumps the
     * sequence like every insert (patch 21's {@code ext4_es_inc_seq}).
     */
    private MapBlocks lookupTree(Inode inode, long lblk, int len, MapBlocks out) {
        ExtentMap.Ext t = inode.tree.find(lblk);
        synchronized (inode.esLock) {
            ExtentMap.Ext d = inode.es.find(lblk);
            if (d != null) {
                return fromExt(d, lblk, len, out);
            }
            esInserts.increment();
            inode.bumpEsSeq();
            if (t != null) {
                inode.es.insert(t.lblk, t.len, t.pblk, t.status);
                return fromExt(t, lblk, len, out);
            }
            ExtentMap.Ext nt = inode.tree.next(lblk);
            ExtentMap.Ext ne = inode.es.next(lblk);
            long end = EXT_MAX_BLOCKS;
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

    static void checkLive(Inode inode) throws ErrnoException {
        if (inode.unlinked) {
            throw new ErrnoException(Errno.ENOENT, inode + " was unlinked; open it again by name");
        }
    }

    private void checkRange(long lblk, long len) throws ErrnoException {
        if (lblk < 0 || len <= 0 || lblk + len > EXT_MAX_BLOCKS) {
            throw new ErrnoException(Errno.EFBIG, "block range " + lblk + "+" + len + " is outside 0.." + EXT_MAX_BLOCKS);
        }
    }

    /**
     * {@code ext4_map_blocks}: maps as much of {@code [lblk, lblk + len)} as one extent allows.
     * Looks up the extent-status cache first, then the extent tree. With
     * {@link #GET_BLOCKS_CREATE} (needs a handle) it allocates a hole or a delayed range (as
     * written, or unwritten with {@link #GET_BLOCKS_CREATE_UNWRIT_EXT}; a delayed range consumes
     * its reservation) and converts an unwritten extent written unless UNWRIT_EXT is given; with
     * {@link #GET_BLOCKS_CONVERT} it converts an unwritten extent; with
     * {@link #GET_BLOCKS_DELALLOC_RESERVE} it turns a hole into a delayed extent, reserving the
     * blocks (ENOSPC before anything changes).
     */
    public MapBlocks ext4MapBlocks(Handle h, Inode inode, long lblk, int len, int flags) throws ErrnoException {
        return mapBlocks(h, inode, lblk, len, flags, 0, new MapBlocks());
    }

    /**
     * {@link #ext4MapBlocks(Handle, Inode, long, int, int)} answering in the caller's
     * {@code map} (the kernel's {@code struct ext4_map_blocks} lives on the caller's stack), so a
     * lookup allocates nothing; returns {@code map}.
     */
    public MapBlocks ext4MapBlocks(Handle h, Inode inode, long lblk, int len, int flags, MapBlocks map)
            throws ErrnoException {
        return mapBlocks(h, inode, lblk, len, flags, 0, map);
    }

    /**
     * Maps a hole at {@code lblk} with exactly {@code len} blocks starting at a physical block
     * aligned to {@code alignment} (a power of two), for atomic writes; ENOSPC when no aligned
     * free extent exists, EINVAL when the range is not one hole.
     */
    public MapBlocks ext4MapBlocksAligned(Handle h, Inode inode, long lblk, int len, int alignment, boolean unwritten)
            throws ErrnoException {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new ErrnoException(Errno.EINVAL, "alignment " + alignment + " is not a power of two");
        }
        return mapBlocks(h, inode, lblk, len, unwritten ? GET_BLOCKS_CREATE_UNWRIT_EXT : GET_BLOCKS_CREATE, alignment,
                new MapBlocks());
    }

    private MapBlocks mapBlocks(Handle h, Inode inode, long lblk, int len, int flags, int alignment, MapBlocks out)
            throws ErrnoException {
        mapBlocks.increment();
        checkRange(lblk, len);
        MapBlocks m = lookup(inode, lblk, len, out);
        boolean create = (flags & GET_BLOCKS_CREATE) != 0;
        boolean convert = (flags & GET_BLOCKS_CONVERT) != 0;
        if (alignment == 0) {
            if (m.isMapped()) {
                return m;
            }
            if (m.isUnwritten() && !convert && (!create || (flags & GET_BLOCKS_UNWRIT_EXT) != 0)) {
                return m;
            }
            if (m.isDelayed() && !create) {
                return m;
            }
            if (m.isHole() && !create && (flags & GET_BLOCKS_DELALLOC_RESERVE) == 0) {
                return m;
            }
        }
        if ((create || convert) && h == null) {
            throw new IllegalArgumentException("ext4MapBlocks with CREATE or CONVERT needs a journal handle");
        }
        inode.iDataSem.writeLock().lock();
        try {
            return mapCreate(h, inode, lblk, len, flags, alignment, out);
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    private void esInsert(Inode inode, long lblk, long len, long pblk, int status) {
        synchronized (inode.esLock) {
            inode.es.insert(lblk, len, pblk, status);
        }
        esInserts.increment();
        inode.bumpEsSeq();
    }

    void esRemove(Inode inode, long lblk, long len) {
        synchronized (inode.esLock) {
            inode.es.remove(lblk, len);
        }
        inode.bumpEsSeq();
    }

    /** The create half of {@code ext4_map_blocks}, under i_data_sem held for write. */
    private MapBlocks mapCreate(Handle h, Inode inode, long lblk, int len, int flags, int alignment, MapBlocks out)
            throws ErrnoException {
        checkLive(inode);
        boolean create = (flags & GET_BLOCKS_CREATE) != 0;
        boolean unwrit = (flags & GET_BLOCKS_UNWRIT_EXT) != 0;
        boolean convert = (flags & GET_BLOCKS_CONVERT) != 0;
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
            esInsert(inode, lblk, n, p, ExtentMap.WRITTEN);
            writeInode(h, inode);
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
                runEnd = nt == null ? EXT_MAX_BLOCKS : nt.lblk;
                ExtentMap.Ext nd = nextDelayed(inode, lblk, runEnd);
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
            reserveDelayedLocked(inode, lblk, lblk + n, n);
            return out.set(lblk, 0, n, MapBlocks.DELAYED | MapBlocks.NEW);
        }
        if (alignment != 0 && (n < len || delayed != null)) {
            throw new ErrnoException(Errno.EINVAL, "aligned allocation of " + lblk + "+" + len + " of " + inode
                    + " is not over one hole");
        }
        n = Math.min(n, unwrit ? EXT_UNWRITTEN_MAX_LEN : EXT_INIT_MAX_LEN);
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
        esInserts.increment();
        inode.bumpEsSeq();
        writeInode(h, inode);
        return out.set(lblk, pblk, got, MapBlocks.NEW | (unwrit ? MapBlocks.UNWRITTEN : MapBlocks.MAPPED));
    }

    /** First delayed status extent starting in (lblk, end). Under the es lock. */
    private static ExtentMap.Ext nextDelayed(Inode inode, long lblk, long end) {
        return inode.es.nextWithStatus(lblk + 1, end, ExtentMap.DELAYED);
    }

    /** {@code ext4_ext_find_goal}: right after the previous extent, else a spot chosen by inode number. */
    private long findGoal(Inode inode, long lblk) {
        ExtentMap.Ext p = inode.tree.prev(lblk);
        if (p != null) {
            long g = p.pblk + (lblk - p.lblk);
            if (g < blocksCount) {
                return g;
            }
        }
        ExtentMap.Ext nx = inode.tree.next(lblk);
        if (nx != null && nx.pblk - (nx.lblk - lblk) >= firstDataBlock) {
            return nx.pblk - (nx.lblk - lblk);
        }
        long data = blocksCount - firstDataBlock;
        return firstDataBlock + (inode.ino % 16) * (data / 16);
    }

    // ---------------------------------------------------------------- delalloc

    /**
     * {@code ext4_insert_delayed_blocks}: {@code ext4_da_reserve_space} for every block of the
     * range that is a hole, then {@code ext4_es_insert_delayed_extent}. ENOSPC before any
     * change. Returns the number of blocks newly reserved.
     */
    public long insertDelayedBlocks(Inode inode, long lblk, int len) throws ErrnoException {
        checkRange(lblk, len);
        checkLive(inode);
        inode.iDataSem.writeLock().lock();
        try {
            long total = delayedHoles(inode, lblk, lblk + len, false);
            if (total > 0) {
                reserveDelayedLocked(inode, lblk, lblk + len, total);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /**
     * The blocks of {@code [lblk, end)} that are holes (neither in the tree nor delayed), counted
     * and, with {@code insert}, made delayed extents. Under i_data_sem held for write, so two walks
     * see the same holes.
     */
    private long delayedHoles(Inode inode, long lblk, long end, boolean insert) {
        long total = 0;
        int inserts = 0;
        long pos = lblk;
        while (pos < end) {
            ExtentMap.Ext t = inode.tree.find(pos);
            if (t != null) {
                pos = t.end();
                continue;
            }
            long runEnd;
            synchronized (inode.esLock) {
                ExtentMap.Ext d = inode.es.find(pos);
                if (d != null && d.status == ExtentMap.DELAYED) {
                    pos = d.end();
                    continue;
                }
                ExtentMap.Ext nt = inode.tree.next(pos);
                runEnd = Math.min(end, nt == null ? end : nt.lblk);
                ExtentMap.Ext nd = nextDelayed(inode, pos, runEnd);
                if (nd != null) {
                    runEnd = nd.lblk;
                }
                if (insert) {
                    inode.es.insert(pos, runEnd - pos, 0, ExtentMap.DELAYED);
                    inserts++;
                }
            }
            total += runEnd - pos;
            pos = runEnd;
        }
        if (inserts > 0) {
            esInserts.add(inserts);
        }
        return total;
    }

    /** Reserves {@code total} blocks, then makes the holes of {@code [lblk, end)} delayed extents. */
    private void reserveDelayedLocked(Inode inode, long lblk, long end, long total) throws ErrnoException {
        mballoc.reserve(total, inode);
        daReserve.increment();
        daReserveBlocks.add(total);
        long inserted = delayedHoles(inode, lblk, end, true);
        if (inserted != total) {
            throw new IllegalStateException("delalloc holes of " + lblk + ".." + end + " changed under i_data_sem: "
                    + total + " then " + inserted + " blocks");
        }
        synchronized (inode.esLock) {
            inode.reservedBlocks += total;
        }
        inode.bumpEsSeq();
    }

    /**
     * {@code ext4_es_remove_extent} + {@code ext4_da_release_space} of the delayed blocks in the
     * range (punch, truncate, a short write). Returns the number of blocks released.
     */
    public long releaseDelayedBlocks(Inode inode, long lblk, long len) throws ErrnoException {
        checkRange(lblk, len);
        inode.iDataSem.writeLock().lock();
        try {
            return releaseDelayedLocked(inode, lblk, lblk + len);
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    private long releaseDelayedLocked(Inode inode, long lblk, long end) {
        long total = 0;
        synchronized (inode.esLock) {
            ExtentMap.Ext e;
            for (long pos = lblk; pos < end && (e = inode.es.firstOverlapping(pos, end, ExtentMap.DELAYED)) != null; ) {
                long s = Math.max(e.lblk, pos);
                long t = Math.min(e.end(), end);
                inode.es.remove(s, t - s);
                total += t - s;
                pos = t;
            }
            inode.reservedBlocks -= total;
        }
        if (total > 0) {
            mballoc.unreserve(total);
            daRelease.increment();
            daReleaseBlocks.add(total);
            inode.bumpEsSeq();
        }
        return total;
    }

    // ---------------------------------------------------------------- unwritten, sizes

    /**
     * {@code ext4_convert_unwritten_extents}: every unwritten block of the range becomes written
     * (end of an IO into unwritten extents). Returns the number of blocks converted.
     */
    public long convertUnwritten(Handle h, Inode inode, long lblk, long len) throws ErrnoException {
        checkRange(lblk, len);
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
                esInsert(inode, s, t - s, p, ExtentMap.WRITTEN);
                total += t - s;
                pos = t;
            }
            if (total > 0) {
                writeInode(h, inode);
            }
            return total;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /**
     * {@code ext4_update_inode_size} / {@code ext4_update_i_disksize}: raises i_disksize (and
     * i_size if smaller) to {@code newSize}. Returns true if the inode changed.
     */
    public boolean updateDiskSize(Handle h, Inode inode, long newSize) throws ErrnoException {
        inode.iDataSem.writeLock().lock();
        try {
            if (newSize > inode.size()) {
                inode.setSize(newSize);
            }
            if (newSize <= inode.diskSize) {
                return false;
            }
            inode.diskSize = newSize;
            writeInode(h, inode);
            return true;
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    /** Credits of one step of {@link #removeSpace}. */
    private int removeCredits() {
        return REMOVE_MAX_EXTENTS + 4 + 1 + INODE_SLOTS + 2;
    }

    static final int REMOVE_MAX_EXTENTS = 8;

    /**
     * {@code ext4_truncate} / {@code ext4_setattr} size change: sets i_size and i_disksize to
     * {@code newSize}; shrinking releases delayed blocks and frees allocated ones past the new
     * end, in several handles working down from the end, each leaving a consistent inode.
     */
    public void truncate(Inode inode, long newSize) throws IOException {
        if (newSize < 0 || (newSize >> bits) > EXT_MAX_BLOCKS) {
            throw new ErrnoException(Errno.EINVAL, "truncate of " + inode + " to " + newSize);
        }
        long from = (newSize + bs - 1) >> bits;
        inode.setSize(newSize);
        if (from < EXT_MAX_BLOCKS) {
            releaseDelayedBlocks(inode, from, EXT_MAX_BLOCKS - from);
            removeSpace(inode, from, EXT_MAX_BLOCKS, newSize);
        }
        Handle h = journalStart(2);
        try {
            inode.iDataSem.writeLock().lock();
            try {
                if (inode.diskSize != newSize) {
                    inode.diskSize = newSize;
                    writeInode(h, inode);
                }
            } finally {
                inode.iDataSem.writeLock().unlock();
            }
        } finally {
            h.stop();
        }
    }

    /**
     * {@code ext4_punch_hole} over blocks {@code [lblk, lblk + len)}: releases delayed blocks and
     * frees allocated ones; sizes do not change.
     */
    public void punchHole(Inode inode, long lblk, long len) throws IOException {
        checkRange(lblk, len);
        releaseDelayedBlocks(inode, lblk, len);
        removeSpace(inode, lblk, lblk + len, -1);
    }

    /**
     * {@code ext4_ext_remove_space}: frees extents in {@code [from, to)}, from the end down (a
     * shared block loses one reference instead, {@link RefcountTree#decrement}); the CoW fork's
     * ranges there are cancelled first ({@code xfs_reflink_cancel_cow_range}).
     */
    private void removeSpace(Inode inode, long from, long to, long newSize) throws IOException {
        long maxBlocks = 2L * bs * 8;
        reflink.cancelCow(inode, from, to - from);
        while (to > from) {
            Handle h = journalStart(removeCredits() + (reflink.refcount.isEmpty() ? 0 : reflink.refcount.credits()));
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
                        reflink.refcount.decrement(h, e.pblk + (s - e.lblk), t - s);
                    }
                    inode.tree.remove(lo, to - lo);
                    esRemove(inode, lo, to - lo);
                    if (newSize >= 0) {
                        inode.diskSize = Math.min(inode.diskSize, Math.max(newSize, lo << bits));
                    }
                    writeInode(h, inode);
                    to = lo;
                } finally {
                    inode.iDataSem.writeLock().unlock();
                }
            } finally {
                h.stop();
            }
        }
    }

    // ---------------------------------------------------------------- test and fsck support

    /** The inode's extent tree as text ({@code [lblk+len@pblk W|U] ...}), for tests and debugging. */
    public String dumpExtents(Inode inode) {
        inode.iDataSem.readLock().lock();
        try {
            return inode.tree.toString();
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    List<ExtentMap.Ext> extents(Inode inode) {
        inode.iDataSem.readLock().lock();
        try {
            return new ArrayList<>(inode.tree.all());
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    Map<String, Inode> namespace() {
        nsLock.lock();
        try {
            return new HashMap<>(names);
        } finally {
            nsLock.unlock();
        }
    }
}
