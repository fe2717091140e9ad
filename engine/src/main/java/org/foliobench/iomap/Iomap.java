package org.foliobench.iomap;

import org.foliobench.device.Bio;

/**
 * {@code struct iomap}: one mapping of the file range {@code [offset, offset + length)} to the
 * disk, as a filesystem's {@code ->iomap_begin} reports it. {@code addr} is the byte address on
 * the device of {@code offset} for MAPPED and UNWRITTEN, {@link #NULL_ADDR} otherwise.
 */
final class Iomap {
    /** {@code IOMAP_NULL_ADDR}. */
    static final long NULL_ADDR = -1;

    /** {@code IOMAP_HOLE} (0, so a cleared iomap is a hole), {@code IOMAP_DELALLOC}, {@code IOMAP_MAPPED}, {@code IOMAP_UNWRITTEN}. */
    enum Type { HOLE, DELALLOC, MAPPED, UNWRITTEN }

    /** {@code IOMAP_F_NEW}: blocks allocated or reserved by this mapping call. */
    static final int F_NEW = 1 << 0;
    /** {@code IOMAP_F_DIRTY}: metadata must be committed for the data to be durable. */
    static final int F_DIRTY = 1 << 1;
    /** {@code IOMAP_F_SHARED}: blocks shared with another file (copy on write). */
    static final int F_SHARED = 1 << 2;
    /** {@code IOMAP_F_SIZE_CHANGED}: the write moved i_size. */
    static final int F_SIZE_CHANGED = 1 << 8;
    /** {@code IOMAP_F_STALE}: the validity cookie no longer matched; map again. */
    static final int F_STALE = 1 << 9;
    /** {@code IOMAP_F_PRIVATE}, ext4's {@code IOMAP_F_EXT4_DELALLOC}: mapped by the delalloc write ops. */
    static final int F_EXT4_DELALLOC = 1 << 12;

    long addr = NULL_ADDR;
    long offset;
    long length;
    Type type = Type.HOLE;
    int flags;
    /** {@code validity_cookie}: ext4 stores {@code i_es_seq} here. */
    long validityCookie;

    /** The memset of {@code iomap_iter_advance}. */
    void clear() {
        addr = NULL_ADDR;
        offset = 0;
        length = 0;
        type = Type.HOLE;
        flags = 0;
        validityCookie = 0;
    }

    void copyFrom(Iomap o) {
        addr = o.addr;
        offset = o.offset;
        length = o.length;
        type = o.type;
        flags = o.flags;
        validityCookie = o.validityCookie;
    }

    /**
     * {@code ext4_set_iomap}: ext4's mapping {@code m} (blocks of {@code 1 << blockBits}) as this
     * iomap, for buffered and direct IO alike; {@code cookie} is the inode's {@code i_es_seq}.
     */
    void setFrom(org.foliobench.fs.MapBlocks m, int blockBits, long cookie) {
        flags = m.isNew() ? F_NEW : 0;
        offset = m.lblk() << blockBits;
        length = (long) m.len() << blockBits;
        if (m.isUnwritten()) {
            type = Type.UNWRITTEN;
            addr = m.pblk() << blockBits;
        } else if (m.isMapped()) {
            type = Type.MAPPED;
            addr = m.pblk() << blockBits;
        } else if (m.isDelayed()) {
            type = Type.DELALLOC;
            addr = NULL_ADDR;
        } else {
            type = Type.HOLE;
            addr = NULL_ADDR;
        }
        validityCookie = cookie;
    }

    long end() {
        return offset + length;
    }

    boolean contains(long pos) {
        return pos >= offset && pos < offset + length;
    }

    /** {@code iomap_sector}: the device sector of file offset {@code pos}. */
    long sector(long pos) {
        return (addr + pos - offset) >> Bio.SECTOR_SHIFT;
    }

    @Override
    public String toString() {
        return "iomap[" + type + " off=" + offset + " len=" + length + " addr=" + addr + " flags=0x"
                + Integer.toHexString(flags) + " cookie=" + validityCookie + "]";
    }
}
