package org.foliobench.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An in-core inode ({@code struct ext4_inode_info} with its {@code struct inode}): i_size,
 * i_disksize, the extent tree (an in-memory copy of what is on disk, guarded by i_data_sem),
 * the extent-status cache with its sequence counter (the iomap validity cookie), delalloc
 * reservation, the fsync tids, and a slot for the page cache's {@code address_space}.
 */
public final class Inode {
    final Ext4 fs;
    final int ino;
    final String name;
    /** The name as the inode slot stores it (UTF-8). */
    final byte[] nameBytes;
    /** {@code i_rwsem}: the VFS lock serialising writers, truncate and fallocate. */
    private final ReentrantReadWriteLock iRwsem = new ReentrantReadWriteLock();
    /** {@code i_data_sem}: guards {@link #tree}, {@link #leaves} and {@link #diskSize}. */
    final ReentrantReadWriteLock iDataSem = new ReentrantReadWriteLock();
    /** The on-disk extent tree, in memory (written/unwritten extents). */
    final ExtentMap tree;
    /** Depth 1 or 2: {first lblk, leaf block} per leaf, in order; empty at depth 0. */
    final List<long[]> leaves = new ArrayList<>();
    /** Depth 2: the block holding the index entries (more leaves than the inode holds), else 0. */
    long indexBlock;
    /**
     * The copy-on-write fork ({@code ip->i_cowfp} in XFS), in memory only, under i_data_sem:
     * DELAYED ranges reserved by a write into shared blocks, UNWRITTEN ranges allocated as
     * staging blocks by writeback and not yet remapped ({@link Reflink}).
     */
    final ExtentMap cow;
    /** Blocks reserved by the CoW fork's DELAYED ranges (under i_data_sem). */
    long cowReserved;
    /** The CoW fork is not empty: read without a lock by the mapping fast paths. */
    volatile boolean hasCow;
    /** {@code i_es_tree}, guarded by {@link #esLock} ({@code i_es_lock}). */
    final ExtentMap es;
    final Object esLock = new Object();
    /** {@code i_es_seq}: bumped on every change of the extent-status cache. */
    private final AtomicLong esSeq = new AtomicLong();
    private volatile long size;
    /** {@code i_disksize}: the size recorded on disk (under i_data_sem). */
    volatile long diskSize;
    /** {@code i_reserved_data_blocks}: delalloc blocks reserved and not yet allocated. */
    long reservedBlocks;
    /**
     * {@code i_mtime} and {@code i_ctime} in ns ({@link Ext4#currentTime}): one instant here, as
     * only creation and writes set them (under i_data_sem; on disk in the inode).
     */
    volatile long mtime;
    /** {@code i_sync_tid} / {@code i_datasync_tid}: last transaction that changed this inode. */
    volatile long syncTid;
    volatile long datasyncTid;
    /**
     * The transaction whose ordered-data list holds this inode (the {@code jbd2_inode}'s
     * {@code i_transaction}, as a tid: transactions are reused); under the journal lock.
     */
    long orderedTid = -1;
    volatile boolean unlinked;
    private volatile Object mapping;
    /**
     * The IO paths' completion state of this inode ({@code i_rsv_conversion_list} with
     * {@code i_rsv_conversion_work}, {@code i_iomap_ioend_list} with {@code i_iomap_ioend_work},
     * under {@code i_completed_io_lock}): each path's own object, made on first use.
     */
    private volatile Object rsvConversion;
    private volatile Object iomapIoend;

    Inode(Ext4 fs, int ino, String name) {
        this.fs = fs;
        this.ino = ino;
        this.name = name;
        this.nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.tree = new ExtentMap(Ext4.EXT_INIT_MAX_LEN, fs != null ? fs.extentCache : null);
        this.es = new ExtentMap(Long.MAX_VALUE / 4, fs != null ? fs.esCache : null);
        this.cow = new ExtentMap(Ext4.EXT_INIT_MAX_LEN, fs != null ? fs.extentCache : null);
    }

    /** {@code i_ino}. */
    public int ino() {
        return ino;
    }

    /** The file's name in the flat namespace. */
    public String name() {
        return name;
    }

    /** {@code i_size} (in memory; see {@link #diskSize()}). */
    public long size() {
        return size;
    }

    /** {@code i_size_write}: the in-memory size, as a write or truncate sets it. */
    public void setSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative i_size " + size);
        }
        this.size = size;
    }

    /** {@code i_disksize}: the size persisted in the inode, moved by {@link Ext4#updateDiskSize}. */
    public long diskSize() {
        return diskSize;
    }

    /** {@code READ_ONCE(EXT4_I(inode)->i_es_seq)}: the iomap validity cookie. */
    public long esSeq() {
        return esSeq.get();
    }

    void bumpEsSeq() {
        esSeq.incrementAndGet();
    }

    /** {@code inode->i_rwsem} for the VFS layer above. */
    public ReentrantReadWriteLock iRwsem() {
        return iRwsem;
    }

    /** {@code i_data_sem}, for callers that must hold it across several calls. */
    public ReentrantReadWriteLock iDataSem() {
        return iDataSem;
    }

    /** {@code inode->i_mapping}: the page cache's {@code address_space}, attached by the layer above. */
    public Object mapping() {
        return mapping;
    }

    public void setMapping(Object mapping) {
        this.mapping = mapping;
    }

    /**
     * The buffer_head path's {@code i_rsv_conversion_list}/{@code _work} of this inode, made by
     * {@code create} on first use ({@code ext4_alloc_inode}'s {@code INIT_WORK}).
     */
    public <T> T rsvConversion(java.util.function.Function<Inode, T> create) {
        Object o = rsvConversion;
        if (o == null) {
            synchronized (this) {
                o = rsvConversion;
                if (o == null) {
                    rsvConversion = o = create.apply(this);
                }
            }
        }
        @SuppressWarnings("unchecked")
        T t = (T) o;
        return t;
    }

    /** The iomap path's {@code i_iomap_ioend_list}/{@code _work} of this inode, made by {@code create} on first use. */
    public <T> T iomapIoend(java.util.function.Function<Inode, T> create) {
        Object o = iomapIoend;
        if (o == null) {
            synchronized (this) {
                o = iomapIoend;
                if (o == null) {
                    iomapIoend = o = create.apply(this);
                }
            }
        }
        @SuppressWarnings("unchecked")
        T t = (T) o;
        return t;
    }

    /** {@code i_reserved_data_blocks}. */
    public long reservedBlocks() {
        synchronized (esLock) {
            return reservedBlocks;
        }
    }

    @Override
    public String toString() {
        return "inode " + ino + " '" + name + "'";
    }
}
