package org.foliobench.results;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * How every file of a run folder is written: into a temporary file beside it, then renamed over it,
 * so no reader (and no run cut short by a full disk) ever sees half a file. The temporary file is
 * created like any other (its mode follows the umask, not a private 0600), and a failure names the
 * file it was writing.
 */
public final class AtomicWrite {

    private AtomicWrite() {
    }

    public static Path write(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                out.write(data);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + reason(e)); // the one line a user sees names the file
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // there was none to leave behind
            }
        }
        return target;
    }

    public static Path write(Path target, String text) throws IOException {
        return write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** What went wrong, without the path Java repeats in front of it. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
