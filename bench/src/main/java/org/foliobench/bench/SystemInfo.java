package org.foliobench.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the run metadata says about the machine: CPU, memory, kernel, JVM, and the storage under a path. */
final class SystemInfo {
    private SystemInfo() {
    }

    /** The machine and JVM, as flat strings (memory in bytes). */
    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(org.foliobench.layout.RunLayout.Meta.HOST, RunFolder.host());
        m.put(org.foliobench.layout.RunLayout.Meta.CPU_MODEL, cpuModel(read("/proc/cpuinfo")));
        m.put(org.foliobench.layout.RunLayout.Meta.CPU_CORES, String.valueOf(Runtime.getRuntime().availableProcessors()));
        String meminfo = read("/proc/meminfo");
        m.put(org.foliobench.layout.RunLayout.Meta.MEM_TOTAL, String.valueOf(meminfoBytes(meminfo, "MemTotal")));
        m.put("mem.available", String.valueOf(meminfoBytes(meminfo, "MemAvailable")));
        m.put(org.foliobench.layout.RunLayout.Meta.KERNEL, kernelRelease());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put(org.foliobench.layout.RunLayout.Meta.JVM, System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + " ("
                + System.getProperty("java.vendor") + ")");
        m.put("java.home", System.getProperty("java.home"));
        return m;
    }

    /** The running kernel's release ({@code uname -r}). */
    static String kernelRelease() {
        return read("/proc/sys/kernel/osrelease").trim();
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
