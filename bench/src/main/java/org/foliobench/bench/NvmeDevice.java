package org.foliobench.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DeviceSpecException;
import org.foliobench.workloads.JobSpec;

/**
 * The run's "nvme" device: the {@code --nvme} spec (a {@code direct:} device on a real namespace or
 * a file), or by default a direct-IO file {@code nvme.img} in the run folder when its filesystem
 * does O_DIRECT. Probing creates nothing that stays: a missing file is probed through a temporary
 * file next to it.
 *
 * @param spec        the device spec the forks open; null when there is no direct device
 * @param alignment   the direct IO alignment (also the device's logical block size)
 * @param capacity    its capacity in bytes
 * @param unavailable why there is no direct device (nvme rows are skipped with this reason)
 * @param description what backs it, for the metadata
 */
record NvmeDevice(String spec, int alignment, long capacity, String unavailable, Map<String, String> description) {

    static final String IMAGE = "nvme.img";

    /** The user's {@code --nvme SPEC}: it must be a usable direct: device, else exit 2. */
    static NvmeDevice of(String spec) throws UsageException {
        DeviceSpec s;
        try {
            s = DeviceSpec.parse(spec);
        } catch (DeviceSpecException e) {
            throw new UsageException("bad --nvme: " + e.getMessage(), "use --nvme direct:/dev/nvme0n1 or direct:PATH,size=8g");
        }
        if (s.kind() != DeviceSpec.Kind.DIRECT) {
            throw new UsageException("--nvme " + spec + " is not a direct: device", "use --nvme direct:/dev/nvme0n1 or "
                    + "direct:PATH,size=8g (O_DIRECT, no OS cache in between)");
        }
        DeviceSpec.Probe p;
        Map<String, String> d = new LinkedHashMap<>();
        try {
            p = s.probe();
            d.put("device.nvme", p.description());
        } catch (DeviceSpecException e) {
            throw new UsageException("cannot use --nvme: " + e.getMessage(), "check the device spec");
        } catch (IOException e) {
            throw new UsageException("cannot use --nvme " + spec + ": " + e.getMessage(), "check the device spec");
        }
        d.put("device.nvme.spec", spec);
        d.putAll(SystemInfo.storageUnder(Files.exists(s.path()) ? s.path() : s.path().toAbsolutePath().getParent(), "device.nvme"));
        return new NvmeDevice(spec, p.alignment(), p.capacity(), null, d);
    }

    /**
     * The default: {@code direct:<runDir>/nvme.img,size=<bytes>} when O_DIRECT works in the nearest
     * existing ancestor of {@code runDir} and there is room; otherwise unavailable, with the reason.
     */
    static NvmeDevice defaultIn(Path runDir, long bytes) {
        Path probeDir = existingAncestor(runDir);
        if (probeDir == null) {
            return unavailable("no existing directory above " + runDir);
        }
        int align;
        try {
            align = probeDirectory(probeDir);
        } catch (IOException | RuntimeException e) {
            return unavailable("no direct IO under " + probeDir + ": " + TableRunner.firstLine(e.getMessage() == null
                    ? e.toString() : e.getMessage()) + " (give --nvme direct:/dev/nvme0n1 or a file on a disk filesystem)");
        }
        try {
            long free = Files.getFileStore(probeDir).getUsableSpace();
            if (free < bytes + (1L << 30)) {
                return unavailable("the default nvme file needs " + (bytes >> 20) + " MiB but " + probeDir + " has "
                        + (free >> 20) + " MiB free (give --nvme direct:PATH,size=... elsewhere, or --quick)");
            }
        } catch (IOException e) {
            return unavailable("cannot read the free space under " + probeDir + ": " + e.getMessage());
        }
        Path img = runDir.resolve(IMAGE).toAbsolutePath();
        String spec = "direct:" + img + ",size=" + bytes;
        Map<String, String> d = new LinkedHashMap<>();
        d.put("device.nvme", "direct " + img + " size=" + bytes + " alignment=" + align
                + " (O_DIRECT file in the run folder, deleted at the end)");
        d.put("device.nvme.spec", spec);
        d.put("device.nvme.default", "true");
        d.putAll(SystemInfo.storageUnder(probeDir, "device.nvme"));
        return new NvmeDevice(spec, align, bytes, null, d);
    }

    /**
     * The nvme device of a run: {@code --nvme SPEC} ({@code flag}) when given, else the default image
     * in {@code runDir} sized for the largest of {@code nvmeFiles}, the file sizes of the rows that
     * would run on it (none: no device).
     */
    static NvmeDevice forRun(String flag, Path runDir, long[] nvmeFiles) throws UsageException {
        if (flag != null) {
            return of(flag);
        }
        if (nvmeFiles.length == 0) {
            return unavailable("no nvme rows in this run");
        }
        return defaultIn(runDir, imageBytes(java.util.Arrays.stream(nvmeFiles).max().orElse(0)));
    }

    /** Direct IO constraints of the nvme rows: bs and the filesystem block size against the device's alignment. */
    void checkAlignment(List<Plan.Bench> benches) throws UsageException {
        if (alignment <= 0) {
            return;
        }
        for (Plan.Bench b : benches) {
            if (!b.nvme() || b.skip() != null) {
                continue;
            }
            JobSpec j = b.workload().job();
            if (j.bs() % alignment != 0) {
                throw new UsageException(b.key() + ": bs " + j.bs() + " is not a multiple of the nvme device's direct IO alignment "
                        + alignment + " (" + spec + ")", "use a bs that is a multiple of " + alignment);
            }
            if (j.blockSize() < alignment) {
                throw new UsageException(b.key() + ": filesystem block size " + j.blockSize()
                        + " is below the nvme device's direct IO alignment " + alignment,
                        "use --block-size " + Math.max(alignment, 1024) + " or larger, or another --nvme device");
            }
        }
    }

    /** Deletes the default image at the end of a run (a user's --nvme device stays). */
    static void deleteImage(NvmeDevice nvme) {
        if (nvme != null && nvme.isDefaultImage()) {
            try {
                Files.deleteIfExists(nvme.imagePath());
            } catch (IOException ignored) {
                // left behind in the run folder; harmless
            }
        }
    }

    static NvmeDevice unavailable(String why) {
        return new NvmeDevice(null, 0, 0, why, Map.of("device.nvme", "none: " + why));
    }

    /** Is this the default image in the run folder (deleted at the end)? */
    boolean isDefaultImage() {
        return "true".equals(description.get("device.nvme.default"));
    }

    Path imagePath() {
        return spec == null ? null : DeviceSpec.parse(spec).path();
    }

    static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath().normalize();
        while (a != null && !Files.isDirectory(a)) {
            a = a.getParent();
        }
        return a;
    }

    /** The direct IO alignment of a file {@code dir} would hold ({@link DeviceSpec#probe}: nothing stays). */
    static int probeDirectory(Path dir) throws IOException {
        return DeviceSpec.parse("direct:" + dir.resolve(IMAGE) + ",size=1m").probe().alignment();
    }

    /** Bytes the default image needs for the largest nvme file of the plan: the file, metadata, journal. */
    static long imageBytes(long largestFile) {
        long b = largestFile + largestFile / 4 + (256L << 20);
        return (b + (1 << 20) - 1) >> 20 << 20;
    }
}
