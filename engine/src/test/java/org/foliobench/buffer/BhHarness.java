package org.foliobench.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.device.BlockDevice;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.FsOptions;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Errseq;
import org.foliobench.pagecache.FileRaState;
import org.foliobench.pagecache.Filemap;
import org.foliobench.pagecache.PageCache;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;

/**
 * A mounted filesystem with a page cache and the buffer_head path, wired as the vfs will do it
 * (mapping host = inode, inode mapping = mapping, the path's aops, order-0 folios; or large folios
 * up to order 9 for the bhlf path, {@link #formatLarge}), for tests.
 */
final class BhHarness implements AutoCloseable {
    final BlockDevice dev;
    final Counters counters;
    final FsOptions fsOpts;
    final PageCacheOptions pcOpts;
    final Ext4 fs;
    final PageCache cache;
    final BufferHeadPath path;
    /** The bhlf path's partial walk, or null for the order-0 buffer_head path. */
    final BhPartialWalk walk;
    private final Map<String, Open> files = new HashMap<>();

    /** An open file: inode, mapping, readahead state and errseq sample. */
    final class Open {
        final Inode inode;
        final AddressSpace mapping;
        final FileRaState ra;
        final Errseq.Since since;

        Open(Inode inode) {
            this.inode = inode;
            AddressSpace m = (AddressSpace) inode.mapping();
            if (m == null) {
                m = cache.newMapping(inode, path.aops());
                m.setHost(inode);
                m.setMaxFolioOrder(path.maxFolioOrder());
                inode.setMapping(m);
            }
            this.mapping = m;
            this.ra = cache.newRaState();
            this.since = m.errseqSample();
        }

        long write(long pos, byte[] data) throws IOException {
            inode.iRwsem().writeLock().lock();
            try {
                ByteBuffer src = ByteBuffer.wrap(data);
                return path.bufferedWrite(inode, mapping, src, pos);
            } finally {
                inode.iRwsem().writeLock().unlock();
            }
        }

        byte[] read(long pos, int len) throws IOException {
            ByteBuffer dst = ByteBuffer.allocate(len);
            while (dst.hasRemaining()) {
                int n = Filemap.filemapRead(mapping, ra, pos + dst.position(), dst, inode.size());
                if (n == 0) {
                    break;
                }
            }
            byte[] out = new byte[dst.position()];
            dst.get(0, out);
            return out;
        }

        /** fsync: write back and wait (WB_SYNC_ALL), report errseq, then commit. */
        void fsync() throws IOException {
            mapping.fileWriteAndWaitRange(since, 0, Long.MAX_VALUE);
            fs.fsyncCommit(inode, false);
        }

        /** vfs truncate as ext4_setattr orders it. */
        void truncate(long size) throws IOException {
            inode.iRwsem().writeLock().lock();
            try {
                long old = inode.size();
                path.truncatePage(inode, mapping, Math.min(old, size));
                if (size < old) {
                    inode.setSize(size);
                    mapping.invalidateLock().writeLock().lock();
                    try {
                        mapping.truncateInodePages(size);
                    } finally {
                        mapping.invalidateLock().writeLock().unlock();
                    }
                }
                fs.truncate(inode, size);
            } finally {
                inode.iRwsem().writeLock().unlock();
            }
        }
    }

    static FsOptions fsOptions(int blockSize, Counters c) {
        return fsOptions(blockSize, c, null);
    }

    /** {@code dioreadNolock} null: the kernel's default for the block size. */
    static FsOptions fsOptions(int blockSize, Counters c, Boolean dioreadNolock) {
        return FsOptions.builder().blockSize(blockSize).inodeCount(64).commitIntervalSeconds(0).counters(c)
                .dioreadNolock(dioreadNolock).build();
    }

    static PageCacheOptions pcOptions(Counters c) {
        // writeback only when the tests ask for it
        return PageCacheOptions.builder().arenaBytes(32L << 20).dirtyWritebackCentisecs(0).counters(c).build();
    }

    static BhHarness format(BlockDevice dev, int blockSize) throws IOException {
        return format(dev, blockSize, null);
    }

    static BhHarness format(BlockDevice dev, int blockSize, Boolean dioreadNolock) throws IOException {
        Counters c = new Counters();
        Ext4.format(dev, fsOptions(blockSize, c, dioreadNolock));
        return new BhHarness(dev, c, fsOptions(blockSize, c, dioreadNolock), pcOptions(c), null);
    }

    /** The bhlf path: large folios up to the default max order, partial writes walking as {@code walk} says. */
    static BhHarness formatLarge(BlockDevice dev, int blockSize, BhPartialWalk walk) throws IOException {
        Counters c = new Counters();
        Ext4.format(dev, fsOptions(blockSize, c, null));
        return new BhHarness(dev, c, fsOptions(blockSize, c, null), pcOptions(c), null, walk);
    }

    BhHarness(BlockDevice dev, Counters c, FsOptions fo, PageCacheOptions po, PageCache cache) throws IOException {
        this(dev, c, fo, po, cache, null);
    }

    BhHarness(BlockDevice dev, Counters c, FsOptions fo, PageCacheOptions po, PageCache cache, BhPartialWalk walk)
            throws IOException {
        this.walk = walk;
        this.dev = dev;
        this.counters = c;
        this.fsOpts = fo;
        this.pcOpts = po;
        this.fs = Ext4.mount(dev, fo);
        this.cache = cache != null ? cache : new PageCache(po);
        this.path = walk == null ? new BufferHeadPath(fs)
                : new BufferHeadPath(fs, this.cache.arena().totalPages(), Defaults.MAX_PAGECACHE_ORDER, walk);
    }

    Open create(String name) throws IOException {
        Open o = new Open(fs.create(name));
        files.put(name, o);
        return o;
    }

    Open open(String name) throws IOException {
        Open o = files.get(name);
        if (o == null) {
            o = new Open(fs.lookup(name));
            files.put(name, o);
        }
        return o;
    }

    /**
     * sync, evict the inodes' mappings and unmount, then mount the same device again. The page
     * cache (the machine's memory) and the counters stay.
     */
    BhHarness remount() throws IOException {
        cache.syncAll();
        for (Open o : files.values()) {
            o.mapping.evict();
        }
        files.clear();
        fs.unmount();
        return new BhHarness(dev, counters, fsOpts, pcOpts, cache, walk);
    }

    @Override
    public void close() throws IOException {
        try {
            fs.unmount();
        } finally {
            cache.close();
        }
    }
}
