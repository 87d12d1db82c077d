package io.echodb.adapters.clickhouse;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text forms of neutral values stored in ClickHouse String columns (numeric beyond Decimal, time, interval, and any
 * scalar whose target column was widened to String), and the way back. The forms follow ClickHouse's own String
 * conversion where one exists (dates, timestamps) and PostgreSQL's spelling of special values otherwise.
 */
final class NeutralText {

    static final String NAN = "NaN";
    static final String INFINITY = "Infinity";
    static final String MINUS_INFINITY = "-Infinity";

    /** 'HH:MM:SS.ffffff': always six fraction digits so that text order is time order. */
    static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true).toFormatter();

    /** ClickHouse's text form of DateTime64(6): 'yyyy-MM-dd HH:MM:SS.ffffff'. */
    static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true).toFormatter();

    private static final DateTimeFormatter TIMESTAMP_IN = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd").optionalStart().appendLiteral(' ').optionalEnd().optionalStart().appendLiteral('T')
            .optionalEnd().appendPattern("HH:mm:ss").optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter();

    private static final Pattern ISO_INTERVAL = Pattern.compile(
            "P(?:(-?\\d+)Y)?(?:(-?\\d+)M)?(?:(-?\\d+)D)?(?:T(?:(-?\\d+)H)?(?:(-?\\d+)M)?(?:(-?)(\\d+)(?:\\.(\\d{1,6}))?S)?)?");

    private NeutralText() {
    }

    /** The text stored for {@code value} (of source type {@code type}) in a String column; never null for non-null input. */
    static String render(ColumnType type, Object value) {
        if (value instanceof String s) {
            return s;
        } else if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        } else if (value instanceof BigDecimal d) {
            return d.toPlainString();
        } else if (value instanceof SpecialValue sv) {
            return special(type, sv);
        } else if (value instanceof Double d) {
            return doubleText(d);
        } else if (value instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? doubleText(f) : f.toString();
        } else if (value instanceof Number || value instanceof Boolean || value instanceof UUID) {
            return value.toString();
        } else if (value instanceof LocalTime t) {
            return time(t);
        } else if (value instanceof LocalDate d) {
            return d.toString();
        } else if (value instanceof LocalDateTime ts) {
            return TIMESTAMP.format(ts);
        } else if (value instanceof Instant i) {
            return TIMESTAMP.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
        } else if (value instanceof PgInterval iv) {
            return iv.toIso();
        }
        throw new BadValueException("a " + value.getClass().getSimpleName() + " value cannot be stored as text");
    }

    /** {@link #TIME}'s text, written by hand: the formatter was a hot spot of copies with a time column (JFR). */
    static String time(LocalTime t) {
        byte[] b = {'0', '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', '0', '0', '0'};
        twoDigits(b, 0, t.getHour());
        twoDigits(b, 3, t.getMinute());
        twoDigits(b, 6, t.getSecond());
        int micros = t.getNano() / 1000;
        for (int i = 14; i >= 9; i--) {
            b[i] = (byte) ('0' + micros % 10);
            micros /= 10;
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void twoDigits(byte[] b, int at, int v) {
        b[at] = (byte) ('0' + v / 10);
        b[at + 1] = (byte) ('0' + v % 10);
    }

    private static String doubleText(double d) {
        if (Double.isNaN(d)) {
            return NAN;
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? INFINITY : MINUS_INFINITY;
        }
        return Double.toString(d);
    }

    /** PostgreSQL's spelling: numerics say NaN/Infinity/-Infinity, dates and timestamps infinity/-infinity. */
    static String special(ColumnType type, SpecialValue sv) {
        boolean temporal = type instanceof ColumnType.Date || type instanceof ColumnType.Timestamp
                || type instanceof ColumnType.TimestampTz;
        switch (sv) {
            case NAN:
                if (temporal) {
                    throw new BadValueException("NaN is not a valid " + type.getClass().getSimpleName().toLowerCase() + " value");
                }
                return NAN;
            case POSITIVE_INFINITY:
                return temporal ? "infinity" : INFINITY;
            default:
                return temporal ? "-infinity" : MINUS_INFINITY;
        }
    }

    /** The neutral value of {@code type} written as {@code text} by {@link #render}. */
    static Object parse(ColumnType type, String text) {
        try {
            if (type instanceof ColumnType.Text || type instanceof ColumnType.Json || type instanceof ColumnType.Enum
                    || type instanceof ColumnType.Unknown) {
                return text;
            } else if (type instanceof ColumnType.Bytes) {
                return text.getBytes(StandardCharsets.UTF_8);
            } else if (type instanceof ColumnType.Decimal || type instanceof ColumnType.Numeric) {
                SpecialValue sv = numericSpecial(text);
                return sv != null ? sv : new BigDecimal(text);
            } else if (type instanceof ColumnType.Bool) {
                return parseBool(text);
            } else if (type instanceof ColumnType.Int16) {
                return Short.parseShort(text);
            } else if (type instanceof ColumnType.Int32) {
                return Integer.parseInt(text);
            } else if (type instanceof ColumnType.Int64) {
                return Long.parseLong(text);
            } else if (type instanceof ColumnType.Float32) {
                return Float.parseFloat(text);
            } else if (type instanceof ColumnType.Float64) {
                return Double.parseDouble(text);
            } else if (type instanceof ColumnType.Time) {
                return LocalTime.parse(text);
            } else if (type instanceof ColumnType.Interval) {
                return parseInterval(text);
            } else if (type instanceof ColumnType.Uuid) {
                return UUID.fromString(text);
            } else if (type instanceof ColumnType.Date) {
                SpecialValue sv = temporalSpecial(text);
                return sv != null ? sv : LocalDate.parse(text);
            } else if (type instanceof ColumnType.Timestamp) {
                SpecialValue sv = temporalSpecial(text);
                return sv != null ? sv : LocalDateTime.parse(text, TIMESTAMP_IN);
            } else if (type instanceof ColumnType.TimestampTz) {
                SpecialValue sv = temporalSpecial(text);
                return sv != null ? sv : LocalDateTime.parse(text, TIMESTAMP_IN).toInstant(ZoneOffset.UTC);
            }
        } catch (RuntimeException e) {
            throw new BadValueException("stored text '" + abbreviate(text) + "' is not a valid "
                    + type.getClass().getSimpleName() + " value: " + e.getMessage());
        }
        throw new BadValueException("a " + type.getClass().getSimpleName() + " value cannot be read from text");
    }

    private static Boolean parseBool(String text) {
        switch (text) {
            case "true":
            case "t":
            case "1":
                return Boolean.TRUE;
            case "false":
            case "f":
            case "0":
                return Boolean.FALSE;
            default:
                throw new IllegalArgumentException("not a boolean");
        }
    }

    private static SpecialValue numericSpecial(String text) {
        switch (text) {
            case NAN:
                return SpecialValue.NAN;
            case INFINITY:
                return SpecialValue.POSITIVE_INFINITY;
            case MINUS_INFINITY:
                return SpecialValue.NEGATIVE_INFINITY;
            default:
                return null;
        }
    }

    private static SpecialValue temporalSpecial(String text) {
        switch (text) {
            case "infinity":
                return SpecialValue.POSITIVE_INFINITY;
            case "-infinity":
                return SpecialValue.NEGATIVE_INFINITY;
            default:
                return null;
        }
    }

    /** Inverse of {@link PgInterval#toIso()}. */
    static PgInterval parseInterval(String text) {
        Matcher m = ISO_INTERVAL.matcher(text);
        if (!m.matches() || text.equals("P") || text.endsWith("T")) {
            throw new IllegalArgumentException("not an interval written by PgInterval.toIso()");
        }
        // exact arithmetic: a field too large for the interval's range fails instead of wrapping
        long months = Math.addExact(Math.multiplyExact(12L, number(m.group(1))), number(m.group(2)));
        long days = number(m.group(3));
        long micros = Math.addExact(Math.multiplyExact(number(m.group(4)), 3_600_000_000L),
                Math.multiplyExact(number(m.group(5)), 60_000_000L));
        if (m.group(7) != null) {
            String frac = m.group(8) == null ? "" : m.group(8);
            long secMicros = Math.addExact(Math.multiplyExact(Long.parseLong(m.group(7)), 1_000_000L),
                    frac.isEmpty() ? 0 : Long.parseLong((frac + "00000").substring(0, 6)));
            micros = Math.addExact(micros, "-".equals(m.group(6)) ? -secMicros : secMicros);
        }
        return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
