package io.echodb.core.service.checksum;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The canonical text of neutral values, rows and keys, and their hashes: the reference every {@code RowChecksums}
 * side reproduces in its own SQL (docs/CONSISTENCY.md has the table). It describes the value as the mirror holds it,
 * so the rules the ClickHouse sink applies are applied here too: dates and timestamps clamp to 1900-01-01 ..
 * 2299-12-31 23:59:59.999999, numeric NaN/±Infinity in a decimal of at most {@value #MAX_STORED_DECIMAL_PRECISION}
 * digits is NULL, a NULL array is empty. Equal data gives equal text on both sides; different data gives different
 * text (values are escaped, NULL has its own marker).
 */
public final class CanonicalForm {

    /** The text of SQL NULL; no escaped value can equal it. */
    public static final String NULL = "\\N";
    /** Between the values of a row or key. */
    public static final char SEPARATOR = '|';
    /** Decimals up to this precision are stored as decimals in the target (beyond: as text, keeping NaN/Infinity). */
    public static final int MAX_STORED_DECIMAL_PRECISION = 76;

    public static final LocalDate MIN_DATE = LocalDate.of(1900, 1, 1);
    public static final LocalDate MAX_DATE = LocalDate.of(2299, 12, 31);
    public static final LocalDateTime MIN_TIMESTAMP = MIN_DATE.atStartOfDay();
    public static final LocalDateTime MAX_TIMESTAMP = MAX_DATE.atTime(23, 59, 59, 999_999_000);

    /** {@code HH:MM:SS.ffffff}. */
    public static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true).toFormatter();
    /** {@code YYYY-MM-DD HH:MM:SS.ffffff}. */
    public static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true).toFormatter();

    private static final HexFormat HEX = HexFormat.of();

    private CanonicalForm() {
    }

    /** The canonical text of {@code value} (a neutral value of {@code type}, or null). */
    public static String value(ColumnType type, Object value) {
        if (type instanceof ColumnType.ArrayOf a) {
            return array(a.element(), value);
        }
        if (value == null) {
            return NULL;
        }
        if (type instanceof ColumnType.Bool) {
            return ((Boolean) value) ? "t" : "f";
        } else if (type instanceof ColumnType.Int16 || type instanceof ColumnType.Int32 || type instanceof ColumnType.Int64) {
            return value.toString();
        } else if (type instanceof ColumnType.Float32) {
            float f = ((Number) value).floatValue();
            return Float.isNaN(f) ? "NaN" : String.format("%08x", Float.floatToRawIntBits(f));
        } else if (type instanceof ColumnType.Float64) {
            double d = ((Number) value).doubleValue();
            return Double.isNaN(d) ? "NaN" : String.format("%016x", Double.doubleToRawLongBits(d));
        } else if (type instanceof ColumnType.Decimal d) {
            return numeric(value, d.precision() <= MAX_STORED_DECIMAL_PRECISION);
        } else if (type instanceof ColumnType.Numeric) {
            return numeric(value, false);
        } else if (type instanceof ColumnType.Bytes) {
            return HEX.formatHex((byte[]) value);
        } else if (type instanceof ColumnType.Date) {
            return date(value).toString();
        } else if (type instanceof ColumnType.Time) {
            return TIME.format((LocalTime) value);
        } else if (type instanceof ColumnType.Timestamp || type instanceof ColumnType.TimestampTz) {
            return TIMESTAMP.format(timestamp(value));
        } else if (type instanceof ColumnType.Uuid) {
            return ((UUID) value).toString();
        } else if (type instanceof ColumnType.Interval) {
            return ((PgInterval) value).toIso();
        }
        // Text, Json, Enum, Unknown: the text itself, escaped
        return escape((String) value);
    }

    /** Values of a row (or key) in the given column order, joined by {@value #SEPARATOR}. */
    public static String row(List<ColumnType> types, List<?> values) {
        if (types.size() != values.size()) {
            throw new IllegalArgumentException(types.size() + " types for " + values.size() + " values");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < types.size(); i++) {
            if (i > 0) {
                sb.append(SEPARATOR);
            }
            sb.append(value(types.get(i), values.get(i)));
        }
        return sb.toString();
    }

    /** The key hash: the first 15 hex digits of md5(key text), i.e. the top 60 bits of its first 8 bytes. */
    public static long keyHash(String keyText) {
        return first8Bytes(keyText) >>> 4;
    }

    /** The row hash: the first 16 hex digits of md5(row text) as a 64-bit number (two's complement). */
    public static long rowHash(String rowText) {
        return first8Bytes(rowText);
    }

    /** {@code \}, {@code |} and {@code ,} get a backslash in front, so values never run into each other. */
    public static String escape(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == SEPARATOR || c == ',') {
                if (sb == null) {
                    sb = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                sb.append('\\');
            }
            if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** A plain decimal without trailing fraction zeros (and without a trailing point). */
    public static String trimDecimal(String plain) {
        if (plain.indexOf('.') < 0) {
            return plain;
        }
        int end = plain.length();
        while (plain.charAt(end - 1) == '0') {
            end--;
        }
        if (plain.charAt(end - 1) == '.') {
            end--;
        }
        return plain.substring(0, end);
    }

    private static String numeric(Object value, boolean storedAsDecimal) {
        if (value instanceof SpecialValue sv) {
            if (storedAsDecimal) {
                return NULL; // a Decimal column cannot hold NaN or infinity: the sink stores NULL
            }
            return switch (sv) {
                case NAN -> "NaN";
                case POSITIVE_INFINITY -> "Infinity";
                case NEGATIVE_INFINITY -> "-Infinity";
            };
        }
        return trimDecimal(((BigDecimal) value).toPlainString());
    }

    private static String array(ColumnType element, Object value) {
        StringBuilder sb = new StringBuilder("[");
        if (value != null) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(value(element, list.get(i)));
            }
        }
        return sb.append(']').toString();
    }

    private static LocalDate date(Object value) {
        if (value instanceof SpecialValue sv) {
            return sv == SpecialValue.NEGATIVE_INFINITY ? MIN_DATE : MAX_DATE;
        }
        LocalDate d = (LocalDate) value;
        return d.isBefore(MIN_DATE) ? MIN_DATE : d.isAfter(MAX_DATE) ? MAX_DATE : d;
    }

    private static LocalDateTime timestamp(Object value) {
        LocalDateTime ts;
        if (value instanceof SpecialValue sv) {
            return sv == SpecialValue.NEGATIVE_INFINITY ? MIN_TIMESTAMP : MAX_TIMESTAMP;
        } else if (value instanceof Instant i) {
            Instant min = MIN_TIMESTAMP.toInstant(ZoneOffset.UTC);
            Instant max = MAX_TIMESTAMP.toInstant(ZoneOffset.UTC);
            Instant clamped = i.isBefore(min) ? min : i.isAfter(max) ? max : i;
            ts = LocalDateTime.ofInstant(clamped, ZoneOffset.UTC);
        } else {
            ts = (LocalDateTime) value;
        }
        return ts.isBefore(MIN_TIMESTAMP) ? MIN_TIMESTAMP : ts.isAfter(MAX_TIMESTAMP) ? MAX_TIMESTAMP : ts;
    }

    private static long first8Bytes(String text) {
        byte[] md5;
        try {
            md5 = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships MD5", e);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (md5[i] & 0xFF);
        }
        return v;
    }
}
