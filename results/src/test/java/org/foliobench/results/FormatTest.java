package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatTest {

    /** The table exactly as the cover letter prints it (seeds/000_f71f481ae822aaa7.txt, lines 113-159). */
    static String seedText() throws IOException {
        try (InputStream in = FormatTest.class.getResourceAsStream("seed-cover-letter-table.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void iopsOfEveryPublishedCellAsTheMailPrintsThem() throws IOException {
        // the mail's IOPS cells, in order, parsed from the seed text
        List<String> printed = new ArrayList<>();
        for (String line : seedText().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 6 && f[1].matches("\\d+[KM]")) { // read row: type bs IOPS BW IOPS BW
                printed.add(f[2]);
                printed.add(f[4]);
            } else if (f.length == 9 && (f[1].equals("Y") || f[1].equals("N"))) {
                printed.add(f[5]);
                printed.add(f[7]);
            }
        }
        List<String> ours = new ArrayList<>();
        for (ReferenceTable.Entry e : ReferenceTable.published().entries()) {
            ours.add(Format.iops(e.bhIops()));
            ours.add(Format.iops(e.iomapIops()));
        }
        assertEquals(78, printed.size());
        assertEquals(printed, ours);
    }

    @Test
    void iopsRule() {
        assertEquals("565k", Format.iops(565_000));
        assertEquals("45.1k", Format.iops(45_100));
        assertEquals("2744", Format.iops(2744));
        assertEquals("9830", Format.iops(9830));
        assertEquals("9999", Format.iops(9999.4));
        assertEquals("10.0k", Format.iops(9999.6));
        assertEquals("12.0k", Format.iops(12_000));
        assertEquals("100k", Format.iops(99_960));
        assertEquals("999k", Format.iops(999_400));
        assertEquals("1.00M", Format.iops(999_600));
        assertEquals("1.23M", Format.iops(1_234_567));
        assertEquals("0", Format.iops(0.2));
        assertEquals("-", Format.iops(Double.NaN));
    }

    @Test
    void bwRule() {
        assertEquals("38.4", Format.bw(38.4));
        assertEquals("52.8", Format.bw(52.79));
        assertEquals("365", Format.bw(365.2));
        assertEquals("1703", Format.bw(1703.4));
        assertEquals("100", Format.bw(99.96));
        assertEquals("5.20", Format.bw(5.2));
        assertEquals("0.0500", Format.bw(0.05));
        assertEquals("-", Format.bw(Double.POSITIVE_INFINITY));
    }

    @Test
    void otherFormats() {
        assertEquals("1.44x", Format.ratio(1.4354));
        assertEquals("+3.1%", Format.signedPct(3.14));
        assertEquals("-12%", Format.signedPct(-12.4));
        assertEquals("+0.0%", Format.signedPct(-0.01));
        assertEquals("1.2%", Format.pct(1.23));
        assertEquals("850ns", Format.latency(850));
        assertEquals("12.3us", Format.latency(12_345));
        assertEquals("4.51ms", Format.latency(4_510_000));
        assertEquals("4.00K", Format.bytes(4096));
        assertEquals("1.00M", Format.bytes(1 << 20));
        assertEquals("512", Format.bytes(512));
    }
}
