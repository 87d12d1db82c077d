package io.echodb.adapters.postgres.decode;

import io.echodb.core.schema.SpecialValue;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/**
 * Parsers for PostgreSQL's ISO (DateStyle=ISO) date/time output: {@code 2024-01-31}, {@code 0044-03-15 BC},
 * {@code 2024-01-31 12:34:56.789+00}, {@code infinity}. Years before 1 AD map to the proleptic ISO year
 * (1 BC is year 0). {@code 24:00:00} (a valid PostgreSQL time) maps to 23:59:59.999999, the last microsecond of the
 * day. A {@code timetz} value is converted to its UTC time of day.
 */
final class PgTemporal {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final LocalTime END_OF_DAY = LocalTime.of(23, 59, 59, 999_999_000);

    private PgTemporal() {
    }

    static Object date(byte[] b, int off, int len) {
        Object special = infinity(b, off, len);
        if (special != null) {
            return special;
        }
        boolean bc = endsWithBc(b, off, len);
        TextCursor c = new TextCursor(b, off, bc ? len - 3 : len);
        LocalDate d = readDate(c, bc);
        requireEnd(c);
        return d;
    }

    static Object timestamp(byte[] b, int off, int len) {
        Object special = infinity(b, off, len);
        if (special != null) {
            return special;
        }
        boolean bc = endsWithBc(b, off, len);
        TextCursor c = new TextCursor(b, off, bc ? len - 3 : len);
        LocalDate d = readDate(c, bc);
        c.expect(' ');
        long nanoOfDay = readTimeNanos(c);
        if (!c.atEnd()) {
            // a timestamptz text given to a timestamp column: keep the wall time, ignore the zone
            readOffsetSeconds(c);
        }
        requireEnd(c);
        return LocalDateTime.of(d, LocalTime.ofNanoOfDay(Math.min(nanoOfDay, END_OF_DAY.toNanoOfDay())));
    }

    static Object timestamptz(byte[] b, int off, int len) {
        Object special = infinity(b, off, len);
        if (special != null) {
            return special;
        }
        boolean bc = endsWithBc(b, off, len);
        TextCursor c = new TextCursor(b, off, bc ? len - 3 : len);
        LocalDate d = readDate(c, bc);
        c.expect(' ');
        long nanoOfDay = readTimeNanos(c);
        int offset = c.atEnd() ? 0 : readOffsetSeconds(c);
        requireEnd(c);
        long epochSecond = d.toEpochDay() * 86_400L + nanoOfDay / NANOS_PER_SECOND - offset;
        return Instant.ofEpochSecond(epochSecond, nanoOfDay % NANOS_PER_SECOND);
    }

    /** time or timetz; a timetz is converted to UTC. */
    static LocalTime time(byte[] b, int off, int len) {
        TextCursor c = new TextCursor(b, off, len);
        long nanoOfDay = readTimeNanos(c);
        if (!c.atEnd()) {
            int offset = readOffsetSeconds(c);
            requireEnd(c);
            long day = 86_400L * NANOS_PER_SECOND;
            nanoOfDay = Math.floorMod(nanoOfDay - offset * NANOS_PER_SECOND, day);
        }
        return nanoOfDay >= 86_400L * NANOS_PER_SECOND ? END_OF_DAY : LocalTime.ofNanoOfDay(nanoOfDay);
    }

    private static LocalDate readDate(TextCursor c, boolean bc) {
        long year = c.digits(4, 9);
        c.expect('-');
        int month = (int) c.digits(2, 2);
        c.expect('-');
        int day = (int) c.digits(2, 2);
        return LocalDate.of((int) (bc ? 1 - year : year), month, day);
    }

    /** HH:MM:SS[.ffffff]; may be 24:00:00. */
    private static long readTimeNanos(TextCursor c) {
        long h = c.digits(2, 2);
        c.expect(':');
        long m = c.digits(2, 2);
        c.expect(':');
        long s = c.digits(2, 2);
        long nanos = 0;
        if (c.accept('.')) {
            nanos = c.fractionNanos();
        }
        if (h > 24 || m > 59 || s > 60) {
            throw new IllegalArgumentException("time out of range");
        }
        return ((h * 60 + m) * 60 + s) * NANOS_PER_SECOND + nanos;
    }

    /** +HH[:MM[:SS]] or -HH[:MM[:SS]] → seconds east of UTC. */
    private static int readOffsetSeconds(TextCursor c) {
        int sign;
        if (c.accept('+')) {
            sign = 1;
        } else if (c.accept('-')) {
            sign = -1;
        } else {
            throw new IllegalArgumentException("expected a time zone offset at offset " + c.p);
        }
        long secs = c.digits(2, 2) * 3600;
        if (c.accept(':')) {
            secs += c.digits(2, 2) * 60;
            if (c.accept(':')) {
                secs += c.digits(2, 2);
            }
        }
        return (int) (sign * secs);
    }

    private static Object infinity(byte[] b, int off, int len) {
        if (len == 8 && b[off] == 'i' && new TextCursor(b, off, len).matches("infinity")) {
            return SpecialValue.POSITIVE_INFINITY;
        }
        if (len == 9 && b[off] == '-' && new TextCursor(b, off, len).matches("-infinity")) {
            return SpecialValue.NEGATIVE_INFINITY;
        }
        return null;
    }

    private static boolean endsWithBc(byte[] b, int off, int len) {
        return len > 3 && b[off + len - 1] == 'C' && b[off + len - 2] == 'B' && b[off + len - 3] == ' ';
    }

    private static void requireEnd(TextCursor c) {
        if (!c.atEnd()) {
            throw new IllegalArgumentException("unexpected text at offset " + c.p);
        }
    }
}
