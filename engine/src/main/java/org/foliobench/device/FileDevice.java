package org.foliobench.device;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.foliobench.Defaults;

/**
 * A device backed by a regular file through the OS page cache (a loop device without
 * {@code LO_FLAGS_DIRECT_IO}): positional {@code pread}/{@code pwrite}, vectored IO for
 * multi-segment bios, {@link #flush} = {@code fdatasync}. Any memory works (heap buffers are
 * copied by the JDK); the logical block size is chosen by the caller (512 by default, as a
 * virtio disk).
 *
 * <p>Like a loop device it has a request queue: {@link Defaults#LOOP_NR_HW_QUEUES} hardware queue
 * of {@code nr_requests} tags (default {@link Defaults#defaultNrRequests} of
 * {@link Defaults#LOOP_HW_QUEUE_DEPTH}), whose IO thread does the system calls, as loop's worker does.
 */
public final class FileDevice extends ChannelDevice {
    static final int DEFAULT_LOGICAL_BLOCK_SIZE = Bio.SECTOR_SIZE;

    private FileDevice(Path path, FileChannel channel, long capacity, int lbs) {
        super(path, channel, capacity, lbs);
    }

    /**
     * Opens an existing regular file read-write as a device of {@code capacity} bytes (0: the file's
     * length rounded down to {@code logicalBlockSize}). The file must already be at least that long;
     * {@link DeviceSpec} creates or grows it.
     */
    public static FileDevice open(Path path, long capacity, int logicalBlockSize) throws IOException {
        return open(path, capacity, logicalBlockSize, 0);
    }

    /** {@link #open(Path, long, int)} with the queue's {@code nr_requests} (0: the loop device's default). */
    public static FileDevice open(Path path, long capacity, int logicalBlockSize, int nrRequests) throws IOException {
        checkLogicalBlockSize(logicalBlockSize);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + " is not a regular file"
                    + (Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? " (for a block device use direct:)" : " (it does not exist)"));
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long length = ch.size();
            long cap = capacity == 0 ? length - length % logicalBlockSize : capacity;
            if (cap <= 0) {
                throw new IllegalArgumentException(path + " is empty (" + length + " bytes): give a size");
            }
            if (cap % logicalBlockSize != 0) {
                throw new IllegalArgumentException("capacity " + cap + " of " + path
                        + " is not a multiple of the logical block size " + logicalBlockSize);
            }
            if (cap > length) {
                throw new IllegalArgumentException(path + " is " + length + " bytes, shorter than the capacity " + cap);
            }
            FileDevice dev = new FileDevice(path, ch, cap, logicalBlockSize);
            dev.startQueue(Defaults.LOOP_NR_HW_QUEUES, nrRequests > 0 ? nrRequests
                    : Defaults.defaultNrRequests(Defaults.LOOP_HW_QUEUE_DEPTH, Defaults.LOOP_NR_HW_QUEUES));
            return dev;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static void checkLogicalBlockSize(int lbs) {
        if (lbs < Bio.SECTOR_SIZE || lbs > 65536 || Integer.bitCount(lbs) != 1) {
            throw new IllegalArgumentException("logical block size " + lbs + " must be a power of two from 512 to 65536");
        }
    }

    @Override
    public String describe() {
        return "file " + path + " size=" + capacity() + " lbs=" + logicalBlockSize() + " nr_requests=" + nrRequests() + " hw_queues=" + nrHwQueues() + " (buffered, OS page cache)";
    }
}
