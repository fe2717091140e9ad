package org.foliobench.workloads;

/**
 * fio {@code fallocate=}: how fio pre-allocates a file it creates ({@code filesetup.c:fallocate_file()}).
 * fio runs it right after creating the file, before any layout writes.
 */
public enum FallocateMode {
    /** {@code none} (alias {@code 0}): no pre-allocation; a write job without {@code overwrite} extends an empty file. */
    NONE("none"),
    /** {@code native}: {@code fallocate(fd, 0, 0, size)}: unwritten extents, i_size set. fio's default on Linux. */
    NATIVE("native"),
    /** {@code posix} (alias {@code 1}): {@code posix_fallocate()}; on Linux the same as native. */
    POSIX("posix"),
    /** {@code keep}: {@code fallocate(FALLOC_FL_KEEP_SIZE)}: unwritten extents past i_size. */
    KEEP("keep"),
    /** {@code truncate}: {@code ftruncate(fd, size)}: a sparse file of the job's size, no blocks allocated. */
    TRUNCATE("truncate");

    private final String fioName;

    FallocateMode(String fioName) {
        this.fioName = fioName;
    }

    public String fioName() {
        return fioName;
    }

    /**
     * Whether fio allocates blocks for the file ({@code native}, {@code posix}, {@code keep}): the model
     * has no {@code fallocate(2)} preallocation, so a job writing into such a file is refused; a file
     * that is laid out is written in full anyway, which allocates the same blocks.
     */
    public boolean preallocates() {
        return this == NATIVE || this == POSIX || this == KEEP;
    }

    static FallocateMode fromFio(String s) {
        switch (s) {
            case "0":
                return NONE;
            case "1":
                return POSIX;
            default:
                for (FallocateMode m : values()) {
                    if (m.fioName.equals(s)) {
                        return m;
                    }
                }
                return null;
        }
    }
}
