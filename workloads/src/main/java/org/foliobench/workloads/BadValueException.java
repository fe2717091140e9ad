package org.foliobench.workloads;

/**
 * A value that does not parse or is out of range: what is wrong and how to fix it. The parser adds
 * the file and line ({@link JobFileException}); direct callers of {@link FioUnits} see the plain
 * {@code problem (fix)} message.
 */
final class BadValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;

    BadValueException(String problem, String fix) {
        super(problem + " (" + fix + ")");
        this.problem = problem;
        this.fix = fix;
    }

    String problem() {
        return problem;
    }

    String fix() {
        return fix;
    }
}
