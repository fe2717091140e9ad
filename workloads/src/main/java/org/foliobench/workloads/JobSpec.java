package org.foliobench.workloads;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.FioSize;
import org.foliobench.Tunable;
import org.foliobench.Tunables;

/**
 * One fio job after {@code [global]} inheritance: every supported fio option with fio's default, and
 * the foliobench {@code fb_} tunables with the kernel's defaults from {@link Defaults}. Immutable;
 * built by {@link FioParser} or {@link #builder(String)}.
 *
 * <p>What the runner does with it (fio's semantics, {@code filesetup.c} / {@code backend.c}):
 * <ol>
 *   <li>File setup. A read job, or a write job with {@code overwrite=1}, whose file is missing or
 *       shorter than {@code size} lays it out: unlink, create, {@link #fallocate()}, {@code ftruncate}
 *       to {@code size}, write it sequentially, fsync it ({@link #createFsync()}). A write job without {@code overwrite} unlinks and recreates
 *       the file, runs {@link #fallocate()} and writes nothing ({@code fallocate=truncate} then leaves
 *       a sparse file of {@code size}; {@code fallocate=none} an empty file). A file that exists
 *       with at least {@code size} bytes is used as it is.</li>
 *   <li>{@link #createOnly()} jobs stop here.</li>
 *   <li>{@link #invalidate()}: drop the file's page cache ({@code POSIX_FADV_DONTNEED}): cold reads.</li>
 *   <li>IO: each of {@link #numjobs()} threads issues {@code bs}-byte {@code pread}/{@code pwrite}
 *       calls at increasing offsets over {@code size} bytes of its file (whole blocks only); {@code
 *       fsync=N}/{@code fdatasync=N} after every N writes; {@code end_fsync} once at the end; with
 *       {@link #timeBased()} loop until {@link #runtime()}; the first {@link #rampTime()} is not
 *       measured; {@link #verify()} checks what was written.</li>
 * </ol>
 */
public final class JobSpec {
    private final String name;
    private final String displayName;
    private final String description;
    private final String file;
    private final int line;
    private final Rw rw;
    private final int bs;
    private final long size;
    /** {@code filename=} as given; null for fio's per-clone default. */
    private final String filename;
    private final int iodepth;
    private final int numjobs;
    private final int fsync;
    private final int fdatasync;
    private final boolean endFsync;
    private final boolean overwrite;
    private final boolean invalidate;
    private final FallocateMode fallocate;
    private final boolean createOnly;
    private final boolean createFsync;
    private final boolean timeBased;
    private final long runtimeMicros;
    private final long rampTimeMicros;
    private final VerifyMode verify;
    private final boolean doVerify;
    private final boolean thread;
    private final boolean groupReporting;
    private final boolean stonewall;
    private final boolean direct;
    private final boolean atomic;
    private final IoPathKind path;
    private final String device;
    private final long memBytes;
    private final int blockSize;
    private final int maxFolioOrder;
    private final int readAheadKb;
    private final int dirtyRatio;
    private final int dirtyBackgroundRatio;
    private final long dirtyBytes;
    private final long dirtyBackgroundBytes;
    private final int dirtyExpireCentisecs;
    private final int dirtyWritebackCentisecs;
    private final Boolean dioreadNolock;
    private final BhPartialWalk bhPartialWalk;
    private final boolean reflink;
    private final ReferenceRow row;

    private JobSpec(Builder b) {
        name = b.name;
        displayName = b.displayName != null ? b.displayName : b.name;
        description = b.description;
        file = b.file;
        line = b.line;
        rw = b.rw;
        bs = b.bs;
        size = b.size;
        filename = b.filename;
        iodepth = b.iodepth;
        numjobs = b.numjobs;
        fsync = b.fsync;
        fdatasync = b.fdatasync;
        endFsync = b.endFsync;
        overwrite = b.overwrite;
        invalidate = b.invalidate;
        fallocate = b.fallocate;
        createOnly = b.createOnly;
        createFsync = b.createFsync;
        timeBased = b.timeBased;
        runtimeMicros = b.runtimeMicros;
        rampTimeMicros = b.rampTimeMicros;
        verify = b.verify;
        doVerify = b.doVerify;
        thread = b.thread;
        groupReporting = b.groupReporting;
        stonewall = b.stonewall;
        direct = b.direct;
        atomic = b.atomic;
        path = b.path;
        device = b.device;
        memBytes = b.memBytes;
        blockSize = b.blockSize;
        maxFolioOrder = b.maxFolioOrder;
        readAheadKb = b.readAheadKb;
        dirtyRatio = b.dirtyRatio;
        dirtyBackgroundRatio = b.dirtyBackgroundRatio;
        dirtyBytes = b.dirtyBytes;
        dirtyBackgroundBytes = b.dirtyBackgroundBytes;
        dirtyExpireCentisecs = b.dirtyExpireCentisecs;
        dirtyWritebackCentisecs = b.dirtyWritebackCentisecs;
        dioreadNolock = b.dioreadNolock;
        bhPartialWalk = b.bhPartialWalk;
        reflink = b.reflink;
        row = b.row;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.displayName = displayName.equals(name) ? null : displayName;
        b.description = description;
        b.file = file;
        b.line = line;
        b.rw = rw;
        b.bs = bs;
        b.size = size;
        b.filename = filename;
        b.iodepth = iodepth;
        b.numjobs = numjobs;
        b.fsync = fsync;
        b.fdatasync = fdatasync;
        b.endFsync = endFsync;
        b.overwrite = overwrite;
        b.invalidate = invalidate;
        b.fallocate = fallocate;
        b.createOnly = createOnly;
        b.createFsync = createFsync;
        b.timeBased = timeBased;
        b.runtimeMicros = runtimeMicros;
        b.rampTimeMicros = rampTimeMicros;
        b.verify = verify;
        b.doVerify = doVerify;
        b.thread = thread;
        b.groupReporting = groupReporting;
        b.stonewall = stonewall;
        b.direct = direct;
        b.atomic = atomic;
        b.path = path;
        b.device = device;
        b.memBytes = memBytes;
        b.blockSize = blockSize;
        b.maxFolioOrder = maxFolioOrder;
        b.readAheadKb = readAheadKb;
        b.dirtyRatio = dirtyRatio;
        b.dirtyBackgroundRatio = dirtyBackgroundRatio;
        b.dirtyBytes = dirtyBytes;
        b.dirtyBackgroundBytes = dirtyBackgroundBytes;
        b.dirtyExpireCentisecs = dirtyExpireCentisecs;
        b.dirtyWritebackCentisecs = dirtyWritebackCentisecs;
        b.dioreadNolock = dioreadNolock;
        b.bhPartialWalk = bhPartialWalk;
        b.reflink = reflink;
        b.row = row;
        return b;
    }

    /** The section name ({@code [name]}). */
    public String name() {
        return name;
    }

    /** {@code name=}: the name fio prints; the section name unless overridden. */
    public String displayName() {
        return displayName;
    }

    /** {@code description=}; empty by default. */
    public String description() {
        return description;
    }

    /** The job file this job came from (as given to the parser). */
    public String file() {
        return file;
    }

    /** The line of the job's section header. */
    public int line() {
        return line;
    }

    /** {@code rw=}; fio's default is {@code read}. */
    public Rw rw() {
        return rw;
    }

    /** {@code bs=} in bytes; default 4096. */
    public int bs() {
        return bs;
    }

    /** {@code size=} in bytes: the file size and the bytes transferred per pass. Always set (> 0). */
    public long size() {
        return size;
    }

    /**
     * {@code size / bs}, rounded down: calls per pass of one clone. As in fio ({@code io_u.c:fill_io_u()}
     * ends the job when {@code offset + bs} passes the file's end) a tail shorter than {@code bs} is laid
     * out but never read or written by the job.
     */
    public long iosPerPass() {
        return size / bs;
    }

    /** The first clone's file: {@link #filename(int) filename(0)}. */
    public String filename() {
        return filename(0);
    }

    /**
     * The file of clone {@code clone} ({@code 0 <= clone < numjobs}): {@code filename=} when given, which
     * every clone shares, else fio's default {@code $jobname.$jobnum.$filenum}, {@code name.<clone>.0}, a
     * file of its own.
     */
    public String filename(int clone) {
        return filename != null ? filename : name + "." + clone + ".0";
    }

    /** The distinct files of the job's clones, in clone order: one when {@code filename=} is given, else {@code numjobs}. */
    public List<String> files() {
        return filename != null ? List.of(filename)
                : java.util.stream.IntStream.range(0, numjobs).mapToObj(this::filename).toList();
    }

    /** {@code iodepth=}; default 1. Kept for the record: psync issues one call at a time whatever it says, as in fio. */
    public int iodepth() {
        return iodepth;
    }

    /**
     * {@code numjobs=}: identical clones of this job, each its own thread doing the whole job on
     * {@link #filename(int) its file}, reported together ({@code group_reporting} is required for more
     * than one); default 1.
     */
    public int numjobs() {
        return numjobs;
    }

    /** {@code fsync=N}: {@code fsync()} after every N writes; 0 (default) never. */
    public int fsync() {
        return fsync;
    }

    /** {@code fdatasync=N}: {@code fdatasync()} after every N writes; 0 (default) never. */
    public int fdatasync() {
        return fdatasync;
    }

    /**
     * {@code end_fsync}: each clone {@code fsync()}s its file when its writes are done, inside the
     * measured time ({@code backend.c:do_io()}); no effect on a read job, as in fio; default false.
     */
    public boolean endFsync() {
        return endFsync;
    }

    /** {@code overwrite}: lay the file out (written and fsync'd) before the job so writes overwrite; default false. */
    public boolean overwrite() {
        return overwrite;
    }

    /**
     * {@code filesetup.c:extend_file()}: when its file is missing or shorter than {@code size}, a read
     * job or a write job with {@code overwrite=1} lays it out: unlink, create, {@link #fallocate()},
     * {@code ftruncate(size)}, sequential writes of the whole file, fsync if {@link #createFsync()}.
     */
    public boolean laysOutFile() {
        return !rw.isWrite() || overwrite;
    }

    /**
     * {@code filesetup.c:extend_file()}: when its file is missing or shorter than {@code size}, a write
     * job without {@code overwrite} unlinks and recreates it, runs {@link #fallocate()} and writes
     * nothing, so its writes extend the file ({@code fallocate=none}), fill preallocated unwritten
     * extents ({@code native}, fio's default) or fill a sparse file ({@code truncate}). A file that
     * already has {@code size} bytes is used as it is, by every job kind, as in fio.
     */
    public boolean recreatesFile() {
        return rw.isWrite() && !overwrite;
    }

    /** {@code invalidate}: drop the file's page cache before IO; fio's default true. */
    public boolean invalidate() {
        return invalidate;
    }

    /** {@code fallocate=}; fio's Linux default {@code native}. */
    public FallocateMode fallocate() {
        return fallocate;
    }

    /** {@code create_only}: run the file setup only, no IO; default false. */
    public boolean createOnly() {
        return createOnly;
    }

    /** {@code create_fsync}: fsync a file after laying it out; fio's default true. */
    public boolean createFsync() {
        return createFsync;
    }

    /** {@code time_based}: loop over the file until {@link #runtime()} (which it requires); default false. */
    public boolean timeBased() {
        return timeBased;
    }

    /**
     * {@code runtime=} (alias {@code timeout=}) in microseconds: a run stops when it has done {@code size}
     * or run this long, whichever comes first (with {@link #timeBased()}: this long); 0 (default) means no limit.
     */
    public long runtimeMicros() {
        return runtimeMicros;
    }

    public Duration runtime() {
        return Duration.of(runtimeMicros, ChronoUnit.MICROS);
    }

    /**
     * {@code ramp_time=} in microseconds: a time-based run does this long of its IO before the measured
     * {@link #runtime()} starts, continuing where the ramp stopped ({@code ramp_time_over()} resets the
     * stats, not the offsets); default 0.
     */
    public long rampTimeMicros() {
        return rampTimeMicros;
    }

    public Duration rampTime() {
        return Duration.of(rampTimeMicros, ChronoUnit.MICROS);
    }

    /**
     * {@code direct=} ({@code buffered=} inverted): the file is opened {@code O_DIRECT}, its calls go
     * between fio's buffer and the device through ext4's iomap direct IO; default false.
     */
    public boolean direct() {
        return direct;
    }

    /**
     * {@code atomic=} (fio 3.38): every write is {@code pwritev2(..., RWF_ATOMIC)}, untorn across a
     * power cut; needs {@code direct=1}; default false.
     */
    public boolean atomic() {
        return atomic;
    }

    /** {@code ioengine=}: always {@code psync}. */
    public String ioengine() {
        return "psync";
    }

    /**
     * {@code verify=}; default none. With {@code crc32c} every block a write job writes carries fio's
     * header and checksum, and read jobs check every block they read (inside the measured time, as
     * fio's {@code verify_io_u()} at completion).
     */
    public VerifyMode verify() {
        return verify;
    }

    /**
     * {@code do_verify}: after a write run (outside its measured time, as fio accounts the verify
     * phase apart) sync, drop the cache and read back every block written, checking it; fio's default true.
     */
    public boolean doVerify() {
        return doVerify;
    }

    /** {@code thread}: fio runs clones as threads instead of processes; foliobench always uses threads. */
    public boolean thread() {
        return thread;
    }

    /** {@code group_reporting}: report clones together. */
    public boolean groupReporting() {
        return groupReporting;
    }

    /** {@code stonewall} (alias {@code wait_for_previous}): start only after the jobs before it finished. */
    public boolean stonewall() {
        return stonewall;
    }

    /** {@code fb_path=}: empty when the job runs on both paths (a table sweep runs bh and iomap). */
    public Optional<IoPathKind> path() {
        return Optional.ofNullable(path);
    }

    /** The paths a sweep runs this job on: the fixed one, or both in table order (bh, iomap). */
    public List<IoPathKind> sweepPaths() {
        return path == null ? List.of(IoPathKind.BH, IoPathKind.IOMAP) : List.of(path);
    }

    /** {@code fb_device=}: the device spec the device layer parses; empty means the runner's default (a RamDisk). */
    public Optional<String> device() {
        return Optional.ofNullable(device);
    }

    /** {@code fb_mem=} in bytes: the page-cache memory of the model (the kernel's {@code mem=}); 0 = the runner's default. */
    public long memBytes() {
        return memBytes;
    }

    /** {@code fb_block_size=}: filesystem block size ({@code mke2fs -b}); default {@link Defaults#BLOCK_SIZE}. */
    public int blockSize() {
        return blockSize;
    }

    /** {@code fb_max_folio_order=}: largest page-cache folio order; default {@link Defaults#MAX_PAGECACHE_ORDER}. */
    public int maxFolioOrder() {
        return maxFolioOrder;
    }

    /** {@code fb_read_ahead_kb=}: {@code queue/read_ahead_kb}; default {@link Defaults#READ_AHEAD_KB}. */
    public int readAheadKb() {
        return readAheadKb;
    }

    /** {@code fb_dirty_ratio=}: {@code vm.dirty_ratio}; 0 when {@code fb_dirty_bytes} was set after it. */
    public int dirtyRatio() {
        return dirtyRatio;
    }

    /** {@code fb_dirty_background_ratio=}: {@code vm.dirty_background_ratio}. */
    public int dirtyBackgroundRatio() {
        return dirtyBackgroundRatio;
    }

    /** {@code fb_dirty_bytes=}: {@code vm.dirty_bytes}; 0 = use the ratio. */
    public long dirtyBytes() {
        return dirtyBytes;
    }

    /** {@code fb_dirty_background_bytes=}: {@code vm.dirty_background_bytes}; 0 = use the ratio. */
    public long dirtyBackgroundBytes() {
        return dirtyBackgroundBytes;
    }

    /** {@code fb_dirty_expire_centisecs=}: {@code vm.dirty_expire_centisecs}. */
    public int dirtyExpireCentisecs() {
        return dirtyExpireCentisecs;
    }

    /** {@code fb_dirty_writeback_centisecs=}: {@code vm.dirty_writeback_centisecs}. */
    public int dirtyWritebackCentisecs() {
        return dirtyWritebackCentisecs;
    }

    /**
     * {@code fb_dioread_nolock=0|1}: ext4's {@code dioread_nolock} mount option; null when not
     * given (the kernel's default for the block size, {@link Defaults#dioreadNolock}).
     */
    public Boolean dioreadNolock() {
        return dioreadNolock;
    }

    /** {@code fb_bh_partial_walk=full|range}: the bhlf path's partial-write buffer walk; default {@link Defaults#BH_PARTIAL_WALK}. */
    public BhPartialWalk bhPartialWalk() {
        return bhPartialWalk;
    }

    /**
     * The tunables a job carries, as {@code fb_*} options in job-file order, each bound to its field
     * of the job here and declared in {@link Tunables}.
     */
    public static final List<Tunable<?>> TUNABLES;

    private record Field<T>(java.util.function.Function<JobSpec, T> get, java.util.function.BiConsumer<Builder, T> set) {
    }

    private static final Map<Tunable<?>, Field<?>> FIELDS = new java.util.LinkedHashMap<>();

    private static <T> void field(Tunable<T> t, java.util.function.Function<JobSpec, T> get,
            java.util.function.BiConsumer<Builder, T> set) {
        FIELDS.put(t, new Field<>(get, set));
    }

    static {
        field(Tunables.MEM, JobSpec::memBytes, Builder::memBytes);
        field(Tunables.BLOCK_SIZE, JobSpec::blockSize, Builder::blockSize);
        field(Tunables.MAX_FOLIO_ORDER, JobSpec::maxFolioOrder, Builder::maxFolioOrder);
        field(Tunables.READ_AHEAD_KB, JobSpec::readAheadKb, Builder::readAheadKb);
        field(Tunables.DIRTY_RATIO, JobSpec::dirtyRatio, Builder::dirtyRatio);
        field(Tunables.DIRTY_BACKGROUND_RATIO, JobSpec::dirtyBackgroundRatio, Builder::dirtyBackgroundRatio);
        field(Tunables.DIRTY_BYTES, JobSpec::dirtyBytes, Builder::dirtyBytes);
        field(Tunables.DIRTY_BACKGROUND_BYTES, JobSpec::dirtyBackgroundBytes, Builder::dirtyBackgroundBytes);
        field(Tunables.DIRTY_EXPIRE_CENTISECS, JobSpec::dirtyExpireCentisecs, Builder::dirtyExpireCentisecs);
        field(Tunables.DIRTY_WRITEBACK_CENTISECS, JobSpec::dirtyWritebackCentisecs, Builder::dirtyWritebackCentisecs);
        field(Tunables.DIOREAD_NOLOCK, JobSpec::dioreadNolock, Builder::dioreadNolock);
        field(Tunables.BH_PARTIAL_WALK, JobSpec::bhPartialWalk, Builder::bhPartialWalk);
        TUNABLES = List.copyOf(FIELDS.keySet());
    }

    @SuppressWarnings("unchecked")
    private static <T> Field<T> field(Tunable<T> t) {
        Field<T> f = (Field<T>) FIELDS.get(t);
        if (f == null) {
            throw new IllegalArgumentException(t.name() + " is not a job option");
        }
        return f;
    }

    /** The value of tunable {@code t} ({@link #TUNABLES}) this job runs with; null only for dioread_nolock's per-block-size default. */
    public <T> T get(Tunable<T> t) {
        return field(t).get().apply(this);
    }

    /**
     * {@code fb_reflink=1}: before every pass of an overwrite job, each laid-out file is reflinked
     * ({@code FICLONE}, {@code cp --reflink}) to {@code <file>.reflink}, so the pass overwrites
     * shared blocks: copy on write through the iomap path's srcmap. The iomap path only (ext4's
     * buffer_head path has no reflink).
     */
    public boolean reflink() {
        return reflink;
    }

    /** The file {@link #reflink()} clones {@code file} to. */
    public static String reflinkName(String file) {
        return file + ".reflink";
    }

    /** {@code fb_row=}: the reference-table row this job reproduces. */
    public Optional<ReferenceRow> row() {
        return Optional.ofNullable(row);
    }

    /** The dirty thresholds over {@code fb_mem} ({@code domain_dirty_limits()}); empty when fb_mem is not set. */
    public Optional<DirtyLimits> dirtyLimits() {
        if (memBytes == 0) {
            return Optional.empty();
        }
        return Optional.of(DirtyLimits.compute(memBytes, dirtyRatio, dirtyBackgroundRatio, dirtyBytes, dirtyBackgroundBytes));
    }

    /**
     * Every option of this job as fio's JSON lists a job's options ({@code "job options"}: names as
     * fio spells them, values as strings), each with the value the job runs with, fio's defaults
     * included (fio itself lists only the options a job file sets), then the {@code fb_} options.
     * Sizes in fio's units ({@link FioSize#format}), times in fio's ({@link FioUnits#formatTimeMicros}:
     * {@code 2s}, {@code 250ms}). This is the one mapping of a job to fio's option names and values:
     * the run folder's {@code jobs/<row>.json}, the fio JSON's {@code "job options"} and the job files
     * {@link FioJobWriter} writes for real fio all come from it.
     */
    public java.util.Map<String, String> fioOptions() {
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("name", displayName);
        if (!description.isEmpty()) {
            o.put("description", description);
        }
        o.put("ioengine", ioengine());
        o.put("direct", bit(direct()));
        if (atomic) {
            o.put("atomic", "1");
        }
        o.put("rw", rw.fioName());
        o.put("bs", FioSize.format(bs));
        o.put("size", FioSize.format(size));
        o.put("filename", filename());
        o.put("iodepth", Integer.toString(iodepth));
        o.put("numjobs", Integer.toString(numjobs));
        o.put("fsync", Integer.toString(fsync));
        o.put("fdatasync", Integer.toString(fdatasync));
        o.put("end_fsync", bit(endFsync));
        o.put("overwrite", bit(overwrite));
        o.put("invalidate", bit(invalidate));
        o.put("fallocate", fallocate.fioName());
        o.put("create_only", bit(createOnly));
        o.put("create_fsync", bit(createFsync));
        o.put("time_based", bit(timeBased));
        o.put("runtime", FioUnits.formatTimeMicros(runtimeMicros));
        o.put("ramp_time", FioUnits.formatTimeMicros(rampTimeMicros));
        o.put("verify", verify == VerifyMode.CRC32C ? "crc32c" : "0");
        o.put("do_verify", bit(doVerify));
        o.put("thread", bit(thread));
        o.put("group_reporting", bit(groupReporting));
        o.put("stonewall", bit(stonewall));
        path().ifPresent(p -> o.put("fb_path", p.fioName()));
        device().ifPresent(d -> o.put("fb_device", d));
        if (memBytes != 0) {
            o.put(Tunables.MEM.option(), Tunables.MEM.format(memBytes));
        }
        o.put(Tunables.BLOCK_SIZE.option(), Tunables.BLOCK_SIZE.format(blockSize));
        o.put(Tunables.MAX_FOLIO_ORDER.option(), Tunables.MAX_FOLIO_ORDER.format(maxFolioOrder));
        o.put(Tunables.READ_AHEAD_KB.option(), Tunables.READ_AHEAD_KB.format(readAheadKb));
        o.put(Tunables.DIRTY_RATIO.option(), Tunables.DIRTY_RATIO.format(dirtyRatio));
        o.put(Tunables.DIRTY_BACKGROUND_RATIO.option(), Tunables.DIRTY_BACKGROUND_RATIO.format(dirtyBackgroundRatio));
        o.put(Tunables.DIRTY_BYTES.option(), Tunables.DIRTY_BYTES.format(dirtyBytes));
        o.put(Tunables.DIRTY_BACKGROUND_BYTES.option(), Tunables.DIRTY_BACKGROUND_BYTES.format(dirtyBackgroundBytes));
        o.put(Tunables.DIRTY_EXPIRE_CENTISECS.option(), Tunables.DIRTY_EXPIRE_CENTISECS.format(dirtyExpireCentisecs));
        o.put(Tunables.DIRTY_WRITEBACK_CENTISECS.option(), Tunables.DIRTY_WRITEBACK_CENTISECS.format(dirtyWritebackCentisecs));
        if (dioreadNolock != null) {
            o.put(Tunables.DIOREAD_NOLOCK.option(), Tunables.DIOREAD_NOLOCK.format(dioreadNolock));
        }
        if (bhPartialWalk != Defaults.BH_PARTIAL_WALK) {
            o.put(Tunables.BH_PARTIAL_WALK.option(), Tunables.BH_PARTIAL_WALK.format(bhPartialWalk));
        }
        if (reflink) {
            o.put("fb_reflink", "1");
        }
        row().ifPresent(r -> o.put("fb_row", r.rowKey()));
        return o;
    }

    private static String bit(boolean v) {
        return v ? "1" : "0";
    }

    /**
     * This job with its data sizes divided by {@code factor}, for quick runs: {@code size} (kept a
     * multiple of {@code bs}, at least one block), {@code fb_mem} and the non-zero {@code *_bytes} dirty
     * limits (kept page multiples). Scaling the file and the memory together keeps the dirty
     * thresholds in the same proportion to the file, so a Writeback=Y job still writes back and a
     * cache job still stays under the background threshold. {@code fb_device} is a string for the
     * device layer and is left alone.
     */
    public JobSpec scaledDown(int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("factor must be at least 1: " + factor);
        }
        if (factor == 1) {
            return this;
        }
        Builder b = toBuilder();
        b.size = Math.max(bs, size / factor / bs * bs);
        long page = Defaults.PAGE_SIZE;
        if (memBytes != 0) {
            b.memBytes = Math.max(1 << 20, memBytes / factor / page * page); // Tunables.MEM: at least 1m
        }
        if (dirtyBytes != 0) {
            b.dirtyBytes = Math.max(2 * page, dirtyBytes / factor / page * page);
        }
        if (dirtyBackgroundBytes != 0) {
            b.dirtyBackgroundBytes = Math.max(page, dirtyBackgroundBytes / factor / page * page);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "[" + name + "] rw=" + rw.fioName() + " bs=" + bs + " size=" + size + " filename=" + filename()
                + (row != null ? " fb_row=" + row.rowKey() : "");
    }

    /** Mutable builder; every field starts at fio's (or the kernel's) default. */
    public static final class Builder {
        private final String name;
        private String displayName;
        private String description = "";
        private String file = "";
        private int line;
        private Rw rw = Rw.READ;
        private int bs = 4096;
        private long size;
        private String filename;
        private int iodepth = 1;
        private int numjobs = 1;
        private int fsync;
        private int fdatasync;
        private boolean endFsync;
        private boolean overwrite;
        private boolean invalidate = true;
        private FallocateMode fallocate = FallocateMode.NATIVE;
        private boolean createOnly;
        private boolean createFsync = true;
        private boolean timeBased;
        private long runtimeMicros;
        private long rampTimeMicros;
        private VerifyMode verify = VerifyMode.NONE;
        private boolean doVerify = true;
        private boolean thread;
        private boolean groupReporting;
        private boolean stonewall;
        private boolean direct;
        private boolean atomic;
        private IoPathKind path;
        private String device;
        private long memBytes;
        private int blockSize = Defaults.BLOCK_SIZE;
        private int maxFolioOrder = Defaults.MAX_PAGECACHE_ORDER;
        private int readAheadKb = Defaults.READ_AHEAD_KB;
        private int dirtyRatio = Defaults.DIRTY_RATIO;
        private int dirtyBackgroundRatio = Defaults.DIRTY_BACKGROUND_RATIO;
        private long dirtyBytes = Defaults.DIRTY_BYTES;
        private long dirtyBackgroundBytes = Defaults.DIRTY_BACKGROUND_BYTES;
        private int dirtyExpireCentisecs = Defaults.DIRTY_EXPIRE_CENTISECS;
        private int dirtyWritebackCentisecs = Defaults.DIRTY_WRITEBACK_CENTISECS;
        private Boolean dioreadNolock;
        private BhPartialWalk bhPartialWalk = Defaults.BH_PARTIAL_WALK;
        private boolean reflink;
        private ReferenceRow row;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder displayName(String v) { displayName = v; return this; }
        public Builder description(String v) { description = Objects.requireNonNull(v); return this; }
        public Builder file(String v) { file = Objects.requireNonNull(v); return this; }
        public Builder line(int v) { line = v; return this; }
        public Builder rw(Rw v) { rw = Objects.requireNonNull(v); return this; }
        public Builder bs(int v) { bs = v; return this; }
        public Builder size(long v) { size = v; return this; }
        public Builder filename(String v) { filename = v; return this; }
        public Builder iodepth(int v) { iodepth = v; return this; }
        public Builder numjobs(int v) { numjobs = v; return this; }
        public Builder fsync(int v) { fsync = v; return this; }
        public Builder fdatasync(int v) { fdatasync = v; return this; }
        public Builder endFsync(boolean v) { endFsync = v; return this; }
        public Builder overwrite(boolean v) { overwrite = v; return this; }
        public Builder invalidate(boolean v) { invalidate = v; return this; }
        public Builder fallocate(FallocateMode v) { fallocate = Objects.requireNonNull(v); return this; }
        public Builder createOnly(boolean v) { createOnly = v; return this; }
        public Builder createFsync(boolean v) { createFsync = v; return this; }
        public Builder timeBased(boolean v) { timeBased = v; return this; }
        public Builder runtimeMicros(long v) { runtimeMicros = v; return this; }
        public Builder rampTimeMicros(long v) { rampTimeMicros = v; return this; }
        public Builder verify(VerifyMode v) { verify = Objects.requireNonNull(v); return this; }
        public Builder doVerify(boolean v) { doVerify = v; return this; }
        public Builder thread(boolean v) { thread = v; return this; }
        public Builder groupReporting(boolean v) { groupReporting = v; return this; }
        public Builder stonewall(boolean v) { stonewall = v; return this; }
        public Builder direct(boolean v) { direct = v; return this; }
        public Builder atomic(boolean v) { atomic = v; return this; }
        public Builder path(IoPathKind v) { path = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder memBytes(long v) { memBytes = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder maxFolioOrder(int v) { maxFolioOrder = v; return this; }
        public Builder readAheadKb(int v) { readAheadKb = v; return this; }
        public Builder dirtyExpireCentisecs(int v) { dirtyExpireCentisecs = v; return this; }
        public Builder dirtyWritebackCentisecs(int v) { dirtyWritebackCentisecs = v; return this; }
        public Builder dioreadNolock(Boolean v) { dioreadNolock = v; return this; }
        public Builder bhPartialWalk(BhPartialWalk v) { bhPartialWalk = java.util.Objects.requireNonNull(v); return this; }
        public Builder reflink(boolean v) { reflink = v; return this; }
        public Builder row(ReferenceRow v) { row = v; return this; }

        /** {@code vm.dirty_ratio}: a changed value clears {@code dirty_bytes}, as {@code dirty_ratio_handler()} does. */
        public Builder dirtyRatio(int v) {
            if (v != dirtyRatio) {
                dirtyBytes = 0;
            }
            dirtyRatio = v;
            return this;
        }

        /** {@code vm.dirty_background_ratio}: a changed value clears {@code dirty_background_bytes}. */
        public Builder dirtyBackgroundRatio(int v) {
            if (v != dirtyBackgroundRatio) {
                dirtyBackgroundBytes = 0;
            }
            dirtyBackgroundRatio = v;
            return this;
        }

        /** {@code vm.dirty_bytes}: a changed value clears {@code dirty_ratio}, as {@code dirty_bytes_handler()} does. */
        public Builder dirtyBytes(long v) {
            if (v != dirtyBytes) {
                dirtyRatio = 0;
            }
            dirtyBytes = v;
            return this;
        }

        /** {@code vm.dirty_background_bytes}: a changed value clears {@code dirty_background_ratio}. */
        public Builder dirtyBackgroundBytes(long v) {
            if (v != dirtyBackgroundBytes) {
                dirtyBackgroundRatio = 0;
            }
            dirtyBackgroundBytes = v;
            return this;
        }

        /** Sets tunable {@code t} ({@link #TUNABLES}), validated by its declaration. */
        public <T> Builder set(Tunable<T> t, T v) {
            field(t).set().accept(this, t.check(v));
            return this;
        }

        Rw rw() { return rw; }
        int bs() { return bs; }
        long size() { return size; }
        int fsync() { return fsync; }
        int fdatasync() { return fdatasync; }
        boolean overwrite() { return overwrite; }
        FallocateMode fallocate() { return fallocate; }
        boolean timeBased() { return timeBased; }
        long runtimeMicros() { return runtimeMicros; }
        long rampTimeMicros() { return rampTimeMicros; }
        int numjobs() { return numjobs; }
        boolean groupReporting() { return groupReporting; }
        VerifyMode verify() { return verify; }
        boolean stonewall() { return stonewall; }
        boolean direct() { return direct; }
        boolean atomic() { return atomic; }
        int blockSize() { return blockSize; }
        ReferenceRow row() { return row; }
        boolean reflink() { return reflink; }
        IoPathKind path() { return path; }

        /** Checks the cross-option rules and builds; throws {@link IllegalArgumentException} naming the problem. */
        public JobSpec build() {
            if (size <= 0) {
                throw new IllegalArgumentException("job \"" + name + "\" has no size");
            }
            if (bs <= 0) {
                throw new IllegalArgumentException("bs must be positive");
            }
            return new JobSpec(this);
        }
    }
}
