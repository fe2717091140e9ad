package org.foliobench.results;

import java.util.Arrays;

/**
 * The few statistics the tables need, without a statistics library: mean and variance, average
 * ranks with ties, Spearman's rank correlation, the geometric mean, Student's t distribution
 * (via the regularized incomplete beta function) and its quantile, and Welch's two-sample
 * t interval.
 */
final class Stats {

    private Stats() {
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Sample variance (n - 1 in the denominator); 0 for a single sample. */
    static double variance(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return s / (x.length - 1);
    }

    /** Ranks 1..n, ties get the average of the ranks they span. */
    static double[] ranks(double[] x) {
        int n = x.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Pearson correlation; NaN when either side is constant or n < 2. */
    static double pearson(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("lengths differ");
        }
        if (x.length < 2) {
            return Double.NaN;
        }
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman's rho: Pearson correlation of the average ranks (correct with ties). */
    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    /** exp(mean(ln x)); NaN when empty or any value is not positive. */
    static double geomean(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : x) {
            if (!(v > 0)) {
                return Double.NaN;
            }
            s += Math.log(v);
        }
        return Math.exp(s / x.length);
    }

    /** ln Gamma(x), Lanczos (g = 7, n = 9), x > 0. */
    static double lnGamma(double x) {
        final double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
        }
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** Regularized incomplete beta I_x(a, b) by its continued fraction (modified Lentz). */
    static double incompleteBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        if (x > (a + 1) / (a + b + 2)) {
            return 1 - incompleteBeta(1 - x, b, a);
        }
        final double tiny = 1e-300;
        double f = 1;
        double c = 1;
        double d = 0;
        for (int i = 0; i <= 400; i++) {
            int m = i / 2;
            double num;
            if (i == 0) {
                num = 1;
            } else if (i % 2 == 0) {
                num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            } else {
                num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
            }
            d = 1 + num * d;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            d = 1 / d;
            c = 1 + num / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            double cd = c * d;
            f *= cd;
            if (Math.abs(1 - cd) < 1e-15) {
                return front * (f - 1) / a;
            }
        }
        return front * (f - 1) / a;
    }

    /** P(T <= t) for Student's t with {@code df} degrees of freedom (df may be fractional). */
    static double studentCdf(double t, double df) {
        if (Double.isInfinite(df)) {
            return normalCdf(t);
        }
        double x = df / (df + t * t);
        double tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    /** The t with P(T <= t) = p, by bisection on the CDF (0 < p < 1). */
    static double studentQuantile(double p, double df) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1): " + p);
        }
        if (p == 0.5) {
            return 0;
        }
        if (p < 0.5) {
            return -studentQuantile(1 - p, df);
        }
        double lo = 0;
        double hi = 1;
        while (studentCdf(hi, df) < p) {
            hi *= 2;
            if (hi > 1e12) {
                return Double.POSITIVE_INFINITY;
            }
        }
        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (studentCdf(mid, df) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
    static double normalCdf(double z) {
        double x = -z / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        if (x < 0) {
            erfc = 2 - erfc;
        }
        return 0.5 * erfc;
    }

    /**
     * Welch's two-sample interval for mean(b) - mean(a).
     *
     * @return {diff, halfWidth, df, pTwoSided}; halfWidth NaN when a side has fewer than 2 samples
     */
    static double[] welch(double[] a, double[] b, double confidence) {
        double ma = mean(a);
        double mb = mean(b);
        double d = mb - ma;
        if (a.length < 2 || b.length < 2) {
            return new double[] {d, Double.NaN, Double.NaN, Double.NaN};
        }
        double va = variance(a) / a.length;
        double vb = variance(b) / b.length;
        double se2 = va + vb;
        if (se2 == 0) {
            return new double[] {d, 0, Double.POSITIVE_INFINITY, d == 0 ? 1 : 0};
        }
        double df = se2 * se2 / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        double se = Math.sqrt(se2);
        double t = studentQuantile(1 - (1 - confidence) / 2, df);
        double p = 2 * (1 - studentCdf(Math.abs(d) / se, df));
        return new double[] {d, t * se, df, Math.max(0, p)};
    }
}
