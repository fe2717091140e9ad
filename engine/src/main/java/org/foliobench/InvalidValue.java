package org.foliobench;

/**
 * A value given by the user (a size, a tunable) that is refused: what is wrong, naming the value,
 * and how to write it instead. A job file adds its file and line; the command line prints it as its
 * usage error.
 */
public final class InvalidValue extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;

    public InvalidValue(String problem, String fix) {
        super(problem + " (" + fix + ")");
        this.problem = problem;
        this.fix = fix;
    }

    /** What is wrong, naming the value (and the tunable, for a tunable's). */
    public String problem() {
        return problem;
    }

    /** How to write it instead: the values it takes. */
    public String fix() {
        return fix;
    }
}
