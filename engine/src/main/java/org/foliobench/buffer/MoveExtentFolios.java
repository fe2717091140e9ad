package org.foliobench.buffer;

import java.io.IOException;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Handle;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.fs.MoveExtent;
import org.foliobench.iopath.IoPathOps;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.Folio;

/**
 * The page-cache half of {@code EXT4_IOC_MOVE_EXT} on the buffer_head path
 * ({@code move_extent_per_page} of fs/ext4/move_extent.c, "data copy" case): folio by folio, the
 * original's data is brought uptodate from its old blocks with the folio locked
 * ({@code mext_page_mkuptodate}), the blocks under the folio are swapped with the donor's
 * ({@link MoveExtent#swapExtents}), and the folio's buffers are mapped again to the new blocks and
 * dirtied ({@code block_commit_write}), so writeback copies the data to the new blocks. Readers
 * see the original's data throughout: it is in the locked, uptodate folio. The handle puts the
 * original on the transaction's data=ordered list, so the swap never commits before the data.
 *
 * <p>Only the buffer_head aops know how to do this: an iomap inode must first fall back
 * ({@code ext4_disable_buffered_iomap_aops}) or the ioctl fails with EOPNOTSUPP.
 */
public final class MoveExtentFolios {
    private MoveExtentFolios() {
    }

    /**
     * Moves {@code [olblk, olblk + len)} of {@code orig} (cached in {@code mapping}, served by the
     * buffer_head path {@code ops}) with {@code [dlblk, dlblk + len)} of {@code donor}. Both must
     * have no dirty or delayed data in the range (written back by the caller, who holds both
     * inodes' i_rwsem and invalidate_lock). Holes of the original stay holes; under a mapped or
     * unwritten block of the original the donor must have a written block (ENODATA otherwise).
     *
     * @return blocks whose mapping moved
     */
    public static long moveExtents(IoPathOps ops, Inode orig, AddressSpace mapping, Inode donor, long olblk,
            long dlblk, long len) throws IOException {
        if (!(ops instanceof BufferHeadPath)) {
            throw new IllegalArgumentException("moveExtents needs the buffer_head path, not " + ops.path());
        }
        BufferHeadPath p = (BufferHeadPath) ops;
        Ext4 fs = p.fs;
        int bits = p.bits;
        long pos = olblk << bits;
        long end = (olblk + len) << bits;
        long moved = 0;
        while (pos < end) {
            long index = pos >>> org.foliobench.Defaults.PAGE_SHIFT;
            // move_extent_per_page: the handle first, then the folio lock (ext4's lock order)
            Handle h = fs.journalStart(MoveExtent.swapCredits(fs, (int) Math.min(end - pos >> bits, 1 << 9)));
            long fend;
            try {
                h.addInodeWrite(orig);
                Folio folio = mapping.getFolio(index, AddressSpace.FGP_LOCK | AddressSpace.FGP_CREAT, 0);
                try {
                    folio.waitWriteback();
                    fend = Math.min(end, folio.pos() + folio.size());
                    mkuptodate(p, folio, orig);
                    moved += swapUnderFolio(p, h, folio, orig, donor, pos >> bits, fend >> bits, dlblk - olblk);
                } finally {
                    folio.unlock();
                    folio.put();
                }
            } finally {
                h.stop();
            }
            pos = fend;
        }
        return moved;
    }

    /**
     * {@code mext_page_mkuptodate}: every buffer of the locked folio uptodate, read synchronously
     * from the original's current blocks (holes and unwritten blocks zeroed).
     */
    static void mkuptodate(BufferHeadPath p, Folio folio, Inode inode) throws IOException {
        if (folio.isUptodate()) {
            return;
        }
        BufferHead head = Buffers.folioCreateBuffers(p, folio, 0);
        long iblock = folio.pos() >> p.bits;
        BufferHead bh = head;
        do {
            if (!bh.uptodate()) {
                if (!bh.mapped()) {
                    Buffers.ext4GetBlock(p, inode, iblock, bh);
                }
                if (!bh.mapped() || bh.unwritten()) {
                    folio.zero(bh.offset, bh.size);
                    bh.set(BufferHead.BH_UPTODATE);
                } else {
                    Buffers.readBhLock(p, bh, true);
                    if (!bh.uptodate()) {
                        throw new ErrnoException(Errno.EIO, "read of block " + bh.blocknr + " of " + inode
                                + " failed while moving its extents");
                    }
                }
            }
            iblock++;
            bh = bh.thisPage;
        } while (bh != head);
        folio.markUptodate();
    }

    /**
     * Swaps the original's non-hole runs of {@code [from, to)} (blocks, under the locked folio)
     * with the donor's blocks at {@code + dshift}, then maps each moved buffer to its new block
     * and dirties it.
     */
    private static long swapUnderFolio(BufferHeadPath p, Handle h, Folio folio, Inode orig, Inode donor, long from,
            long to, long dshift) throws IOException {
        Ext4 fs = p.fs;
        MapBlocks om = new MapBlocks();
        MapBlocks dm = new MapBlocks();
        long moved = 0;
        BufferHead head = Buffers.folioCreateBuffers(p, folio, 0);
        long fblk = folio.pos() >> p.bits;
        for (long lblk = from; lblk < to;) {
            fs.ext4MapBlocks(null, orig, lblk, (int) (to - lblk), 0, om);
            int n = om.len();
            if (om.isHole()) {
                lblk += n;
                continue;
            }
            fs.ext4MapBlocks(null, donor, lblk + dshift, n, 0, dm);
            if (!dm.isMapped()) {
                throw new ErrnoException(Errno.ENODATA, "donor " + donor + " has no written block at " + (lblk + dshift)
                        + "; write (and fsync) the donor over the whole range before moving extents into it");
            }
            n = Math.min(n, dm.len());
            MoveExtent.swapExtents(fs, h, orig, lblk, donor, lblk + dshift, n);
            // remap the folio's buffers of [lblk, lblk + n) to the new blocks and dirty them
            BufferHead bh = Buffers.getNthBh(head, (int) (lblk - fblk));
            for (long b = lblk; b < lblk + n; b++, bh = bh.thisPage) {
                bh.clear(BufferHead.BH_MAPPED | BufferHead.BH_NEW | BufferHead.BH_UNWRITTEN | BufferHead.BH_DELAY);
                bh.blocknr = 0;
                Buffers.ext4GetBlock(p, orig, b, bh);
                if (!bh.mapped()) {
                    throw new IllegalStateException("block " + b + " of " + orig + " is not mapped after the swap");
                }
                bh.set(BufferHead.BH_UPTODATE);
                Buffers.markBufferDirty(bh);
            }
            moved += n;
            lblk += n;
        }
        return moved;
    }
}
