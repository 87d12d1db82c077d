package io.echodb.runner.chaos;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.UUID;

/**
 * Column types the generator uses, with random SQL literals (ordinary and extreme values) and bulk expressions of a
 * row number {@code g}. Only values docs/TYPE-MAPPING.md says round-trip, or maps by a documented rule that the
 * comparison applies too (timestamps and dates outside 1900..2299 and ±infinity are clamped to the bounds; NaN in a
 * Decimal-mapped numeric is NULL; a NULL array is []; time 24:00:00 is 23:59:59.999999).
 */
enum ChaosType {
    BIGINT("bigint"),
    INTEGER("integer"),
    SMALLINT("smallint"),
    TEXT("text"),
    VARCHAR("varchar(40)"),
    NUMERIC_20_4("numeric(20,4)"),
    NUMERIC_24_6("numeric(24,6)"),
    NUMERIC_40_10("numeric(40,10)"),
    NUMERIC("numeric"),
    FLOAT8("double precision"),
    FLOAT4("real"),
    BOOL("boolean"),
    TIMESTAMPTZ("timestamptz"),
    TIMESTAMP("timestamp"),
    DATE("date"),
    TIME("time"),
    BYTEA("bytea"),
    JSONB("jsonb"),
    UUID_("uuid"),
    INT_ARRAY("integer[]"),
    MOOD("chaos_mood");

    /** The enum type {@link #MOOD} needs; created once per database. */
    static final String CREATE_MOOD = "CREATE TYPE public.chaos_mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic ✨')";
    private static final String[] MOODS = {"sad", "ok", "happy", "ecstatic ✨"};

    /** Types a generated column may get (MOOD and all numerics included; NUMERIC_24_6 only through widening). */
    static final ChaosType[] PICKABLE = {BIGINT, INTEGER, SMALLINT, TEXT, VARCHAR, NUMERIC_20_4, NUMERIC_40_10, NUMERIC,
            FLOAT8, FLOAT4, BOOL, TIMESTAMPTZ, TIMESTAMP, DATE, TIME, BYTEA, JSONB, UUID_, INT_ARRAY, MOOD};

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final long MIN_EPOCH = LocalDateTime.of(1900, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX_EPOCH = LocalDateTime.of(2299, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

    private static final String[] TEXTS = {"", " ", "plain", "O'Reilly", "back\\slash", "line1\nline2\ttab",
            "Grüße 漢字 🙂", "a|b,c", "NULL", "\\N", "  padded  ", "\"quoted\"", "x"};

    final String sql;

    ChaosType(String sql) {
        this.sql = sql;
    }

    /** The type a widening ALTER COLUMN ... TYPE may turn this into without USING, or null. */
    ChaosType widened() {
        return switch (this) {
            case SMALLINT -> INTEGER;
            case INTEGER -> BIGINT;
            case FLOAT4 -> FLOAT8;
            case VARCHAR -> TEXT;
            case NUMERIC_20_4 -> NUMERIC_24_6;
            default -> null;
        };
    }

    /** A random non-NULL SQL literal (with an explicit cast where the literal alone is ambiguous). */
    String literal(Random r) {
        boolean extreme = r.nextInt(4) == 0;
        return switch (this) {
            case BIGINT -> extreme ? pick(r, Long.toString(Long.MAX_VALUE), Long.toString(Long.MIN_VALUE), "0", "-1")
                    : Long.toString(r.nextLong() % 1_000_000_000_000L);
            case INTEGER -> extreme ? pick(r, Integer.toString(Integer.MAX_VALUE), Integer.toString(Integer.MIN_VALUE), "0")
                    : Integer.toString(r.nextInt(2_000_000) - 1_000_000);
            case SMALLINT -> extreme ? pick(r, "32767", "-32768", "0") : Integer.toString(r.nextInt(20000) - 10000);
            case TEXT -> quote(text(r));
            case VARCHAR -> {
                String t = text(r);
                yield quote(t.codePointCount(0, t.length()) > 40 ? t.substring(0, t.offsetByCodePoints(0, 40)) : t);
            }
            case NUMERIC_20_4 -> extreme ? pick(r, "9999999999999999.9999", "-9999999999999999.9999", "0.0001", "0",
                    "'NaN'::numeric") : decimal(r, 12, 4);
            case NUMERIC_24_6 -> extreme ? pick(r, "999999999999999999.999999", "-0.000001", "'NaN'::numeric")
                    : decimal(r, 14, 6);
            case NUMERIC_40_10 -> extreme ? pick(r, "999999999999999999999999999999.9999999999",
                    "-999999999999999999999999999999.9999999999", "0.0000000001") : decimal(r, 28, 10);
            case NUMERIC -> extreme ? pick(r, "'NaN'::numeric", "'Infinity'::numeric", "'-Infinity'::numeric",
                    "123456789012345678901234567890123456789012345678901234567890.123456789",
                    "0.000000000000000000000000000000000001", "-1e60", "1.50000") : decimal(r, 20, r.nextInt(12));
            case FLOAT8 -> extreme ? pick(r, "'1.7976931348623157e308'", "'-1.7976931348623157e308'", "'4.9e-324'",
                    "'2.2250738585072014e-308'", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'") + "::float8"
                    : "'" + Double.toString((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(30) - 10)) + "'::float8";
            case FLOAT4 -> extreme ? pick(r, "'3.4028235e38'", "'-3.4028235e38'", "'1.4e-45'", "'-0'", "'NaN'",
                    "'Infinity'", "'-Infinity'") + "::real"
                    : "'" + Float.toString((float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(12) - 4))) + "'::real";
            case BOOL -> r.nextBoolean() ? "true" : "false";
            case TIMESTAMPTZ -> extreme ? pick(r, "'infinity'", "'-infinity'", "'1900-01-01 00:00:00+00'",
                    "'2299-12-31 23:59:59.999999+00'", "'1850-06-01 12:00:00+00'", "'2400-01-01 00:00:00+00'",
                    "'1999-12-31 23:59:59.999999-05:30'") + "::timestamptz"
                    : "'" + timestamp(r) + (r.nextBoolean() ? "+00" : "+02:00") + "'::timestamptz";
            case TIMESTAMP -> extreme ? pick(r, "'infinity'", "'-infinity'", "'1900-01-01 00:00:00'",
                    "'2299-12-31 23:59:59.999999'", "'1700-01-01 00:00:00'", "'2500-02-03 04:05:06'") + "::timestamp"
                    : "'" + timestamp(r) + "'::timestamp";
            case DATE -> extreme ? pick(r, "'infinity'", "'-infinity'", "'1900-01-01'", "'2299-12-31'", "'1000-01-01'",
                    "'3000-01-01'") + "::date" : "'" + timestamp(r).substring(0, 10) + "'::date";
            case TIME -> extreme ? pick(r, "'00:00:00'", "'23:59:59.999999'", "'24:00:00'") + "::time"
                    : "'" + timestamp(r).substring(11) + "'::time";
            case BYTEA -> {
                int n = extreme ? pick(r, 0, 1, 300) : r.nextInt(40);
                byte[] b = new byte[n];
                r.nextBytes(b);
                StringBuilder sb = new StringBuilder("'\\x");
                for (byte x : b) {
                    sb.append(String.format("%02x", x));
                }
                yield sb.append("'::bytea").toString();
            }
            case JSONB -> quote(extreme ? pick(r, "{}", "[]", "null", "\"just a string\"",
                    "{\"nested\": {\"deep\": [1, 2.5, -3e10, true, null]}, \"u\": \"Grüße \\\" \\\\ 🙂\"}")
                    : "{\"k\": " + r.nextInt(1000) + ", \"s\": \"v" + r.nextInt(100) + "\", \"b\": " + r.nextBoolean() + "}")
                    + "::jsonb";
            case UUID_ -> "'" + new UUID(r.nextLong(), r.nextLong()) + "'::uuid";
            case INT_ARRAY -> extreme ? pick(r, "'{}'", "'{NULL}'", "'{2147483647,-2147483648,0}'") + "::integer[]"
                    : "ARRAY[" + r.nextInt(100) + ", " + (r.nextInt(5) == 0 ? "NULL" : Integer.toString(r.nextInt(1000)))
                    + ", " + (r.nextInt(10000) - 5000) + "]::integer[]";
            case MOOD -> "'" + MOODS[r.nextInt(MOODS.length)] + "'::chaos_mood";
        };
    }

    /** An SQL expression of the bigint expression {@code g} (for INSERT ... SELECT ... FROM generate_series). */
    String bulk(String g) {
        return switch (this) {
            case BIGINT -> "(" + g + " * 7919)::bigint";
            case INTEGER -> "(" + g + " % 1000003)::integer";
            case SMALLINT -> "(" + g + " % 30011)::smallint";
            case TEXT -> "'row ' || " + g + " || ' ' || md5(" + g + "::text)";
            case VARCHAR -> "left('v' || " + g + " || md5(" + g + "::text), 40)";
            case NUMERIC_20_4 -> "(" + g + " * 1.2345)::numeric(20,4)";
            case NUMERIC_24_6 -> "(" + g + " * 1.234567)::numeric(24,6)";
            case NUMERIC_40_10 -> "(" + g + "::numeric * 100000000000000000000 + 0.5)::numeric(40,10)";
            case NUMERIC -> "(" + g + "::numeric / 7)";
            case FLOAT8 -> "(" + g + " / 3.0)::float8";
            case FLOAT4 -> "(" + g + " / 7.0)::real";
            case BOOL -> "(" + g + " % 2 = 0)";
            case TIMESTAMPTZ -> "(timestamptz '2020-01-01 00:00:00+00' + " + g + " * interval '1001 microseconds')";
            case TIMESTAMP -> "(timestamp '1999-12-31 00:00:00' + " + g + " * interval '61 seconds')";
            case DATE -> "(date '2000-01-01' + (" + g + " % 10000)::integer)";
            case TIME -> "(time '00:00:00' + " + g + " * interval '1.5 seconds')";
            case BYTEA -> "decode(md5(" + g + "::text), 'hex')";
            case JSONB -> "jsonb_build_object('g', " + g + ", 's', 'x' || " + g + ")";
            case UUID_ -> "md5(" + g + "::text)::uuid";
            case INT_ARRAY -> "ARRAY[(" + g + " % 1000)::integer, NULL, -1]::integer[]";
            case MOOD -> "(enum_range(NULL::chaos_mood))[1 + (" + g + " % 4)::integer]";
        };
    }

    private static String text(Random r) {
        if (r.nextInt(3) == 0) {
            return TEXTS[r.nextInt(TEXTS.length)];
        }
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(24);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    private static String decimal(Random r, int intDigits, int scale) {
        BigDecimal v = new BigDecimal(new java.math.BigInteger(intDigits * 3 + scale * 3, r), scale);
        v = v.remainder(BigDecimal.TEN.pow(intDigits));
        return (r.nextBoolean() ? "-" : "") + v.toPlainString();
    }

    private static String timestamp(Random r) {
        long s = MIN_EPOCH + (long) (r.nextDouble() * (MAX_EPOCH - MIN_EPOCH));
        int micros = r.nextInt(3) == 0 ? 0 : r.nextInt(1_000_000);
        return TS.format(LocalDateTime.ofEpochSecond(s, micros * 1000, ZoneOffset.UTC));
    }

    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
