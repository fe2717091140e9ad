package org.foliobench.pagecache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.foliobench.Defaults;
import org.foliobench.Errno;
import org.foliobench.device.Bio;
import org.foliobench.device.BlockDevice;

/**
 * A test filesystem in the spirit of ramfs over a block device: file {@code id} occupies a fixed
 * region of the device, so file offset {@code p} lives at device byte {@code base + p}. Reads and
 * readahead build bios from contiguous folios; writepages uses {@link Writeback#writeCachePages}.
 * Device write failures can be injected.
 */
final class RamAops implements AddressSpaceOperations {
    final BlockDevice dev;
    final long base;
    final long maxSize;
    final AtomicLong iSize = new AtomicLong();
    volatile boolean failWrites;
    final AtomicLong readBios = new AtomicLong();
    final AtomicLong writeBios = new AtomicLong();
    /** Order asked of __filemap_get_folio by write_begin (iomap-like when the mapping allows it). */
    volatile int writeOrder;

    RamAops(BlockDevice dev, long base, long maxSize) {
        this.dev = dev;
        this.base = base;
        this.maxSize = maxSize;
    }

    long iSize() {
        return iSize.get();
    }

    private long sector(long filePos) {
        return (base + filePos) >> Bio.SECTOR_SHIFT;
    }

    @Override
    public void readFolio(Folio folio) {
        Bio bio = new Bio(Bio.Op.READ, sector(folio.pos()));
        bio.addSegment(folio.mem(), folio.memOffset(), folio.size());
        readBios.incrementAndGet();
        dev.submit(bio);
        folio.endRead(bio.status() == null);
    }

    @Override
    public void readahead(ReadaheadControl rac) {
        List<Folio> inBio = new ArrayList<>();
        Bio bio = null;
        Folio folio;
        while ((folio = rac.readaheadFolio()) != null) {
            if (bio != null && (bio.endSector() != sector(folio.pos())
                    || !bio.addSegment(folio.mem(), folio.memOffset(), folio.size()))) {
                submitRead(bio, inBio);
                bio = null;
            }
            if (bio == null) {
                bio = new Bio(Bio.Op.READ, sector(folio.pos()));
                bio.addSegment(folio.mem(), folio.memOffset(), folio.size());
            }
            inBio.add(folio);
        }
        if (bio != null) {
            submitRead(bio, inBio);
        }
    }

    private void submitRead(Bio bio, List<Folio> folios) {
        readBios.incrementAndGet();
        dev.submit(bio);
        boolean ok = bio.status() == null;
        for (Folio f : folios) {
            f.endRead(ok);
        }
        folios.clear();
    }

    @Override
    public void writepages(AddressSpace mapping, WritebackControl wbc) throws IOException {
        Writeback.writeCachePages(mapping, wbc, (folio, w) -> {
            folio.startWriteback();
            folio.unlock();
            long size = Math.min(folio.size(), Math.max(0, iSize() - folio.pos()));
            size = (size + 511) & ~511L;
            if (size == 0) {
                folio.endWriteback();
                return;
            }
            if (failWrites) {
                mapping.mappingSetError(Errno.EIO);
                folio.endWriteback();
                return;
            }
            Bio bio = new Bio(Bio.Op.WRITE, sector(folio.pos()));
            bio.addSegment(folio.mem(), folio.memOffset(), (int) size);
            bio.endIo(b -> {
                if (b.status() != null) {
                    mapping.mappingSetError(Errno.EIO);
                }
                folio.endWriteback();
            });
            writeBios.incrementAndGet();
            dev.submit(bio);
        });
    }

    @Override
    public Folio writeBegin(AddressSpace mapping, long pos, int len) throws IOException {
        if (pos + len > maxSize) {
            throw new org.foliobench.ErrnoException(Errno.EFBIG, "test file limited to " + maxSize);
        }
        int order = 0;
        if (mapping.largeFolioSupport()) {
            order = Math.max(0, 63 - Long.numberOfLeadingZeros(Math.max(1, len)) - Defaults.PAGE_SHIFT);
        }
        Folio folio = mapping.getFolio(pos >> Defaults.PAGE_SHIFT, AddressSpace.FGP_WRITEBEGIN, order);
        if (!folio.isUptodate()) {
            long fpos = folio.pos();
            boolean full = pos <= fpos && pos + len >= fpos + folio.size();
            if (!full) {
                if (fpos >= iSize()) {
                    folio.zero(0, folio.size());
                } else {
                    Bio bio = new Bio(Bio.Op.READ, sector(fpos));
                    bio.addSegment(folio.mem(), folio.memOffset(), folio.size());
                    dev.submit(bio);
                    if (bio.status() != null) {
                        folio.unlock();
                        folio.put();
                        throw new org.foliobench.ErrnoException(Errno.EIO, "read before write failed");
                    }
                    long valid = iSize() - fpos;
                    if (valid < folio.size()) {
                        folio.zero((int) valid, (int) (folio.size() - valid));
                    }
                }
                folio.markUptodate();
            }
        }
        return folio;
    }

    @Override
    public int writeEnd(AddressSpace mapping, long pos, int len, int copied, Folio folio) {
        if (!folio.isUptodate()) {
            if (copied < folio.size()) {
                folio.unlock();
                folio.put();
                return 0;
            }
            folio.markUptodate();
        }
        folio.markDirty();
        iSize.accumulateAndGet(pos + copied, Math::max);
        folio.unlock();
        folio.put();
        return copied;
    }
}
