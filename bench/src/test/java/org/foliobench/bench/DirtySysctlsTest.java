package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foliobench.workloads.DirtyLimits;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;
import org.junit.jupiter.api.Test;

class DirtySysctlsTest {
    /** /proc/sys/vm as the kernel behaves: a changed *_bytes zeroes its ratio and the other way round; 0 bytes is EINVAL. */
    static final class FakeVm implements DirtySysctls.Store {
        final Map<String, String> v = new LinkedHashMap<>();
        String failOn;

        FakeVm(String ratio, String bytes, String bgRatio, String bgBytes) {
            v.put("dirty_ratio", ratio);
            v.put("dirty_bytes", bytes);
            v.put("dirty_background_ratio", bgRatio);
            v.put("dirty_background_bytes", bgBytes);
            v.put("dirty_expire_centisecs", "3000");
            v.put("dirty_writeback_centisecs", "500");
        }

        @Override
        public String read(String name) {
            return v.get(name);
        }

        @Override
        public void write(String name, String value) throws IOException {
            if (name.equals(failOn)) {
                throw new IOException("Permission denied");
            }
            if (name.endsWith("_bytes") && value.equals("0")) {
                throw new IOException("Invalid argument");
            }
            String old = v.put(name, value);
            if (!value.equals(old)) {
                if (name.endsWith("_bytes")) {
                    v.put(name.replace("_bytes", "_ratio"), "0");
                } else if (name.endsWith("_ratio")) {
                    v.put(name.replace("_ratio", "_bytes"), "0");
                }
            }
        }
    }

    private static JobSpec job() throws Exception {
        return SeedJobs.load(ReferenceRow.write(ReferenceRow.Type.RAMDISK, false, false, true, 4096)).job().scaledDown(8);
    }

    @Test
    void setsTheLimitsTheModelMemoryImpliesAndRestoresTheRatios() throws Exception {
        FakeVm vm = new FakeVm("20", "0", "10", "0");
        Map<String, String> before = new LinkedHashMap<>(vm.v);
        DirtyLimits l = job().dirtyLimits().orElseThrow();
        try (DirtySysctls s = new DirtySysctls(vm)) {
            Map<String, String> set = s.apply(job());
            assertEquals(Long.toString(l.threshBytes()), set.get("vm.dirty_bytes"));
            assertEquals(Long.toString(l.threshBytes()), vm.v.get("dirty_bytes"));
            assertEquals(Long.toString(l.bgThreshBytes()), vm.v.get("dirty_background_bytes"));
            assertEquals("0", vm.v.get("dirty_ratio"), "the kernel zeroed the ratio");
            assertEquals("20", s.saved().get("vm.dirty_ratio"));
        }
        assertEquals(before, vm.v);
    }

    @Test
    void restoresBytesModeToo() throws Exception {
        FakeVm vm = new FakeVm("0", "536870912", "0", "268435456");
        Map<String, String> before = new LinkedHashMap<>(vm.v);
        try (DirtySysctls s = new DirtySysctls(vm)) {
            s.apply(job());
        }
        assertEquals(before, vm.v);
    }

    @Test
    void restoresWhenTheRunFails() throws Exception {
        FakeVm vm = new FakeVm("20", "0", "10", "0");
        Map<String, String> before = new LinkedHashMap<>(vm.v);
        assertThrows(IllegalStateException.class, () -> {
            try (DirtySysctls s = new DirtySysctls(vm)) {
                s.apply(job());
                throw new IllegalStateException("a row failed");
            }
        });
        assertEquals(before, vm.v);
    }

    @Test
    void aValueThatCannotBeRestoredIsNamedWithTheCommandAndTheOthersAreStillRestored() throws Exception {
        FakeVm vm = new FakeVm("20", "0", "10", "0");
        DirtySysctls s = new DirtySysctls(vm);
        s.apply(job());
        vm.failOn = "dirty_ratio";
        IOException e = assertThrows(IOException.class, s::close);
        assertTrue(e.getMessage().contains("could not restore vm.dirty_ratio=20"), e.getMessage());
        assertTrue(e.getMessage().contains("sysctl vm.dirty_ratio=20"), e.getMessage());
        assertEquals("10", vm.v.get("dirty_background_ratio"), "the others were restored");
        assertEquals("0", vm.v.get("dirty_background_bytes"));
    }
}
