package org.foliobench.buffer;

import org.foliobench.Defaults;
import org.foliobench.ErrnoException;
import org.foliobench.device.Bio;
import org.foliobench.device.BlkPlug;
import org.foliobench.fs.Inode;
import org.foliobench.fs.MapBlocks;
import org.foliobench.mm.OnStack;
import org.foliobench.pagecache.Folio;
import org.foliobench.pagecache.ReadaheadControl;

/**
 * fs/ext4/readpage.c: {@code ext4_mpage_readpages}, ext4's own mpage read. It maps as much as
 * one {@code ext4_map_blocks} call returns, adds whole folios to one bio while their blocks are
 * disk-contiguous (one segment per folio), zeroes holes without IO, and falls back to
 * {@code block_read_full_folio} (a bio per buffer) for a folio with buffers or whose blocks are
 * not all mapped contiguously ("confused"). Folios may be large (the bhlf path): the blocks of
 * a folio are {@code folio_size >> blkbits} and {@code nr_pages} counts down by
 * {@code folio_nr_pages}, as since 6.16. Its state lives on the stack of
 * {@code ext4_mpage_readpages}; here each thread reuses one ({@link #readpages}), which refers to
 * no filesystem between calls.
 */
final class Ext4Readpage {
    private BufferHeadPath p;
    private Inode inode;
    private BlkPlug plug;
    private int blkbits;
    /** {@code blocks_per_folio} of the folio being read. */
    private int blocksPerPage;
    private int blocksize;
    // struct ext4_map_blocks map, reused across folios
    private long mLblk;
    private long mPblk;
    private int mLen;
    private boolean mMapped;
    /** What {@code ext4_map_blocks} answers. */
    private final MapBlocks map = new MapBlocks();
    private Bio bio;
    private BioPrivate bioFolios;
    private long lastBlockInBio;

    /** The threads' free states. */
    private static final OnStack<Ext4Readpage> STATE = new OnStack<>();

    /**
     * {@code ext4_mpage_readpages(inode, rac, folio)} with the thread's state: {@code rac} null
     * reads the one {@code folio}; bios go into {@code plug} (may be null).
     */
    static void readpages(BufferHeadPath p, Inode inode, BlkPlug plug, ReadaheadControl rac, Folio folio) {
        Ext4Readpage r = STATE.take();
        if (r == null) {
            r = new Ext4Readpage();
        }
        r.p = p;
        r.blkbits = p.bits;
        r.blocksize = 1 << r.blkbits;
        r.inode = inode;
        r.plug = plug;
        r.mMapped = false;
        r.mLblk = r.mPblk = 0;
        r.mLen = 0;
        r.lastBlockInBio = 0;
        try {
            r.readpages(rac, folio);
        } finally {
            r.p = null;
            r.inode = null;
            r.plug = null;
            r.bio = null; // a bio left by an exception is the completion's, not the next call's
            r.bioFolios = null;
            STATE.put(r);
        }
    }

    private void readpages(ReadaheadControl rac, Folio folio) {
        int nrPages = rac != null ? rac.readaheadCount() : folio.nrPages();
        while (nrPages > 0) {
            if (rac != null) {
                folio = rac.readaheadFolio();
                if (folio == null) {
                    break;
                }
            }
            int n = folio.nrPages();
            blocksPerPage = folio.size() >> blkbits;
            readOne(folio, nrPages);
            nrPages -= n;
        }
        submit();
    }

    private void readOne(Folio folio, int nrPages) {
        if (Buffers.folioBuffers(folio) != null) {
            confused(folio);
            return;
        }
        boolean fullyMapped = true;
        int firstHole = blocksPerPage;
        long blockInFile = folio.index() << (Defaults.PAGE_SHIFT - blkbits);
        long lastBlock = blockInFile + (((long) nrPages << Defaults.PAGE_SHIFT) >> blkbits);
        long lastBlockInFile = (inode.size() + blocksize - 1) >> blkbits;
        if (lastBlock > lastBlockInFile) {
            lastBlock = lastBlockInFile;
        }
        int pageBlock = 0;
        long firstBlock = 0;
        // map blocks using the previous result first
        if (mMapped && blockInFile > mLblk && blockInFile < mLblk + mLen) {
            long mapOffset = blockInFile - mLblk;
            long last = mLen - mapOffset;
            firstBlock = mPblk + mapOffset;
            for (int rel = 0;; rel++) {
                if (rel == last) {
                    mMapped = false;
                    break;
                }
                if (pageBlock == blocksPerPage) {
                    break;
                }
                pageBlock++;
                blockInFile++;
            }
        }
        // then more ext4_map_blocks() calls until this folio is done
        while (pageBlock < blocksPerPage) {
            if (blockInFile < lastBlock) {
                try {
                    p.mapCalls.increment();
                    MapBlocks m = p.fs.ext4MapBlocks(null, inode, blockInFile,
                            (int) Math.min(Integer.MAX_VALUE, lastBlock - blockInFile), 0, map);
                    mLblk = m.lblk();
                    mLen = m.len();
                    mPblk = m.pblk();
                    mMapped = m.isMapped();
                } catch (ErrnoException e) {
                    folio.zero(0, folio.size());
                    folio.unlock(); // set_error_page: not uptodate, the reader gets EIO
                    return;
                }
            } else {
                mMapped = false; // past EOF: a hole
                mLen = 0;
            }
            if (!mMapped) {
                fullyMapped = false;
                if (firstHole == blocksPerPage) {
                    firstHole = pageBlock;
                }
                pageBlock++;
                blockInFile++;
                continue;
            }
            if (firstHole != blocksPerPage) {
                confused(folio); // hole -> non-hole
                return;
            }
            if (pageBlock == 0) {
                firstBlock = mPblk;
            } else if (firstBlock + pageBlock != mPblk) {
                confused(folio); // not contiguous on disk
                return;
            }
            for (int rel = 0;; rel++) {
                if (rel == mLen) {
                    mMapped = false;
                    break;
                } else if (pageBlock == blocksPerPage) {
                    break; // the rest of this mapping serves the next folio
                }
                pageBlock++;
                blockInFile++;
            }
        }
        if (firstHole != blocksPerPage) {
            folio.zero(firstHole << blkbits, folio.size() - (firstHole << blkbits));
            if (firstHole == 0) {
                folio.endRead(true);
                return;
            }
        }
        assert fullyMapped || firstHole != blocksPerPage;
        // does this folio continue the bio on disk?
        if (bio != null && lastBlockInBio != firstBlock - 1) {
            submit();
        }
        int length = firstHole << blkbits;
        for (;;) {
            if (bio == null) {
                bio = p.bioSet.alloc(Bio.Op.READ, firstBlock << (blkbits - Bio.SECTOR_SHIFT),
                        Math.max(1, Math.min(nrPages, Bio.BIO_MAX_VECS)));
                bioFolios = p.allocBioPrivate();
            }
            if (bio.addSegment(folio.mem(), folio.memOffset(), length)) {
                break;
            }
            submit(); // bio full
        }
        bioFolios.items.add(folio);
        if (firstHole != blocksPerPage) {
            submit(); // the folio ends in a hole: nothing can follow on disk
        } else {
            lastBlockInBio = firstBlock + blocksPerPage - 1;
        }
    }

    /** The "confused" fallback: submit what we built, then {@code block_read_full_folio}. */
    private void confused(Folio folio) {
        submit();
        if (!folio.isUptodate()) {
            p.readFallback.increment();
            Buffers.blockReadFullFolio(p, folio, inode);
        } else {
            folio.unlock();
        }
    }

    /** {@code submit_bio}; completion is {@code mpage_end_io}: each folio ends its read. */
    private void submit() {
        if (bio == null) {
            return;
        }
        Bio b = bio;
        BioPrivate folios = bioFolios;
        bio = null;
        bioFolios = null;
        b.privateData(folios).endIo(p.mpageEndIo);
        p.submitBio(b, plug);
    }

    /** {@code mpage_end_io}: each folio of the bio ends its read; then {@code bio_put}. */
    static void mpageEndIo(BufferHeadPath p, Bio done) {
        boolean ok = done.status() == null;
        BioPrivate folios = (BioPrivate) done.privateData();
        done.put();
        for (int i = 0; i < folios.items.size(); i++) {
            ((Folio) folios.items.get(i)).endRead(ok);
        }
        p.freeBioPrivate(folios);
    }
}
