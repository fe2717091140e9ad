package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.foliobench.DefragIomap;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.Test;

/**
 * {@link DefragCommand}'s work (without the run lock): a fragmented file becomes one extent on
 * bh and on iomap with the fallback, is refused on iomap by default, and its data verifies;
 * bad input exits 2 with one line.
 */
class DefragCommandTest {
    static String run(IoPath p, DefragIomap mode, int[] rc) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DefragCommand d = new DefragCommand();
        d.top = new Foliobench();
        d.top.out = new PrintStream(b, true, StandardCharsets.UTF_8);
        rc[0] = d.defrag(p, mode, 1L << 20, 4096);
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void defragsOnBhAndOnIomapWithTheFallback() throws Exception {
        for (IoPath p : new IoPath[] {IoPath.BUFFER_HEAD, IoPath.IOMAP}) {
            int[] rc = new int[1];
            String out = run(p, DefragIomap.FALLBACK, rc);
            assertEquals(0, rc[0], out);
            Matcher m = Pattern.compile("extents: (\\d+) before, (\\d+) after").matcher(out);
            assertTrue(m.find(), out);
            assertTrue(Integer.parseInt(m.group(1)) > 200, "fragmented before: " + out);
            assertEquals(1, Integer.parseInt(m.group(2)), out);
            assertTrue(out.contains("file now on the bh path"), out);
            assertTrue(out.contains("fsck: clean") && out.contains("data: verified"), out);
            Matcher bios = Pattern.compile("cold read of the file: (\\d+) bios before, (\\d+) after").matcher(out);
            assertTrue(bios.find(), out);
            assertTrue(Long.parseLong(bios.group(2)) < Long.parseLong(bios.group(1)), "fewer bios once contiguous: " + out);
        }
    }

    @Test
    void iomapIsRefusedByDefault() throws Exception {
        int[] rc = new int[1];
        String out = run(IoPath.IOMAP, DefragIomap.EOPNOTSUPP, rc);
        assertEquals(Foliobench.EXIT_FAILED, rc[0], out);
        assertTrue(out.contains("EXT4_IOC_MOVE_EXT: ") && out.contains("fb_defrag_iomap=fallback"), out);
        assertTrue(Pattern.compile("extents: \\d+ \\(unchanged\\)").matcher(out).find(), out);
        assertTrue(out.contains("--defrag-iomap fallback"), out);
    }

    @Test
    void badInputExits2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Foliobench.execute(new String[] {"defrag", "--defrag-iomap", "sometimes"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), java.nio.file.Path.of("."));
        assertEquals(Foliobench.EXIT_USAGE, rc);
        assertTrue(err.toString().contains("use eopnotsupp or fallback"), err.toString());
    }
}
