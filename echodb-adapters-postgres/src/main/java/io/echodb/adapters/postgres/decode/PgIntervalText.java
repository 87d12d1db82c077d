package io.echodb.adapters.postgres.decode;

import io.echodb.core.schema.PgInterval;

/**
 * Parses PostgreSQL's {@code IntervalStyle=iso_8601} output, e.g. {@code P1Y2M3DT4H5M6.5S}, {@code P-1Y-2M},
 * {@code PT-0.5S}, {@code PT0S}: every field carries its own sign. PostgreSQL 17's infinite intervals map to the
 * server's own representation: all three fields at their maximum ({@code infinity}) or minimum ({@code -infinity}).
 */
final class PgIntervalText {

    static final PgInterval INFINITY = new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
    static final PgInterval MINUS_INFINITY = new PgInterval(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE);

    private PgIntervalText() {
    }

    static PgInterval parse(byte[] b, int off, int len) {
        TextCursor c = new TextCursor(b, off, len);
        if (c.matches("infinity")) {
            return INFINITY;
        }
        if (c.matches("-infinity")) {
            return MINUS_INFINITY;
        }
        c.expect('P');
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean time = false;
        while (!c.atEnd()) {
            if (c.accept('T')) {
                time = true;
                continue;
            }
            boolean negative = c.accept('-');
            if (!negative) {
                c.accept('+');
            }
            long whole = c.digits(1, 19);
            long fractionMicros = 0;
            if (c.accept('.')) {
                fractionMicros = c.fractionNanos() / 1000;
            }
            int unit = c.peek();
            c.p++;
            long sign = negative ? -1 : 1;
            // exact arithmetic: a field too large for the interval's range fails instead of wrapping
            if (!time) {
                switch (unit) {
                    case 'Y' -> months = Math.addExact(months, sign * Math.multiplyExact(whole, 12L));
                    case 'M' -> months = Math.addExact(months, sign * whole);
                    case 'W' -> days = Math.addExact(days, sign * Math.multiplyExact(whole, 7L));
                    case 'D' -> days = Math.addExact(days, sign * whole);
                    default -> throw new IllegalArgumentException("unknown date designator '" + (char) unit + "'");
                }
            } else {
                switch (unit) {
                    case 'H' -> micros = Math.addExact(micros, sign * Math.multiplyExact(whole, 3_600_000_000L));
                    case 'M' -> micros = Math.addExact(micros, sign * Math.multiplyExact(whole, 60_000_000L));
                    case 'S' -> micros = Math.addExact(micros,
                            sign * Math.addExact(Math.multiplyExact(whole, 1_000_000L), fractionMicros));
                    default -> throw new IllegalArgumentException("unknown time designator '" + (char) unit + "'");
                }
            }
        }
        return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }
}
