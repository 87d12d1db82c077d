package io.echodb.bench;

import java.util.Arrays;

/** Percentiles (nearest rank) of a set of durations in nanoseconds. */
record Stats(int count, long p50, long p95, long p99, long max, long mean) {

    static Stats of(long[] values, int count) {
        if (count == 0) {
            return new Stats(0, 0, 0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        long sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return new Stats(count, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), sorted[count - 1], sum / count);
    }

    private static long rank(long[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 100 ? String.format("%.0f ms", ms) : String.format("%.1f ms", ms);
    }
}
