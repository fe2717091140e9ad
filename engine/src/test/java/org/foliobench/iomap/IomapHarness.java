package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.device.BlockDevice;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.FsOptions;
import org.foliobench.fs.Fsck;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Errseq;
import org.foliobench.pagecache.FileRaState;
import org.foliobench.pagecache.Filemap;
import org.foliobench.pagecache.PageCache;
import org.foliobench.pagecache.PageCacheOptions;
import org.foliobench.stats.Counters;

/**
 * Test harness standing in for the vfs: a device, ext4 on it, a page cache and the iomap path,
 * with files opened the way the vfs will open them (mapping per inode, large folios, host).
 */
final class IomapHarness implements AutoCloseable {
    final Counters counters = new Counters();
    final BlockDevice dev;
    final int blockSize;
    final int maxOrder;
    final PageCacheOptions pcOpts;
    Ext4 fs;
    PageCache cache;
    IomapPath path;
    private final Map<String, OpenFile> files = new LinkedHashMap<>();

    /** One open file: inode, mapping, readahead state and the opener's errseq sample. */
    final class OpenFile {
        final String name;
        Inode inode;
        AddressSpace mapping;
        FileRaState ra;
        Errseq.Since since;

        OpenFile(String name) {
            this.name = name;
        }
    }

    IomapHarness(int blockSize) throws IOException {
        this(new RamDisk(256L << 20), blockSize, org.foliobench.Defaults.MAX_PAGECACHE_ORDER,
                PageCacheOptions.builder().arenaBytes(256L << 20).dirtyBytes(192L << 20)
                        .dirtyBackgroundBytes(160L << 20));
    }

    IomapHarness(BlockDevice dev, int blockSize, int maxOrder, PageCacheOptions.Builder pc) throws IOException {
        this.dev = dev;
        this.blockSize = blockSize;
        this.maxOrder = maxOrder;
        this.pcOpts = pc.counters(counters).build();
        Ext4.format(dev, fsOpts());
        mount();
    }

    private FsOptions fsOpts() {
        return FsOptions.builder().blockSize(blockSize).counters(counters).commitIntervalSeconds(0).build();
    }

    private void mount() throws IOException {
        fs = Ext4.mount(dev, fsOpts());
        cache = new PageCache(pcOpts);
        path = new IomapPath(fs, maxOrder);
    }

    OpenFile open(String name) throws IOException {
        OpenFile f = files.get(name);
        if (f != null) {
            return f;
        }
        f = new OpenFile(name);
        attach(f, true);
        files.put(name, f);
        return f;
    }

    private void attach(OpenFile f, boolean create) throws IOException {
        Inode inode;
        if (fs.list().contains(f.name)) {
            inode = fs.lookup(f.name);
        } else if (create) {
            inode = fs.create(f.name);
        } else {
            throw new IOException("no file " + f.name);
        }
        AddressSpace m = cache.newMapping(inode, path.aops());
        m.setMaxFolioOrder(path.maxFolioOrder());
        m.setHost(inode);
        inode.setMapping(m);
        f.inode = inode;
        f.mapping = m;
        f.ra = cache.newRaState();
        f.since = m.errseqSample();
    }

    long write(OpenFile f, long pos, byte[] data) throws IOException {
        ByteBuffer src = ByteBuffer.allocateDirect(Math.max(1, data.length));
        src.put(0, data).limit(data.length);
        return write(f, pos, src);
    }

    long write(OpenFile f, long pos, ByteBuffer src) throws IOException {
        f.inode.iRwsem().writeLock().lock();
        try {
            return path.bufferedWrite(f.inode, f.mapping, src, pos);
        } finally {
            f.inode.iRwsem().writeLock().unlock();
        }
    }

    byte[] read(OpenFile f, long pos, int len) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.max(1, len));
        dst.limit(len);
        int total = 0;
        while (dst.hasRemaining()) {
            int n = Filemap.filemapRead(f.mapping, f.ra, pos + total, dst, f.inode.size());
            if (n == 0) {
                break;
            }
            total += n;
        }
        byte[] out = new byte[total];
        dst.get(0, out);
        return out;
    }

    /** fsync: write back and wait, report the errseq error, commit the inode's transaction. */
    void fsync(OpenFile f) throws IOException {
        f.mapping.fileWriteAndWaitRange(f.since, 0, Long.MAX_VALUE);
        fs.fsyncCommit(f.inode, false);
    }

    void truncate(OpenFile f, long size) throws IOException {
        f.inode.iRwsem().writeLock().lock();
        try {
            f.mapping.invalidateLock().writeLock().lock();
            try {
                path.truncatePage(f.inode, f.mapping, size);
                f.mapping.truncateInodePages(size);
                fs.truncate(f.inode, size);
            } finally {
                f.mapping.invalidateLock().writeLock().unlock();
            }
        } finally {
            f.inode.iRwsem().writeLock().unlock();
        }
    }

    long dropCaches() {
        return cache.dropCaches();
    }

    /** sync, unmount and mount again: every open file gets a fresh mapping. */
    void remount() throws IOException {
        for (OpenFile f : files.values()) {
            fsync(f);
        }
        for (OpenFile f : files.values()) {
            f.mapping.evict();
        }
        cache.close();
        fs.unmount();
        mount();
        for (OpenFile f : files.values()) {
            attach(f, false);
        }
    }

    /** Power cut: nothing more is committed; mount the device again. */
    void crash() throws IOException {
        fs.shutdown();
        for (OpenFile f : files.values()) {
            f.mapping.evict();
        }
        cache.close();
        mount();
        for (OpenFile f : files.values()) {
            attach(f, false);
        }
    }

    List<String> fsck() throws IOException {
        fs.commit();
        return new ArrayList<>(Fsck.check(dev));
    }

    long count(String name) {
        return counters.get(name);
    }

    @Override
    public void close() throws IOException {
        try {
            cache.close();
            fs.unmount();
        } finally {
            dev.close();
        }
    }

    static byte pattern(int seed, long pos) {
        long x = pos * 0x9E3779B97F4A7C15L + seed * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    static byte[] data(int seed, long pos, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = pattern(seed, pos + i);
        }
        return b;
    }
}
