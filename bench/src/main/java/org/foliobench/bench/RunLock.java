package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One foliobench run at a time per machine: {@code foliobench.lock} in the temporary directory (beside
 * JMH's own {@code jmh.lock}), held while a run lasts and naming its pid and run folder. A second run
 * is refused before it creates anything, naming the first; so is a run while another JMH benchmark
 * holds JMH's lock (JMH would fail every benchmark of the run, and {@code -Djmh.ignoreLock} would let
 * the two disturb each other's measurements). The operating system drops the lock when its process
 * ends, however it ends.
 */
final class RunLock implements AutoCloseable {
    static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "foliobench.lock");
    /** The lock JMH's runner takes ({@code org.openjdk.jmh.runner.Runner}). */
    static final Path JMH_FILE = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
    private static final String WAIT = "wait for it to finish; two runs at once would disturb each other's measurements";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the run lock, or names the run holding it; then checks that no other JMH benchmark runs. */
    static RunLock acquire() throws UsageException {
        RunLock r = take();
        try {
            checkJmh();
        } catch (IOException e) {
            r.close();
            throw new UsageException("cannot probe " + JMH_FILE + ": " + e.getMessage(), "check that the temporary directory is writable");
        } catch (UsageException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** The run lock alone, or names the run holding it. */
    static RunLock take() throws UsageException {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l = tryLock(ch);
            if (l == null) {
                String holder = read(ch);
                throw new UsageException("another foliobench run (" + (holder.isEmpty() ? "its pid unknown" : holder)
                        + ") is active", WAIT);
            }
            RunLock r = new RunLock(ch, l);
            ch = null;
            try {
                r.record(null);
            } catch (IOException e) {
                r.close();
                throw e;
            }
            return r;
        } catch (IOException e) {
            throw new UsageException("cannot take the run lock " + FILE + ": " + e.getMessage(),
                    "check that the temporary directory is writable");
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
        }
    }

    /** Names this run's folder in the lock, for a second run to report. */
    void record(Path folder) throws IOException {
        String s = "pid " + ProcessHandle.current().pid() + (folder != null ? ", folder " + folder : "");
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), 0);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel or the process
        }
    }

    /** JMH's lock must be free too: probed and released at once. */
    private static void checkJmh() throws IOException, UsageException {
        try (FileChannel ch = FileChannel.open(JMH_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = tryLock(ch);
            if (l == null) {
                throw new UsageException("another JMH benchmark holds " + JMH_FILE, WAIT);
            }
            l.release();
        }
    }

    /** The lock, or null when another process (or this one) holds it. */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n = ch.read(b, 0);
        return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
    }
}
