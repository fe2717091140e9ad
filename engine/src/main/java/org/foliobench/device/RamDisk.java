package org.foliobench.device;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.foliobench.Errno;
import org.foliobench.ErrnoException;
import org.foliobench.mm.ZeroPage;

/**
 * An off-heap RAM disk, the embedded default device (the kernel's {@code brd}). Memory is held in
 * {@link #CHUNK_SIZE} direct buffers allocated on first write, so capacity can be tens of GiB
 * while only written regions cost memory; never-written blocks read as zeros. The volatile cache
 * is the memory itself, so {@link #flush} has nothing to do.
 */
public final class RamDisk extends BlockDevice {
    /** Allocation unit: 64 MiB. */
    static final int CHUNK_SHIFT = 26;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;

    private final long capacity;
    private final int logicalBlockSize;
    private final ByteBuffer[] chunks;
    /** The atomic write unit this ramdisk claims (0: none, as brd). */
    private final int awuMax;
    private volatile boolean closed;

    public RamDisk(long capacity) {
        this(capacity, 512);
    }

    public RamDisk(long capacity, int logicalBlockSize) {
        this(capacity, logicalBlockSize, 0);
    }

    /**
     * A ramdisk that also claims atomic writes up to {@code atomicWriteUnitMax} bytes (0: none, as
     * {@code brd}; a power of two from the logical block size up, as {@code scsi_debug}'s
     * {@code atomic_wr_max_length} makes a RAM-backed disk claim them). A write is one copy in
     * the submitter, so a {@code REQ_ATOMIC} bio, which never crosses a chunk (naturally aligned,
     * at most 1 MiB), lands whole; what a power cut leaves is modelled by the crash tests' device.
     */
    public RamDisk(long capacity, int logicalBlockSize, int atomicWriteUnitMax) {
        if (atomicWriteUnitMax != 0 && (Integer.bitCount(atomicWriteUnitMax) != 1 || atomicWriteUnitMax < logicalBlockSize)) {
            throw new IllegalArgumentException("ramdisk atomic write unit max " + atomicWriteUnitMax
                    + " must be 0 or a power of two of at least the logical block size " + logicalBlockSize);
        }
        this.awuMax = atomicWriteUnitMax;
        if (logicalBlockSize < Bio.SECTOR_SIZE || Integer.bitCount(logicalBlockSize) != 1 || logicalBlockSize > 4096) {
            throw new IllegalArgumentException("ramdisk logical block size " + logicalBlockSize
                    + " must be a power of two from 512 to 4096");
        }
        if (capacity <= 0 || capacity % logicalBlockSize != 0) {
            throw new IllegalArgumentException("ramdisk capacity " + capacity
                    + " must be a positive multiple of " + logicalBlockSize + " bytes");
        }
        long nchunks = (capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        if (nchunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ramdisk capacity " + capacity + " is too large");
        }
        this.capacity = capacity;
        this.logicalBlockSize = logicalBlockSize;
        this.chunks = new ByteBuffer[(int) nchunks];
    }

    @Override
    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public String describe() {
        return "ramdisk size=" + capacity + " lbs=" + logicalBlockSize + (awuMax != 0 ? " awu_max=" + awuMax : "");
    }

    @Override
    protected int hwAtomicWriteUnitMax() {
        return awuMax;
    }

    /** Bytes of memory actually backing written regions. */
    long residentBytes() {
        long n = 0;
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer c = (ByteBuffer) CHUNK.getAcquire(chunks, i);
            if (c != null) {
                n += c.capacity();
            }
        }
        return n;
    }

    /** Chunks are published with release/acquire so a reader on another thread sees an initialised buffer. */
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(ByteBuffer[].class);

    private ByteBuffer chunk(int i, boolean create) throws IOException {
        ByteBuffer c = (ByteBuffer) CHUNK.getAcquire(chunks, i);
        if (c == null && create) {
            synchronized (chunks) {
                c = chunks[i];
                if (c == null) {
                    long len = Math.min(CHUNK_SIZE, capacity - ((long) i << CHUNK_SHIFT));
                    try {
                        c = ByteBuffer.allocateDirect((int) len);
                    } catch (OutOfMemoryError e) {
                        throw new ErrnoException(Errno.ENOMEM, "ramdisk cannot allocate " + len + " bytes of direct memory"
                                + " for chunk " + i + " (raise -XX:MaxDirectMemorySize or use a smaller ramdisk)", e);
                    }
                    CHUNK.setRelease(chunks, i, c);
                }
            }
        }
        return c;
    }

    @Override
    protected void read(Bio bio) throws IOException {
        ensureOpen();
        long pos = bio.position();
        for (int s = 0; s < bio.segments(); s++) {
            ByteBuffer dst = bio.segmentMemory(s);
            int off = bio.segmentOffset(s);
            int len = bio.segmentLength(s);
            while (len > 0) {
                int ci = (int) (pos >>> CHUNK_SHIFT);
                int co = (int) (pos & (CHUNK_SIZE - 1));
                int n = Math.min(len, CHUNK_SIZE - co);
                ByteBuffer c = chunk(ci, false);
                if (c == null) {
                    ZeroPage.fill(dst, off, n);
                } else {
                    dst.put(off, c, co, n);
                }
                pos += n;
                off += n;
                len -= n;
            }
        }
    }

    @Override
    protected void write(Bio bio) throws IOException {
        ensureOpen();
        long pos = bio.position();
        for (int s = 0; s < bio.segments(); s++) {
            ByteBuffer src = bio.segmentMemory(s);
            int off = bio.segmentOffset(s);
            int len = bio.segmentLength(s);
            while (len > 0) {
                int ci = (int) (pos >>> CHUNK_SHIFT);
                int co = (int) (pos & (CHUNK_SIZE - 1));
                int n = Math.min(len, CHUNK_SIZE - co);
                chunk(ci, true).put(co, src, off, n);
                pos += n;
                off += n;
                len -= n;
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("ramdisk is closed");
        }
    }

    @Override
    protected void doFlush() throws IOException {
        ensureOpen();
    }

    @Override
    public void close() {
        closed = true;
        // Direct buffers are released by the GC once unreachable.
        java.util.Arrays.fill(chunks, null);
    }
}
