package io.echodb.core.schema;

/** A PostgreSQL interval: months, days and microseconds are independent fields. */
public record PgInterval(int months, int days, long micros) {

    /** ISO-8601-like rendering that keeps the three fields apart, e.g. {@code P1Y2M3DT4H5M6.000007S}. */
    public String toIso() {
        StringBuilder sb = new StringBuilder("P");
        int years = months / 12;
        int mons = months % 12;
        if (years != 0) {
            sb.append(years).append('Y');
        }
        if (mons != 0) {
            sb.append(mons).append('M');
        }
        if (days != 0) {
            sb.append(days).append('D');
        }
        if (micros != 0) {
            // each field's magnitude on its own: Math.abs(micros) would wrap for Long.MIN_VALUE (-infinity)
            String sign = micros < 0 ? "-" : "";
            long h = Math.abs(micros / 3_600_000_000L);
            long m = Math.abs((micros / 60_000_000L) % 60);
            long s = Math.abs((micros / 1_000_000L) % 60);
            long us = Math.abs(micros % 1_000_000L);
            sb.append('T');
            if (h != 0) {
                sb.append(sign).append(h).append('H');
            }
            if (m != 0) {
                sb.append(sign).append(m).append('M');
            }
            if (s != 0 || us != 0) {
                sb.append(sign).append(s);
                if (us != 0) {
                    sb.append('.').append(String.format("%06d", us));
                }
                sb.append('S');
            }
        }
        return sb.length() == 1 ? "PT0S" : sb.toString();
    }

    /** Total length in microseconds with a month counted as 30 days (PostgreSQL's own justification rule). */
    public long approximateMicros() {
        return (months * 30L + days) * 86_400_000_000L + micros;
    }
}
