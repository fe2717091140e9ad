package org.foliobench.device;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Set;
import org.foliobench.Defaults;

/**
 * A device opened with {@code O_DIRECT} ({@link ExtendedOpenOption#DIRECT}): a regular file on a
 * filesystem that supports it or a raw block device such as {@code /dev/nvme0n1}. No OS cache in
 * between, so this is the "nvme" device of the tables.
 *
 * <p>The alignment, which is also the {@link #logicalBlockSize()}, is the larger of the block
 * device's {@code queue/logical_block_size} and the {@link FileStore#getBlockSize()} the JDK
 * enforces for direct IO. Every bio's offset and length and every segment's memory address and
 * length must be multiples of it: memory comes from {@link DmaMemory}, and a misaligned bio is an
 * {@link IllegalArgumentException} naming offset, length and alignment, never a silent bounce copy.
 */
public final class DirectDevice extends ChannelDevice {
    /** Filesystems that accept {@code O_DIRECT} but serve it from the page cache (tmpfs since Linux 6.6). */
    private static final Set<String> MEMORY_FILESYSTEMS = Set.of("tmpfs", "ramfs", "devtmpfs", "hugetlbfs");

    private final boolean blockDevice;

    private DirectDevice(Path path, FileChannel channel, long capacity, int alignment, boolean blockDevice) {
        super(path, channel, capacity, alignment);
        this.blockDevice = blockDevice;
    }

    /**
     * Opens {@code path} (an existing regular file or block device) read-write with {@code O_DIRECT}
     * as a device of {@code capacity} bytes (0: the whole file or device, rounded down to the
     * alignment). A block device is checked by {@link DeviceSafety} first: refused when mounted, and
     * when it carries a filesystem or partition table unless {@code allowOverwrite}. One aligned
     * read at open proves the filesystem really does direct IO.
     *
     * @throws IllegalArgumentException for a refused path, with a message saying what to do instead
     */
    public static DirectDevice open(Path path, long capacity, boolean allowOverwrite) throws IOException {
        return open(path, capacity, allowOverwrite, 0);
    }

    /**
     * {@link #open(Path, long, boolean)} with the queue's {@code nr_requests} (0: the default). The
     * request queue: a block device's own {@code queue/nr_requests} and hardware queue count from
     * sysfs; a regular file stands for an NVMe namespace, one hardware queue per CPU of
     * {@link Defaults#NVME_QUEUE_DEPTH} tags ({@link Defaults#defaultNrRequests}).
     */
    public static DirectDevice open(Path path, long capacity, boolean allowOverwrite, int nrRequests) throws IOException {
        Path real = path.toRealPath();
        int mode = (Integer) Files.getAttribute(real, "unix:mode");
        boolean blockDevice = (mode & 0170000) == 0060000;
        if (!blockDevice && !Files.isRegularFile(real)) {
            throw new IllegalArgumentException(path + " is neither a regular file nor a block device");
        }
        FileStore store = Files.getFileStore(real);
        if (!blockDevice && MEMORY_FILESYSTEMS.contains(store.type())) {
            throw new IllegalArgumentException(refusal(path, store.type(),
                    "it is a memory filesystem: O_DIRECT there is served from the page cache, not a device"));
        }
        int alignment = (int) Math.max(store.getBlockSize(), blockDevice ? sysfsLogicalBlockSize(real) : Bio.SECTOR_SIZE);
        if (blockDevice) {
            DeviceSafety.checkWritable(real, null, allowOverwrite); // mounted? before opening at all
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(real, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException e) {
            // only EINVAL says the filesystem refuses O_DIRECT; read-only, permission and the like are what they are
            if (!(e instanceof java.nio.file.FileSystemException) || !String.valueOf(
                    ((java.nio.file.FileSystemException) e).getReason()).contains("Invalid argument")) {
                throw e;
            }
            throw new IllegalArgumentException(refusal(path, store.type(), e.getMessage()), e);
        }
        try {
            long size = ch.size();
            if (blockDevice && size == 0) {
                size = sysfsSectors(real) << Bio.SECTOR_SHIFT;
            }
            long cap = capacity == 0 ? size - size % alignment : capacity;
            if (cap <= 0) {
                throw new IllegalArgumentException(path + " is empty (" + size + " bytes): "
                        + (blockDevice ? "a block device without capacity (an unattached loop device?)" : "give a size"));
            }
            if (cap % alignment != 0) {
                throw new IllegalArgumentException("capacity " + cap + " of " + path
                        + " is not a multiple of its direct IO alignment " + alignment);
            }
            if (cap > size) {
                throw new IllegalArgumentException(path + " holds " + size + " bytes, less than the capacity " + cap);
            }
            byte[] head = probe(ch, path, store.type(), alignment, blockDevice ? Math.min(DeviceSafety.PROBE_BYTES, cap) : alignment);
            if (blockDevice) {
                DeviceSafety.checkWritable(real, head, allowOverwrite);
            }
            DirectDevice dev = new DirectDevice(real, ch, cap, alignment, blockDevice);
            int hwq = blockDevice ? sysfsHwQueues(real) : Runtime.getRuntime().availableProcessors();
            int nr = nrRequests > 0 ? nrRequests : blockDevice ? sysfsNrRequests(real, hwq)
                    : Defaults.defaultNrRequests(Defaults.NVME_QUEUE_DEPTH, hwq);
            dev.startQueue(hwq, nr);
            return dev;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** One real aligned read at open: some filesystems accept the flag and refuse the IO. */
    private static byte[] probe(FileChannel ch, Path path, String fsType, int alignment, long bytes) {
        int n = (int) (bytes - bytes % alignment);
        ByteBuffer buf = DmaMemory.allocate(n, alignment);
        try {
            long pos = 0;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    break; // a file shorter than one block: holes and EOF are fine for the probe
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(refusal(path, fsType, "an aligned " + n + "-byte O_DIRECT read failed: "
                    + e.getMessage()), e);
        }
        byte[] head = new byte[n];
        buf.get(0, head);
        return head;
    }

    static String refusal(Path path, String fsType, String why) {
        Path dir = path.toAbsolutePath().getParent();
        return "cannot do direct IO on " + path + " (filesystem " + fsType + " at " + dir + "): " + why
                + "; put the file on a disk-backed filesystem (e.g. direct:/var/tmp/foliobench.img,size=4g),"
                + " or use file:" + path + ",size=4g for cached IO or ramdisk:size=4g for memory";
    }

    /** {@code /sys/class/block/<dev>/queue/logical_block_size}; a partition reads its disk's queue. */
    private static int sysfsLogicalBlockSize(Path dev) {
        try {
            return Integer.parseInt(readSysfs(dev, "queue/logical_block_size"));
        } catch (IOException | NumberFormatException e) {
            return Bio.SECTOR_SIZE;
        }
    }

    /** Hardware queues of a block device: the entries of {@code /sys/block/<dev>/mq}; 1 when unknown. */
    private static int sysfsHwQueues(Path dev) {
        Path sys = Path.of("/sys/class/block", dev.getFileName().toString());
        try {
            Path mq = Files.exists(sys.resolve("partition")) ? sys.toRealPath().getParent().resolve("mq") : sys.resolve("mq");
            try (java.util.stream.Stream<Path> s = Files.list(mq)) {
                return (int) Math.max(1, s.count());
            }
        } catch (IOException e) {
            return 1;
        }
    }

    /** {@code queue/nr_requests} of a block device; the kernel's default for an NVMe queue when unreadable. */
    private static int sysfsNrRequests(Path dev, int hwq) {
        try {
            return Integer.parseInt(readSysfs(dev, "queue/nr_requests"));
        } catch (IOException | NumberFormatException e) {
            return Defaults.defaultNrRequests(Defaults.NVME_QUEUE_DEPTH, hwq);
        }
    }

    private static long sysfsSectors(Path dev) throws IOException {
        Path p = Path.of("/sys/class/block", dev.getFileName().toString(), "size");
        return Long.parseLong(Files.readString(p, StandardCharsets.US_ASCII).trim());
    }

    private static String readSysfs(Path dev, String attr) throws IOException {
        Path sys = Path.of("/sys/class/block", dev.getFileName().toString());
        Path p = sys.resolve(attr);
        if (!Files.exists(p) && Files.exists(sys.resolve("partition"))) {
            p = sys.toRealPath().getParent().resolve(attr);
        }
        return Files.readString(p, StandardCharsets.US_ASCII).trim();
    }

    /** The alignment every bio offset, length and segment must honour (equals {@link #logicalBlockSize()}). */
    public int alignment() {
        return logicalBlockSize();
    }

    /** O_DIRECT transfers straight from the segment's memory: aligned direct memory only. */
    @Override
    public int dmaAlignment() {
        return logicalBlockSize();
    }

    boolean isBlockDevice() {
        return blockDevice;
    }

    @Override
    protected void check(Bio bio) {
        super.check(bio);
        int align = logicalBlockSize();
        for (int i = 0; i < bio.segments(); i++) {
            ByteBuffer m = bio.segmentMemory(i);
            int off = bio.segmentOffset(i);
            int len = bio.segmentLength(i);
            if (!DmaMemory.isAligned(m, off, align) || len % align != 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "misaligned direct IO segment %d of %s: buffer offset %d, length %d must be %s at a multiple of"
                                + " the alignment %d (allocate with DmaMemory.allocate)",
                        i, bio, off, len, m.isDirect() ? "direct memory" : "direct (not heap) memory", align));
            }
        }
    }

    @Override
    public String describe() {
        return "direct " + path + (blockDevice ? " (block device)" : "") + " size=" + capacity()
                + " alignment=" + logicalBlockSize() + " nr_requests=" + nrRequests() + " hw_queues=" + nrHwQueues() + " (O_DIRECT)";
    }
}
