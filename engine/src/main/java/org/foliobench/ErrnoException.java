package org.foliobench;

import java.io.IOException;

/** An IO error carrying the errno it maps to, e.g. {@code ENOSPC: no free blocks for inode 12}. */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public ErrnoException(Errno errno, String message) {
        super(errno.name() + ": " + message);
        this.errno = errno;
    }

    public ErrnoException(Errno errno, String message, Throwable cause) {
        super(errno.name() + ": " + message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
