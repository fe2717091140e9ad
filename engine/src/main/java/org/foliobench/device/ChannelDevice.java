package org.foliobench.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The IO engine shared by {@link FileDevice} and {@link DirectDevice}: one bio is one request is
 * one system call. A single-segment bio is a positional {@code pread}/{@code pwrite}; a
 * multi-segment bio is one vectored call ({@code readv}/{@code writev} after a seek, under the
 * device lock so no other vectored bio moves the file position in between), the way the kernel
 * hands a multi-bvec request to the driver in one command. Short transfers are continued.
 */
abstract class ChannelDevice extends BlockDevice {
    final Path path;
    final FileChannel channel;
    private final long capacity;
    private final int logicalBlockSize;
    /** Serialises the seek + vectored transfer of multi-segment bios. */
    private final ReentrantLock positionLock = new ReentrantLock();

    ChannelDevice(Path path, FileChannel channel, long capacity, int logicalBlockSize) {
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
        this.logicalBlockSize = logicalBlockSize;
    }

    @Override
    public final int logicalBlockSize() {
        return logicalBlockSize;
    }

    @Override
    public final long capacity() {
        return capacity;
    }

    /** The file or block device node under this device. */
    public Path path() {
        return path;
    }

    private static ByteBuffer segment(Bio bio, int i) {
        return bio.segmentMemory(i).slice(bio.segmentOffset(i), bio.segmentLength(i));
    }

    private static ByteBuffer[] segments(Bio bio) {
        ByteBuffer[] v = new ByteBuffer[bio.segments()];
        for (int i = 0; i < v.length; i++) {
            v[i] = segment(bio, i);
        }
        return v;
    }

    @Override
    protected void read(Bio bio) throws IOException {
        long pos = bio.position();
        if (bio.segments() == 1) {
            ByteBuffer b = segment(bio, 0);
            while (b.hasRemaining()) {
                int n = channel.read(b, pos);
                if (n < 0) {
                    throw eof(bio, pos);
                }
                pos += n;
            }
            return;
        }
        ByteBuffer[] v = segments(bio);
        long left = bio.size();
        int first = 0;
        positionLock.lock();
        try {
            channel.position(pos);
            while (left > 0) {
                long n = channel.read(v, first, v.length - first);
                if (n < 0) {
                    throw eof(bio, bio.position() + bio.size() - left);
                }
                left -= n;
                while (first < v.length && !v[first].hasRemaining()) {
                    first++;
                }
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    protected void write(Bio bio) throws IOException {
        long pos = bio.position();
        if (bio.segments() == 1) {
            ByteBuffer b = segment(bio, 0);
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        } else {
            ByteBuffer[] v = segments(bio);
            long left = bio.size();
            int first = 0;
            positionLock.lock();
            try {
                channel.position(pos);
                while (left > 0) {
                    left -= channel.write(v, first, v.length - first);
                    while (first < v.length && !v[first].hasRemaining()) {
                        first++;
                    }
                }
            } finally {
                positionLock.unlock();
            }
        }
        if (bio.isFua()) {
            // No FUA on a file: the block layer's emulation, a post-flush (blk_insert_flush()).
            channel.force(false);
        }
    }

    private IOException eof(Bio bio, long at) {
        return new EOFException(path + ": end of file at byte " + at + " while reading " + bio
                + " (the backing file was truncated under the device?)");
    }

    /** {@code blkdev_issue_flush}: {@code fdatasync(2)}, which also flushes the disk's volatile write cache. */
    @Override
    protected void doFlush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
