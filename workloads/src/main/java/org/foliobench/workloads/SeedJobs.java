package org.foliobench.workloads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The packaged job files that reproduce the 39 rows of the published tables, one file per row:
 * {@code org/foliobench/workloads/seed/<row.fileName()>}, e.g. {@code read-hole-4k.fio},
 * {@code write-ramdisk-n-y-n-64k.fio}. Each file has exactly one measured job (the others, if any,
 * are {@code create_only} setup jobs), and that job's {@code fb_row=} names the row: the mapping is
 * by file name and checked against the file's own declaration, and {@link #semanticProblems} checks
 * each file against the meaning of its row in DESIGN.md's workload table.
 */
public final class SeedJobs {
    private SeedJobs() {
    }

    /** The classpath folder of the seed job files. */
    public static final String RESOURCE_DIR = "/org/foliobench/workloads/seed/";

    /** A reference row, its job file and the job of that file that is measured. */
    public record Seed(ReferenceRow row, JobFile file, JobSpec job) {
    }

    /** The 39 rows, in the published table order. */
    public static List<ReferenceRow> rows() {
        return ReferenceRow.seedTable();
    }

    /** The classpath resource of {@code row}'s job file. */
    public static String resourcePath(ReferenceRow row) {
        return RESOURCE_DIR + row.fileName();
    }

    /** The file names listed in the packaged {@code INDEX}, in order. */
    public static List<String> index() {
        try (InputStream in = open(RESOURCE_DIR + "INDEX");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> names = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the job file of {@code row} and checks that it declares that row. */
    public static Seed load(ReferenceRow row) throws JobFileException {
        String name = "seed/" + row.fileName();
        JobFile file;
        try (InputStream in = open(resourcePath(row))) {
            file = new FioParser(Map.of()).parse(name, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<JobSpec> measured = file.measuredJobs();
        if (measured.size() != 1) {
            throw new IllegalStateException(name + ": expected one measured job, found " + measured.size());
        }
        JobSpec job = measured.get(0);
        Optional<ReferenceRow> declared = job.row();
        if (declared.isEmpty() || !declared.get().equals(row)) {
            throw new IllegalStateException(name + ": job [" + job.name() + "] declares fb_row "
                    + declared.map(ReferenceRow::key).orElse("(none)") + ", expected " + row.key());
        }
        return new Seed(row, file, job);
    }

    /** All 39 seeds in table order. */
    public static List<Seed> loadAll() throws JobFileException {
        List<Seed> seeds = new ArrayList<>();
        for (ReferenceRow row : rows()) {
            seeds.add(load(row));
        }
        return seeds;
    }

    /**
     * What in {@code seed} contradicts its row's meaning (DESIGN.md, "The workloads"); empty when it
     * reproduces the row. Checked: sequential psync with the row's bs; hole reads read a file left
     * sparse by a preceding {@code create_only}, {@code fallocate=truncate} job; device reads lay the
     * file out themselves; reads are cold ({@code invalidate=1}); Overwrite=Y lays out, fsyncs and
     * drops the cache first, Overwrite=N extends a new file without preallocation; Sync=Y has
     * {@code fsync=1}, Sync=N no syncs; Writeback=Y files are at least twice the hard dirty threshold
     * of {@code fb_mem}, Writeback=N files stay below its background threshold; nvme rows run on the
     * run's NVMe device or a direct: device, the others on a RamDisk.
     */
    public static List<String> semanticProblems(Seed seed) {
        List<String> p = new ArrayList<>();
        ReferenceRow row = seed.row();
        JobSpec j = seed.job();
        if (j.rw().isWrite() != (row.table() == ReferenceRow.Table.WRITE)) {
            p.add("rw=" + j.rw().fioName() + " does not match a sequential " + row.table().csv() + " row");
        }
        if (j.bs() != row.bs()) {
            p.add("bs=" + j.bs() + " but the row's bs is " + row.bs());
        }
        if (j.numjobs() != 1 || j.timeBased() || j.endFsync()) {
            p.add("psync rows are one job, one pass over the file, no end_fsync");
        }
        String device = j.device().orElse("");
        boolean nvmeDevice = device.equals("nvme") || device.startsWith("direct:");
        if ((row.type() == ReferenceRow.Type.NVME) != nvmeDevice) {
            p.add("fb_device=" + device + " does not fit type " + row.type().csv());
        }
        if (row.type() != ReferenceRow.Type.NVME && !device.startsWith("ramdisk")) {
            p.add("type " + row.type().csv() + " runs on a RamDisk, not fb_device=" + device);
        }
        List<JobSpec> before = seed.file().jobs().subList(0, seed.file().jobs().indexOf(j));
        List<JobSpec> setup = before.stream().filter(s -> s.filename().equals(j.filename())).toList();
        if (row.table() == ReferenceRow.Table.READ) {
            if (!j.invalidate()) {
                p.add("reads must be cold: invalidate=1");
            }
            if (row.type() == ReferenceRow.Type.HOLE) {
                boolean sparse = setup.size() == 1 && setup.get(0).createOnly() && setup.get(0).rw().isWrite()
                        && !setup.get(0).overwrite() && setup.get(0).fallocate() == FallocateMode.TRUNCATE
                        && setup.get(0).size() >= j.size();
                if (!sparse || !j.stonewall()) {
                    p.add("a hole read needs a preceding create_only write job with fallocate=truncate on the"
                            + " same file (and stonewall on the reader)");
                }
            } else if (!setup.isEmpty() || !j.createFsync()) {
                p.add("a device read lays its file out itself (no setup job, create_fsync=1)");
            }
        } else {
            if (!setup.isEmpty()) {
                p.add("write rows have no setup job");
            }
            if (row.overwrite()) {
                if (!j.overwrite() || !j.createFsync() || !j.invalidate()) {
                    p.add("Overwrite=Y lays out and fsyncs the file and drops its cache: overwrite=1, create_fsync=1,"
                            + " invalidate=1");
                }
            } else if (j.overwrite() || j.fallocate() != FallocateMode.NONE) {
                p.add("Overwrite=N extends a new file: overwrite=0, fallocate=none");
            }
            if (row.sync() ? (j.fsync() != 1) : (j.fsync() != 0 || j.fdatasync() != 0)) {
                p.add(row.sync() ? "Sync=Y is fsync=1" : "Sync=N has no fsync/fdatasync");
            }
            Optional<DirtyLimits> limits = j.dirtyLimits();
            if (limits.isEmpty()) {
                p.add("write rows set fb_mem so the dirty thresholds are known");
            } else if (row.writeback()) {
                if (j.size() < 2 * limits.get().threshBytes()) {
                    p.add("Writeback=Y: size=" + j.size() + " is not at least twice the dirty threshold "
                            + limits.get().threshBytes());
                }
            } else if (j.size() >= limits.get().bgThreshBytes()) {
                p.add("Writeback=N: size=" + j.size() + " is not below the background threshold "
                        + limits.get().bgThreshBytes());
            }
        }
        return p;
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = SeedJobs.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing classpath resource " + resource);
        }
        return in;
    }
}
