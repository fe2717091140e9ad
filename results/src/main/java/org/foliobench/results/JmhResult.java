package org.foliobench.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foliobench.layout.BenchParams;
import org.foliobench.layout.RowKey;

/** Turns one element of JMH's {@code -rf json} array into a {@link Measurement}. */
final class JmhResult {

    private JmhResult() {
    }

    static Measurement parse(Object o, Path dir, List<String> warnings) {
        Map<String, Object> r = obj(o, "result");
        String benchmark = str(r, "benchmark");
        String mode = r.containsKey("mode") ? str(r, "mode") : "thrpt";
        if (!"thrpt".equals(mode) && !"ss".equals(mode)) {
            throw new IllegalArgumentException(benchmark + ": mode is \"" + mode
                    + "\"; foliobench scores are throughput (thrpt) or one pass per iteration (ss)");
        }
        Map<String, Object> params = r.containsKey("params") ? obj(r.get("params"), "params") : Map.of();
        Object rowParam = params.get(BenchParams.ROW);
        if (!(rowParam instanceof String)) {
            throw new IllegalArgumentException(benchmark + ": missing params.row (the reference row key, e.g. read/hole/4K)");
        }
        Object pathParam = params.get(BenchParams.PATH);
        if (!(pathParam instanceof String)) {
            throw new IllegalArgumentException(benchmark + " " + rowParam + ": missing params.path (bh or iomap)");
        }
        RowKey row = RowKey.parse((String) rowParam);
        PathLabel path = PathLabel.of((String) pathParam);
        Map<String, String> attributes = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (!BenchParams.ROW.equals(k) && !BenchParams.PATH.equals(k)) {
                attributes.put(k, v == null ? "" : v.toString());
            }
        });
        String where = benchmark + " " + row.key() + " " + path.param();

        Map<String, Object> primary = obj(r.get("primaryMetric"), where + ": primaryMetric");
        double score;
        double error;
        List<double[]> forks;
        long iterationNanos = r.get("measurementTime") instanceof String
                ? timeValueNanos((String) r.get("measurementTime")) : -1;
        if ("ss".equals(mode)) {
            // SingleShotTime with a batch of one pass: each iteration is one fio run of
            // measurementBatchSize calls; IOPS per iteration = batch / time.
            double batch = r.get("measurementBatchSize") == null ? 1 : num(r.get("measurementBatchSize"), where + ": measurementBatchSize");
            double secondsPer = secondsPerOpScale(primary.containsKey("scoreUnit") ? str(primary, "scoreUnit") : "s/op", where);
            forks = new ArrayList<>();
            for (double[] f : rawData(primary, where + ": primaryMetric.rawData", secondsPer)) {
                double[] iops = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    iops[i] = batch / f[i];
                }
                forks.add(iops);
            }
            if (forks.isEmpty()) {
                forks = List.of(new double[] {batch / (num(primary.get("score"), where + ": primaryMetric.score") * secondsPer)});
            }
            double[] all = forks.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
            score = Stats.mean(all);
            iterationNanos = Math.round(batch / score * 1e9);
            // JMH's convention: half-width of the 99.9% confidence interval
            error = all.length < 2 ? Double.NaN
                    : Stats.studentQuantile(0.9995, all.length - 1) * Math.sqrt(Stats.variance(all) / all.length);
        } else {
            double scale = opsPerSecondScale(primary.containsKey("scoreUnit") ? str(primary, "scoreUnit") : "ops/s", where);
            score = num(primary.get("score"), where + ": primaryMetric.score") * scale;
            error = primary.containsKey("scoreError")
                    ? num(primary.get("scoreError"), where + ": primaryMetric.scoreError") * scale : Double.NaN;
            forks = rawData(primary, where + ": primaryMetric.rawData", scale);
            if (forks.isEmpty()) {
                forks = List.of(new double[] {score});
            }
        }

        Map<String, Double> totals = new LinkedHashMap<>();
        if (r.get("secondaryMetrics") != null) {
            Map<String, Object> sec = obj(r.get("secondaryMetrics"), where + ": secondaryMetrics");
            for (Map.Entry<String, Object> e : sec.entrySet()) {
                String w = where + ": secondaryMetrics." + e.getKey();
                Map<String, Object> m = obj(e.getValue(), w);
                List<double[]> raw = rawData(m, w + ".rawData", 1);
                double total = 0;
                if (raw.isEmpty()) {
                    total = num(m.get("score"), w + ".score");
                } else {
                    for (double[] f : raw) {
                        for (double v : f) {
                            total += v;
                        }
                    }
                }
                if (Double.isFinite(total)) {
                    totals.put(e.getKey(), total);
                }
            }
        }
        LatencySummary latency = RunFolder.readLatency(RunFolder.latencyLog(dir, row, path), warnings);
        return new Measurement(row, path, attributes, benchmark, score, error, forks, totals, iterationNanos, latency);
    }

    /** Seconds per unit of a SingleShotTime score ("s/op", "ms/op", ...). */
    private static double secondsPerOpScale(String unit, String where) {
        switch (unit) {
            case "s/op": return 1;
            case "ms/op": return 1e-3;
            case "us/op": return 1e-6;
            case "ns/op": return 1e-9;
            case "min/op": return 60;
            default:
                throw new IllegalArgumentException(where + ": scoreUnit \"" + unit + "\" is not a time per operation");
        }
    }

    private static double opsPerSecondScale(String unit, String where) {
        switch (unit) {
            case "ops/s": return 1;
            case "ops/ms": return 1e3;
            case "ops/us": return 1e6;
            case "ops/ns": return 1e9;
            case "ops/min": return 1.0 / 60;
            default:
                throw new IllegalArgumentException(where + ": scoreUnit \"" + unit + "\" is not a throughput (ops/s)");
        }
    }

    /** JMH's TimeValue text, e.g. {@code "10 s"}, {@code "500 ms"}; -1 when not understood. */
    static long timeValueNanos(String s) {
        String[] p = s.trim().split("\\s+");
        if (p.length != 2) {
            return -1;
        }
        long v;
        try {
            v = Long.parseLong(p[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
        switch (p[1]) {
            case "ns": return v;
            case "us": return v * 1_000L;
            case "ms": return v * 1_000_000L;
            case "s": return v * 1_000_000_000L;
            case "min": return v * 60_000_000_000L;
            case "hr": return v * 3_600_000_000_000L;
            default: return -1;
        }
    }

    private static List<double[]> rawData(Map<String, Object> m, String where, double scale) {
        Object raw = m.get("rawData");
        List<double[]> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof List)) {
            throw new IllegalArgumentException(where + " is " + RunFolder.kind(raw) + ", expected an array of arrays");
        }
        for (Object fork : (List<?>) raw) {
            if (!(fork instanceof List)) {
                throw new IllegalArgumentException(where + " holds " + RunFolder.kind(fork) + ", expected one array per fork");
            }
            List<?> it = (List<?>) fork;
            double[] a = new double[it.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = num(it.get(i), where) * scale;
            }
            if (a.length > 0) {
                out.add(a);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(what + " is " + RunFolder.kind(o) + ", expected an object");
        }
        return (Map<String, Object>) o;
    }

    static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("\"" + key + "\" is " + RunFolder.kind(v) + ", expected a string");
        }
        return (String) v;
    }

    /** A JMH number: JSON numbers, and JMH's quoted "NaN", "+INF", "-INF". */
    static double num(Object v, String what) {
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if ("NaN".equals(v)) {
            return Double.NaN;
        }
        if ("+INF".equals(v)) {
            return Double.POSITIVE_INFINITY;
        }
        if ("-INF".equals(v)) {
            return Double.NEGATIVE_INFINITY;
        }
        throw new IllegalArgumentException(what + " is " + RunFolder.kind(v) + ", expected a number");
    }
}
