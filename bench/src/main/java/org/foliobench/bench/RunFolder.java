package org.foliobench.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.foliobench.layout.RunLayout;
import org.foliobench.results.AtomicWrite;

/**
 * One run's output folder, {@code runs/<yyyyMMdd-HHmmss>-<host>/}, written by the layout the
 * results read it by ({@link RunLayout}). An interrupted or failed run keeps its
 * {@code INCOMPLETE} marker: never passed off as complete.
 */
final class RunFolder {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The folder name for {@code time} on {@code host}. */
    static String name(LocalDateTime time, String host) {
        return time.format(STAMP) + "-" + host.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static String host() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            } catch (IOException | RuntimeException e) {
                h = null;
            }
        }
        if (h == null || h.isBlank()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    /**
     * The run folder for {@code time} on {@code host} under {@code base}: {@code <stamp>-<host>}, or with
     * {@code -2}, {@code -3}... the first name not taken. Not created: {@link #createAt} does that, under
     * the {@link RunLock}, so no other run can take the name in between.
     */
    static Path freeDir(Path base, LocalDateTime time, String host) {
        Path wanted = base.toAbsolutePath().normalize().resolve(name(time, host));
        Path dir = wanted;
        for (int i = 2; Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS); i++) {
            dir = wanted.resolveSibling(wanted.getFileName() + "-" + i);
        }
        return dir;
    }

    /** Creates {@code dir}, which must not exist ({@link #freeDir}), and its {@code INCOMPLETE} marker first. */
    static RunFolder createAt(Path dir) throws IOException {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        Files.createDirectory(dir);
        RunFolder f = new RunFolder(dir.toAbsolutePath());
        Files.writeString(f.dir.resolve(RunLayout.INCOMPLETE), "started " + LocalDateTime.now() + "; this file is removed only when"
                + " the run completes: results in this folder are partial\n", StandardCharsets.UTF_8);
        return f;
    }

    boolean incomplete() {
        return Files.exists(dir.resolve(RunLayout.INCOMPLETE));
    }

    /** Notes why the run did not complete (the marker stays, or comes back if it had gone). */
    void markFailed(String why) {
        try {
            Files.writeString(dir.resolve(RunLayout.INCOMPLETE), "run did not complete: " + why + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            // best effort: the marker itself is what matters
        }
    }

    /** Everything succeeded: the marker goes. */
    void complete() throws IOException {
        Files.deleteIfExists(dir.resolve(RunLayout.INCOMPLETE));
    }

    /** Writes {@code metadata.json} atomically (a reader never sees half a file). */
    void writeMetadata(Map<String, String> m) throws IOException {
        writeAtomically(RunLayout.METADATA_JSON, Json.flatObject(m));
    }

    void writeAtomically(String name, String content) throws IOException {
        AtomicWrite.write(dir.resolve(name), content);
    }

    /**
     * Checks that a run folder can be created under {@code base} without creating anything that
     * stays: the nearest existing ancestor must be a writable directory (probed with a temporary file).
     */
    static void checkWritable(Path base) throws UsageException {
        Path p = base.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p)) {
            throw new UsageException("cannot write the output folder " + base + " (" + p + " is not a directory)",
                    "use --out DIR with a directory you can write");
        }
        try {
            Path probe = Files.createTempFile(p, ".foliobench-probe", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UsageException("cannot write the output folder " + base + " (" + p + " is not writable)",
                    "use --out DIR with a directory you can write");
        }
    }
}
