package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FioVerifyTest {
    static ByteBuffer block(int len, long offset) {
        ByteBuffer b = ByteBuffer.allocate(len);
        JobClone.fill(b);
        FioVerify.fill(b, len, 7, offset, 3, 1, FioVerify.dataCrc(b, len));
        return b;
    }

    @Test
    void headerIsFiosVerifyHeaderLittleEndian() {
        ByteBuffer b = block(4096, 8192).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xacca, b.getShort(0) & 0xffff);
        assertEquals(0x81, b.get(2) & 0xff);
        assertEquals(5, b.get(3));
        assertEquals(4096, b.getInt(4));
        assertEquals(8192, b.getLong(16));
        assertEquals(3, b.getLong(32));
        assertEquals(52, FioVerify.HDR_SIZE);
    }

    @Test
    void checkNamesWhatIsWrong() throws Exception {
        FioVerify.check(block(4096, 8192), 4096, 8192, "f");
        assertTrue(assertThrows(FioVerify.Failure.class, () -> FioVerify.check(block(4096, 8192), 4096, 4096, "f"))
                .getMessage().startsWith("verify: bad header offset 8192, wanted 4096 at file f offset 4096"));
        ByteBuffer data = block(4096, 0);
        data.put(1000, (byte) (data.get(1000) ^ 1));
        assertTrue(assertThrows(FioVerify.Failure.class, () -> FioVerify.check(data, 4096, 0, "f")).getMessage()
                .startsWith("crc32c: verify failed at file f offset 0, length 4096"));
        ByteBuffer hdr = block(4096, 0);
        hdr.put(9, (byte) 1);
        assertTrue(assertThrows(FioVerify.Failure.class, () -> FioVerify.check(hdr, 4096, 0, "f")).getMessage()
                .startsWith("verify: bad header crc"));
        assertTrue(assertThrows(FioVerify.Failure.class, () -> FioVerify.check(ByteBuffer.allocate(4096), 4096, 0, "f"))
                .getMessage().startsWith("verify: bad magic header 0x0, wanted 0xacca"));
    }
}
