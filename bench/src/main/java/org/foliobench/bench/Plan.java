package org.foliobench.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.foliobench.device.DeviceSpec;
import org.foliobench.device.DeviceSpecException;
import org.foliobench.iopath.IoPath;
import org.foliobench.layout.RowKey;
import org.foliobench.workloads.JobFileException;
import org.foliobench.workloads.JobSpec;
import org.foliobench.workloads.ReferenceRow;
import org.foliobench.workloads.SeedJobs;

/**
 * The benchmarks of a table run, in table order, one per row with every path of the run (they run
 * paired, in one fork): the seed rows chosen by {@code --rows} and {@code --bs}, each resolved with
 * the tunables and its size divisor, nvme rows marked skipped when the run has no direct device.
 */
final class Plan {
    /** One benchmark: a row on its paths. {@code skip} is the reason it does not run, or null. */
    record Bench(String key, ReferenceRow row, List<String> paths, Workload.Tunables tunables, int divisor,
            Workload workload, boolean nvme, String skip) {
        Bench {
            paths = List.copyOf(paths);
        }

        /** The JMH {@code paths} parameter: {@code bh,iomap}. */
        String pathList() {
            return String.join(",", paths);
        }

        long iosPerPass() {
            return workload.iosPerPass();
        }
    }

    /**
     * What a plan is built from (the {@code tables} flags). {@code numjobs} is the {@code --numjobs}
     * sweep (empty: each row's own, no numjobs dimension).
     */
    record Request(List<String> rows, List<Integer> blockSizes, List<String> paths, Workload.Overrides overrides,
            int divisor, long syncCapIos, String nvmeSpec, String nvmeMissing, List<Integer> numjobs) {
        Request {
            numjobs = List.copyOf(numjobs);
        }

        /** A request without a numjobs sweep. */
        Request(List<String> rows, List<Integer> blockSizes, List<String> paths, Workload.Overrides overrides,
                int divisor, long syncCapIos, String nvmeSpec, String nvmeMissing) {
            this(rows, blockSizes, paths, overrides, divisor, syncCapIos, nvmeSpec, nvmeMissing, List.of());
        }
    }

    private final List<Bench> benches;

    Plan(List<Bench> benches) {
        this.benches = List.copyOf(benches);
    }

    List<Bench> benches() {
        return benches;
    }

    List<Bench> runnable() {
        return benches.stream().filter(b -> b.skip() == null).toList();
    }

    List<Bench> skipped() {
        return benches.stream().filter(b -> b.skip() != null).toList();
    }

    /** Builds the plan or names the bad input. */
    static Plan build(Request r) throws UsageException {
        List<ReferenceRow> rows = selectRows(SeedJobs.rows(), r.rows(), r.blockSizes());
        List<String> paths = parsePaths(r.paths());
        List<Bench> out = new ArrayList<>();
        for (ReferenceRow row : rows) {
            SeedJobs.Seed seed;
            try {
                seed = SeedJobs.load(row);
            } catch (JobFileException e) {
                throw new IllegalStateException("packaged seed job is broken: " + e.getMessage(), e);
            }
            boolean nvme = Workload.onNvme(seed.job());
            Workload.Tunables t = Workload.Tunables.of(seed.job()).with(r.overrides());
            int divisor = rowDivisor(seed.job(), row, r.divisor(), r.syncCapIos());
            for (String key : keys(row.key(), seed.job().numjobs(), r.numjobs())) {
                Workload w;
                try {
                    w = Workload.resolve(key, seed.file(), t, divisor, r.nvmeSpec());
                    if (!nvme) {
                        w.checkFits(null); // the nvme rows' device is the run's, checked against them by the caller
                    }
                } catch (IllegalArgumentException e) {
                    throw new UsageException(key + ": " + e.getMessage(), "check the tunable flags");
                }
                String skip = nvme && r.nvmeSpec() == null ? r.nvmeMissing() : null;
                out.add(new Bench(key, row, paths, t, divisor, w, nvme, skip));
            }
        }
        return new Plan(out);
    }

    /**
     * The benchmark keys of a job ({@code key}, whose own numjobs is {@code own}) under a
     * {@code --numjobs} sweep: the key alone without a sweep, or when the sweep is just the job's own
     * numjobs (its results keep their key); else one key per value, {@code read/hole/4K@numjobs=2}
     * ({@link RowKey#withNumjobs}).
     */
    static List<String> keys(String key, int own, List<Integer> numjobs) {
        if (numjobs.isEmpty() || numjobs.equals(List.of(own))) {
            return List.of(key);
        }
        return numjobs.stream().map(n -> RowKey.withNumjobs(key, n)).toList();
    }

    /** Parses {@code --numjobs 1,2,4}: distinct values in 1..4096, in the order given. */
    static List<Integer> parseNumjobs(List<String> given) throws UsageException {
        List<Integer> out = new ArrayList<>();
        if (given == null) {
            return out;
        }
        for (String s : given) {
            String t = s.trim();
            if (t.isEmpty()) {
                continue;
            }
            int v;
            try {
                v = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new UsageException("bad --numjobs \"" + t + "\"", "give thread counts like --numjobs 1,2,4");
            }
            if (v < 1 || v > RowKey.MAX_NUMJOBS) {
                throw new UsageException("--numjobs " + v + " is out of range", "use 1.." + RowKey.MAX_NUMJOBS + ", like fio");
            }
            if (out.contains(v)) {
                throw new UsageException("--numjobs " + v + " given twice", "give each thread count once, e.g. --numjobs 1,2,4");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new UsageException("--numjobs is empty", "give thread counts like --numjobs 1,2,4, or leave the flag out");
        }
        return out;
    }

    /**
     * The size divisor of a row: the run's, raised for Sync=Y rows on the nvme device so a pass
     * makes at most {@code syncCapIos} calls (each is a real cache flush of the device).
     */
    static int rowDivisor(JobSpec seedJob, ReferenceRow row, int divisor, long syncCapIos) {
        if (row.type() == ReferenceRow.Type.NVME && row.sync() && syncCapIos > 0) {
            long ios = seedJob.iosPerPass();
            long need = (ios + syncCapIos - 1) / syncCapIos;
            return (int) Math.max(divisor, need);
        }
        return divisor;
    }

    static List<String> parsePaths(List<String> paths) throws UsageException {
        Set<String> s = new LinkedHashSet<>();
        for (String p : paths) {
            try {
                s.add(IoPath.parse(p.trim()).shortName());
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown path \"" + p.trim() + "\"", "use --paths bh,iomap or bh,iomap,bhlf");
            }
        }
        if (s.isEmpty()) {
            throw new UsageException("no path given", "use --paths bh,iomap or bh,iomap,bhlf");
        }
        if (s.contains(IoPath.BHLF_NAME) && !s.contains(IoPath.BH_NAME)) {
            throw new UsageException("bhlf without bh", "use --paths bh,iomap,bhlf or bh,bhlf: speedups are taken against bh");
        }
        // table order: bh (the base) first, then iomap, then bhlf (the 2024-11 mail's columns)
        List<String> l = new ArrayList<>();
        for (IoPath p : IoPath.values()) {
            if (s.contains(p.shortName())) {
                l.add(p.shortName());
            }
        }
        return l;
    }

    /**
     * The rows matching any of {@code patterns} (exact keys or globs: {@code *} any text,
     * {@code ?} one character, case-insensitive; empty: all) with a block size in
     * {@code blockSizes} (empty: all). A pattern matching no row is an error.
     */
    static List<ReferenceRow> selectRows(List<ReferenceRow> all, List<String> patterns, List<Integer> blockSizes)
            throws UsageException {
        for (int bs : blockSizes) {
            if (!ReferenceRow.SEED_BLOCK_SIZES.contains(bs)) {
                throw new UsageException("no seed rows with block size " + bs, "use --bs with 4k, 64k or 1m");
            }
        }
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) {
            String t = p.trim();
            if (t.isEmpty()) {
                continue;
            }
            Pattern re = glob(t);
            if (all.stream().noneMatch(r -> re.matcher(r.key()).matches())) {
                throw new UsageException("unknown row \"" + t + "\"", "rows look like read/hole/4K or "
                        + "write/ramdisk/N/N/Y/64K, globs like read/* or write/*/*/Y/*/*; see foliobench tables --list");
            }
            compiled.add(re);
        }
        List<ReferenceRow> out = new ArrayList<>();
        for (ReferenceRow r : all) {
            boolean rowOk = compiled.isEmpty() || compiled.stream().anyMatch(re -> re.matcher(r.key()).matches());
            boolean bsOk = blockSizes.isEmpty() || blockSizes.contains(r.bs());
            if (rowOk && bsOk) {
                out.add(r);
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("no row matches --rows " + String.join(",", patterns) + " with --bs "
                    + blockSizes, "widen --rows or --bs");
        }
        return out;
    }

    static Pattern glob(String g) {
        StringBuilder b = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') {
                b.append(".*");
            } else if (c == '?') {
                b.append('.');
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString(), Pattern.CASE_INSENSITIVE);
    }

    /** Parses {@code 4k,64k,1m}. */
    static List<Integer> parseBlockSizes(List<String> list) throws UsageException {
        List<Integer> out = new ArrayList<>();
        for (String s : list) {
            String t = s.trim();
            if (t.isEmpty()) {
                continue;
            }
            long v;
            try {
                v = DeviceSpec.parseSize("--bs", t.toLowerCase(Locale.ROOT));
            } catch (DeviceSpecException e) {
                throw new UsageException("bad block size \"" + t + "\"", "use --bs 4k,64k,1m");
            }
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw new UsageException("bad block size \"" + t + "\"", "use --bs 4k,64k,1m");
            }
            out.add((int) v);
        }
        return out;
    }
}
