package org.foliobench.results;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This build of foliobench: the project version and the git commit its classes were built from,
 * both written into the classes by Maven ({@code build.properties}, {@code commit.properties}), so a
 * jar says what it is wherever it runs. The commit ends in {@code -dirty} when the build had
 * uncommitted changes, and is {@code unknown} for a build outside a git checkout.
 */
public final class Build {
    private static final String VERSION = property("build.properties", "version");
    private static final String COMMIT = property("commit.properties", "commit");

    private Build() {
    }

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    /** The git commit, e.g. {@code 4f0c...e1} or {@code 4f0c...e1-dirty}; {@code unknown} when not known. */
    public static String commit() {
        return COMMIT;
    }

    /** {@code foliobench 0.1.0-SNAPSHOT (git 4f0c...e1)}. */
    public static String describe() {
        return "foliobench " + VERSION + " (git " + COMMIT + ")";
    }

    private static String property(String file, String key) {
        try (InputStream in = Build.class.getResourceAsStream(file)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
