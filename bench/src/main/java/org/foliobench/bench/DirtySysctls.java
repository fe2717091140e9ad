package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.workloads.DirtyLimits;
import org.foliobench.workloads.JobSpec;

/**
 * The kernel's writeback sysctls ({@code /proc/sys/vm/dirty_*}) set for a kernel run as a job's model
 * memory implies, and put back as they were: {@link #close()} restores every value this object
 * changed, and a shutdown hook does the same on Ctrl-C or SIGTERM. The thresholds are written as
 * bytes ({@code vm.dirty_bytes}, {@code vm.dirty_background_bytes}: {@link DirtyLimits} over
 * {@code fb_mem}), so they mean the same on a machine of any size; writing a {@code *_bytes} value
 * makes the kernel zero the matching ratio, so the ratios are saved and restored too (a ratio is
 * written back before its bytes value, which the kernel then zeroes in turn; whichever was in force
 * before is in force after).
 */
final class DirtySysctls implements AutoCloseable {
    /** The sysctls this class touches, in the order they are restored. */
    static final List<String> NAMES = List.of("dirty_ratio", "dirty_bytes", "dirty_background_ratio",
            "dirty_background_bytes", "dirty_expire_centisecs", "dirty_writeback_centisecs");

    /** Where the values live: {@code /proc/sys/vm} files, or a test's stand-in. */
    interface Store {
        String read(String name) throws IOException;

        void write(String name, String value) throws IOException;
    }

    private final Store store;
    private final Map<String, String> saved = new LinkedHashMap<>();
    private final Thread hook;

    /** Saves the current values of {@code store}. */
    DirtySysctls(Store store) throws IOException {
        this.store = store;
        for (String n : NAMES) {
            saved.put(n, read(n));
        }
        hook = new Thread(this::restoreQuietly, "foliobench-sysctl-restore");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The live ones, {@code /proc/sys/vm/<name>}. */
    static DirtySysctls live() throws IOException {
        return new DirtySysctls(LIVE);
    }

    /** The live values now, {@code vm.<name>} to value, without changing anything. */
    static Map<String, String> current() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : NAMES) {
            m.put("vm." + n, LIVE.read(n));
        }
        return m;
    }

    private static final Store LIVE = live(Path.of("/proc/sys/vm"));

    private static Store live(Path dir) {
        return new Store() {
            @Override
            public String read(String name) throws IOException {
                return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII).trim();
            }

            @Override
            public void write(String name, String value) throws IOException {
                Files.writeString(dir.resolve(name), value + "\n", StandardCharsets.US_ASCII);
            }
        };
    }

    /**
     * Sets the dirty limits {@code job}'s model memory implies (and its expire/writeback intervals);
     * returns what was written, {@code vm.<name>} to value, for the run's metadata.
     */
    Map<String, String> apply(JobSpec job) throws IOException {
        DirtyLimits l = job.dirtyLimits().orElseThrow(() -> new IllegalArgumentException(
                "job [" + job.name() + "] has no fb_mem: its dirty limits are not known"));
        Map<String, String> set = new LinkedHashMap<>();
        set.put("dirty_bytes", Long.toString(l.threshBytes()));
        set.put("dirty_background_bytes", Long.toString(l.bgThreshBytes()));
        set.put("dirty_expire_centisecs", Integer.toString(job.dirtyExpireCentisecs()));
        set.put("dirty_writeback_centisecs", Integer.toString(job.dirtyWritebackCentisecs()));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : set.entrySet()) {
            write(e.getKey(), e.getValue());
            out.put("vm." + e.getKey(), e.getValue());
        }
        return out;
    }

    /** What was in force before, {@code vm.<name>} to value. */
    Map<String, String> saved() {
        Map<String, String> m = new LinkedHashMap<>();
        saved.forEach((k, v) -> m.put("vm." + k, v));
        return m;
    }

    /** Puts every value back; throws when one could not be written (after trying all). */
    @Override
    public void close() throws IOException {
        IOException first = restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (and restores again, harmlessly)
        }
        if (first != null) {
            throw first;
        }
    }

    private void restoreQuietly() {
        restore();
    }

    private synchronized IOException restore() {
        IOException first = null;
        for (String n : NAMES) {
            String v = saved.get(n);
            // a zero *_bytes means "use the ratio": writing 0 is refused by the kernel, and the
            // ratio written just before already cleared it
            if (n.endsWith("_bytes") && v.equals("0")) {
                continue;
            }
            try {
                if (!read(n).equals(v)) {
                    write(n, v);
                }
            } catch (IOException e) {
                if (first == null) {
                    first = new IOException("could not restore vm." + n + "=" + v + " (" + e.getMessage()
                            + "); set it by hand: sysctl vm." + n + "=" + v, e);
                }
            }
        }
        return first;
    }

    private String read(String name) throws IOException {
        return store.read(name);
    }

    private void write(String name, String value) throws IOException {
        store.write(name, value);
    }
}
