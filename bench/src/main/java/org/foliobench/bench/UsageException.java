package org.foliobench.bench;

/**
 * Bad input: the CLI prints {@code foliobench: <problem> (<fix>)} on one line and exits 2, before
 * anything is created.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String problem, String fix) {
        super(fix == null || fix.isEmpty() ? problem : problem + " (" + fix + ")");
    }

    /** The one line the CLI prints. */
    String line() {
        return "foliobench: " + getMessage().replace('\n', ' ');
    }
}
