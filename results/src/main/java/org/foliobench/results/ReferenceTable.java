package org.foliobench.results;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.foliobench.layout.RowKey;

/**
 * The published fio psync table: Zhang Yi's cover letter of "[RESEND RFC PATCH v4 00/34] ext4:
 * use iomap for regular file's buffered IO path and enable large folio" (linux-ext4, 2024-04-10,
 * measured on the v3 series). The CSV is the resource {@value #RESOURCE}, its source cited in its
 * header comment.
 */
public final class ReferenceTable {

    /** Classpath resource of the published CSV. */
    public static final String RESOURCE = "/org/foliobench/results/ext4-iomap-v4-fio-psync.csv";

    /** Where the numbers come from, for report footers. */
    public static final String SOURCE = "Zhang Yi, \"[RESEND RFC PATCH v4 00/34] ext4: use iomap for regular file's "
            + "buffered IO path and enable large folio\", linux-ext4, 2024-04-10 (cover letter; measured on v3)";

    /** One published row. */
    public record Entry(RowKey key, double bhIops, double bhBwMiB, double iomapIops, double iomapBwMiB) {
        /** iomap IOPS / bh IOPS. */
        public double speedup() {
            return iomapIops / bhIops;
        }

        public double iops(PathLabel p) {
            return p.side() == 0 ? bhIops : iomapIops;
        }

        public double bwMiB(PathLabel p) {
            return p.side() == 0 ? bhBwMiB : iomapBwMiB;
        }
    }

    private static volatile ReferenceTable published;

    private final List<Entry> entries;
    private final Map<RowKey, Integer> index = new LinkedHashMap<>();

    private ReferenceTable(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(entries);
        for (int i = 0; i < entries.size(); i++) {
            index.put(entries.get(i).key(), i);
        }
    }

    /** The published table (39 rows, in the mail's order). */
    public static ReferenceTable published() {
        ReferenceTable t = published;
        if (t == null) {
            try (InputStream in = ReferenceTable.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " missing from the results jar");
                }
                t = parse(new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            published = t;
        }
        return t;
    }

    /** The reference CSVs' format: a header line, {@code #} comment lines allowed. */
    static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
            .setCommentMarker('#').setIgnoreEmptyLines(true).get();

    /** The records of a reference CSV packaged beside this class in the results jar. */
    static List<CSVRecord> records(String resource) {
        try (InputStream in = ReferenceTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the results jar");
            }
            return CSV.parse(new InputStreamReader(in, StandardCharsets.UTF_8)).getRecords();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a table in the reference CSV's format ({@code #} comment lines allowed). */
    static ReferenceTable parse(Reader r) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (CSVRecord rec : CSV.parse(r)) {
            RowKey k = RowKey.ofCsv(rec.get("table"), rec.get("type"), rec.get("overwrite"), rec.get("sync"),
                    rec.get("writeback"), rec.get("bs"));
            out.add(new Entry(k, Double.parseDouble(rec.get("bh_iops")), Double.parseDouble(rec.get("bh_bw_mib")),
                    Double.parseDouble(rec.get("iomap_iops")), Double.parseDouble(rec.get("iomap_bw_mib"))));
        }
        return new ReferenceTable(out);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The published entry of a row, or null when the mail has no such row. */
    public Entry get(RowKey k) {
        Integer i = k.publishable() ? index.get(k.base()) : null;
        return i == null ? null : entries.get(i);
    }

    /** Position of the row (of any numjobs) in the mail's order, or -1. */
    public int order(RowKey k) {
        Integer i = index.get(k.base());
        return i == null ? -1 : i;
    }
}
