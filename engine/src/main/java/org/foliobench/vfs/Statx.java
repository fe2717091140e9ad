package org.foliobench.vfs;

/**
 * What {@code statx(2)} reports of a file ({@code struct statx}, the fields this model has):
 * {@code stx_size}, {@code stx_blksize}, the direct IO alignment ({@code STATX_DIOALIGN}) and
 * the atomic write limits ({@code STATX_WRITE_ATOMIC}: {@code stx_atomic_write_unit_min},
 * {@code _max}, {@code _segments_max}; all 0 and {@link #writeAtomic} false when the file cannot
 * be written atomically, as {@code generic_fill_statx_atomic_writes} leaves them).
 */
public record Statx(long size, int blksize, int dioMemAlign, int dioOffsetAlign, int atomicWriteUnitMin,
        int atomicWriteUnitMax, int atomicWriteSegmentsMax) {

    /** {@code STATX_ATTR_WRITE_ATOMIC}: the file takes {@code RWF_ATOMIC} direct writes. */
    public boolean writeAtomic() {
        return atomicWriteUnitMax > 0;
    }
}
