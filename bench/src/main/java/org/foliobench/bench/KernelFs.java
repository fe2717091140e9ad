package org.foliobench.bench;

import java.util.List;
import org.foliobench.results.PathLabel;

/**
 * A filesystem of the machine's kernel that a kernel run formats: how it is made ({@code mkfs}) and
 * which table column it is ({@link PathLabel}). Formatting uses the job's block size; ext4's inode
 * tables and journal are initialised at mkfs time, so no lazy-init thread writes during the
 * measurement. Mounts use the kernel's default options (recorded in the run's metadata as
 * {@code /proc/self/mounts} shows them).
 */
enum KernelFs {
    EXT4(PathLabel.EXT4, "mkfs.ext4", "e2fsprogs"),
    XFS(PathLabel.XFS, "mkfs.xfs", "xfsprogs");

    private final PathLabel label;
    private final String mkfs;
    private final String debianPackage;

    KernelFs(PathLabel label, String mkfs, String debianPackage) {
        this.label = label;
        this.mkfs = mkfs;
        this.debianPackage = debianPackage;
    }

    PathLabel label() {
        return label;
    }

    /** The {@code mount -t} type and the {@code --fs} name. */
    String type() {
        return label.param();
    }

    /** The program that formats it. */
    String mkfsProgram() {
        return mkfs;
    }

    /** The Debian package that has {@link #mkfsProgram()}. */
    String debianPackage() {
        return debianPackage;
    }

    /** The mkfs command line for {@code device} with {@code blockSize}-byte blocks (forced: the caller checked the device). */
    List<String> mkfs(String device, int blockSize) {
        if (this == EXT4) {
            return List.of(mkfs, "-F", "-q", "-b", Integer.toString(blockSize), "-E", "lazy_itable_init=0,lazy_journal_init=0",
                    device);
        }
        return List.of(mkfs, "-f", "-q", "-b", "size=" + blockSize, device);
    }

    /** {@code --fs ext4,xfs}: the names in order, each once; the first is the base of the speedup. */
    static List<KernelFs> parse(List<String> names) throws UsageException {
        List<KernelFs> out = new java.util.ArrayList<>();
        for (String n : names) {
            KernelFs fs = null;
            for (KernelFs k : values()) {
                if (k.type().equalsIgnoreCase(n.trim())) {
                    fs = k;
                }
            }
            if (fs == null) {
                throw new UsageException("unknown filesystem \"" + n.trim() + "\"", "use --fs ext4,xfs");
            }
            if (!out.contains(fs)) {
                out.add(fs);
            }
        }
        if (out.size() != 2 || out.get(0) != EXT4) {
            throw new UsageException("--fs " + String.join(",", names) + " is not a pair",
                    "use --fs ext4,xfs: ext4 (buffer_head) is measured against xfs (iomap), side by side");
        }
        return out;
    }
}
