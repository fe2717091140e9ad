package org.foliobench.device;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.foliobench.FioSize;
import org.foliobench.InvalidValue;

/**
 * A device named by a string, as the CLI and job files name it:
 * <ul>
 * <li>{@code ramdisk:size=SIZE[,lbs=N][,awu_max=SIZE]} - a {@link RamDisk} of SIZE bytes, logical block size N
 *     (512 by default; a power of two up to 4096), claiming atomic writes up to {@code awu_max}
 *     (a power of two; default none, as {@code brd});</li>
 * <li>{@code file:PATH[,size=SIZE][,lbs=N][,nr_requests=N]} - a {@link FileDevice} on a regular file
 *     through the OS cache;</li>
 * <li>{@code direct:PATH[,size=SIZE][,force][,nr_requests=N]} - a {@link DirectDevice} ({@code O_DIRECT})
 *     on a regular file or a block device; {@code force} allows overwriting a block device that
 *     carries a filesystem or partition table (a mounted one is always refused).</li>
 * </ul>
 * {@code nr_requests} is the request queue's {@code /sys/block/<dev>/queue/nr_requests}: tags per
 * hardware queue, the requests a queue holds before a submitter waits (default: the kernel's for
 * that kind of device, see {@link org.foliobench.Defaults#defaultNrRequests}). The ramdisk has no
 * queue (brd completes every bio in its submitter).
 * SIZE takes fio's units ({@link FioSize}, the same rule as job files): {@code 4g}, {@code 512m},
 * {@code 1048576}; {@code 64KiB} is 64000, as in fio. A regular file that does not exist needs {@code size=} and is created (sparse);
 * an existing one keeps its length unless {@code size=} is larger, which grows it; the device's
 * capacity is {@code size=} when given, else the file's (or block device's) length. If opening
 * fails, a file the spec created is removed and a grown one is shrunk back. PATH cannot contain a
 * comma. Every problem is one {@link DeviceSpecException} naming the spec, the problem and the fix.
 */
public final class DeviceSpec {
    /** The device kinds, by their spec prefix. */
    public enum Kind {
        RAMDISK("ramdisk"), FILE("file"), DIRECT("direct");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** The spec's kind word: {@code ramdisk}, {@code file}, {@code direct}. */
        public String prefix() {
            return prefix;
        }

        /** Whether a spec of this kind starts with a path ({@code file:PATH}). */
        public boolean hasPath() {
            return this != RAMDISK;
        }

        /** The kind {@code spec} names ({@code kind} or {@code kind:...}, any case), or null. */
        public static Kind of(String spec) {
            int colon = spec.indexOf(':');
            String name = (colon < 0 ? spec : spec.substring(0, colon)).trim();
            for (Kind k : values()) {
                if (k.prefix.equalsIgnoreCase(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    private final String spec;
    private final Kind kind;
    private final Path path;
    private final long size;
    private final int logicalBlockSize;
    private final boolean force;
    /** {@code queue/nr_requests}; 0: the device kind's default. */
    private final int nrRequests;
    /** A ramdisk's {@code awu_max=}: the atomic write unit it claims, 0 for none. */
    private int atomicWriteUnitMax;

    private DeviceSpec(String spec, Kind kind, Path path, long size, int logicalBlockSize, boolean force, int nrRequests) {
        this.nrRequests = nrRequests;
        this.spec = spec;
        this.kind = kind;
        this.path = path;
        this.size = size;
        this.logicalBlockSize = logicalBlockSize;
        this.force = force;
    }

    /** Parses a spec; nothing is opened or created yet. */
    public static DeviceSpec parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        int colon = spec.indexOf(':');
        String kindName = (colon < 0 ? spec : spec.substring(0, colon)).trim();
        Kind kind = Kind.of(spec);
        if (kind == null || colon < 0) {
            throw new DeviceSpecException(spec, (kind == null ? "unknown kind \"" + kindName + "\"" : "missing \":\" after "
                    + kindName) + " (use ramdisk:size=4g, file:PATH[,size=...] or direct:PATH[,size=...][,force])");
        }
        String[] parts = spec.substring(colon + 1).split(",", -1);
        Path path = null;
        int first = 0;
        if (kind.hasPath()) {
            String p = parts[0].trim();
            if (p.isEmpty() || p.contains("=")) {
                throw new DeviceSpecException(spec, "missing path (e.g. " + kind.prefix + ":/var/tmp/foliobench.img,size=8g)");
            }
            try {
                path = Path.of(p);
            } catch (InvalidPathException e) {
                throw new DeviceSpecException(spec, "bad path \"" + p + "\": " + e.getReason());
            }
            first = 1;
        }
        long size = 0;
        int lbs = 0;
        boolean force = false;
        boolean sawSize = false;
        int nrRequests = 0;
        long awuMax = -1;
        for (int i = first; i < parts.length; i++) {
            String opt = parts[i].trim();
            if (opt.isEmpty()) {
                continue; // "ramdisk:size=4g," and "ramdisk:" parse as if the comma were not there
            }
            int eq = opt.indexOf('=');
            String key = (eq < 0 ? opt : opt.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : opt.substring(eq + 1).trim();
            switch (key) {
                case "size":
                    if (sawSize || value == null) {
                        throw new DeviceSpecException(spec, sawSize ? "size= given twice" : "size needs a value (size=4g)");
                    }
                    sawSize = true;
                    size = parseSize(spec, value);
                    if (size == 0) {
                        throw new DeviceSpecException(spec, "size must be greater than zero");
                    }
                    break;
                case "lbs":
                    if (kind == Kind.DIRECT) {
                        throw new DeviceSpecException(spec, "direct: takes its logical block size from the device; drop lbs=");
                    }
                    if (lbs != 0 || value == null) {
                        throw new DeviceSpecException(spec, lbs != 0 ? "lbs= given twice" : "lbs needs a value (lbs=4096)");
                    }
                    long v = parseSize(spec, value);
                    if (v < Bio.SECTOR_SIZE || v > 4096 || Long.bitCount(v) != 1) {
                        throw new DeviceSpecException(spec, "logical block size " + value + " must be 512, 1k, 2k or 4k");
                    }
                    lbs = (int) v;
                    break;
                case "awu_max":
                    if (kind != Kind.RAMDISK) {
                        throw new DeviceSpecException(spec, "awu_max= is a ramdisk option (file: and direct: devices"
                                + " cannot write atomically from Java); drop it");
                    }
                    if (awuMax >= 0 || value == null) {
                        throw new DeviceSpecException(spec, awuMax >= 0 ? "awu_max= given twice" : "awu_max needs a value (awu_max=64k)");
                    }
                    awuMax = parseSize(spec, value);
                    if (awuMax != 0 && (Long.bitCount(awuMax) != 1 || awuMax > (1 << 20))) {
                        throw new DeviceSpecException(spec, "atomic write unit max " + value
                                + " must be a power of two up to 1m (awu_max=64k), or 0 for none");
                    }
                    break;
                case "force":
                    if (kind != Kind.DIRECT || value != null) {
                        throw new DeviceSpecException(spec, kind != Kind.DIRECT ? "force only applies to direct: devices"
                                : "force takes no value");
                    }
                    force = true;
                    break;
                case "nr_requests":
                    if (kind == Kind.RAMDISK) {
                        throw new DeviceSpecException(spec, "a ramdisk has no request queue (brd completes bios synchronously);"
                                + " drop nr_requests=");
                    }
                    if (nrRequests != 0 || value == null) {
                        throw new DeviceSpecException(spec, nrRequests != 0 ? "nr_requests= given twice"
                                : "nr_requests needs a value (nr_requests=256)");
                    }
                    try {
                        nrRequests = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        nrRequests = -1;
                    }
                    if (nrRequests < 4 || nrRequests > 65536) {
                        // blk_mq_update_nr_requests refuses fewer than BLKDEV_MIN_RQ (4)
                        throw new DeviceSpecException(spec, "nr_requests \"" + value + "\" must be a whole number from 4 to 65536");
                    }
                    break;
                default:
                    throw new DeviceSpecException(spec, "unknown option \"" + key + "\""
                            + " (" + kind.prefix + ": takes " + (kind == Kind.RAMDISK ? "size=, lbs=, awu_max="
                                    : kind == Kind.FILE ? "size=, lbs=, nr_requests=" : "size=, force, nr_requests=") + ")");
            }
        }
        if (kind == Kind.RAMDISK && !sawSize) {
            throw new DeviceSpecException(spec, "ramdisk needs a size (e.g. ramdisk:size=4g)");
        }
        if (lbs == 0) {
            lbs = Bio.SECTOR_SIZE;
        }
        if (kind != Kind.DIRECT && size % lbs != 0) {
            throw new DeviceSpecException(spec, "size " + size + " is not a multiple of the logical block size " + lbs);
        }
        if (awuMax > 0 && awuMax < lbs) {
            throw new DeviceSpecException(spec, "atomic write unit max " + awuMax + " is below the logical block size " + lbs
                    + " (use awu_max=" + lbs + " or more)");
        }
        DeviceSpec d = new DeviceSpec(spec, kind, path, size, lbs, force, nrRequests);
        d.atomicWriteUnitMax = (int) Math.max(awuMax, 0);
        return d;
    }

    /** A size in fio's units ({@link FioSize}); problems name the spec. */
    public static long parseSize(String spec, String value) {
        try {
            return FioSize.parse(value);
        } catch (InvalidValue e) {
            throw new DeviceSpecException(spec, "bad size \"" + value + "\": " + e.getMessage());
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The file or device path; null for a ramdisk. */
    public Path path() {
        return path;
    }

    /** Requested capacity in bytes, 0 when not given. */
    public long size() {
        return size;
    }

    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    public boolean force() {
        return force;
    }

    /** A ramdisk's {@code awu_max=}: the atomic write unit it claims, 0 for none. */
    public int atomicWriteUnitMax() {
        return atomicWriteUnitMax;
    }

    /** The {@code nr_requests=} given, 0 for the device kind's default. */
    int nrRequests() {
        return nrRequests;
    }

    @Override
    public String toString() {
        return spec;
    }

    /** What {@link #probe()} found: the device's capacity, alignment and what it is. */
    public record Probe(long capacity, int alignment, String description, boolean blockDevice) {
    }

    /**
     * What {@link #open()} would give, found out without creating or changing anything that stays.
     * Throws the {@link DeviceSpecException} open would (a missing file without {@code size=}, a
     * missing directory, a directory, a read-only place, a memory filesystem for {@code direct:}, a
     * mounted block device or one carrying a signature without {@code force}). An existing device is
     * opened and closed; a file open would create or grow is tried as a small temporary file beside
     * it, removed at once, and errors name the file the spec names.
     */
    public Probe probe() throws IOException {
        if (kind == Kind.RAMDISK) {
            return new Probe(size, logicalBlockSize, "ramdisk size=" + size + " lbs=" + logicalBlockSize
                    + (atomicWriteUnitMax != 0 ? " awu_max=" + atomicWriteUnitMax : ""), false);
        }
        boolean exists = Files.exists(path);
        if (exists && !(Files.isRegularFile(path) && size > Files.size(path))) {
            try (BlockDevice d = open()) {
                return new Probe(d.capacity(), d.logicalBlockSize(), d.describe(),
                        d instanceof DirectDevice && ((DirectDevice) d).isBlockDevice());
            }
        }
        if (!exists && size == 0) {
            throw missing();
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new DeviceSpecException(spec, "directory " + dir + " does not exist (create it first)");
        }
        if (exists && !Files.isWritable(path)) {
            throw new DeviceSpecException(spec, "permission denied on " + path + " (choose a path you may read and write)");
        }
        checkSpace(dir, exists ? size - Files.size(path) : size);
        Path trial = dir.resolve("." + path.getFileName() + ".probe-" + ProcessHandle.current().pid());
        DeviceSpec t = new DeviceSpec(spec, kind, trial, 1 << 20, logicalBlockSize, force, nrRequests);
        try (BlockDevice d = t.open()) {
            String what = kind == Kind.FILE ? "file " + path + " size=" + size + " lbs=" + d.logicalBlockSize()
                    + " (buffered, OS page cache)" : "direct " + path + " size=" + size + " alignment=" + d.logicalBlockSize()
                    + " (O_DIRECT)";
            return new Probe(size, d.logicalBlockSize(), what + (exists ? ", grown from " + Files.size(path) + " bytes by a run"
                    : ", created by a run"), false);
        } catch (DeviceSpecException e) {
            String m = e.getMessage().substring(e.getMessage().indexOf("\": ") + 3);
            throw new DeviceSpecException(spec, m.replace(trial.toString(), path.toString()), e);
        } finally {
            Files.deleteIfExists(trial);
        }
    }

    private DeviceSpecException missing() {
        return new DeviceSpecException(spec, path + " does not exist (give size= to create it, e.g. " + kind.prefix + ":"
                + path + ",size=4g)");
    }

    /** Creates or opens the device. Problems the user can fix are {@link DeviceSpecException}s. */
    public BlockDevice open() throws IOException {
        if (kind == Kind.RAMDISK) {
            long limit = maxDirectMemory();
            if (size > limit) {
                throw new DeviceSpecException(spec, "ramdisk size " + size + " exceeds the JVM's direct memory limit of "
                        + limit + " bytes (raise -XX:MaxDirectMemorySize or use a smaller size)");
            }
            if (((size + RamDisk.CHUNK_SIZE - 1) >>> RamDisk.CHUNK_SHIFT) > Integer.MAX_VALUE) {
                throw new DeviceSpecException(spec, "ramdisk size " + size + " is too large");
            }
            return new RamDisk(size, logicalBlockSize, atomicWriteUnitMax);
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            return openExistingNode();
        }
        return openFile();
    }

    private BlockDevice openExistingNode() throws IOException {
        if (Files.isDirectory(path)) {
            throw new DeviceSpecException(spec, path + " is a directory (name a file inside it, e.g. "
                    + path.resolve("foliobench.img") + ")");
        }
        if (kind == Kind.FILE) {
            throw new DeviceSpecException(spec, path + " is not a regular file (for a block device use direct:"
                    + path + ")");
        }
        try {
            return DirectDevice.open(path, size, force, nrRequests);
        } catch (IOException | IllegalArgumentException e) {
            throw explain(e);
        }
    }

    private BlockDevice openFile() throws IOException {
        boolean created = false;
        long oldLength = -1;
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || !Files.exists(path)) {
            if (size == 0) {
                throw missing();
            }
            Path dir = path.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new DeviceSpecException(spec, "directory " + dir + " does not exist (create it first)");
            }
            checkSpace(dir, size);
            try {
                Files.createFile(path);
            } catch (AccessDeniedException e) {
                throw explain(e);
            } catch (IOException e) {
                String why = e instanceof FileSystemException && ((FileSystemException) e).getReason() != null
                        ? ((FileSystemException) e).getReason() : e.toString();
                throw new DeviceSpecException(spec, "cannot create " + path + " (" + why + ", filesystem "
                        + Files.getFileStore(dir).type() + "; choose a writable directory on a disk filesystem, e.g. /var/tmp)", e);
            }
            created = true;
        } else {
            oldLength = Files.size(path);
            if (size > oldLength) {
                checkSpace(path.toAbsolutePath().getParent(), size - oldLength);
            }
        }
        try {
            if (size > Math.max(oldLength, 0)) {
                try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                    f.setLength(size);
                }
            }
            return kind == Kind.FILE ? FileDevice.open(path, size, logicalBlockSize, nrRequests) : DirectDevice.open(path, size, force, nrRequests);
        } catch (IOException | RuntimeException e) {
            // nothing left behind: remove what we created, shrink what we grew
            try {
                if (created) {
                    Files.deleteIfExists(path);
                } else if (size > oldLength) {
                    try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                        f.setLength(oldLength);
                    }
                }
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw explain(e);
        }
    }

    private void checkSpace(Path dir, long bytes) throws IOException {
        java.nio.file.FileStore store = Files.getFileStore(dir);
        if (store.getTotalSpace() == 0) {
            throw new DeviceSpecException(spec, "cannot create " + path + ": " + dir + " is on " + store.type()
                    + ", a filesystem without room for files (choose a directory on a disk filesystem, e.g. /var/tmp)");
        }
        long free = store.getUsableSpace();
        if (bytes > free) {
            throw new DeviceSpecException(spec, "size " + size + " needs " + bytes + " bytes but only " + free
                    + " are free under " + dir + " (use a smaller size or another filesystem)");
        }
    }

    /** Maps an open failure to one line naming the problem and the fix. */
    DeviceSpecException explain(Exception e) {
        if (e instanceof DeviceSpecException) {
            return (DeviceSpecException) e;
        }
        if (e instanceof AccessDeniedException) {
            return new DeviceSpecException(spec, "permission denied on " + ((AccessDeniedException) e).getFile()
                    + " (choose a path you may read and write, or fix its permissions)", e);
        }
        if (e instanceof NoSuchFileException) {
            return new DeviceSpecException(spec, ((NoSuchFileException) e).getFile() + " does not exist", e);
        }
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            return new DeviceSpecException(spec, "cannot open " + f.getFile() + ": " + f.getReason()
                    + " (choose a place you may write, e.g. under /var/tmp)", e);
        }
        if (e instanceof IllegalArgumentException) {
            return new DeviceSpecException(spec, e.getMessage(), e);
        }
        return new DeviceSpecException(spec, "cannot open " + path + ": " + e, e);
    }

    /** This JVM's {@code -XX:MaxDirectMemorySize}, which defaults to the maximum heap size: what a ramdisk and the page cache may take. */
    public static long maxDirectMemory() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(hs.getVMOption("MaxDirectMemorySize").getValue());
            return v > 0 ? v : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return Runtime.getRuntime().maxMemory();
        }
    }
}
