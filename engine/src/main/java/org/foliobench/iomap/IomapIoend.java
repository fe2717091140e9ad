package org.foliobench.iomap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.foliobench.device.Bio;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.Folio;

/**
 * {@code struct iomap_ioend}: one writeback IO over a file- and disk-contiguous range of one
 * mapping type: {@code [offset, offset + size)} of the file at device sector {@code sector}.
 * Its data travels in a chain of bios (each at most the queue's max_sectors_kb and
 * {@link Bio#BIO_MAX_VECS} segments, as the block layer would split one large bio); the ioend
 * completes when its last bio did and it was submitted ({@link #remaining} starts with a bias of
 * one, dropped at submission). {@link #folios}/{@link #lens} record the bytes of each folio it
 * carries, for {@code iomap_finish_ioend}.
 */
final class IomapIoend {
    final Inode inode;
    /** The mapping whose folios it carries ({@code io_inode->i_mapping}). */
    org.foliobench.pagecache.AddressSpace mapping;
    final Iomap.Type type;
    final int flags;
    final long offset;
    final long sector;
    long size;
    Bio bio;
    /** The writeback call that built it, for the bio completion ({@code bi_private} chain). */
    WritepageCtx wpc;
    final List<Folio> folios = new ArrayList<>();
    /** Bytes of each folio in {@link #folios} (unboxed). */
    int[] lens = new int[8];
    final AtomicInteger remaining = new AtomicInteger(1);
    volatile IOException status;
    /** ext4's {@code prepare_ioend}: completion needs the end_io work (conversion, i_disksize). */
    boolean deferEndIo;
    /** Ioends merged into this one at completion ({@code iomap_ioend_try_merge}). */
    final List<IomapIoend> merged = new ArrayList<>();

    IomapIoend(Inode inode, Iomap.Type type, int flags, long offset, long sector) {
        this.inode = inode;
        this.type = type;
        this.flags = flags;
        this.offset = offset;
        this.sector = sector;
    }

    /** Records {@code len} bytes of {@code folio}, extending the last entry when it is the same folio. */
    void addFolio(Folio folio, int len) {
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
        return "ioend[" + type + " off=" + offset + " size=" + size + " sector=" + sector + "]";
    }
}
