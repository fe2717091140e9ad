package org.foliobench.workloads;

import org.foliobench.iopath.IoPath;

/**
 * {@code fb_path=}: which buffered IO path a job runs on, like the series' per-file switch between
 * the legacy buffer_head path and iomap + large folios. The names are the engine's ({@link IoPath}).
 */
public enum IoPathKind {
    /** {@code fb_path=bh}: buffer_head path, order-0 folios, {@code get_block} per block. */
    BH(IoPath.BUFFER_HEAD),
    /** {@code fb_path=iomap}: iomap with large folios, one mapping per extent. */
    IOMAP(IoPath.IOMAP),
    /** {@code fb_path=bhlf}: buffer_head with large folios (ext4 since 6.16), {@code get_block} per block. */
    BHLF(IoPath.BUFFER_HEAD_LARGE_FOLIO);

    private final IoPath ioPath;

    IoPathKind(IoPath ioPath) {
        this.ioPath = ioPath;
    }

    /** The engine's path. */
    public IoPath ioPath() {
        return ioPath;
    }

    public String fioName() {
        return ioPath.shortName();
    }

    static IoPathKind fromFio(String s) {
        for (IoPathKind p : values()) {
            if (p.fioName().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
