package org.foliobench.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;

/**
 * The flat namespace ({@code fs/ext4/namei.c}, with {@code fs/ext4/ialloc.c}'s choice of a free
 * inode): names to in-core inodes, which inode numbers are in use, create, lookup and unlink.
 * The names live in the inodes' slots in the inode table, so this is rebuilt at mount.
 */
final class Namei {
    private final Ext4 fs;
    private final int inodeCount;
    private final ReentrantLock nsLock = new ReentrantLock();
    private final TreeMap<String, Inode> names = new TreeMap<>();
    private final Inode[] inodes;
    private final BitSet usedInodes = new BitSet();

    Namei(Ext4 fs) {
        this.fs = fs;
        this.inodeCount = fs.inodeCount;
        this.inodes = new Inode[inodeCount];
    }

    /** An inode in use found in the inode table at mount. */
    void add(Inode inode) {
        inodes[inode.ino] = inode;
        usedInodes.set(inode.ino);
        names.put(inode.name, inode);
    }

    /** {@link Ext4#create}. */
    Inode create(String name) throws IOException {
        checkName(name);
        Handle h = fs.journalStart(2);
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
                Inode inode = new Inode(fs, ino, name);
                usedInodes.set(ino);
                inodes[ino] = inode;
                names.put(name, inode);
                inode.iDataSem.writeLock().lock();
                try {
                    inode.mtime = Ext4.currentTime();
                    fs.writeInode(h, inode);
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
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > Ext4.NAME_MAX || name.indexOf('/') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "file name '" + name + "' must be 1.." + Ext4.NAME_MAX + " bytes without '/'");
        }
    }

    /** {@link Ext4#lookup(String)}. */
    Inode lookup(String name) throws ErrnoException {
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

    /** {@link Ext4#list}. */
    List<String> list() {
        nsLock.lock();
        try {
            return new ArrayList<>(names.keySet());
        } finally {
            nsLock.unlock();
        }
    }

    /** {@link Ext4#unlink}. */
    void unlink(String name) throws IOException {
        Inode inode = lookup(name);
        fs.truncate(inode, 0);
        Handle h = fs.journalStart(Ext4.INODE_SLOTS + 2);
        try {
            nsLock.lock();
            try {
                inode.iDataSem.writeLock().lock();
                try {
                    fs.extentTree.freeExtentBlocks(h, inode);
                    // ext4_clear_inode: ext4_es_remove_extent(inode, 0, EXT_MAX_BLOCKS), entries back to their caches
                    inode.tree.clear();
                    synchronized (inode.esLock) {
                        inode.es.clear();
                    }
                    MetaBuffer bh = fs.itableBuffer(inode.ino);
                    int off = fs.itableOffset(inode.ino);
                    for (int i = 0; i < Ext4.INODE_SIZE; i += 8) {
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

    /** Every name with its inode, for tests. */
    Map<String, Inode> namespace() {
        nsLock.lock();
        try {
            return new HashMap<>(names);
        } finally {
            nsLock.unlock();
        }
    }
}
