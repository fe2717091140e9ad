package org.foliobench.workloads;

/** fio {@code rw=} (alias {@code readwrite=}): the supported IO patterns. */
public enum Rw {
    /** Sequential {@code pread} at increasing offsets. */
    READ("read", false, false),
    /** Sequential {@code pwrite} at increasing offsets. */
    WRITE("write", true, false),
    /** {@code pread} at random block-aligned offsets, each block once per pass (fio's random map). */
    RANDREAD("randread", false, true),
    /** {@code pwrite} at random block-aligned offsets, each block once per pass (fio's random map). */
    RANDWRITE("randwrite", true, true);

    private final String fioName;
    private final boolean write;
    private final boolean random;

    Rw(String fioName, boolean write, boolean random) {
        this.fioName = fioName;
        this.write = write;
        this.random = random;
    }

    /** The spelling in a job file. */
    public String fioName() {
        return fioName;
    }

    public boolean isWrite() {
        return write;
    }

    public boolean isRandom() {
        return random;
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
