package org.foliobench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
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
 *
 * <h2>Parts</h2>
 * This class is the superblock and the entry points of the other packages ({@code ext4_map_blocks},
 * truncate, sizes, the journal API); it delegates to package-private parts named after the kernel
 * files they model: {@link ExtentTree} ({@code extents.c}: the trees' encoding, lookup, allocation,
 * conversion and removal), {@link ExtentStatus} ({@code extents_status.c}), {@link Delalloc}
 * (delalloc reservations) and {@link Namei} (the namespace), beside {@link Mballoc},
 * {@link Journal} and {@link Reflink}.
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

    /** The block bitmap's and the inode table's buffers, loaded at mount, by their index in the region (no boxed lookup). */
    private MetaBuffer[] bitmapBufs;
    private MetaBuffer[] itableBufs;
    final Mballoc mballoc;
    final Journal journal;
    /** Shared extents and copy on write (the refcount tree in inode 0's slot, the inodes' CoW forks). */
    final Reflink reflink;
    final ExtentStatus extentStatus;
    final Delalloc delalloc;
    final ExtentTree extentTree;
    final Namei namei;
    private volatile boolean mounted = true;
    /**
     * {@code sbi->rsv_conversion_wq} ({@code alloc_workqueue("ext4-rsv-conversion", WQ_MEM_RECLAIM
     * | WQ_UNBOUND, 1)} in {@code ext4_fill_super}): the IO-completion work of both paths, the
     * buffer_head path's unwritten conversions ({@code ext4_end_io_rsv_work}) and the iomap path's
     * ioend completion ({@code ext4_iomap_end_io}); null until mounted.
     */
    private volatile Workqueue rsvConversionWq;

    private final LongAdder mapBlocks;
    private final LongAdder timeUpdates;

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
        this.mapBlocks = counters.counter("fs.map_blocks");
        this.timeUpdates = counters.counter("fs.time_updates");
        this.mballoc = new Mballoc(this);
        this.journal = new Journal(this, journalStart, journalBlocks, bs, firstTid, uuid);
        this.reflink = new Reflink(this);
        this.extentStatus = new ExtentStatus(this);
        this.delalloc = new Delalloc(this);
        this.extentTree = new ExtentTree(this);
        this.namei = new Namei(this);
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
            int nameLen = d.get(off + 3) & 0xff;
            byte[] nm = new byte[nameLen];
            d.get(off + INODE_NAME_OFF, nm);
            Inode inode = new Inode(this, ino, new String(nm, StandardCharsets.UTF_8));
            inode.diskSize = d.getLong(off + 8);
            inode.mtime = d.getLong(off + INODE_TIME_OFF);
            inode.setSize(inode.diskSize);
            extentTree.load(inode, d, off);
            namei.add(inode);
        }
        mballoc.loadFromBitmap();
        reflink.refcount.load();
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
        return namei.create(name);
    }

    /** {@code ext4_lookup}: ENOENT if there is no such file. */
    public Inode lookup(String name) throws ErrnoException {
        return namei.lookup(name);
    }

    /** Names of all files, sorted. */
    public List<String> list() {
        return namei.list();
    }

    /** {@code ext4_unlink} + {@code ext4_evict_inode}: frees the file's blocks and its inode. */
    public void unlink(String name) throws IOException {
        namei.unlink(name);
    }

    // ---------------------------------------------------------------- inode write-out

    /**
     * {@code ext4_mark_inode_dirty} after an extent-tree or size change: writes the inode slot
     * and every extent leaf whose contents changed into the handle. Called under i_data_sem.
     */
    void writeInode(Handle h, Inode inode) throws ErrnoException {
        if (inode.unlinked) {
            throw new ErrnoException(Errno.ENOENT, inode + " was unlinked; its blocks and inode are gone");
        }
        MetaBuffer bh = itableBuffer(inode.ino);
        int off = itableOffset(inode.ino);
        ByteBuffer d = bh.data;
        int depth = extentTree.writeTree(h, inode);
        byte[] nm = inode.nameBytes;
        for (int i = 0; i < INODE_SIZE; i += 8) {
            d.putLong(off + i, 0);
        }
        d.putShort(off, INODE_MAGIC);
        d.put(off + 3, (byte) nm.length);
        d.putLong(off + 8, inode.diskSize);
        d.putLong(off + INODE_TIME_OFF, inode.mtime);
        d.put(off + INODE_NAME_OFF, nm);
        ExtentTree.encodeRoot(d, off, inode, depth);
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

    /** {@code ext4_es_lookup_extent} then {@code ext4_ext_map_blocks} without create. */
    private MapBlocks lookup(Inode inode, long lblk, int len, MapBlocks out) {
        MapBlocks m = extentStatus.lookupExtent(inode, lblk, len, out);
        if (m != null) {
            return m;
        }
        inode.iDataSem.readLock().lock();
        try {
            return extentTree.lookupTree(inode, lblk, len, out);
        } finally {
            inode.iDataSem.readLock().unlock();
        }
    }

    static void checkLive(Inode inode) throws ErrnoException {
        if (inode.unlinked) {
            throw new ErrnoException(Errno.ENOENT, inode + " was unlinked; open it again by name");
        }
    }

    static void checkRange(long lblk, long len) throws ErrnoException {
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
            return extentTree.mapCreate(h, inode, lblk, len, flags, alignment, out);
        } finally {
            inode.iDataSem.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- delalloc

    /**
     * {@code ext4_insert_delayed_blocks}: {@code ext4_da_reserve_space} for every block of the
     * range that is a hole, then {@code ext4_es_insert_delayed_extent}. ENOSPC before any
     * change. Returns the number of blocks newly reserved.
     */
    public long insertDelayedBlocks(Inode inode, long lblk, int len) throws ErrnoException {
        return delalloc.insertDelayedBlocks(inode, lblk, len);
    }

    /**
     * {@code ext4_es_remove_extent} + {@code ext4_da_release_space} of the delayed blocks in the
     * range (punch, truncate, a short write). Returns the number of blocks released.
     */
    public long releaseDelayedBlocks(Inode inode, long lblk, long len) throws ErrnoException {
        return delalloc.releaseDelayedBlocks(inode, lblk, len);
    }

    // ---------------------------------------------------------------- unwritten, sizes

    /**
     * {@code ext4_convert_unwritten_extents}: every unwritten block of the range becomes written
     * (end of an IO into unwritten extents). Returns the number of blocks converted.
     */
    public long convertUnwritten(Handle h, Inode inode, long lblk, long len) throws ErrnoException {
        return extentTree.convertUnwritten(h, inode, lblk, len);
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
            extentTree.removeSpace(inode, from, EXT_MAX_BLOCKS, newSize);
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
        extentTree.removeSpace(inode, lblk, lblk + len, -1);
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

}
