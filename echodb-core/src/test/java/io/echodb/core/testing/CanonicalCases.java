package io.echodb.core.testing;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The canonical-form cases every side of the checksum comparison is pinned to (docs/CONSISTENCY.md): for each type the
 * engine mirrors, a value as PostgreSQL spells it, the neutral value the engine decodes from it, and the canonical text
 * both sides must render. The reference ({@code CanonicalForm}) renders {@code value}; the PostgreSQL side renders the
 * stored {@code pgLiteral} in SQL; the ClickHouse side renders what its sink stored for {@code value}. Equal expected
 * texts on every side are what make equal data hash equal across PostgreSQL and ClickHouse.
 */
public final class CanonicalCases {

    /** One value. {@code pgType} is a column type for CREATE TABLE, {@code pgLiteral} an SQL expression of that type. */
    public record Case(String name, ColumnType type, Object value, String pgType, String pgLiteral, String canonical) {
        public Case {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(pgType, "pgType");
            Objects.requireNonNull(pgLiteral, "pgLiteral");
            Objects.requireNonNull(canonical, "canonical");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The enum type the enum cases use. */
    public static final String PG_ENUM = "checksum_mood";
    /** Statements the PostgreSQL side runs once before creating a table of these cases. */
    public static final List<String> PG_SETUP = List.of(
            "DO $$ BEGIN CREATE TYPE " + PG_ENUM + " AS ENUM ('sad', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    public static final ColumnType ENUM = new ColumnType.Enum("public." + PG_ENUM, List.of("sad", "happy"));

    private static final PgInterval INFINITE_INTERVAL = new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);

    private CanonicalCases() {
    }

    /** Every case, in a stable order. */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // booleans and integers
        c.add(new Case("bool true", ColumnType.BOOL, true, "boolean", "true", "t"));
        c.add(new Case("bool false", ColumnType.BOOL, false, "boolean", "false", "f"));
        c.add(new Case("bool null", ColumnType.BOOL, null, "boolean", "NULL", "\\N"));
        c.add(new Case("smallint min", ColumnType.INT16, (short) -32768, "smallint", "-32768", "-32768"));
        c.add(new Case("integer", ColumnType.INT32, 2147483647, "integer", "2147483647", "2147483647"));
        c.add(new Case("bigint min", ColumnType.INT64, Long.MIN_VALUE, "bigint", "-9223372036854775808", "-9223372036854775808"));
        c.add(new Case("bigint null", ColumnType.INT64, null, "bigint", "NULL", "\\N"));
        // floats: IEEE-754 bits in hex, NaN spelled out
        c.add(new Case("real 1.5", ColumnType.FLOAT32, 1.5f, "real", "1.5", "3fc00000"));
        c.add(new Case("real 0.1", ColumnType.FLOAT32, 0.1f, "real", "0.1", "3dcccccd"));
        c.add(new Case("real NaN", ColumnType.FLOAT32, Float.NaN, "real", "'NaN'", "NaN"));
        c.add(new Case("real Infinity", ColumnType.FLOAT32, Float.POSITIVE_INFINITY, "real", "'Infinity'", "7f800000"));
        c.add(new Case("real -Infinity", ColumnType.FLOAT32, Float.NEGATIVE_INFINITY, "real", "'-Infinity'", "ff800000"));
        c.add(new Case("real -0", ColumnType.FLOAT32, -0.0f, "real", "'-0'", "80000000"));
        c.add(new Case("double 1.5", ColumnType.FLOAT64, 1.5d, "double precision", "1.5", "3ff8000000000000"));
        c.add(new Case("double 0.1", ColumnType.FLOAT64, 0.1d, "double precision", "0.1", "3fb999999999999a"));
        c.add(new Case("double 1e300", ColumnType.FLOAT64, 1e300d, "double precision", "1e300", "7e37e43c8800759c"));
        c.add(new Case("double 5e-324", ColumnType.FLOAT64, 5e-324d, "double precision", "'5e-324'", "0000000000000001"));
        c.add(new Case("double -0", ColumnType.FLOAT64, -0.0d, "double precision", "'-0'", "8000000000000000"));
        c.add(new Case("double NaN", ColumnType.FLOAT64, Double.NaN, "double precision", "'NaN'", "NaN"));
        c.add(new Case("double Infinity", ColumnType.FLOAT64, Double.POSITIVE_INFINITY, "double precision", "'Infinity'", "7ff0000000000000"));
        c.add(new Case("double -Infinity", ColumnType.FLOAT64, Double.NEGATIVE_INFINITY, "double precision", "'-Infinity'", "fff0000000000000"));
        c.add(new Case("double null", ColumnType.FLOAT64, null, "double precision", "NULL", "\\N"));
        // numeric(p,s) stored as Decimal: trailing zeros trimmed, NaN is NULL (the sink's rule)
        ColumnType dec = new ColumnType.Decimal(10, 2);
        c.add(new Case("numeric(10,2) 1.50", dec, new BigDecimal("1.50"), "numeric(10,2)", "1.5", "1.5"));
        c.add(new Case("numeric(10,2) 100.00", dec, new BigDecimal("100.00"), "numeric(10,2)", "100", "100"));
        c.add(new Case("numeric(10,2) -0.50", dec, new BigDecimal("-0.50"), "numeric(10,2)", "-0.5", "-0.5"));
        c.add(new Case("numeric(10,2) 0.00", dec, new BigDecimal("0.00"), "numeric(10,2)", "0", "0"));
        c.add(new Case("numeric(10,2) NaN", dec, SpecialValue.NAN, "numeric(10,2)", "'NaN'", "\\N"));
        c.add(new Case("numeric(10,2) null", dec, null, "numeric(10,2)", "NULL", "\\N"));
        c.add(new Case("numeric(38,10) big", new ColumnType.Decimal(38, 10), new BigDecimal("1234567890123456789012345678.0123456789"),
                "numeric(38,10)", "1234567890123456789012345678.0123456789", "1234567890123456789012345678.0123456789"));
        // numeric beyond ClickHouse's Decimal, and unbounded numeric: decimal text, NaN/Infinity kept
        ColumnType wide = new ColumnType.Decimal(80, 3);
        c.add(new Case("numeric(80,3) 1.500", wide, new BigDecimal("1.500"), "numeric(80,3)", "1.5", "1.5"));
        c.add(new Case("numeric(80,3) NaN", wide, SpecialValue.NAN, "numeric(80,3)", "'NaN'", "NaN"));
        c.add(new Case("numeric 123.4500", ColumnType.NUMERIC, new BigDecimal("123.4500"), "numeric", "123.4500", "123.45"));
        c.add(new Case("numeric 1e40", ColumnType.NUMERIC, new BigDecimal("10000000000000000000000000000000000000000"), "numeric",
                "1e40", "10000000000000000000000000000000000000000"));
        c.add(new Case("numeric -0.000", ColumnType.NUMERIC, new BigDecimal("0.000"), "numeric", "-0.000", "0"));
        c.add(new Case("numeric 0.00001", ColumnType.NUMERIC, new BigDecimal("0.00001"), "numeric", "0.00001", "0.00001"));
        c.add(new Case("numeric NaN", ColumnType.NUMERIC, SpecialValue.NAN, "numeric", "'NaN'", "NaN"));
        c.add(new Case("numeric Infinity", ColumnType.NUMERIC, SpecialValue.POSITIVE_INFINITY, "numeric", "'Infinity'", "Infinity"));
        c.add(new Case("numeric -Infinity", ColumnType.NUMERIC, SpecialValue.NEGATIVE_INFINITY, "numeric", "'-Infinity'", "-Infinity"));
        // text: as is, with \ | , escaped; NULL, '' and 'NULL' all differ
        c.add(new Case("text empty", ColumnType.TEXT, "", "text", "''", ""));
        c.add(new Case("text NULL word", ColumnType.TEXT, "NULL", "text", "'NULL'", "NULL"));
        c.add(new Case("text null", ColumnType.TEXT, null, "text", "NULL", "\\N"));
        c.add(new Case("text backslash N", ColumnType.TEXT, "\\N", "text", "E'\\\\N'", "\\\\N"));
        c.add(new Case("text separators", ColumnType.TEXT, "a|b,c\\d", "text", "E'a|b,c\\\\d'", "a\\|b\\,c\\\\d"));
        c.add(new Case("text unicode and controls", ColumnType.TEXT, "héllo ✓\n\tend", "text", "E'héllo ✓\\n\\tend'", "héllo ✓\n\tend"));
        c.add(new Case("varchar", ColumnType.TEXT, "abc", "varchar(10)", "'abc'", "abc"));
        c.add(new Case("char padded", ColumnType.TEXT, "ab   ", "char(5)", "'ab'", "ab   "));
        // bytea: lower-case hex
        c.add(new Case("bytea", ColumnType.BYTES, new byte[] {0, (byte) 0xff, 0x10}, "bytea", "'\\x00ff10'::bytea", "00ff10"));
        c.add(new Case("bytea empty", ColumnType.BYTES, new byte[0], "bytea", "''::bytea", ""));
        c.add(new Case("bytea null", ColumnType.BYTES, null, "bytea", "NULL", "\\N"));
        // dates and timestamps: ISO, microseconds, UTC, clamped to the target's range like the sink does
        c.add(new Case("date", ColumnType.DATE, LocalDate.of(2024, 2, 29), "date", "'2024-02-29'", "2024-02-29"));
        c.add(new Case("date infinity", ColumnType.DATE, SpecialValue.POSITIVE_INFINITY, "date", "'infinity'", "2299-12-31"));
        c.add(new Case("date -infinity", ColumnType.DATE, SpecialValue.NEGATIVE_INFINITY, "date", "'-infinity'", "1900-01-01"));
        c.add(new Case("date year 1", ColumnType.DATE, LocalDate.of(1, 1, 1), "date", "'0001-01-01'", "1900-01-01"));
        c.add(new Case("date year 9999", ColumnType.DATE, LocalDate.of(9999, 12, 31), "date", "'9999-12-31'", "2299-12-31"));
        c.add(new Case("date BC", ColumnType.DATE, LocalDate.of(-43, 3, 15), "date", "'0044-03-15 BC'", "1900-01-01"));
        c.add(new Case("time", ColumnType.TIME, LocalTime.of(13, 14, 15, 500_000_000), "time", "'13:14:15.5'", "13:14:15.500000"));
        c.add(new Case("time 24:00", ColumnType.TIME, LocalTime.of(23, 59, 59, 999_999_000), "time", "'24:00:00'", "23:59:59.999999"));
        c.add(new Case("timetz", ColumnType.TIME, LocalTime.of(10, 0, 0, 250_000_000), "time with time zone", "'12:00:00.25+02'",
                "10:00:00.250000"));
        c.add(new Case("timetz west", ColumnType.TIME, LocalTime.of(4, 30), "time with time zone", "'01:00:00-03:30'", "04:30:00.000000"));
        c.add(new Case("timestamp", ColumnType.TIMESTAMP, LocalDateTime.of(2024, 1, 31, 12, 34, 56, 789_000_000), "timestamp",
                "'2024-01-31 12:34:56.789'", "2024-01-31 12:34:56.789000"));
        c.add(new Case("timestamp infinity", ColumnType.TIMESTAMP, SpecialValue.POSITIVE_INFINITY, "timestamp", "'infinity'",
                "2299-12-31 23:59:59.999999"));
        c.add(new Case("timestamp -infinity", ColumnType.TIMESTAMP, SpecialValue.NEGATIVE_INFINITY, "timestamp", "'-infinity'",
                "1900-01-01 00:00:00.000000"));
        c.add(new Case("timestamp year 1", ColumnType.TIMESTAMP, LocalDateTime.of(1, 1, 1, 0, 0), "timestamp", "'0001-01-01 00:00:00'",
                "1900-01-01 00:00:00.000000"));
        c.add(new Case("timestamp year 9999", ColumnType.TIMESTAMP, LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000), "timestamp",
                "'9999-12-31 23:59:59.999999'", "2299-12-31 23:59:59.999999"));
        c.add(new Case("timestamptz", ColumnType.TIMESTAMPTZ, Instant.parse("2024-01-31T10:34:56.789Z"), "timestamptz",
                "'2024-01-31 12:34:56.789+02'", "2024-01-31 10:34:56.789000"));
        c.add(new Case("timestamptz across midnight", ColumnType.TIMESTAMPTZ, Instant.parse("2000-01-01T04:59:59.999999Z"), "timestamptz",
                "'1999-12-31 23:59:59.999999-05'", "2000-01-01 04:59:59.999999"));
        c.add(new Case("timestamptz infinity", ColumnType.TIMESTAMPTZ, SpecialValue.POSITIVE_INFINITY, "timestamptz", "'infinity'",
                "2299-12-31 23:59:59.999999"));
        c.add(new Case("timestamptz -infinity", ColumnType.TIMESTAMPTZ, SpecialValue.NEGATIVE_INFINITY, "timestamptz", "'-infinity'",
                "1900-01-01 00:00:00.000000"));
        c.add(new Case("timestamptz year 1", ColumnType.TIMESTAMPTZ, Instant.parse("0001-01-01T00:00:00Z"), "timestamptz",
                "'0001-01-01 00:00:00+00'", "1900-01-01 00:00:00.000000"));
        c.add(new Case("timestamptz year 9999", ColumnType.TIMESTAMPTZ, Instant.parse("9999-12-31T23:59:59Z"), "timestamptz",
                "'9999-12-31 23:59:59+00'", "2299-12-31 23:59:59.999999"));
        c.add(new Case("timestamptz null", ColumnType.TIMESTAMPTZ, null, "timestamptz", "NULL", "\\N"));
        // interval: the ISO text the sink writes (PgInterval.toIso)
        c.add(new Case("interval", ColumnType.INTERVAL, new PgInterval(14, 3, 14_706_000_007L), "interval",
                "'1 year 2 months 3 days 04:05:06.000007'", "P1Y2M3DT4H5M6.000007S"));
        c.add(new Case("interval mixed signs", ColumnType.INTERVAL, new PgInterval(-14, 3, -359_693_999_993L), "interval",
                "'-1 year -2 months +3 days -100 hours +5 minutes +6.000007 seconds'", "P-1Y-2M3DT-99H-54M-53.999993S"));
        c.add(new Case("interval zero", ColumnType.INTERVAL, new PgInterval(0, 0, 0), "interval", "'0'", "PT0S"));
        c.add(new Case("interval -0.5 s", ColumnType.INTERVAL, new PgInterval(0, 0, -500_000), "interval", "'-0.5 seconds'", "PT-0.500000S"));
        c.add(new Case("interval infinity", ColumnType.INTERVAL, INFINITE_INTERVAL, "interval", "'infinity'", INFINITE_INTERVAL.toIso()));
        // uuid, json, enum, unknown
        c.add(new Case("uuid", ColumnType.UUID, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid",
                "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        c.add(new Case("json as written", ColumnType.JSON, "{\"b\": 1,  \"a\": [1, 2]}", "json", "'{\"b\": 1,  \"a\": [1, 2]}'",
                "{\"b\": 1\\,  \"a\": [1\\, 2]}"));
        c.add(new Case("jsonb normalized", ColumnType.JSON, "{\"a\": [1, 2], \"b\": 1}", "jsonb", "'{\"b\": 1,  \"a\": [1, 2]}'",
                "{\"a\": [1\\, 2]\\, \"b\": 1}"));
        c.add(new Case("enum", ENUM, "happy", PG_ENUM, "'happy'", "happy"));
        c.add(new Case("inet (unknown type)", new ColumnType.Unknown("inet"), "10.0.0.1", "inet", "'10.0.0.1/32'", "10.0.0.1"));
        c.add(new Case("point (unknown type)", new ColumnType.Unknown("point"), "(1,2)", "point", "'(1,2)'", "(1\\,2)"));
        // arrays: [..] with elements by the element rules, NULL elements marked, a NULL array is empty (the sink's rule)
        ColumnType ints = new ColumnType.ArrayOf(ColumnType.INT32);
        c.add(new Case("int[] with null", ints, Arrays.asList(1, null, 3), "integer[]", "'{1,NULL,3}'", "[1,\\N,3]"));
        c.add(new Case("int[] empty", ints, List.of(), "integer[]", "'{}'", "[]"));
        c.add(new Case("int[] null", ints, null, "integer[]", "NULL", "[]"));
        c.add(new Case("text[]", new ColumnType.ArrayOf(ColumnType.TEXT), Arrays.asList("a,b", null, "", "NULL", "x|y"), "text[]",
                "'{\"a,b\",NULL,\"\",\"NULL\",\"x|y\"}'", "[a\\,b,\\N,,NULL,x\\|y]"));
        c.add(new Case("char(3)[]", new ColumnType.ArrayOf(ColumnType.TEXT), List.of("a  "), "char(3)[]", "'{a}'", "[a  ]"));
        c.add(new Case("numeric(10,2)[] with NaN", new ColumnType.ArrayOf(dec), Arrays.asList(new BigDecimal("1.50"), SpecialValue.NAN),
                "numeric(10,2)[]", "'{1.5,NaN}'", "[1.5,\\N]"));
        c.add(new Case("numeric[] with NaN", new ColumnType.ArrayOf(ColumnType.NUMERIC), Arrays.asList(new BigDecimal("1.50"), SpecialValue.NAN),
                "numeric[]", "'{1.50,NaN}'", "[1.5,NaN]"));
        c.add(new Case("float8[]", new ColumnType.ArrayOf(ColumnType.FLOAT64), Arrays.asList(Double.NaN, 1.5d, Double.NEGATIVE_INFINITY),
                "double precision[]", "'{NaN,1.5,-Infinity}'", "[NaN,3ff8000000000000,fff0000000000000]"));
        c.add(new Case("bool[]", new ColumnType.ArrayOf(ColumnType.BOOL), Arrays.asList(true, null, false), "boolean[]", "'{t,NULL,f}'",
                "[t,\\N,f]"));
        c.add(new Case("date[]", new ColumnType.ArrayOf(ColumnType.DATE), Arrays.asList(SpecialValue.POSITIVE_INFINITY, LocalDate.of(2024, 1, 1)),
                "date[]", "'{infinity,2024-01-01}'", "[2299-12-31,2024-01-01]"));
        c.add(new Case("timestamptz[]", new ColumnType.ArrayOf(ColumnType.TIMESTAMPTZ),
                Arrays.asList(Instant.parse("2024-01-31T10:00:00Z"), null), "timestamptz[]", "'{\"2024-01-31 12:00:00+02\",NULL}'",
                "[2024-01-31 10:00:00.000000,\\N]"));
        c.add(new Case("time[]", new ColumnType.ArrayOf(ColumnType.TIME), List.of(LocalTime.of(23, 59, 59, 999_999_000)), "time[]",
                "'{24:00:00}'", "[23:59:59.999999]"));
        c.add(new Case("uuid[]", new ColumnType.ArrayOf(ColumnType.UUID),
                List.of(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")), "uuid[]", "'{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'",
                "[a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11]"));
        c.add(new Case("bytea[]", new ColumnType.ArrayOf(ColumnType.BYTES), Arrays.asList(new byte[] {1, (byte) 0xff}, null), "bytea[]",
                "ARRAY['\\x01ff'::bytea, NULL]", "[01ff,\\N]"));
        c.add(new Case("interval[]", new ColumnType.ArrayOf(ColumnType.INTERVAL), Arrays.asList(new PgInterval(0, 1, 0), null), "interval[]",
                "'{\"1 day\",NULL}'", "[P1D,\\N]"));
        c.add(new Case("enum[]", new ColumnType.ArrayOf(ENUM), List.of("sad", "happy"), PG_ENUM + "[]", "'{sad,happy}'", "[sad,happy]"));
        c.add(new Case("jsonb[]", new ColumnType.ArrayOf(ColumnType.JSON), List.of("{\"a\": 1}"), "jsonb[]", "ARRAY['{\"a\":1}'::jsonb]",
                "[{\"a\": 1}]"));
        return List.copyOf(c);
    }

    /** Equality of neutral values as the engine means it: arrays by content, lists element by element. */
    public static boolean sameNeutral(Object a, Object b) {
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!sameNeutral(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.deepEquals(a, b);
    }
}
