package org.foliobench.layout;

import java.nio.file.Path;

/**
 * The layout of a run folder, {@code runs/<yyyyMMdd-HHmmss>-<host>/}, declared once for the bench
 * that writes it and the results that read it:
 * <pre>
 *   INCOMPLETE                   created first, removed only when every row succeeded
 *   metadata.json                a flat object of strings ({@link Meta})
 *   jmh.json                     JMH's own JSON of every finished fork
 *   passes/&lt;rowfile&gt;.jsonl       the pass log: every pass of every fork
 *   latency/&lt;path&gt;-&lt;rowfile&gt;.hlog        per-call latency (fio's clat), one interval per pass
 *   latency/sync/&lt;path&gt;-&lt;rowfile&gt;.hlog   the job's fsync/fdatasync latency
 *   jobs/&lt;rowfile&gt;.json          the fio options of a row's job as it ran
 *   logs/fork&lt;N&gt;-&lt;rowfile&gt;.log   JMH's console output per fork
 * </pre>
 * {@code <rowfile>} is {@link RowKey#fileName(String)} of the row key (or {@code job:} key);
 * {@code <path>} a path's name ({@code bh}, {@code iomap}, {@code bhlf}, {@code ext4}, {@code xfs}).
 */
public final class RunLayout {
    private RunLayout() {
    }

    /** The marker of a run that is going, failed or was interrupted. */
    public static final String INCOMPLETE = "INCOMPLETE";
    public static final String METADATA_JSON = "metadata.json";
    public static final String JMH_JSON = "jmh.json";
    /** The pass logs' folder. */
    public static final String PASSES_DIR = "passes";
    /** The pass logs' suffix. */
    public static final String PASSES_SUFFIX = ".jsonl";
    /** The latency logs' folder. */
    public static final String LATENCY_DIR = "latency";
    /** Under {@link #LATENCY_DIR}: the fsync/fdatasync latency logs of fsync=N and fdatasync=N jobs. */
    public static final String SYNC_DIR = "sync";
    /** The latency logs' suffix (HdrHistogram interval logs, ns). */
    public static final String HLOG_SUFFIX = ".hlog";
    /** Latency-log intervals with this HdrHistogram tag are left out of the percentiles. */
    public static final String WARMUP_TAG = "warmup";
    /** The jobs' options folder. */
    public static final String JOBS_DIR = "jobs";
    /** The jobs' options suffix. */
    public static final String JOBS_SUFFIX = ".json";
    /** The forks' console logs folder. */
    public static final String LOGS_DIR = "logs";
    /**
     * A kernel run's fio output: {@code kernel/<fs>/} the measured runs' JSON,
     * {@code kernel/warmup/<fs>/} the warmups', {@code kernel/jobs/} the job files they ran.
     */
    public static final String KERNEL_DIR = "kernel";
    /** Under {@link #KERNEL_DIR}: the warmup runs' JSON, one folder per filesystem. */
    public static final String KERNEL_WARMUP_DIR = "warmup";
    /** Under {@link #KERNEL_DIR}: the fio job files. */
    public static final String KERNEL_JOBS_DIR = "jobs";

    /** {@code passes/<rowfile>.jsonl} of a row (or {@code job:} key). */
    public static Path passLog(Path runDir, String row) {
        return runDir.resolve(PASSES_DIR).resolve(RowKey.fileName(row) + PASSES_SUFFIX);
    }

    /** {@code jobs/<rowfile>.json} of a row (or {@code job:} key). */
    public static Path jobOptions(Path runDir, String row) {
        return runDir.resolve(JOBS_DIR).resolve(RowKey.fileName(row) + JOBS_SUFFIX);
    }

    /** {@code logs/fork<N>-<rowfile>.log}: JMH's console output of one fork, named after its first row. */
    public static Path forkLog(Path runDir, int fork, String firstRow) {
        return runDir.resolve(LOGS_DIR).resolve("fork" + fork + "-" + RowKey.fileName(firstRow) + ".log");
    }

    /** The name of one path's logs of one row: {@code iomap-write-ramdisk-y-n-y-4k} (path, then the row's file name). */
    public static String logName(String path, String row) {
        return path + "-" + RowKey.fileName(row);
    }

    /** {@code latency/<name>.hlog}. */
    public static Path latencyLog(Path runDir, String name) {
        return runDir.resolve(LATENCY_DIR).resolve(name + HLOG_SUFFIX);
    }

    /** {@code latency/sync/<name>.hlog}. */
    public static Path syncLatencyLog(Path runDir, String name) {
        return runDir.resolve(LATENCY_DIR).resolve(SYNC_DIR).resolve(name + HLOG_SUFFIX);
    }

    /** The keys of {@code metadata.json} that the bench writes and the results read (tunables' keys are the tunables'). */
    public static final class Meta {
        private Meta() {
        }

        /** When the run started and ended, ISO-8601 with the offset ({@code 2024-04-10T17:03:00+02:00}). */
        public static final String STARTED = "started";
        public static final String FINISHED = "finished";
        /** The machine, as the bench records it. */
        public static final String HOST = "host";
        public static final String CPU_MODEL = "cpu.model";
        public static final String CPU_CORES = "cpu.cores";
        /** The machine's memory in bytes. */
        public static final String MEM_TOTAL = "mem.total";
        public static final String KERNEL = "kernel";
        public static final String JVM = "jvm";
        /** The git commit foliobench was built from. */
        public static final String GIT_COMMIT = "git.commit";
        /** {@code skipped.<rowkey>} = why the runner skipped the row. */
        public static final String SKIPPED_PREFIX = "skipped.";
        /** {@code failed.<rowkey>} = why the row failed. */
        public static final String FAILED_PREFIX = "failed.";
        /** {@code forks.<rowkey>} = how many forks measured the row. */
        public static final String FORKS_PREFIX = "forks.";
        /** {@code violation.<rowkey>} = the first pass-log check the row's passes failed. */
        public static final String VIOLATION_PREFIX = "violation.";
        /** {@code capped.<rowkey>} = the interval of a row that reached the fork cap before the target. */
        public static final String CAPPED_PREFIX = "capped.";
        /** A kernel run's model run, the folder to set beside it. */
        public static final String MODEL_RUN = "model_run";

        public static String skipped(String row) {
            return SKIPPED_PREFIX + row;
        }

        public static String failed(String row) {
            return FAILED_PREFIX + row;
        }

        public static String forks(String row) {
            return FORKS_PREFIX + row;
        }

        public static String violation(String row) {
            return VIOLATION_PREFIX + row;
        }

        public static String capped(String row) {
            return CAPPED_PREFIX + row;
        }
    }
}
