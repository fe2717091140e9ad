package org.foliobench.workloads;

/**
 * A job file that foliobench cannot run. The message is exactly one line,
 * {@code FILE:LINE: problem (fix)}, e.g.
 * {@code tables/write-cache-4k.fio:7: unknown option "bz" (did you mean "bs"?)}.
 */
public final class JobFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String problem;
    private final String fix;

    public JobFileException(String file, int line, String problem, String fix) {
        super(file + ":" + line + ": " + problem + " (" + fix + ")");
        this.file = file;
        this.line = line;
        this.problem = problem;
        this.fix = fix;
    }

    /** The file name as given to the parser. */
    public String file() {
        return file;
    }

    /** 1-based line number. */
    public int line() {
        return line;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }

    /** How to fix it. */
    public String fix() {
        return fix;
    }
}
