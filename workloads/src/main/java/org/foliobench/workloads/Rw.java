package org.foliobench.workloads;

/**
 * fio {@code rw=} (alias {@code readwrite=}): the supported IO patterns. Sequential only: fio's random
 * patterns ({@code randread}, {@code randwrite}: offsets from its tausworthe generator through a
 * random map) are refused by the parser.
 */
public enum Rw {
    /** Sequential {@code pread} at increasing offsets. */
    READ("read", false),
    /** Sequential {@code pwrite} at increasing offsets. */
    WRITE("write", true);

    private final String fioName;
    private final boolean write;

    Rw(String fioName, boolean write) {
        this.fioName = fioName;
        this.write = write;
    }

    /** The spelling in a job file. */
    public String fioName() {
        return fioName;
    }

    public boolean isWrite() {
        return write;
    }

    static Rw fromFio(String s) {
        for (Rw rw : values()) {
            if (rw.fioName.equals(s)) {
                return rw;
            }
        }
        return null;
    }
}
