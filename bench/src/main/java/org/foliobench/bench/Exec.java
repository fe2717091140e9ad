package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a system program (mkfs, mount, losetup, fio) and fails with one line naming it and what it said. */
final class Exec {
    private Exec() {
    }

    /** Runs {@code cmd} in {@code dir} (null: here); returns its standard output, or throws with its first error line. */
    static String run(Path dir, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException(cmd.get(0) + " interrupted", e);
        }
        if (rc != 0) {
            String msg = new String(err.join(), StandardCharsets.UTF_8).strip();
            String first = msg.isEmpty() ? "exit " + rc : msg.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit " + rc);
            throw new IOException(String.join(" ", cmd) + ": " + first);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The program's path on {@code PATH} (and the sbin directories root's PATH has), or null. */
    static Path which(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> dirs = new java.util.ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
