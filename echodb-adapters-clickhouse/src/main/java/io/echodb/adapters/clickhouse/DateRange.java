package io.echodb.adapters.clickhouse;

import io.echodb.core.schema.SpecialValue;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The dates and timestamps ClickHouse can store (Date32, DateTime64: 1900-01-01 .. 2299-12-31), and how values outside
 * them (and PostgreSQL's ±infinity) are clamped to the nearest bound (docs/TYPE-MAPPING.md).
 */
final class DateRange {

    private DateRange() {
    }

    /** Date32's range (ClickHouse 24+): 1900-01-01 .. 2299-12-31. */
    static final LocalDate MIN_DATE = LocalDate.of(1900, 1, 1);
    static final LocalDate MAX_DATE = LocalDate.of(2299, 12, 31);
    /** DateTime64's range, the same days, to the last microsecond. */
    static final LocalDateTime MIN_TIMESTAMP = MIN_DATE.atStartOfDay();
    static final LocalDateTime MAX_TIMESTAMP = MAX_DATE.atTime(23, 59, 59, 999_999_000);

    /** Whether {@link #clampDate} / {@link #clampInstant} would change this date or timestamp value. */
    static boolean wouldClamp(Object v) {
        if (v instanceof SpecialValue) {
            return true;
        }
        if (v instanceof LocalDate d) {
            return !clampDate(d).equals(d);
        }
        if (v instanceof LocalDateTime ldt) {
            return !clampInstant(ldt).equals(ldt.toInstant(ZoneOffset.UTC));
        }
        if (v instanceof Instant i) {
            return !clampInstant(i).equals(i);
        }
        return false;
    }

    /** Dates outside 1900-01-01..2299-12-31 and ±infinity clamp to the nearest bound. */
    static LocalDate clampDate(Object v) {
        if (v instanceof SpecialValue sv) {
            return switch (sv) {
                case POSITIVE_INFINITY -> MAX_DATE;
                case NEGATIVE_INFINITY -> MIN_DATE;
                case NAN -> throw new BadValueException("NaN is not a date");
            };
        }
        LocalDate d;
        if (v instanceof LocalDate ld) {
            d = ld;
        } else if (v instanceof LocalDateTime ldt) {
            d = ldt.toLocalDate();
        } else {
            throw BadValueException.unexpected("a LocalDate", v);
        }
        return d.isBefore(MIN_DATE) ? MIN_DATE : d.isAfter(MAX_DATE) ? MAX_DATE : d;
    }

    /**
     * Timestamps outside 1900-01-01 00:00:00 .. 2299-12-31 23:59:59.999999 (UTC) and ±infinity clamp to the nearest
     * bound. A timestamp without time zone is stored as if it were UTC, so its wall-clock fields survive.
     */
    static Instant clampInstant(Object v) {
        LocalDateTime ts;
        if (v instanceof SpecialValue sv) {
            ts = switch (sv) {
                case POSITIVE_INFINITY -> MAX_TIMESTAMP;
                case NEGATIVE_INFINITY -> MIN_TIMESTAMP;
                case NAN -> throw new BadValueException("NaN is not a timestamp");
            };
        } else if (v instanceof LocalDateTime ldt) {
            ts = ldt;
        } else if (v instanceof Instant i) {
            if (i.isBefore(MIN_TIMESTAMP.toInstant(ZoneOffset.UTC))) {
                return MIN_TIMESTAMP.toInstant(ZoneOffset.UTC);
            }
            if (i.isAfter(MAX_TIMESTAMP.toInstant(ZoneOffset.UTC))) {
                return MAX_TIMESTAMP.toInstant(ZoneOffset.UTC);
            }
            return i;
        } else if (v instanceof LocalDate d) {
            ts = d.atStartOfDay();
        } else {
            throw BadValueException.unexpected("a LocalDateTime or Instant", v);
        }
        ts = ts.isBefore(MIN_TIMESTAMP) ? MIN_TIMESTAMP : ts.isAfter(MAX_TIMESTAMP) ? MAX_TIMESTAMP : ts;
        return ts.toInstant(ZoneOffset.UTC);
    }
}
