package org.foliobench.results;

import java.io.IOException;

/** A run folder that cannot be read; the message is one line that says what and where. */
public final class RunFolderException extends IOException {
    private static final long serialVersionUID = 1L;

    public RunFolderException(String message) {
        super(message);
    }

    public RunFolderException(String message, Throwable cause) {
        super(message, cause);
    }
}
