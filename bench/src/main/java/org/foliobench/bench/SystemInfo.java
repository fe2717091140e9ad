package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the run metadata says about the machine: CPU, memory, kernel, JVM, git, and the storage under a path. */
final class SystemInfo {
    private SystemInfo() {
    }

    /** The machine and JVM, as flat strings. */
    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", RunFolder.host());
        m.put("cpu.model", cpuModel(read("/proc/cpuinfo")));
        m.put("cpu.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        String meminfo = read("/proc/meminfo");
        m.put("mem.total", meminfoBytes(meminfo, "MemTotal") + " bytes");
        m.put("mem.available", meminfoBytes(meminfo, "MemAvailable") + " bytes");
        m.put(org.foliobench.results.ModelVsKernel.KERNEL_RELEASE_KEY, read("/proc/sys/kernel/osrelease").trim());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + " ("
                + System.getProperty("java.vendor") + ")");
        m.put("java.home", System.getProperty("java.home"));
        return m;
    }

    static String cpuModel(String cpuinfo) {
        for (String l : cpuinfo.split("\n")) {
            if (l.startsWith("model name")) {
                int c = l.indexOf(':');
                return l.substring(c + 1).trim();
            }
        }
        return "unknown";
    }

    /** A {@code /proc/meminfo} field in bytes; -1 if absent. */
    static long meminfoBytes(String meminfo, String field) {
        for (String l : meminfo.split("\n")) {
            if (l.startsWith(field + ":")) {
                String[] f = l.substring(field.length() + 1).trim().split("\\s+");
                long v = Long.parseLong(f[0]);
                return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v << 10 : v;
            }
        }
        return -1;
    }

    static long memAvailable() {
        return meminfoBytes(read("/proc/meminfo"), "MemAvailable");
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** {@code git rev-parse HEAD} (+ "-dirty" when the tree has changes) in {@code dir}, or "unknown". */
    static String gitCommit(Path dir) {
        String head = run(dir, "git", "rev-parse", "HEAD");
        if (head.isEmpty()) {
            return "unknown";
        }
        String status = run(dir, "git", "status", "--porcelain", "--untracked-files=no");
        return head + (status.isEmpty() ? "" : "-dirty");
    }

    static String run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return "";
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * The storage under {@code file}: the mount that holds it (from {@code /proc/self/mountinfo}: mount
     * point, filesystem type, source) and the block device behind it (from {@code /sys/dev/block}:
     * name, model, logical block size, rotational).
     */
    static Map<String, String> storageUnder(Path file, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        Path p = file.toAbsolutePath().normalize();
        String[] best = mountOf(read("/proc/self/mountinfo"), p.toString());
        if (best == null) {
            return m;
        }
        // mountinfo: id parent major:minor root mountpoint opts ... - fstype source superopts
        m.put(prefix + ".mount", best[4]);
        int dash = List.of(best).indexOf("-");
        if (dash > 0 && dash + 2 < best.length) {
            m.put(prefix + ".filesystem", best[dash + 1]);
            m.put(prefix + ".source", best[dash + 2]);
        }
        String majMin = best[2];
        Path sys = Path.of("/sys/dev/block", majMin);
        if (Files.exists(sys)) {
            try {
                Path real = sys.toRealPath();
                String name = real.getFileName().toString();
                Path disk = Files.exists(real.resolve("partition")) ? real.getParent() : real;
                m.put(prefix + ".block_device", "/dev/" + name + " (" + majMin + ")");
                String model = read(disk.resolve("device/model").toString()).trim();
                if (!model.isEmpty()) {
                    m.put(prefix + ".block_device.model", model);
                }
                m.put(prefix + ".block_device.logical_block_size", read(disk.resolve("queue/logical_block_size").toString()).trim());
                m.put(prefix + ".block_device.rotational", read(disk.resolve("queue/rotational").toString()).trim());
            } catch (IOException | RuntimeException e) {
                m.put(prefix + ".block_device", majMin);
            }
        } else {
            m.put(prefix + ".block_device", majMin);
        }
        return m;
    }

    /** The mountinfo line (split) whose mount point is the longest prefix of {@code path}. */
    static String[] mountOf(String mountinfo, String path) {
        String[] best = null;
        int bestLen = -1;
        for (String l : mountinfo.split("\n")) {
            String[] f = l.trim().split(" ");
            if (f.length < 5) {
                continue;
            }
            String mp = f[4].replace("\\040", " ");
            boolean under = path.equals(mp) || path.startsWith(mp.endsWith("/") ? mp : mp + "/");
            if (under && mp.length() >= bestLen) {
                best = f;
                bestLen = mp.length();
            }
        }
        return best;
    }
}
