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
import java.util.Set;

import org.foliobench.Defaults;
import org.foliobench.FioSize;

/**
 * The inverse of {@link FioParser} for real fio: a job file that fio 3.x runs as it is, every job
 * written out in full (no {@code [global]} inheritance to follow), only options fio itself knows.
 * The {@code fb_} options have no fio equivalent; what they meant is said in the header comment
 * ({@link #modelNotes}): the device, the model's memory as the {@code vm.dirty_bytes} /
 * {@code vm.dirty_background_bytes} it implies, the tunables.
 *
 * <p>A job that reproduces a reference row is named after the row ({@code [read/hole/4K]}), so its
 * results name their row in fio's output ({@code jobname}); setup jobs keep their section names.
 * Parsed back with {@link FioParser}, a written job gives the same fio options as the one written.
 */
public final class FioJobWriter {
    private FioJobWriter() {
    }

    /**
     * The header of {@code row}'s job file with the seed's sizes divided by {@code divisor}: which row
     * and how to run it, and at the seed's sizes the seed file's own explanation of the row.
     */
    public static List<String> header(ReferenceRow row, int divisor) {
        List<String> header = new ArrayList<>();
        header.add("foliobench seed job for row " + row.key() + (divisor == 1 ? "" : ", sizes / " + divisor
                + " (file, fb_mem and dirty limits together)") + ", written for real fio 3.x (foliobench export-fio).");
        header.add("Run it in a directory of the filesystem under test, e.g. cd /mnt/test && fio " + row.fileName());
        if (divisor == 1) {
            header.addAll(seedExplanation(row));
        }
        return header;
    }

    /**
     * A job file of {@code jobs} in order, {@code header} as comment lines first, then the notes on
     * the last job's fb_ options ({@link #modelNotes}).
     */
    public static String jobFile(List<String> header, List<JobSpec> jobs) {
        StringBuilder b = new StringBuilder();
        for (String h : header) {
            b.append(h.isEmpty() ? ";" : "; " + h).append('\n');
        }
        List<String> notes = modelNotes(jobs.get(jobs.size() - 1));
        if (!notes.isEmpty()) {
            b.append(";\n");
            notes.forEach(n -> b.append("; ").append(n).append('\n'));
        }
        for (JobSpec j : jobs) {
            b.append('\n');
            job(b, j);
        }
        return b.toString();
    }

    /** The section name a job gets: its row's key, else its own name. */
    public static String sectionName(JobSpec j) {
        return j.row().map(ReferenceRow::key).orElse(j.name());
    }

    /**
     * What the job's fb_ options mean outside the model, one comment line each: the device, the
     * model's memory as the dirty sysctls it implies, the tunables that differ from the kernel's
     * defaults. Empty when the job has none.
     */
    public static List<String> modelNotes(JobSpec j) {
        List<String> n = new ArrayList<>();
        j.device().ifPresent(d -> n.add("fb_device=" + d + ": the model's device; "
                + (d.equals("nvme") || d.startsWith("direct:")
                        ? "run it on a filesystem on the NVMe device (foliobench kernel --device)"
                        : "run it on a filesystem on a RAM-backed block device (foliobench kernel: a loop device over a tmpfs image)")));
        j.dirtyLimits().ifPresent(l -> {
            n.add("fb_mem=" + FioSize.format(j.memBytes()) + ": the model's RAM; its dirty thresholds are " + (l.threshBytes() >> 20)
                    + " MiB and " + (l.bgThreshBytes() >> 20) + " MiB (background). On a real kernel:");
            n.add("  sysctl vm.dirty_bytes=" + l.threshBytes() + " vm.dirty_background_bytes=" + l.bgThreshBytes()
                    + " (foliobench kernel sets and restores them)");
        });
        if (j.blockSize() != Defaults.BLOCK_SIZE) {
            n.add("fb_block_size=" + j.blockSize() + ": mkfs with " + j.blockSize() + "-byte blocks");
        }
        if (j.readAheadKb() != Defaults.READ_AHEAD_KB) {
            n.add("fb_read_ahead_kb=" + j.readAheadKb() + ": /sys/block/DEV/queue/read_ahead_kb");
        }
        if (j.maxFolioOrder() != Defaults.MAX_PAGECACHE_ORDER) {
            n.add("fb_max_folio_order=" + j.maxFolioOrder() + ": no runtime knob in the kernel (MAX_PAGECACHE_ORDER)");
        }
        if (j.dirtyExpireCentisecs() != Defaults.DIRTY_EXPIRE_CENTISECS) {
            n.add("fb_dirty_expire_centisecs=" + j.dirtyExpireCentisecs() + ": sysctl vm.dirty_expire_centisecs");
        }
        if (j.dirtyWritebackCentisecs() != Defaults.DIRTY_WRITEBACK_CENTISECS) {
            n.add("fb_dirty_writeback_centisecs=" + j.dirtyWritebackCentisecs() + ": sysctl vm.dirty_writeback_centisecs");
        }
        if (j.dioreadNolock() != null) {
            n.add("fb_dioread_nolock=" + (j.dioreadNolock() ? 1 : 0) + ": mount the ext4 filesystem with -o "
                    + (j.dioreadNolock() ? "dioread_nolock" : "nodioread_nolock"));
        }
        if (j.bhPartialWalk() != Defaults.BH_PARTIAL_WALK) {
            n.add("fb_bh_partial_walk=" + j.bhPartialWalk().value() + ": no knob in the kernel (ext4 6.16-6.18 walk every buffer;"
                    + " the June 2026 series walks the written range)");
        }
        j.path().ifPresent(p -> n.add("fb_path=" + p.fioName() + ": the model's IO path; a real kernel's is its filesystem's"));
        if (j.reflink()) {
            n.add("fb_reflink=1: before each run, cp --reflink=always FILE FILE.reflink (xfs or btrfs; ext4 has no reflink)");
        }
        return n;
    }

    /** The prefix of foliobench's own options, which fio does not know: said in {@link #modelNotes} instead. */
    static final String FB_PREFIX = "fb_";

    /** Options written even at fio's default, so that a reader of the file sees the whole IO pattern. */
    private static final Set<String> ALWAYS = Set.of("ioengine", "direct", "rw", "bs", "size", "filename", "fallocate",
            "overwrite", "create_fsync", "invalidate", "fsync", "end_fsync");

    /** The options of a job that sets nothing: fio's defaults, as {@link JobSpec#fioOptions} writes them. */
    private static final Map<String, String> DEFAULTS = JobSpec.builder("default").size(Defaults.PAGE_SIZE).build().fioOptions();

    /**
     * One job as fio reads it, from {@link JobSpec#fioOptions} (the one mapping of a job to fio's
     * names and values): the section named by {@link #sectionName}, {@code name=} when the job's
     * display name is not its own, flags ({@link FioParser#isFlag}) bare when on and left out when
     * off, the other options at fio's default left out unless {@link #ALWAYS} shown, {@code fb_}
     * options left out (the header's notes say what they meant), the colon in a file name escaped.
     */
    private static void job(StringBuilder b, JobSpec j) {
        b.append('[').append(sectionName(j)).append("]\n");
        j.fioOptions().forEach((name, value) -> {
            if (name.startsWith(FB_PREFIX)) {
                return;
            }
            if (name.equals("name")) {
                if (!value.equals(j.name())) {
                    opt(b, name, value);
                }
            } else if (FioParser.isFlag(name)) {
                if (value.equals("1")) {
                    b.append(name).append('\n');
                }
            } else if (ALWAYS.contains(name) || !value.equals(DEFAULTS.get(name))) {
                opt(b, name, name.equals("filename") ? value.replace(":", "\\:") : value);
            }
        });
    }

    private static void opt(StringBuilder b, String name, String value) {
        b.append(name).append('=').append(value).append('\n');
    }

    /**
     * The seed file's explanation of its row: its leading comment lines after the three that say
     * which row and file it is, up to the first line that is not a comment.
     */
    static List<String> seedExplanation(ReferenceRow row) {
        List<String> out = new ArrayList<>();
        try (InputStream in = SeedJobs.class.getResourceAsStream(SeedJobs.resourcePath(row))) {
            if (in == null) {
                throw new IOException("missing classpath resource " + SeedJobs.resourcePath(row));
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null && line.startsWith(";")) {
                if (++n > 3) {
                    out.add(line.substring(1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
