package org.foliobench;

/** The errno values the engine reports, with the kernel's numbers and meanings. */
public enum Errno {
    ENOENT(2, "No such file or directory"),
    EIO(5, "Input/output error"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    EXDEV(18, "Invalid cross-device link"),
    EINVAL(22, "Invalid argument"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    EROFS(30, "Read-only file system"),
    ENODATA(61, "No data available"),
    EUCLEAN(117, "Structure needs cleaning"),
    EOPNOTSUPP(95, "Operation not supported");

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    public int number() {
        return number;
    }

    public String text() {
        return text;
    }
}
