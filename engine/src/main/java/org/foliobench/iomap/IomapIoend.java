package org.foliobench.iomap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.foliobench.device.Bio;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;

/**
 * {@code struct iomap_ioend}: one writeback IO over a file- and disk-contiguous range of one
 * mapping type: {@code [offset, offset + size)} of the file at device sector {@code sector}.
 * Its data travels in a chain of bios (each at most the queue's max_sectors_kb and
 * {@link Bio#BIO_MAX_VECS} segments, as the block layer would split one large bio); the ioend
 * completes when its last bio did and it was submitted ({@link #remaining} starts with a bias of
 * one, dropped at submission). {@link #folios}/{@link #lens} record the bytes of each folio it
 * carries, for {@code iomap_finish_ioend}.
 *
 * <p>Ioends come from the {@code iomap_ioend} cache of {@link Writepages} (the kernel's
 * {@code iomap_ioend_bioset}) and go back to it once {@code iomap_finish_ioend} has ended the
 * writeback of its folios (the kernel's {@code bio_put} of the ioend's bio), after ext4's deferred
 * completion work when there is one, together with the ioends merged into it. Its lists keep their
 * capacity across uses; any use of a freed ioend throws.
 */
final class IomapIoend {
    Inode inode;
    /** The mapping whose folios it carries ({@code io_inode->i_mapping}). */
    AddressSpace mapping;
    Iomap.Type type;
    int flags;
    long offset;
    long sector;
    long size;
    Bio bio;
    /** The filesystem's writeback ops, whose {@code endBio} a deferred completion goes to ({@code bi_end_io}). */
    WritebackOps ops;
    /** {@code io_list}: the next ioend on the inode's completed list. */
    IomapIoend ioNext;
    /** {@code System.nanoTime()} when its last bio ended and it was queued for completion. */
    long queuedNanos;
    final ArrayList<Folio> folios = new ArrayList<>();
    /** Bytes of each folio in {@link #folios} (unboxed). */
    int[] lens = new int[8];
    final AtomicInteger remaining = new AtomicInteger();
    volatile IOException status;
    /** ext4's {@code prepare_ioend}: completion needs the end_io work (conversion, i_disksize). */
    boolean deferEndIo;
    /** Ioends merged into this one at completion ({@code iomap_ioend_try_merge}). */
    final ArrayList<IomapIoend> merged = new ArrayList<>();
    /** On the cache's free list. */
    private boolean freed = true;

    /** {@code iomap_alloc_ioend}: the ioend handed out again, empty, with its submission bias. */
    IomapIoend init(Inode inode, AddressSpace mapping, Iomap.Type type, int flags, long offset, long sector) {
        if (!freed) {
            throw new IllegalStateException("iomap_ioend cache handed out " + this + ", which is in use");
        }
        freed = false;
        this.inode = inode;
        this.mapping = mapping;
        this.type = type;
        this.flags = flags;
        this.offset = offset;
        this.sector = sector;
        size = 0;
        remaining.set(1);
        return this;
    }

    /** Forget everything before the cache takes it back (its folios' writeback has ended). */
    void free() {
        live();
        inode = null;
        mapping = null;
        bio = null;
        ops = null;
        ioNext = null;
        folios.clear();
        merged.clear();
        status = null;
        deferEndIo = false;
        freed = true;
    }

    /** This ioend, or an exception when it went back to its cache (a use after its completion). */
    IomapIoend live() {
        if (freed) {
            throw new IllegalStateException("use of an iomap_ioend after its completion freed it");
        }
        return this;
    }

    /** Records {@code len} bytes of {@code folio}, extending the last entry when it is the same folio. */
    void addFolio(Folio folio, int len) {
        live();
        int n = folios.size();
        if (n > 0 && folios.get(n - 1) == folio) {
            lens[n - 1] += len;
        } else {
            if (n == lens.length) {
                lens = java.util.Arrays.copyOf(lens, 2 * n);
            }
            folios.add(folio);
            lens[n] = len;
        }
    }

    long endSector() {
        return sector + (size >> Bio.SECTOR_SHIFT);
    }

    @Override
    public String toString() {
        return "ioend[" + type + " off=" + offset + " size=" + size + " sector=" + sector + (freed ? " freed" : "") + "]";
    }
}
