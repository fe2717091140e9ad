package org.foliobench.workloads;

/**
 * {@code fb_path=}: which buffered IO path a job runs on, like the series' per-file switch between
 * the legacy buffer_head path and iomap + large folios.
 */
public enum IoPathKind {
    /** {@code fb_path=bh}: buffer_head path, order-0 folios, {@code get_block} per block. */
    BH("bh"),
    /** {@code fb_path=iomap}: iomap with large folios, one mapping per extent. */
    IOMAP("iomap"),
    /** {@code fb_path=bhlf}: buffer_head with large folios (ext4 since 6.16), {@code get_block} per block. */
    BHLF("bhlf");

    private final String fioName;

    IoPathKind(String fioName) {
        this.fioName = fioName;
    }

    public String fioName() {
        return fioName;
    }

    static IoPathKind fromFio(String s) {
        for (IoPathKind p : values()) {
            if (p.fioName.equals(s)) {
                return p;
            }
        }
        return null;
    }
}
