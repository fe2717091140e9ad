package org.foliobench.fs;

/**
 * {@code struct ext4_map_blocks}: the answer of {@link Ext4#ext4MapBlocks}. {@code len} blocks
 * from {@code lblk} are in one state: MAPPED (written at {@code pblk}), UNWRITTEN (allocated at
 * {@code pblk}, reads as zeros), DELAYED (delalloc, reserved, no {@code pblk}) or a hole (no
 * flag; {@code len} reaches at most the next extent). NEW marks blocks allocated or reserved by
 * this call, which the caller must zero or fill.
 */
public final class MapBlocks {
    /** {@code EXT4_MAP_NEW}. */
    static final int NEW = 1;
    /** {@code EXT4_MAP_MAPPED}. */
    public static final int MAPPED = 1 << 1;
    /** {@code EXT4_MAP_UNWRITTEN}. */
    public static final int UNWRITTEN = 1 << 2;
    /** {@code EXT4_MAP_DELAYED}. */
    static final int DELAYED = 1 << 3;

    long lblk;
    long pblk;
    int len;
    int flags;

    /** An empty answer, for {@link Ext4#ext4MapBlocks(Handle, Inode, long, int, int, MapBlocks)} to fill. */
    public MapBlocks() {
    }

    MapBlocks(long lblk, long pblk, int len, int flags) {
        set(lblk, pblk, len, flags);
    }

    MapBlocks set(long lblk, long pblk, int len, int flags) {
        this.lblk = lblk;
        this.pblk = pblk;
        this.len = len;
        this.flags = flags;
        return this;
    }

    /** The part of {@code e} from {@code lblk}, at most {@code len} blocks, as an answer in {@code out}. */
    static MapBlocks fromExt(ExtentMap.Ext e, long lblk, int len, MapBlocks out) {
        int n = (int) Math.min(len, e.end() - lblk);
        switch (e.status) {
            case ExtentMap.WRITTEN: return out.set(lblk, e.pblk + (lblk - e.lblk), n, MapBlocks.MAPPED);
            case ExtentMap.UNWRITTEN: return out.set(lblk, e.pblk + (lblk - e.lblk), n, MapBlocks.UNWRITTEN);
            case ExtentMap.DELAYED: return out.set(lblk, 0, n, MapBlocks.DELAYED);
            default: return out.set(lblk, 0, n, 0);
        }
    }

    /** {@code m_lblk}. */
    public long lblk() {
        return lblk;
    }

    /** {@code m_pblk}: physical block of {@code lblk} when MAPPED or UNWRITTEN, else 0. */
    public long pblk() {
        return pblk;
    }

    /** {@code m_len}: blocks in this state from {@code lblk} (at least 1). */
    public int len() {
        return len;
    }

    /** {@code m_flags}. */
    public int flags() {
        return flags;
    }

    public boolean isMapped() {
        return (flags & MAPPED) != 0;
    }

    public boolean isUnwritten() {
        return (flags & UNWRITTEN) != 0;
    }

    public boolean isDelayed() {
        return (flags & DELAYED) != 0;
    }

    public boolean isNew() {
        return (flags & NEW) != 0;
    }

    /** Neither mapped, unwritten nor delayed. */
    public boolean isHole() {
        return (flags & (MAPPED | UNWRITTEN | DELAYED)) == 0;
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        if (isMapped()) f.append("M");
        if (isUnwritten()) f.append("U");
        if (isDelayed()) f.append("D");
        if (isNew()) f.append("N");
        if (isHole()) f.append("HOLE");
        return "map[lblk=" + lblk + " len=" + len + " pblk=" + pblk + " " + f + "]";
    }
}
