package org.foliobench.bench;

import static org.foliobench.Tunables.BH_PARTIAL_WALK;
import static org.foliobench.Tunables.BLOCK_SIZE;
import static org.foliobench.Tunables.DIOREAD_NOLOCK;
import static org.foliobench.Tunables.DIRTY_BACKGROUND_RATIO;
import static org.foliobench.Tunables.DIRTY_RATIO;
import static org.foliobench.Tunables.MAX_FOLIO_ORDER;
import static org.foliobench.Tunables.MEM;
import static org.foliobench.Tunables.READ_AHEAD_KB;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.BhPartialWalk;
import org.foliobench.Defaults;
import org.foliobench.Tunable;
import org.foliobench.device.DeviceSpec;
import org.foliobench.layout.RowKey;
import org.foliobench.workloads.FioParser;
import org.foliobench.workloads.JobFile;
import org.foliobench.workloads.JobFileException;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;

/**
 * One benchmarked workload: the measured fio job (a seed row's, or a section of a user's job file),
 * the {@code create_only} setup jobs before it on the same file, and the device it runs on. Built
 * the same way by the runner (to plan, size memory and print) and by the {@link PsyncBench} fork
 * (to run), from the row key or job file, the tunables and the size divisor.
 *
 * @param key      the {@code row} JMH param: a reference row key ({@code read/hole/4K}) or
 *                 {@code job:<section>} for a section of {@link #JOBFILE_PROPERTY}'s file; in a numjobs
 *                 sweep with {@code @numjobs=N} appended ({@link RowKey#withNumjobs}), the job run with N threads
 * @param setup    the {@code create_only} jobs before {@code job} on its files, in file order, scaled
 * @param job      the measured job with the tunables applied and scaled down
 * @param device   the device spec it runs on ({@code nvme} resolved to the run's direct device)
 */
record Workload(String key, List<JobSpec> setup, JobSpec job, String device) {

    /** The run folder the fork writes its latency and counter logs to (unset: no logs). */
    static final String OUT_PROPERTY = "foliobench.out";
    /** The {@code direct:} device spec of the nvme rows. */
    static final String NVME_PROPERTY = "foliobench.nvme";
    /** The job file of {@code job:<section>} rows ({@code foliobench run JOBFILE}). */
    static final String JOBFILE_PROPERTY = "foliobench.jobfile";
    /** Room for the filesystem's metadata and journal beside the file on a ramdisk. */
    static final long RAMDISK_SLACK = 128L << 20;
    static final String JOB_PREFIX = "job:";

    /**
     * The tunables a run may override ({@code tables}/{@code run} flags), carried to the fork as JMH
     * params by their declared names ({@link Tunable#param}), in this order.
     */
    static final List<Tunable<?>> CARRIED = List.of(MAX_FOLIO_ORDER, READ_AHEAD_KB, DIRTY_RATIO, DIRTY_BACKGROUND_RATIO,
            BLOCK_SIZE, DIOREAD_NOLOCK, BH_PARTIAL_WALK, MEM);

    /** The values of {@link #CARRIED} in {@code get}'s order (null allowed: dioread_nolock's default). */
    private static Map<Tunable<?>, Object> values(java.util.function.Function<Tunable<?>, Object> get) {
        Map<Tunable<?>, Object> m = new LinkedHashMap<>();
        for (Tunable<?> t : CARRIED) {
            m.put(t, get.apply(t));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The values of {@link #CARRIED}, given in its order. */
    private static Map<Tunable<?>, Object> inOrder(Object... v) {
        return values(t -> v[CARRIED.indexOf(t)]);
    }

    /**
     * The kernel tunables a run's rows run with ({@link #CARRIED}), carried to the fork as JMH params.
     * {@code memBytes} is the model's RAM the command line set ({@code --mem}), used as given; 0 keeps
     * the job's {@code fb_mem}, which scales with the job's sizes. {@code dioreadNolock} null is the
     * kernel's default for the block size.
     */
    static final class Tunables {
        private final Map<Tunable<?>, Object> values;

        private Tunables(Map<Tunable<?>, Object> values) {
            this.values = values;
            java.util.Objects.requireNonNull(values.get(BH_PARTIAL_WALK), "bhPartialWalk");
        }

        Tunables(int maxFolioOrder, int readAheadKb, int dirtyRatio, int dirtyBackgroundRatio, int blockSize,
                long memBytes, Boolean dioreadNolock, BhPartialWalk bhPartialWalk) {
            this(inOrder(maxFolioOrder, readAheadKb, dirtyRatio, dirtyBackgroundRatio, blockSize, dioreadNolock, bhPartialWalk,
                    memBytes));
        }

        /** The tunables with {@code fb_bh_partial_walk} at its default ({@link Defaults#BH_PARTIAL_WALK}). */
        Tunables(int maxFolioOrder, int readAheadKb, int dirtyRatio, int dirtyBackgroundRatio, int blockSize,
                long memBytes, Boolean dioreadNolock) {
            this(maxFolioOrder, readAheadKb, dirtyRatio, dirtyBackgroundRatio, blockSize, memBytes, dioreadNolock,
                    Defaults.BH_PARTIAL_WALK);
        }

        /** The job's own values ({@code memBytes} 0: the job's fb_mem). */
        static Tunables of(JobSpec j) {
            return new Tunables(values(t -> t == MEM ? (Object) 0L : j.get(t)));
        }

        /** The value of {@code t}, one of {@link #CARRIED}. */
        @SuppressWarnings("unchecked")
        <T> T get(Tunable<T> t) {
            if (!values.containsKey(t)) {
                throw new IllegalArgumentException(t.name() + " is not carried to the forks");
            }
            return (T) values.get(t);
        }

        int maxFolioOrder() {
            return get(MAX_FOLIO_ORDER);
        }

        int readAheadKb() {
            return get(READ_AHEAD_KB);
        }

        int dirtyRatio() {
            return get(DIRTY_RATIO);
        }

        int dirtyBackgroundRatio() {
            return get(DIRTY_BACKGROUND_RATIO);
        }

        int blockSize() {
            return get(BLOCK_SIZE);
        }

        long memBytes() {
            return get(MEM);
        }

        Boolean dioreadNolock() {
            return get(DIOREAD_NOLOCK);
        }

        BhPartialWalk bhPartialWalk() {
            return get(BH_PARTIAL_WALK);
        }

        /**
         * The JMH params of these tunables, by their declared names ({@link Tunable#toParam}); the model's
         * RAM in bytes, 0 for the job's.
         */
        Map<String, String> params() {
            Map<String, String> p = new LinkedHashMap<>();
            for (Tunable<?> t : CARRIED) {
                p.put(t.param(), param(t));
            }
            return p;
        }

        private <T> String param(Tunable<T> t) {
            return t == MEM ? String.valueOf(memBytes()) : t.toParam(get(t));
        }

        /** The inverse of {@link #params}: the fork's tunables from its JMH params, looked up by their declared names. */
        static Tunables fromParams(java.util.function.Function<String, String> param) {
            return new Tunables(values(t -> {
                String v = param.apply(t.param());
                return t == MEM ? (Object) Long.parseLong(v) : t.fromParam(v);
            }));
        }

        /** {@code dioreadNolock} as a JMH param: {@code 1}, {@code 0} or {@code default}. */
        String dioreadNolockParam() {
            return param(DIOREAD_NOLOCK);
        }

        /** The inverse of {@link #dioreadNolockParam}. */
        static Boolean parseDioreadNolock(String param) {
            return DIOREAD_NOLOCK.fromParam(param);
        }

        /** {@code bhPartialWalk} as a JMH param: {@code full}, {@code range}, or {@code default} ({@link Defaults#BH_PARTIAL_WALK}). */
        static BhPartialWalk parseBhPartialWalk(String param) {
            return BH_PARTIAL_WALK.fromParam(param);
        }

        /** Overrides: null keeps the job's value. */
        Tunables with(Overrides o) {
            return new Tunables(values(t -> o.get(t) != null ? o.get(t) : get(t)));
        }

        /** {@code j} with these tunables set (through {@link JobSpec.Builder#set}, so each is validated by its declaration). */
        JobSpec applyTo(JobSpec j) {
            JobSpec.Builder b = j.toBuilder();
            for (Tunable<?> t : CARRIED) {
                if (t != MEM || memBytes() != 0) {
                    set(b, t);
                }
            }
            return b.build();
        }

        private <T> void set(JobSpec.Builder b, Tunable<T> t) {
            b.set(t, get(t));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tunables && ((Tunables) o).values.equals(values);
        }

        @Override
        public int hashCode() {
            return values.hashCode();
        }

        @Override
        public String toString() {
            return "Tunables" + params();
        }
    }

    /** The command line's tunable flags ({@link #CARRIED}); null: not given, the job's value stays. */
    static final class Overrides {
        static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null);

        private final Map<Tunable<?>, Object> values;

        Overrides(Integer maxFolioOrder, Integer readAheadKb, Integer dirtyRatio, Integer dirtyBackgroundRatio,
                Integer blockSize, Long memBytes, Boolean dioreadNolock, BhPartialWalk bhPartialWalk) {
            values = inOrder(maxFolioOrder, readAheadKb, dirtyRatio, dirtyBackgroundRatio, blockSize, dioreadNolock, bhPartialWalk,
                    memBytes);
        }

        /** The overrides without {@code --bh-partial-walk}. */
        Overrides(Integer maxFolioOrder, Integer readAheadKb, Integer dirtyRatio, Integer dirtyBackgroundRatio,
                Integer blockSize, Long memBytes, Boolean dioreadNolock) {
            this(maxFolioOrder, readAheadKb, dirtyRatio, dirtyBackgroundRatio, blockSize, memBytes, dioreadNolock, null);
        }

        /** The value given for {@code t}, or null. */
        @SuppressWarnings("unchecked")
        <T> T get(Tunable<T> t) {
            return (T) values.get(t);
        }

        BhPartialWalk bhPartialWalk() {
            return get(BH_PARTIAL_WALK);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Overrides && ((Overrides) o).values.equals(values);
        }

        @Override
        public int hashCode() {
            return values.hashCode();
        }
    }

    /** The job file behind {@code key}: the row's seed file, or the user's file for {@code job:} keys. */
    static JobFile jobFile(String key, Path jobFile) throws JobFileException, IOException {
        key = RowKey.withoutNumjobs(key);
        if (key.startsWith(JOB_PREFIX)) {
            if (jobFile == null) {
                throw new IllegalStateException("row " + key + " needs -D" + JOBFILE_PROPERTY + "=FILE");
            }
            return new FioParser().parse(jobFile);
        }
        return SeedJobs.load(ReferenceRow.parseKey(key)).file();
    }

    /** The measured job of {@code key} in {@code file}. */
    static JobSpec measuredJob(String key, JobFile file) {
        key = RowKey.withoutNumjobs(key);
        if (key.startsWith(JOB_PREFIX)) {
            String section = key.substring(JOB_PREFIX.length());
            return file.job(section).orElseThrow(() -> new IllegalArgumentException(
                    file.name() + " has no job [" + section + "]"));
        }
        return file.measuredJobs().get(0);
    }

    /**
     * The workload of {@code key} with sizes divided by {@code divisor} ({@link JobSpec#scaledDown}:
     * size, fb_mem and dirty bytes together, so a row keeps its meaning), then {@code tunables}
     * applied: what the command line set explicitly is used as given, never scaled. A key of a numjobs
     * sweep ({@code @numjobs=N}) runs the job with N threads ({@link #withNumjobs}).
     */
    static Workload resolve(String key, JobFile file, Tunables tunables, int divisor, String nvmeSpec) {
        JobSpec original = measuredJob(key, file);
        JobSpec job = withNumjobs(tunables.applyTo(original.scaledDown(divisor)), RowKey.numjobsOf(key));
        List<JobSpec> setup = file.jobs().subList(0, file.jobs().indexOf(original)).stream()
                .filter(s -> s.createOnly() && !java.util.Collections.disjoint(s.files(), original.files()))
                .map(s -> tunables.applyTo(s.scaledDown(divisor))).toList();
        return new Workload(key, setup, job, deviceSpec(original, job, divisor, nvmeSpec));
    }

    /**
     * The job with {@code numjobs} threads ({@code --numjobs}; 0 keeps the job's own): fio's clones,
     * each on its own {@code name.N.0} file unless the job gives {@code filename=} (then all share it),
     * reported together as {@code group_reporting} does (the parser requires it of a job file's
     * {@code numjobs > 1}; a sweep sets it).
     */
    static JobSpec withNumjobs(JobSpec job, int numjobs) {
        if (numjobs == 0 || numjobs == job.numjobs()) {
            return job;
        }
        return job.toBuilder().numjobs(numjobs).groupReporting(job.groupReporting() || numjobs > 1).build();
    }

    /**
     * The device of a job: {@code fb_device=nvme} is the run's direct device; no {@code fb_device} is
     * a ramdisk large enough for the job's files and the filesystem's metadata; a job's
     * {@code ramdisk:size=} is divided like its files (a seed's 2g ramdisk under a 1g file stays twice
     * the file in a quick run) and never enlarged ({@link #checkFits}); other specs are used as written.
     */
    static String deviceSpec(JobSpec original, JobSpec scaled, int divisor, String nvmeSpec) {
        String d = original.device().orElse("");
        if (d.equals("nvme")) {
            return nvmeSpec;
        }
        if (d.isEmpty()) {
            return "ramdisk:size=" + roundUp(dataBytes(scaled) + RAMDISK_SLACK, 1 << 20);
        }
        DeviceSpec spec = DeviceSpec.parse(d);
        if (spec.kind() != DeviceSpec.Kind.RAMDISK || divisor == 1) {
            return d;
        }
        long cap = roundUp((spec.size() + divisor - 1) / divisor, 1 << 20);
        return "ramdisk:size=" + cap + (spec.logicalBlockSize() != 512 ? ",lbs=" + spec.logicalBlockSize() : "")
                + (spec.atomicWriteUnitMax() != 0 ? ",awu_max=" + spec.atomicWriteUnitMax() : "");
    }

    /**
     * The bytes the job's files take: {@code size} for each distinct file of its clones; twice that
     * with {@code fb_reflink=1} (the reflinked copy keeps the old blocks while a pass writes new ones).
     */
    static long dataBytes(JobSpec job) {
        return job.size() * job.files().size() * (job.reflink() ? 2 : 1);
    }

    /**
     * The capacity of the job's device, found out before anything runs: the ramdisk's size, the run's
     * nvme device's, or what {@link DeviceSpec#probe} finds for a file or block device (refusing, as
     * opening it would, a block device that is mounted or carries a signature without {@code force}).
     */
    long probeCapacity(NvmeDevice nvme) throws UsageException {
        DeviceSpec spec = DeviceSpec.parse(device);
        if (spec.kind() == DeviceSpec.Kind.RAMDISK) {
            return spec.size();
        }
        if (nvme != null && device.equals(nvme.spec())) {
            return nvme.capacity();
        }
        try {
            return spec.probe().capacity();
        } catch (org.foliobench.device.DeviceSpecException e) {
            throw new UsageException(key + ": " + e.getMessage(), "fix fb_device");
        } catch (IOException e) {
            throw new UsageException(key + ": cannot probe " + device + ": " + e.getMessage(), "fix fb_device");
        }
    }

    /**
     * Throws when the job's files cannot fit its device ({@link #probeCapacity}): a file larger than
     * the device is a mistake to name before anything runs. (Files that fit the device but not beside
     * the filesystem's metadata and journal end in ENOSPC, reported by the run.)
     */
    void checkFits(NvmeDevice nvme) throws UsageException {
        if (device == null) {
            return;
        }
        long cap = probeCapacity(nvme);
        long need = dataBytes(job);
        if (cap > 0 && need > cap) {
            String files = job.files().size() > 1 ? job.files().size() + " files of size=" + job.size() : "size=" + job.size();
            throw new UsageException(key + ": " + files + " (" + (need >> 20) + " MiB) do not fit the device " + device
                    + " (" + (cap >> 20) + " MiB)", "make the device at least " + (roundUp(need + RAMDISK_SLACK, 1 << 20) >> 20)
                    + "m with its size=, or the job's size= smaller");
        }
    }

    static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    /** Is this an nvme row (runs on the run's direct device)? */
    static boolean onNvme(JobSpec original) {
        return original.device().orElse("").equals("nvme");
    }

    /** The page-cache memory of the model ({@code fb_mem}, or the engine's default). */
    long memBytes() {
        return job.memBytes() != 0 ? job.memBytes() : Defaults.PAGECACHE_ARENA_BYTES;
    }

    /** Direct memory the fork needs: page-cache arena, ramdisk, and room for buffers and metadata. */
    long directMemoryBytes() {
        long ram = device != null && device.startsWith("ramdisk") ? DeviceSpec.parse(device).size() : 0;
        return memBytes() + ram + (256L << 20) + (3L + job.numjobs()) * job.bs();
    }

    /** Calls per pass: the JMH batch size. */
    long iosPerPass() {
        return job.iosPerPass();
    }

    /** The log name of one benchmark: {@code iomap-write-ramdisk-y-n-y-4k} ({@link org.foliobench.layout.RunLayout#logName}). */
    static String logName(String path, String key) {
        return org.foliobench.layout.RunLayout.logName(path, key);
    }
}
