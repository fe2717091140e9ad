package org.foliobench.workloads;

/** fio {@code verify=}: the supported checksum modes. */
public enum VerifyMode {
    /** {@code verify=0}: no verification (fio's default). */
    NONE(0),
    /**
     * {@code verify=crc32c} (alias {@code crc32c-intel}): each written block starts with fio's
     * {@code struct verify_header} (48 bytes) and {@code struct vhdr_crc32} (4), checked on read.
     */
    CRC32C(52);

    private final int headerBytes;

    VerifyMode(int headerBytes) {
        this.headerBytes = headerBytes;
    }

    /** fio's {@code hdr_size()}: the bytes at the start of every block before its data; a block must be larger. */
    public int headerBytes() {
        return headerBytes;
    }
}
