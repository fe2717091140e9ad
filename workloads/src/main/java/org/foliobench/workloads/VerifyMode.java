package org.foliobench.workloads;

/** fio {@code verify=}: the supported checksum modes. */
public enum VerifyMode {
    /** {@code verify=0}: no verification (fio's default). */
    NONE,
    /** {@code verify=crc32c} (alias {@code crc32c-intel}): each written block carries a crc32c header, checked on read. */
    CRC32C
}
