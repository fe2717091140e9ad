package org.foliobench.pagecache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.OnStack;

/**
 * The buffered read and write loops of mm/filemap.c shared by both IO paths:
 * {@link #filemapRead} ({@code filemap_read}) and {@link #genericPerformWrite}
 * ({@code generic_perform_write}).
 */
public final class Filemap {
    /** {@code FOLIO_BATCH_SIZE}. */
    static final int FOLIO_BATCH_SIZE = 31;

    private Filemap() {
    }

    /** {@code AOP_TRUNCATED_PAGE}: the folio went away under us, look it up again. */
    private static final class TruncatedPage extends Exception {
        private static final long serialVersionUID = 1L;

        TruncatedPage() {
            super(null, null, false, false);
        }
    }

    private static final TruncatedPage AOP_TRUNCATED_PAGE = new TruncatedPage();
    /** The calling thread's free folio batch for {@link #filemapRead}; null while in use. */
    private static final OnStack<ArrayList<Folio>> FBATCH = new OnStack<>();

    /**
     * {@code filemap_read}: copies up to {@code dst.remaining()} bytes of the file at {@code pos},
     * clamped to {@code iSize}, into {@code dst} (from its position, which advances). Looks the
     * folios up in batches, starts sync readahead on a miss and async readahead on a marked folio,
     * reads a folio that is not uptodate with {@code ->read_folio}, waits on the folio lock for a
     * read in flight, and copies each folio chunk page by page. Updates {@code ra.prev_pos}.
     *
     * @return bytes copied (0 at or beyond EOF)
     * @throws IOException EIO when a folio could not be read (nothing was copied from it)
     */
    public static int filemapRead(AddressSpace mapping, FileRaState ra, long pos, ByteBuffer dst, long iSize)
            throws IOException {
        int count = dst.remaining();
        if (count == 0 || pos >= iSize) {
            return 0;
        }
        int alreadyRead = 0;
        long lastPos = ra.prevPos;
        // struct folio_batch, on the kernel's stack: the thread's one, unless a read nests in a read
        ArrayList<Folio> fbatch = FBATCH.take();
        if (fbatch == null) {
            fbatch = new ArrayList<>(FOLIO_BATCH_SIZE);
        }
        IOException error = null;
        try {
            while (count > 0 && pos < iSize) {
                try {
                    getPages(mapping, ra, pos, count, fbatch, iSize);
                } catch (IOException e) {
                    error = e;
                    break;
                }
                long endOffset = Math.min(iSize, pos + count);
                for (int i = 0; i < fbatch.size(); i++) {
                    Folio folio = fbatch.get(i);
                    int fsize = folio.size();
                    if (endOffset <= folio.pos()) {
                        break;
                    }
                    int offset = (int) (pos - folio.pos());
                    int bytes = (int) Math.min(endOffset - pos, fsize - offset);
                    // a read touching the same folio again marks it accessed only the first time
                    if (i > 0 || lastPos < 1 || !folio.contains((lastPos - 1) >>> Defaults.PAGE_SHIFT)) {
                        folio.markAccessed();
                    }
                    copyPageToIter(folio, offset, bytes, dst);
                    alreadyRead += bytes;
                    pos += bytes;
                    count -= bytes;
                    lastPos = pos;
                }
                for (int i = 0; i < fbatch.size(); i++) {
                    fbatch.get(i).put();
                }
                fbatch.clear();
            }
        } finally {
            for (int i = 0; i < fbatch.size(); i++) {
                fbatch.get(i).put();
            }
            fbatch.clear();
            FBATCH.put(fbatch);
        }
        if (alreadyRead > 0) {
            ra.prevPos = lastPos;
        }
        if (alreadyRead == 0 && error != null) {
            throw error;
        }
        return alreadyRead;
    }

    /**
     * {@code copy_folio_to_iter} / {@code copy_page_to_iter}: {@code bytes} from {@code offset} in
     * the folio to {@code dst}, one page at a time ({@code kmap_local_page} of each subpage, so
     * a large folio's chunk is as many copies as the pages it spans). Returns the pages copied.
     */
    static int copyPageToIter(Folio folio, int offset, int bytes, ByteBuffer dst) {
        int pages = 0;
        int pos = dst.position();
        while (bytes > 0) {
            int n = Math.min(bytes, Defaults.PAGE_SIZE - (offset & (Defaults.PAGE_SIZE - 1)));
            dst.put(pos, folio.mem(), folio.memOffset() + offset, n);
            pos += n;
            offset += n;
            bytes -= n;
            pages++;
        }
        dst.position(pos);
        return pages;
    }

    /** {@code filemap_get_pages}: fills {@code fbatch} with referenced, readable folios at pos. */
    private static void getPages(AddressSpace mapping, FileRaState ra, long pos, int count, List<Folio> fbatch,
            long iSize) throws IOException {
        long index = pos >>> Defaults.PAGE_SHIFT;
        long lastIndex = (pos + count + Defaults.PAGE_SIZE - 1) >>> Defaults.PAGE_SHIFT;
        for (;;) {
            getReadBatch(mapping, index, lastIndex - 1, fbatch);
            if (fbatch.isEmpty()) {
                Readahead.pageCacheSyncReadahead(mapping, ra, index, lastIndex - index, iSize);
                getReadBatch(mapping, index, lastIndex - 1, fbatch);
            }
            if (fbatch.isEmpty()) {
                try {
                    createFolio(mapping, index, fbatch);
                    return;
                } catch (TruncatedPage t) {
                    continue;
                }
            }
            Folio folio = fbatch.get(fbatch.size() - 1);
            if (folio.isReadahead()) {
                // filemap_readahead
                Readahead.pageCacheAsyncReadahead(mapping, ra, folio, lastIndex - folio.index(), iSize);
            }
            if (!folio.isUptodate()) {
                try {
                    updatePage(mapping, pos, count, folio);
                } catch (TruncatedPage t) {
                    // the folio's reference was dropped by updatePage
                    fbatch.remove(fbatch.size() - 1);
                    if (!fbatch.isEmpty()) {
                        return;
                    }
                    continue;
                } catch (IOException e) {
                    fbatch.remove(fbatch.size() - 1).put();
                    if (!fbatch.isEmpty()) {
                        return;
                    }
                    throw e;
                }
            }
            return;
        }
    }

    /**
     * {@code filemap_get_read_batch}: contiguous folios from {@code index}, stopping after a hole,
     * after a folio that is not uptodate and after a folio with the readahead marker.
     */
    private static void getReadBatch(AddressSpace mapping, long index, long max, List<Folio> fbatch) {
        synchronized (mapping.xaLock) {
            XArray<Folio> xa = mapping.iPages;
            long i = index;
            while (i <= max && fbatch.size() < FOLIO_BATCH_SIZE) {
                Folio f = xa.load(i);
                if (f == null) {
                    break;
                }
                if (!f.tryGet()) {
                    break;
                }
                fbatch.add(f);
                if (!f.isUptodate() || f.isReadahead()) {
                    break;
                }
                i = f.nextIndex();
            }
        }
    }

    /** {@code filemap_create_folio}: no readahead happened; read one folio synchronously. */
    private static void createFolio(AddressSpace mapping, long index, List<Folio> fbatch)
            throws IOException, TruncatedPage {
        Folio folio = mapping.cache.allocFolio(0, false);
        if (folio == null) {
            throw PageCache.enomem(0);
        }
        mapping.invalidateLock().readLock().lock();
        try {
            if (!mapping.filemapAddFolio(folio, index)) {
                folio.put();
                throw AOP_TRUNCATED_PAGE; // raced with another reader: look again
            }
            try {
                readFolio(mapping, folio);
            } catch (IOException e) {
                folio.put();
                throw e;
            }
        } finally {
            mapping.invalidateLock().readLock().unlock();
        }
        fbatch.add(folio);
    }

    /** {@code filemap_read_folio}: the folio is locked; waits for the read to complete. */
    static void readFolio(AddressSpace mapping, Folio folio) throws IOException {
        mapping.aops.readFolio(folio);
        folio.waitLocked();
        if (!folio.isUptodate()) {
            throw new ErrnoException(Errno.EIO, "read of file page " + folio.index() + " failed on the device");
        }
    }

    /**
     * {@code filemap_update_page}: the folio is not uptodate: wait for a read in flight (the folio
     * lock), or read it now; a partially uptodate folio may do when it covers the request.
     */
    private static void updatePage(AddressSpace mapping, long pos, int count, Folio folio)
            throws IOException, TruncatedPage {
        mapping.invalidateLock().readLock().lock();
        try {
            if (!folio.tryLock()) {
                mapping.invalidateLock().readLock().unlock();
                try {
                    // where a reader usually waits for the readahead it submitted to finish
                    long t0 = System.nanoTime();
                    folio.waitLocked();
                    mapping.cache.readLockedWaits.increment();
                    mapping.cache.readLockedWaitNs.add(System.nanoTime() - t0);
                    folio.put();
                } finally {
                    mapping.invalidateLock().readLock().lock();
                }
                throw AOP_TRUNCATED_PAGE;
            }
            if (folio.mapping() == null) {
                folio.unlock();
                folio.put();
                throw AOP_TRUNCATED_PAGE;
            }
            if (rangeUptodate(mapping, pos, count, folio)) {
                folio.unlock();
                return;
            }
            readFolio(mapping, folio);
        } finally {
            mapping.invalidateLock().readLock().unlock();
        }
    }

    /** {@code filemap_range_uptodate}. */
    private static boolean rangeUptodate(AddressSpace mapping, long pos, int count, Folio folio) {
        if (folio.isUptodate()) {
            return true;
        }
        long fpos = folio.pos();
        long c = count;
        if (fpos > pos) {
            // the read reaches this folio only after (fpos - pos) bytes of earlier folios
            c -= fpos - pos;
            pos = 0;
        } else {
            pos -= fpos;
        }
        if (c <= 0) {
            return false;
        }
        c = Math.min(c, folio.size() - pos);
        return mapping.aops.isPartiallyUptodate(folio, (int) pos, (int) c);
    }

    /**
     * {@code generic_perform_write}: copies {@code src} (position to limit; the position advances)
     * into the page cache at {@code pos} through {@code ->write_begin} / {@code ->write_end}, in
     * chunks of at most the mapping's largest folio, calling the dirty throttle before each chunk.
     *
     * @return bytes written; an error is thrown only when nothing was written
     */
    public static long genericPerformWrite(AddressSpace mapping, long pos, ByteBuffer src) throws IOException {
        AddressSpaceOperations aops = mapping.aops;
        long chunk = (long) Defaults.PAGE_SIZE << mapping.maxFolioOrder();
        long written = 0;
        IOException status = null;
        while (src.hasRemaining()) {
            long offset = pos & (chunk - 1);
            int bytes = (int) Math.min(chunk - offset, src.remaining());
            Writeback.balanceDirtyPagesRatelimited(mapping);
            Folio folio;
            try {
                folio = aops.writeBegin(mapping, pos, bytes);
            } catch (IOException e) {
                status = e;
                break;
            }
            int foff = (int) (pos - folio.pos());
            if (bytes > folio.size() - foff) {
                bytes = folio.size() - foff;
            }
            // copy_folio_from_iter_atomic
            folio.mem().put(folio.memOffset() + foff, src, src.position(), bytes);
            int copied = bytes;
            int st;
            try {
                st = aops.writeEnd(mapping, pos, bytes, copied, folio);
            } catch (IOException e) {
                status = e;
                break;
            }
            if (st <= 0) {
                if (chunk > Defaults.PAGE_SIZE) {
                    chunk /= 2;
                    continue;
                }
                status = new ErrnoException(Errno.EIO, "write_end accepted nothing at offset " + pos);
                break;
            }
            src.position(src.position() + st);
            pos += st;
            written += st;
        }
        if (written == 0 && status != null) {
            throw status;
        }
        return written;
    }
}
