package org.foliobench.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.zip.CRC32C;
import org.foliobench.workloads.VerifyMode;

/**
 * fio's {@code verify=crc32c} block format ({@code verify.h}, {@code verify.c}): every block of
 * {@code bs} bytes a job writes starts with a {@code struct verify_header} (magic {@code 0xacca},
 * version, verify type, block length, seed, the block's file offset, time, I/O number, thread, and
 * a crc32c of the header itself), then a {@code struct vhdr_crc32} holding the crc32c of the rest of
 * the block, the data. Reading a block back checks the header (magic, length, offset, header crc)
 * and the data crc; the first mismatch is a {@link Failure} naming the file and offset, as fio's
 * {@code log_verify_failure()} does. Little-endian, x86-64 layout: the header is 48 bytes with its
 * padding, 52 with the crc.
 */
final class FioVerify {
    static final int MAGIC = 0xacca;
    static final int VERSION = 0x81;
    /** {@code VERIFY_CRC32C} in fio's verify type enum. */
    static final int TYPE_CRC32C = 5;
    /** {@code sizeof(struct verify_header)}: where the header's own crc32c sits is {@link #HEADER_CRC}. */
    static final int HEADER = 48;
    static final int HEADER_CRC = 44;
    /** {@code hdr_size()}: header plus {@code struct vhdr_crc32}; the data starts here. */
    static final int HDR_SIZE = VerifyMode.CRC32C.headerBytes();

    private static final int LEN = 4;
    private static final int SEED = 8;
    private static final int OFFSET = 16;
    private static final int NUMBERIO = 32;
    private static final int THREAD = 40;

    /** A block that does not carry what was written there (fio: {@code EILSEQ}). */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private FioVerify() {
    }

    /** The crc32c of a block's data ({@code [HDR_SIZE, len)} of {@code block}), computed once for a buffer whose data never changes. */
    static int dataCrc(ByteBuffer block, int len) {
        CRC32C c = new CRC32C();
        c.update(block.duplicate().position(HDR_SIZE).limit(len));
        return (int) c.getValue();
    }

    /** {@code __fill_hdr()} + {@code fill_crc32c()}: the header of the block of {@code len} bytes written at {@code offset}. */
    static void fill(ByteBuffer block, int len, long seed, long offset, long numberio, int thread, int dataCrc) {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) MAGIC);
        b.put(2, (byte) VERSION);
        b.put(3, (byte) TYPE_CRC32C);
        b.putInt(LEN, len);
        b.putLong(SEED, seed);
        b.putLong(OFFSET, offset);
        b.putLong(24, 0L); // time_sec, time_nsec: fio stores the issue time and never checks it
        b.putLong(NUMBERIO, numberio);
        b.putShort(THREAD, (short) thread);
        b.putShort(THREAD + 2, (short) 0);
        b.putInt(HEADER_CRC, headerCrc(b));
        b.putInt(HEADER, dataCrc);
    }

    /**
     * {@code verify_io_u()}: checks the block of {@code len} bytes read from {@code offset} of
     * {@code file}; throws {@link Failure} with fio's one-line report.
     */
    static void check(ByteBuffer block, int len, long offset, String file) throws Failure {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getShort(0) & 0xffff;
        if (magic != MAGIC) {
            throw failure("bad magic header " + hex(magic) + ", wanted " + hex(MAGIC), file, offset, len);
        }
        int l = b.getInt(LEN);
        if (l != len) {
            throw failure("bad header length " + l + ", wanted " + len, file, offset, len);
        }
        long o = b.getLong(OFFSET);
        if (o != offset) {
            throw failure("bad header offset " + o + ", wanted " + offset, file, offset, len);
        }
        int hc = headerCrc(b);
        if (hc != b.getInt(HEADER_CRC)) {
            throw failure("bad header crc " + hex(b.getInt(HEADER_CRC)) + ", calculated " + hex(hc), file, offset, len);
        }
        int expected = b.getInt(HEADER);
        int received = dataCrc(b, len);
        if (expected != received) {
            throw new Failure(String.format(Locale.ROOT,
                    "crc32c: verify failed at file %s offset %d, length %d (expected crc %s, received %s)", file, offset, len,
                    hex(expected), hex(received)));
        }
    }

    private static int headerCrc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().position(0).limit(HEADER_CRC));
        return (int) c.getValue();
    }

    private static Failure failure(String what, String file, long offset, int len) {
        return new Failure("verify: " + what + " at file " + file + " offset " + offset + ", length " + len);
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }
}
