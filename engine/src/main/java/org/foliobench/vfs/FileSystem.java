package org.foliobench.vfs;

import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.buffer.BufferHeadPath;
import org.foliobench.device.BlockDevice;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Inode;
import org.foliobench.iomap.Ext4DirectIo;
import org.foliobench.iomap.IomapPath;
import org.foliobench.iopath.IoPath;
import org.foliobench.iopath.IoPathOps;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.PageCache;
import org.foliobench.stats.Counters;

/**
 * A mounted filesystem, the engine's public face: the ext4-like filesystem ({@link Ext4}) on a
 * {@link BlockDevice}, the page cache above it, and both buffered IO paths. Files are opened
 * with the {@link IoPath} that serves them, like the series' per-inode switch.
 *
 * <pre>{@code
 * FileSystem.format(dev, opts);
 * try (FileSystem fs = FileSystem.mount(dev, opts);
 *      File f = fs.open("data", IoPath.IOMAP, StandardOpenOption.CREATE)) {
 *     f.pwrite(buf, 0);
 *     f.fsync();
 * }
 * }</pre>
 *
 * <p>Errors are {@link ErrnoException}s naming the errno and what to do. Thread-safe: any number
 * of threads may read, write and sync the same or different files.
 */
public final class FileSystem implements AutoCloseable {
    private final BlockDevice device;
    private final MountOptions opts;
    private final Ext4 ext4;
    private final PageCache pageCache;
    private final Map<IoPath, IoPathOps> paths = new EnumMap<>(IoPath.class);
    /** Direct IO (O_DIRECT opens), through iomap whichever path serves the file, as ext4's. */
    private final Ext4DirectIo directIo;
    /** In-core vfs inodes with an attached mapping, by inode number; guarded by {@code this}. */
    private final Map<Integer, VfsInode> icache = new HashMap<>();
    private volatile boolean mounted = true;

    /** The vfs's view of an inode: its mapping and the path serving it, and how many opens. */
    static final class VfsInode {
        final Inode inode;
        AddressSpace mapping;
        /** The path serving the inode; changed by a defrag fallback under i_rwsem and invalidate_lock. */
        volatile IoPathOps ops;
        int opens;

        VfsInode(Inode inode) {
            this.inode = inode;
        }
    }

    private FileSystem(BlockDevice device, MountOptions opts, Ext4 ext4) {
        this.device = device;
        this.opts = opts;
        this.ext4 = ext4;
        this.pageCache = new PageCache(opts.pageCache());
        this.directIo = new Ext4DirectIo(ext4);
        if (opts.populateMemory()) {
            pageCache.arena().populate();
        }
    }

    /** {@code mkfs}: writes an empty filesystem on the device (everything on it is lost). */
    public static void format(BlockDevice device, MountOptions opts) throws IOException {
        Ext4.format(device, opts.fs());
    }

    /** {@code mount}: replays the journal if the filesystem was not cleanly unmounted. */
    public static FileSystem mount(BlockDevice device, MountOptions opts) throws IOException {
        return new FileSystem(device, opts, Ext4.mount(device, opts.fs()));
    }

    /**
     * {@code open(2)}: opens {@code name} to be served by {@code path}. {@link StandardOpenOption#CREATE}
     * creates it if missing, {@link StandardOpenOption#CREATE_NEW} insists on creating it,
     * {@link StandardOpenOption#TRUNCATE_EXISTING} truncates it to 0. A file open on one path can
     * be opened on the other only once every open of it is closed (EBUSY otherwise); switching
     * writes its cached data back and drops it first, as ext4 does when an inode changes aops.
     * {@link com.sun.nio.file.ExtendedOpenOption#DIRECT} opens it {@code O_DIRECT}: reads and writes
     * go between the caller's buffer and the device ({@link File#pread}, {@link File#pwritev2}).
     */
    public File open(String name, IoPath path, OpenOption... options) throws IOException {
        checkMounted();
        Set<OpenOption> o = Set.of(options);
        Inode inode;
        if (o.contains(StandardOpenOption.CREATE_NEW)) {
            inode = ext4.create(name);
        } else {
            try {
                inode = ext4.lookup(name);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT || !o.contains(StandardOpenOption.CREATE)) {
                    throw e;
                }
                inode = ext4.create(name);
            }
        }
        VfsInode vi = attach(inode, ops(path));
        File f = new File(this, vi, path, o.contains(com.sun.nio.file.ExtendedOpenOption.DIRECT));
        if (o.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            try {
                f.truncate(0);
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
        }
        return f;
    }

    private synchronized VfsInode attach(Inode inode, IoPathOps ops) throws IOException {
        if (ops.path() != IoPath.IOMAP && ext4.reflink().hasShared(inode)) {
            // the buffer_head path would write shared blocks in place (it has no copy on write)
            throw new ErrnoException(Errno.EOPNOTSUPP, "'" + inode.name() + "' shares blocks with a reflinked file; "
                    + "only the iomap path copies on write: open it on the iomap path");
        }
        VfsInode vi = icache.computeIfAbsent(inode.ino(), k -> new VfsInode(inode));
        if (vi.mapping != null && vi.ops != ops) {
            if (vi.opens > 0) {
                throw new ErrnoException(Errno.EBUSY, "'" + inode.name() + "' is open on the " + vi.ops.path().shortName()
                        + " path; close it before opening it on the " + ops.path().shortName() + " path");
            }
            vi.mapping.filemapWriteAndWaitRange(0, Long.MAX_VALUE);
            vi.mapping.evict();
            vi.mapping = null;
        }
        if (vi.mapping == null) {
            AddressSpace m = pageCache.newMapping(inode, ops.aops());
            if (ops.maxFolioOrder() > 0) {
                m.setMaxFolioOrder(ops.maxFolioOrder());
            }
            inode.setMapping(m);
            vi.mapping = m;
            vi.ops = ops;
        }
        vi.opens++;
        return vi;
    }

    synchronized void release(VfsInode vi) {
        vi.opens--;
    }

    /** The one {@link IoPathOps} of {@code path} on this mount. */
    IoPathOps opsFor(IoPath path) {
        return ops(path);
    }

    private synchronized IoPathOps ops(IoPath path) {
        IoPathOps ops = paths.get(path);
        if (ops == null) {
            switch (path) {
                case BUFFER_HEAD:
                    ops = new BufferHeadPath(ext4, pageCache.arena().totalPages());
                    break;
                case BUFFER_HEAD_LARGE_FOLIO:
                    ops = new BufferHeadPath(ext4, pageCache.arena().totalPages(), opts.maxFolioOrder(),
                            opts.bhPartialWalk());
                    break;
                case IOMAP:
                    ops = new IomapPath(ext4, opts.maxFolioOrder(), pageCache.arena().totalPages());
                    break;
                default:
                    throw new AssertionError(path);
            }
            paths.put(path, ops);
        }
        return ops;
    }

    /**
     * {@code unlink(2)}: removes the file, its cached data and its blocks. Unlike Linux, a file
     * still open cannot be unlinked (EBUSY).
     */
    public void unlink(String name) throws IOException {
        checkMounted();
        Inode inode = ext4.lookup(name);
        synchronized (this) {
            VfsInode vi = icache.get(inode.ino());
            if (vi != null) {
                if (vi.opens > 0) {
                    throw new ErrnoException(Errno.EBUSY, "'" + name + "' is open; close it before unlinking it");
                }
                if (vi.mapping != null) {
                    vi.mapping.evict();
                }
                icache.remove(inode.ino());
            }
        }
        ext4.unlink(name);
    }

    /** Names of all files. */
    public List<String> list() {
        return ext4.list();
    }

    /** {@code echo 1 > /proc/sys/vm/drop_caches}: drops clean cached folios; dirty ones stay. Returns pages dropped. */
    public long dropCaches() {
        return pageCache.dropCaches();
    }

    /** {@code sync(2)}: writes back every dirty file and commits the journal. */
    public void sync() throws IOException {
        checkMounted();
        pageCache.syncAll();
        ext4.syncFs();
    }

    /** The event counters of every layer of this mount. */
    public Counters counters() {
        return opts.counters();
    }

    public BlockDevice device() {
        return device;
    }

    public MountOptions options() {
        return opts;
    }

    /** Dirty and under-writeback pages in the page cache (like /proc/meminfo Dirty + Writeback). */
    public long dirtyPages() {
        return pageCache.nrDirty() + pageCache.nrWriteback();
    }

    /** Outstanding delalloc reservations in blocks ({@code s_dirtyclusters_counter}). */
    public long reservedBlocks() {
        return ext4.dirtyClusters();
    }

    /** Free blocks not reserved by delalloc. */
    public long freeBlocks() {
        return ext4.freeBlocks();
    }

    public int blockSize() {
        return ext4.blockSize();
    }

    /**
     * {@code umount}: writes back everything, commits and checkpoints the journal, stops the
     * flusher. The device stays open (the caller owns it). The first error is thrown after
     * everything that can be done is done.
     */
    public void unmount() throws IOException {
        if (!mounted) {
            return;
        }
        IOException first = null;
        try {
            pageCache.syncAll();
        } catch (IOException e) {
            first = e;
        }
        mounted = false;
        try {
            ext4.unmount();
        } catch (IOException e) {
            first = first == null ? e : first;
        } finally {
            // reads nobody waited for (readahead) may still be in flight into cache memory
            device.drain();
            pageCache.close();
        }
        if (first != null) {
            throw first;
        }
        pageCache.releaseMemory(); // a clean unmount: the next mount reuses the memory
    }

    /**
     * A power cut: the filesystem stops where it is, dirty cached data and uncommitted metadata
     * are lost, nothing more reaches the device. Mount the device again to recover.
     */
    public void crash() {
        mounted = false;
        ext4.shutdown();
        pageCache.close();
    }

    @Override
    public void close() throws IOException {
        unmount();
    }

    void checkMounted() throws ErrnoException {
        if (!mounted) {
            throw new ErrnoException(Errno.EIO, "filesystem on " + device.describe() + " is not mounted");
        }
    }

    /** Shared extents and copy on write of this filesystem (refcounts, CoW forks). */
    public org.foliobench.fs.Reflink reflink() {
        return ext4.reflink();
    }

    Ext4 ext4() {
        return ext4;
    }

    Ext4DirectIo directIo() {
        return directIo;
    }

    PageCache pageCache() {
        return pageCache;
    }

    /** Open files per inode, for tests. */
    synchronized List<String> openFiles() {
        List<String> l = new ArrayList<>();
        icache.values().forEach(v -> {
            if (v.opens > 0) {
                l.add(v.inode.name());
            }
        });
        return l;
    }
}
