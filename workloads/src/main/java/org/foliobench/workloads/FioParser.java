package org.foliobench.workloads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.device.DeviceSpec;
import org.foliobench.InvalidValue;
import org.foliobench.Tunable;
import org.foliobench.Tunables;

/**
 * Parser for the documented subset of fio job files that foliobench runs (fio's
 * {@code init.c:parse_jobs_ini()} and {@code parse.c}, HOWTO "Job file format").
 *
 * <h2>Syntax</h2>
 * <ul>
 *   <li>{@code [name]} starts a job section; {@code [global]} sections set defaults. A job inherits
 *       only the {@code [global]} sections above it, applied in file order, then its own options;
 *       a later setting of an option overrides an earlier one.</li>
 *   <li>{@code option=value} or a bare {@code option} (flags only), one per line, surrounding blanks
 *       ignored. Option names are case-sensitive, as in fio.</li>
 *   <li>Comments: as in fio, everything from the first {@code ;} or {@code #} on a line is dropped, so a
 *       line starting with either is a comment line.</li>
 *   <li>{@code ${VAR}} in a value is replaced by the environment variable {@code VAR}, or by nothing
 *       when it is not set (fio's {@code option_dup_subs()}).</li>
 *   <li>Units: see {@link FioUnits} (fio's parser with {@code kb_base=1024}: {@code 4k = 4Ki = 4096},
 *       {@code 1MiB = 1000000}; times default to seconds).</li>
 * </ul>
 *
 * <h2>Accepted fio options (everything else is an error)</h2>
 * <pre>
 *  option               type   default   notes
 *  name                 str    section   the name fio prints
 *  description          str    ""        not interpreted
 *  ioengine             str    psync     only psync; any other engine is an error naming it
 *  rw, readwrite        str    read      read | write (sequential; no ":N" offset modifier)
 *  bs, blocksize        int    4096      one value for all directions ("4k,64k" is an error)
 *  size                 int    -         required, absolute (no "%")
 *  filename             str    name.0.0  one file ("a:b" is an error; "\:" is a literal colon)
 *  fsync                int    0         fsync() every N writes
 *  fdatasync            int    0         fdatasync() every N writes
 *  end_fsync            bool   0         each clone fsync()s its file after its writes, inside the measured time
 *  overwrite            bool   0         lay the file out (written, fsync'd) before writing over it
 *  invalidate           bool   1         drop the file's page cache before IO (cold reads)
 *  fallocate            str    native    none|0, truncate (sparse file via ftruncate); native, posix|1 and keep
 *                                        only where the file is laid out (the model has no preallocation)
 *  create_only          bool   0         file setup only, no IO (e.g. to leave a sparse file for a reader)
 *  create_fsync         bool   1         fsync a file after laying it out
 *  time_based           flag   off       loop over the file until runtime (needs runtime)
 *  runtime, timeout     time   0         stop after this long even if size is not done; 0 = no limit
 *  ramp_time            time   0         time-based jobs: run this long before measuring
 *  numjobs              int    1         1..4096 clones (threads), each on name.N.0 unless filename= is
 *                                        given (then shared); needs group_reporting
 *  iodepth              int    1         1..65536; psync issues one call at a time whatever it says (as fio)
 *  direct               bool   0         O_DIRECT: calls go between fio's buffer and the device (ext4's iomap
 *                                        direct IO on every path); bs a multiple of fb_block_size
 *  buffered             bool   1         fio's inverse of direct
 *  atomic               bool   0         fio 3.38: writes with RWF_ATOMIC (untorn); needs direct=1, a write job
 *                                        and a power-of-two bs within the file's atomic write unit (statx)
 *  verify               str    0         0 or crc32c (alias crc32c-intel): fio's header + crc32c per block,
 *                                        written by write jobs, checked by read jobs and by do_verify
 *  do_verify            bool   1         after each write run: sync, drop the cache, read back and check
 *  thread               flag   off       accepted; foliobench always runs jobs as threads
 *  group_reporting      flag   off       report clones together (required with numjobs > 1)
 *  stonewall, wait_for_previous  flag    wait for the jobs above to finish; required on every job
 *                                        after the first (foliobench runs job sections one by one)
 * </pre>
 * {@code bool} options need a value, 0 or 1 ({@code end_fsync=1}; fio rejects a bare bool and
 * {@code true}/{@code false}); {@code flag} options may be bare ({@code time_based}) or 0/1.
 * {@code int} options take fio's size suffixes, as fio's {@code FIO_OPT_INT} does.
 *
 * <h2>foliobench options ({@code fb_} prefix)</h2>
 * The tunables' options ({@code fb_mem} to {@code fb_bh_partial_walk}, {@link JobSpec#TUNABLES}) are
 * declared in {@link org.foliobench.Tunables}, which parses and validates them.
 * <pre>
 *  option                        default                 mirrors
 *  fb_path=bh|iomap              both (table sweep)      the series' per-file IO path choice
 *  fb_device=SPEC                runner default RamDisk  ramdisk[:size=N] | file:PATH[,size=N] |
 *                                                        direct:PATH[,size=N] | nvme (the run's --nvme device)
 *  fb_mem=SIZE                   runner default          the kernel's mem= boot parameter: page-cache memory;
 *                                                        dirty ratios are percentages of it
 *  fb_block_size=1k|2k|4k        4k  (BLOCK_SIZE)        mke2fs -b
 *  fb_max_folio_order=0..9       9   (MAX_PAGECACHE_ORDER) MAX_PAGECACHE_ORDER
 *  fb_read_ahead_kb=0..1048576   128 (READ_AHEAD_KB)     /sys/block/DEV/queue/read_ahead_kb
 *  fb_dirty_ratio=0..100         20                      vm.dirty_ratio
 *  fb_dirty_background_ratio=0..100  10                  vm.dirty_background_ratio
 *  fb_dirty_bytes=SIZE           0 (use the ratio)       vm.dirty_bytes (0 or at least 2 pages)
 *  fb_dirty_background_bytes=SIZE 0 (use the ratio)      vm.dirty_background_bytes
 *  fb_dirty_expire_centisecs=N   3000                    vm.dirty_expire_centisecs
 *  fb_dirty_writeback_centisecs=N 500                    vm.dirty_writeback_centisecs
 *  fb_dioread_nolock=0|1         1 with 4k blocks, else 0 ext4 dioread_nolock / nodioread_nolock
 *  fb_bh_partial_walk=full|range full                    bhlf: buffers a partial write walks (6.16-6.18 / 2026 fix)
 *  fb_reflink=0|1                0                       cp --reflink (FICLONE) of the laid-out file to
 *                                                        FILE.reflink before every pass (overwrite=1, iomap only)
 *  fb_row=KEY                    none                    the reference row the job reproduces, e.g.
 *                                                        read/hole or write/ramdisk/N/Y/N (bs from bs=)
 * </pre>
 * As with the sysctls, setting {@code fb_dirty_bytes} clears {@code fb_dirty_ratio} and the other way
 * round; the later line wins. {@code fb_row} is checked against the job: read rows need a read
 * {@code rw}, write rows a write {@code rw}, Overwrite=Y needs {@code overwrite=1}, Sync=Y needs
 * {@code fsync} or {@code fdatasync}, and reference rows are sequential.
 *
 * <p>Errors: the first problem stops the parse with a {@link JobFileException} whose message is one
 * line {@code FILE:LINE: problem (fix)}.
 */
public final class FioParser {

    private final Map<String, String> env;

    /** A parser that expands {@code ${VAR}} from the process environment. */
    public FioParser() {
        this(System.getenv());
    }

    /** A parser that expands {@code ${VAR}} from {@code env}. */
    public FioParser(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Parses a job file, which must be UTF-8 text (ASCII is); errors name the file as given. */
    public JobFile parse(Path path) throws JobFileException, IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length);
        CoderResult r = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, text, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new JobFileException(path.toString(), line, String.format(Locale.ROOT,
                    "not UTF-8 text: byte 0x%02x at column %d", bytes[at] & 0xff, at - lineStart + 1),
                    "save the file as UTF-8, e.g. iconv -f latin1 -t utf-8");
        }
        return parse(path.toString(), new StringReader(text.flip().toString()));
    }

    /** Parses a job file read from {@code reader}; {@code name} is the file name used in errors. */
    public JobFile parse(String name, Reader reader) throws JobFileException, IOException {
        return new Pass(name).run(new BufferedReader(reader));
    }

    // ---------------------------------------------------------------- option table

    private enum Arg { VALUE, BOOL, FLAG }

    /** Parses a value into a setter; throws {@link InvalidValue}. */
    private interface ValueParser {
        Consumer<JobSpec.Builder> parse(String option, String value);
    }

    private record Opt(String name, Arg arg, ValueParser parser) {
    }

    private static final Map<String, Opt> OPTIONS = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new HashMap<>();

    /** fio options that exist but are outside foliobench's subset: a clearer error than "unknown". */
    private static final Set<String> FIO_UNSUPPORTED = Set.of(
            "kb_base", "unit_base", "offset", "offset_increment", "offset_align", "io_size", "io_limit",
            "filesize", "nrfiles", "openfiles", "directory", "filename_format", "loops", "startdelay", "sync",
            "fsync_on_close", "sync_file_range", "write_barrier", "rwmixread", "rwmixwrite", "norandommap",
            "randrepeat", "randseed", "random_distribution", "random_generator", "percentage_random",
            "bsrange", "blocksize_range", "bssplit", "ba", "blockalign", "bs_unaligned", "zero_buffers",
            "refill_buffers", "scramble_buffers", "buffer_pattern", "pre_read", "unlink", "file_append",
            "fill_device", "fill_fs", "iodepth_batch", "iodepth_batch_submit", "iodepth_batch_complete",
            "iodepth_low", "rate", "rate_iops", "rate_min", "lockmem", "mem", "iomem", "cpus_allowed",
            "cpumask", "exitall", "new_group", "write_bw_log", "write_lat_log", "write_iops_log",
            "log_avg_msec", "per_job_logs", "ioscheduler", "clocksource", "gtod_reduce", "disable_lat",
            "percentile_list", "verify_fatal", "verify_backlog", "verify_pattern", "verify_interval",
            "verify_async", "verify_only", "fadvise_hint", "create_serialize", "allow_file_create",
            "create_on_open", "exec_prerun", "exec_postrun", "number_ios", "zonemode", "zonesize",
            "hugepage-size", "uid", "gid", "nice", "prio", "prioclass", "unified_rw_reporting");

    private static void def(String name, Arg arg, ValueParser parser, String... aliases) {
        OPTIONS.put(name, new Opt(name, arg, parser));
        for (String a : aliases) {
            ALIASES.put(a, name);
        }
    }

    private static final String BOOL_FIX = "fio bools take 0 or 1";

    private static boolean parseBool(String option, String value) {
        switch (value) {
            case "0":
                return false;
            case "1":
                return true;
            default:
                throw new InvalidValue("bad value \"" + value + "\" for " + option, BOOL_FIX);
        }
    }

    private static ValueParser bool(BiConsumer<JobSpec.Builder, Boolean> set) {
        return (o, v) -> {
            boolean b = parseBool(o, v);
            return bld -> set.accept(bld, b);
        };
    }

    /** fio {@code FIO_OPT_INT}: size suffixes allowed. */
    private static ValueParser fioInt(long min, long max, BiConsumer<JobSpec.Builder, Integer> set) {
        return (o, v) -> {
            long n = FioUnits.parseSize(o, v);
            checkRange(o, v, n, min, max);
            return bld -> set.accept(bld, (int) n);
        };
    }

    /** A plain decimal integer (the fb_ sysctl-like knobs). */
    private static ValueParser plainInt(long min, long max, BiConsumer<JobSpec.Builder, Integer> set) {
        return (o, v) -> {
            if (!v.matches("[0-9]+")) {
                throw new InvalidValue("bad value \"" + v + "\" for " + o + ": not a whole number",
                        "use a decimal number between " + min + " and " + max);
            }
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            checkRange(o, v, n, min, max);
            long fn = n;
            return bld -> set.accept(bld, (int) fn);
        };
    }

    private static void checkRange(String o, String v, long n, long min, long max) {
        if (n < min || n > max) {
            throw new InvalidValue(o + "=" + v + " is out of range",
                    "use a value between " + min + " and " + max);
        }
    }

    /** A tunable's option: its declaration parses and validates ({@link Tunable#parse}), with its one message. */
    private static <T> ValueParser tunable(Tunable<T> t) {
        return (o, v) -> {
            T value = t.parse(v);
            return bld -> bld.set(t, value);
        };
    }

    private static ValueParser time(BiConsumer<JobSpec.Builder, Long> set) {
        return (o, v) -> {
            long us = FioUnits.parseTimeMicros(o, v);
            return bld -> set.accept(bld, us);
        };
    }

    private static ValueParser str(BiConsumer<JobSpec.Builder, String> set) {
        return (o, v) -> bld -> set.accept(bld, v);
    }

    static {
        def("name", Arg.VALUE, str(JobSpec.Builder::displayName));
        def("description", Arg.VALUE, str(JobSpec.Builder::description));
        def("ioengine", Arg.VALUE, (o, v) -> {
            if (!v.equals("psync")) {
                throw new InvalidValue("ioengine \"" + v + "\" is not supported", "foliobench runs psync only");
            }
            return bld -> { };
        });
        def("rw", Arg.VALUE, (o, v) -> {
            int colon = v.indexOf(':');
            if (colon >= 0) {
                throw new InvalidValue("rw=" + v + ": offset modifiers (\"" + v.substring(colon)
                        + "\") are not supported", "use plain read or write");
            }
            Rw rw = Rw.fromFio(v);
            if (rw == null) {
                throw new InvalidValue("rw=" + v + " is not supported",
                        "foliobench runs sequential psync jobs: rw=read or rw=write");
            }
            return bld -> bld.rw(rw);
        }, "readwrite");
        def("bs", Arg.VALUE, (o, v) -> {
            if (v.indexOf(',') >= 0) {
                throw new InvalidValue("separate read/write/trim block sizes (\"" + v + "\") are not supported",
                        "give one block size, e.g. bs=64k");
            }
            long n = FioUnits.parseSize(o, v);
            checkRange(o, v, n, 1, 1L << 30);
            return bld -> bld.bs((int) n);
        }, "blocksize");
        def("size", Arg.VALUE, (o, v) -> {
            if (v.endsWith("%")) {
                throw new InvalidValue("size=" + v + ": percentages are not supported",
                        "give an absolute size, e.g. size=1g");
            }
            long n = FioUnits.parseSize(o, v);
            checkRange(o, v, n, 1, Long.MAX_VALUE);
            return bld -> bld.size(n);
        });
        def("filename", Arg.VALUE, (o, v) -> {
            String name = v.replace("\\:", "\u0000");
            if (name.indexOf(':') >= 0) {
                throw new InvalidValue("several files (\"" + v + "\") are not supported",
                        "give one filename per job; write a literal ':' as '\\:'");
            }
            String f = name.replace('\u0000', ':');
            return bld -> bld.filename(f);
        });
        def("fsync", Arg.VALUE, fioInt(0, Integer.MAX_VALUE, JobSpec.Builder::fsync));
        def("fdatasync", Arg.VALUE, fioInt(0, Integer.MAX_VALUE, JobSpec.Builder::fdatasync));
        def("end_fsync", Arg.BOOL, bool(JobSpec.Builder::endFsync));
        def("overwrite", Arg.BOOL, bool(JobSpec.Builder::overwrite));
        def("invalidate", Arg.BOOL, bool(JobSpec.Builder::invalidate));
        def("fallocate", Arg.VALUE, (o, v) -> {
            FallocateMode m = FallocateMode.fromFio(v);
            if (m == null) {
                throw new InvalidValue("bad value \"" + v + "\" for fallocate",
                        "use none, native, posix, keep or truncate");
            }
            return bld -> bld.fallocate(m);
        });
        def("create_only", Arg.BOOL, bool(JobSpec.Builder::createOnly));
        def("create_fsync", Arg.BOOL, bool(JobSpec.Builder::createFsync));
        def("time_based", Arg.FLAG, bool(JobSpec.Builder::timeBased));
        def("runtime", Arg.VALUE, time(JobSpec.Builder::runtimeMicros), "timeout");
        def("ramp_time", Arg.VALUE, time(JobSpec.Builder::rampTimeMicros));
        def("numjobs", Arg.VALUE, fioInt(1, 4096, JobSpec.Builder::numjobs));
        def("iodepth", Arg.VALUE, fioInt(1, 65536, JobSpec.Builder::iodepth));
        def("direct", Arg.BOOL, bool(JobSpec.Builder::direct));
        def("buffered", Arg.BOOL, bool((bld, b) -> bld.direct(!b)));
        def("atomic", Arg.BOOL, bool(JobSpec.Builder::atomic));
        def("verify", Arg.VALUE, (o, v) -> {
            VerifyMode m;
            switch (v) {
                case "0":
                    m = VerifyMode.NONE;
                    break;
                case "crc32c":
                case "crc32c-intel":
                    m = VerifyMode.CRC32C;
                    break;
                default:
                    throw new InvalidValue("verify=" + v + " is not supported",
                            "foliobench verifies with verify=crc32c; verify=0 turns it off");
            }
            return bld -> bld.verify(m);
        });
        def("do_verify", Arg.BOOL, bool(JobSpec.Builder::doVerify));
        def("thread", Arg.FLAG, bool(JobSpec.Builder::thread));
        def("group_reporting", Arg.FLAG, bool(JobSpec.Builder::groupReporting));
        def("stonewall", Arg.FLAG, bool(JobSpec.Builder::stonewall), "wait_for_previous");

        def("fb_path", Arg.VALUE, (o, v) -> {
            IoPathKind p = IoPathKind.fromFio(v);
            if (p == null) {
                throw new InvalidValue("bad value \"" + v + "\" for fb_path", "use bh, iomap or bhlf; leave it out to run bh and iomap");
            }
            return bld -> bld.path(p);
        });
        def("fb_device", Arg.VALUE, (o, v) -> {
            checkDeviceSpec(v);
            return bld -> bld.device(v);
        });
        for (Tunable<?> t : JobSpec.TUNABLES) {
            // dioread_nolock is a fio bool: it needs its 0 or 1
            def(t.option(), t == Tunables.DIOREAD_NOLOCK ? Arg.BOOL : Arg.VALUE, tunable(t));
        }
        def("fb_reflink", Arg.BOOL, bool(JobSpec.Builder::reflink));
        def("fb_row", Arg.VALUE, (o, v) -> {
            try {
                ReferenceRow.parseRowKey(v, 4096);
            } catch (IllegalArgumentException e) {
                throw new InvalidValue("bad value \"" + v + "\" for fb_row: " + e.getMessage(),
                        "e.g. fb_row=read/hole or fb_row=write/ramdisk/N/Y/N");
            }
            return bld -> { };
        });
    }

    /**
     * The {@code fb_device} kinds: the device layer's ({@link DeviceSpec.Kind}, which parses the rest
     * when the job runs) and {@code nvme}, the run's NVMe device.
     */
    private static void checkDeviceSpec(String v) {
        if (v.equals("nvme")) {
            return;
        }
        DeviceSpec.Kind kind = DeviceSpec.Kind.of(v);
        if (kind == null) {
            StringBuilder fix = new StringBuilder("use ");
            for (DeviceSpec.Kind k : DeviceSpec.Kind.values()) {
                fix.append(k.prefix()).append(k.hasPath() ? ":PATH[,size=N]" : "[:size=N]").append(", ");
            }
            fix.setLength(fix.length() - 2);
            throw new InvalidValue("bad value \"" + v + "\" for fb_device", fix + " or nvme");
        }
        if (kind.hasPath()) {
            int colon = v.indexOf(':');
            String rest = colon < 0 ? "" : v.substring(colon + 1);
            int comma = rest.indexOf(',');
            if ((comma >= 0 ? rest.substring(0, comma) : rest).isEmpty()) {
                throw new InvalidValue("fb_device=" + v + " has no path",
                        "give one, e.g. " + kind.prefix() + ":/mnt/test/dev.img (is a ${VAR} it uses unset?)");
            }
        }
    }

    /** Levenshtein distance, as fio's {@code string_distance()}. */
    static int distance(String a, String b) {
        int[] p = new int[b.length() + 1];
        int[] q = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            p[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            q[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = p[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                q[j] = Math.min(Math.min(p[j] + 1, q[j - 1] + 1), sub);
            }
            int[] t = p;
            p = q;
            q = t;
        }
        return p[b.length()];
    }

    /** The closest supported option if close enough (fio's {@code string_distance_ok()}: at most half the length). */
    static String suggest(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (OPTIONS.containsKey(lower) || ALIASES.containsKey(lower)) {
            return lower;
        }
        String best = null;
        int bestD = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>(OPTIONS.keySet());
        names.addAll(ALIASES.keySet());
        for (String n : names) {
            int d = distance(key, n);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        return best != null && bestD <= (key.length() + 1) / 2 ? best : null;
    }

    /**
     * Whether {@code option} (a canonical name) is one of fio's flags, written bare ({@code time_based})
     * to turn it on; {@link FioJobWriter} writes these bare and leaves them out when off.
     */
    static boolean isFlag(String option) {
        Opt o = OPTIONS.get(option);
        return o != null && o.arg() == Arg.FLAG;
    }

    /** The supported option names (canonical names and aliases), for documentation and tests. */
    static Set<String> supportedOptions() {
        Set<String> s = new java.util.TreeSet<>(OPTIONS.keySet());
        s.addAll(ALIASES.keySet());
        return s;
    }

    // ---------------------------------------------------------------- one parse

    private record Entry(String option, String value, int line, Consumer<JobSpec.Builder> setter) {
    }

    private final class Pass {
        private final String file;
        private final List<Entry> globals = new ArrayList<>();
        private final List<JobSpec> jobs = new ArrayList<>();
        private String section;
        private int sectionLine;
        private boolean inGlobal;
        private List<Entry> jobEntries;

        Pass(String file) {
            this.file = file;
        }

        JobFile run(BufferedReader in) throws IOException, JobFileException {
            int lineNo = 0;
            String raw;
            while ((raw = in.readLine()) != null) {
                lineNo++;
                String line = stripComment(raw).strip();
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1).strip();
                }
                if (line.isEmpty()) {
                    continue;
                }
                if (line.charAt(0) == '[') {
                    header(line, lineNo);
                } else {
                    option(line, lineNo);
                }
            }
            endSection();
            if (jobs.isEmpty()) {
                throw new JobFileException(file, Math.max(lineNo, 1), "no job section", "add one, e.g. [seq-read]");
            }
            return new JobFile(file, jobs);
        }

        private void header(String line, int lineNo) throws JobFileException {
            int close = line.indexOf(']');
            if (close != line.length() - 1) {
                throw new JobFileException(file, lineNo, "malformed section header \"" + line + "\"",
                        "write it as [name] alone on its line");
            }
            String name = line.substring(1, close).strip();
            if (name.isEmpty()) {
                throw new JobFileException(file, lineNo, "empty section name", "write it as [name]");
            }
            endSection();
            section = name;
            sectionLine = lineNo;
            inGlobal = name.equals("global");
            jobEntries = new ArrayList<>();
        }

        private void option(String line, int lineNo) throws JobFileException {
            int eq = line.indexOf('=');
            String key = (eq >= 0 ? line.substring(0, eq) : line).strip();
            String value = eq >= 0 ? line.substring(eq + 1).strip() : null;
            if (key.startsWith("include ") || key.equals("include")) {
                throw new JobFileException(file, lineNo, "include directives are not supported",
                        "copy the included options into this file");
            }
            if (section == null) {
                throw new JobFileException(file, lineNo, "option \"" + key + "\" is outside of a [] section",
                        "put it under [global] or a [job] header");
            }
            String canonical = ALIASES.getOrDefault(key, key);
            Opt opt = OPTIONS.get(canonical);
            if (opt == null) {
                if (FIO_UNSUPPORTED.contains(key)) {
                    throw new JobFileException(file, lineNo, "fio option \"" + key + "\" is not in foliobench's subset",
                            "remove it; FioParser documents the supported options");
                }
                String s = suggest(key);
                throw new JobFileException(file, lineNo, "unknown option \"" + key + "\"",
                        s != null ? "did you mean \"" + s + "\"?"
                                : "FioParser documents the supported options; foliobench options start with fb_");
            }
            if (value == null) {
                if (opt.arg() == Arg.FLAG) {
                    value = "1";
                } else if (opt.arg() == Arg.BOOL) {
                    throw new JobFileException(file, lineNo, "option \"" + key + "\" needs a value",
                            "write " + key + "=1 or " + key + "=0");
                } else {
                    throw new JobFileException(file, lineNo, "option \"" + key + "\" needs a value",
                            "write " + key + "=VALUE");
                }
            }
            value = expand(value);
            if (value.isEmpty()) {
                throw new JobFileException(file, lineNo, "option \"" + key + "\" has an empty value",
                        "give a value after '=' (is a ${VAR} it uses unset?)");
            }
            Consumer<JobSpec.Builder> setter;
            try {
                setter = opt.parser().parse(key, value);
            } catch (InvalidValue e) {
                throw new JobFileException(file, lineNo, e.problem(), e.fix());
            }
            Entry entry = new Entry(canonical, value, lineNo, setter);
            if (inGlobal) {
                globals.add(entry);
            } else {
                jobEntries.add(entry);
            }
        }

        private void endSection() throws JobFileException {
            if (section == null || inGlobal) {
                return;
            }
            JobSpec.Builder b = JobSpec.builder(section).file(file).line(sectionLine);
            Map<String, Entry> last = new HashMap<>();
            for (List<Entry> list : List.of(globals, jobEntries)) {
                for (Entry e : list) {
                    e.setter().accept(b);
                    last.put(e.option(), e);
                }
            }
            if (b.size() <= 0) {
                throw new JobFileException(file, sectionLine, "job \"" + section + "\" has no size",
                        "add size=, e.g. size=1g, to the job or to [global]");
            }
            if (b.bs() > b.size()) {
                Entry at = last.containsKey("bs") ? last.get("bs") : last.get("size");
                throw new JobFileException(file, at.line(), "job \"" + section + "\": bs=" + b.bs()
                        + " is larger than size=" + b.size(), "make size at least one block");
            }
            Entry rowEntry = last.get("fb_row");
            if (rowEntry != null) {
                ReferenceRow row = ReferenceRow.parseRowKey(rowEntry.value(), b.bs());
                String problem = rowMismatch(row, b);
                if (problem != null) {
                    throw new JobFileException(file, rowEntry.line(), "job \"" + section + "\": fb_row="
                            + rowEntry.value() + " " + problem, "make the job's options match the row");
                }
                b.row(row);
            }
            checkTogether(b, last);
            jobs.add(b.build());
        }

        /**
         * Options that fio would honour together but foliobench cannot, refused at the line that set
         * them rather than run as something else.
         */
        private void checkTogether(JobSpec.Builder b, Map<String, Entry> last) throws JobFileException {
            if (b.timeBased() && b.runtimeMicros() == 0) {
                throw new JobFileException(file, last.get("time_based").line(), "job \"" + section
                        + "\": time_based without runtime", "give the run's length, e.g. runtime=30s, as fio requires");
            }
            if (b.rampTimeMicros() > 0 && !b.timeBased()) {
                throw new JobFileException(file, last.get("ramp_time").line(), "job \"" + section
                        + "\": ramp_time on a size-based job", "add time_based and runtime=: foliobench ramps time-based jobs");
            }
            if (b.numjobs() > 1 && !b.groupReporting()) {
                throw new JobFileException(file, last.get("numjobs").line(), "job \"" + section + "\": numjobs="
                        + b.numjobs() + " without group_reporting: fio would report every clone apart, foliobench"
                        + " reports them together", "add group_reporting");
            }
            if (b.verify() != VerifyMode.NONE && b.bs() <= b.verify().headerBytes()) {
                Entry at = last.containsKey("bs") ? last.get("bs") : last.get("verify");
                throw new JobFileException(file, at.line(), "job \"" + section + "\": bs=" + b.bs()
                        + " leaves no room for data after the " + b.verify().headerBytes() + "-byte verify header",
                        "use bs=4k or larger");
            }
            if (b.rw().isWrite() && !b.overwrite() && b.fallocate().preallocates()) {
                Entry at = last.get("fallocate");
                throw new JobFileException(file, at != null ? at.line() : sectionLine, "job \"" + section + "\": fallocate="
                        + b.fallocate().fioName() + (at == null ? " (fio's default)" : "") + " would preallocate the file"
                        + " this job writes, which the model cannot (no fallocate(2))",
                        "add fallocate=none to write into an empty file, or fallocate=truncate for a sparse one");
            }
            if (b.atomic()) {
                Entry at = last.get("atomic");
                if (!b.direct()) {
                    throw new JobFileException(file, at.line(), "job \"" + section + "\": atomic=1 without direct=1:"
                            + " RWF_ATOMIC writes need O_DIRECT (Linux fails them with EOPNOTSUPP)", "add direct=1");
                }
                if (!b.rw().isWrite()) {
                    throw new JobFileException(file, at.line(), "job \"" + section + "\": atomic=1 on a read job",
                            "atomic writes are writes: use rw=write, or drop atomic");
                }
                if (Integer.bitCount(b.bs()) != 1) {
                    Entry bsAt = last.containsKey("bs") ? last.get("bs") : at;
                    throw new JobFileException(file, bsAt.line(), "job \"" + section + "\": atomic=1 with bs=" + b.bs()
                            + ", which is not a power of two", "use a power of two within the atomic write unit, e.g. bs=16k");
                }
                Entry dev = last.get("fb_device");
                int awu = 0;
                if (dev != null && dev.value().startsWith("ramdisk:")) {
                    try {
                        awu = org.foliobench.device.DeviceSpec.parse(dev.value()).atomicWriteUnitMax();
                    } catch (org.foliobench.device.DeviceSpecException e) {
                        throw new JobFileException(file, dev.line(), e.getMessage(), "fix fb_device");
                    }
                }
                if (awu == 0) {
                    throw new JobFileException(file, dev != null ? dev.line() : at.line(), "job \"" + section + "\": atomic=1"
                            + " on a device that cannot write atomically (" + (dev != null ? dev.value() : "the default ramdisk")
                            + ")", "give the job a ramdisk that claims atomic writes, e.g. fb_device=ramdisk:size=2g,awu_max=64k");
                }
                if (b.bs() > awu) {
                    Entry bsAt = last.containsKey("bs") ? last.get("bs") : at;
                    throw new JobFileException(file, bsAt.line(), "job \"" + section + "\": atomic=1 with bs=" + b.bs()
                            + " above the device's atomic write unit max " + awu, "use bs=" + awu + " or less, or a larger awu_max=");
                }
            }
            if (b.direct() && b.bs() % b.blockSize() != 0) {
                Entry at = last.containsKey("bs") ? last.get("bs") : last.containsKey("direct") ? last.get("direct") : last.get("buffered");
                throw new JobFileException(file, at.line(), "job \"" + section + "\": direct IO with bs=" + b.bs()
                        + ", not a multiple of the " + b.blockSize() + "-byte filesystem block",
                        "use a bs that is a multiple of fb_block_size (O_DIRECT offsets and lengths are whole blocks here)");
            }
            if (b.reflink() && (!b.rw().isWrite() || !b.overwrite())) {
                throw new JobFileException(file, last.get("fb_reflink") != null ? last.get("fb_reflink").line() : sectionLine, "job \"" + section + "\": fb_reflink=1"
                        + " reflinks the laid-out file before each pass, so that the pass overwrites shared blocks;"
                        + " it needs a write job with overwrite=1", "add overwrite=1 to a write job, or drop fb_reflink");
            }
            if (b.reflink() && b.direct()) {
                throw new JobFileException(file, last.get("fb_reflink") != null ? last.get("fb_reflink").line() : sectionLine, "job \"" + section + "\": fb_reflink=1 with direct=1:"
                        + " copy on write for O_DIRECT is not modelled (a direct write into shared blocks fails with EOPNOTSUPP)",
                        "drop direct=1, or drop fb_reflink");
            }
            if (b.reflink() && b.path() != null && b.path() != IoPathKind.IOMAP) {
                throw new JobFileException(file, last.get("fb_reflink") != null ? last.get("fb_reflink").line() : sectionLine, "job \"" + section + "\": fb_reflink=1 on fb_path="
                        + b.path().fioName() + ": ext4's buffer_head path has no reflink (FICLONE fails with EOPNOTSUPP)",
                        "use fb_path=iomap");
            }
            if (!jobs.isEmpty() && !b.stonewall()) {
                throw new JobFileException(file, sectionLine, "job \"" + section + "\" would run at the same time as the"
                        + " jobs above it in fio; foliobench runs job sections one after the other",
                        "add stonewall to [" + section + "]");
            }
        }

        private String expand(String value) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < value.length()) {
                if (value.startsWith("${", i)) {
                    int close = value.indexOf('}', i + 2);
                    if (close >= 0) {
                        out.append(env.getOrDefault(value.substring(i + 2, close), ""));
                        i = close + 1;
                        continue;
                    }
                }
                out.append(value.charAt(i++));
            }
            return out.toString().strip();
        }
    }

    /** Why {@code row} does not describe the job, or null. */
    private static String rowMismatch(ReferenceRow row, JobSpec.Builder b) {
        Rw rw = b.rw();
        if ((row.table() == ReferenceRow.Table.READ) == rw.isWrite()) {
            return "is a " + row.table().csv() + " row but rw=" + rw.fioName();
        }
        if (row.table() == ReferenceRow.Table.WRITE) {
            if (row.overwrite() != b.overwrite()) {
                return "says Overwrite=" + (row.overwrite() ? "Y" : "N") + " but overwrite=" + (b.overwrite() ? 1 : 0);
            }
            boolean sync = b.fsync() > 0 || b.fdatasync() > 0;
            if (row.sync() != sync) {
                return "says Sync=" + (row.sync() ? "Y" : "N") + " but fsync=" + b.fsync() + " fdatasync=" + b.fdatasync();
            }
        }
        return null;
    }

    /** fio's {@code strip_blank_end()}: a line ends at its first ';' or '#'. */
    private static String stripComment(String line) {
        int cut = line.length();
        int semi = line.indexOf(';');
        int hash = line.indexOf('#');
        if (semi >= 0) {
            cut = semi;
        }
        if (hash >= 0 && hash < cut) {
            cut = hash;
        }
        return line.substring(0, cut);
    }
}
