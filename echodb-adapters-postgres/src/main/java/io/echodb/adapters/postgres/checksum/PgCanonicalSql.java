package io.echodb.adapters.postgres.checksum;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * PostgreSQL expressions that render stored values in the canonical text of {@link CanonicalForm} (docs/CONSISTENCY.md):
 * what the engine decodes from PostgreSQL's text output and the ClickHouse sink stores, computed in SQL so rows never
 * leave the server. Assumes the session settings of {@code PgConnectionFactory} (TimeZone UTC).
 */
final class PgCanonicalSql {

    /** The NULL marker as an SQL literal. */
    static final String NULL = literal(CanonicalForm.NULL);

    /** What the engine stores for PostgreSQL 17's infinite intervals (decoded, then written as PgInterval.toIso()). */
    private static final String INFINITE_INTERVAL = literal(intervalIso("infinity"));
    private static final String MINUS_INFINITE_INTERVAL = literal(intervalIso("-infinity"));

    private PgCanonicalSql() {
    }

    /** Canonical text of a value of {@code type} held by the SQL expression {@code ref}; never NULL. */
    static String value(ColumnType type, String ref) {
        return value(type, ref, 0);
    }

    private static String value(ColumnType type, String ref, int depth) {
        if (type instanceof ColumnType.ArrayOf a) {
            // unnest flattens multi-dimensional arrays: their elements are rendered in storage order
            ColumnType element = a.element();
            while (element instanceof ColumnType.ArrayOf inner) {
                element = inner.element();
            }
            if (element instanceof ColumnType.Int16 || element instanceof ColumnType.Int32 || element instanceof ColumnType.Int64
                    || element instanceof ColumnType.Uuid || element instanceof ColumnType.Bool) {
                // the output text of these elements is already canonical: no per-element subquery
                return "('[' || coalesce(array_to_string(" + ref + ", ',', " + NULL + "), '') || ']')";
            }
            String e = "e" + depth;
            String o = "o" + depth;
            // a NULL array is stored as an empty one (ClickHouse arrays cannot be NULL)
            return "(CASE WHEN " + ref + " IS NULL THEN '[]' ELSE '[' || coalesce((SELECT string_agg("
                    + value(element, e, depth + 1) + ", ',' ORDER BY " + o + ")"
                    + " FROM unnest(" + ref + ") WITH ORDINALITY AS u" + depth + "(" + e + ", " + o + ")), '') || ']' END)";
        }
        return "(CASE WHEN " + ref + " IS NULL THEN " + NULL + " ELSE " + scalar(type, ref) + " END)";
    }

    private static String scalar(ColumnType type, String ref) {
        if (type instanceof ColumnType.Bool) {
            return "CASE WHEN " + ref + " THEN 't' ELSE 'f' END";
        } else if (type instanceof ColumnType.Int16 || type instanceof ColumnType.Int32 || type instanceof ColumnType.Int64
                || type instanceof ColumnType.Uuid) {
            return ref + "::text";
        } else if (type instanceof ColumnType.Float32) {
            // IEEE-754 bits: exact, and spelled the same by every side; all NaNs are one NaN (PostgreSQL's NaN = NaN)
            return "CASE WHEN " + ref + " = 'NaN'::real THEN 'NaN' ELSE encode(float4send(" + ref + "), 'hex') END";
        } else if (type instanceof ColumnType.Float64) {
            return "CASE WHEN " + ref + " = 'NaN'::float8 THEN 'NaN' ELSE encode(float8send(" + ref + "), 'hex') END";
        } else if (type instanceof ColumnType.Decimal d && d.precision() <= CanonicalForm.MAX_STORED_DECIMAL_PRECISION) {
            // a ClickHouse Decimal cannot hold NaN or infinity: the sink stores NULL
            return "CASE WHEN " + ref + "::text IN ('NaN', 'Infinity', '-Infinity') THEN " + NULL + " ELSE "
                    + trimmedDecimal(ref + "::text") + " END";
        } else if (type instanceof ColumnType.Decimal || type instanceof ColumnType.Numeric) {
            return trimmedDecimal(ref + "::text");
        } else if (type instanceof ColumnType.Bytes) {
            return "encode(" + ref + ", 'hex')";
        } else if (type instanceof ColumnType.Date) {
            return "to_char(least(greatest(" + ref + ", DATE '1900-01-01'), DATE '2299-12-31'), 'YYYY-MM-DD')";
        } else if (type instanceof ColumnType.Time) {
            // 24:00:00 is decoded as the day's last microsecond; a timetz is its UTC time of day (session zone is UTC,
            // so a plain time is unchanged by AT TIME ZONE)
            return "CASE WHEN " + ref + "::text = '24:00:00' THEN '23:59:59.999999' ELSE to_char(TIMESTAMP '2000-01-01' + ("
                    + ref + " AT TIME ZONE 'UTC')::time, 'HH24:MI:SS.US') END";
        } else if (type instanceof ColumnType.Timestamp) {
            return "to_char(least(greatest(" + ref + ", TIMESTAMP '1900-01-01 00:00:00'), TIMESTAMP '2299-12-31 23:59:59.999999'),"
                    + " 'YYYY-MM-DD HH24:MI:SS.US')";
        } else if (type instanceof ColumnType.TimestampTz) {
            return "to_char(least(greatest(" + ref + ", TIMESTAMPTZ '1900-01-01 00:00:00+00'),"
                    + " TIMESTAMPTZ '2299-12-31 23:59:59.999999+00') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
        } else if (type instanceof ColumnType.Interval) {
            return interval(ref);
        }
        // Text, Json, Enum, Unknown: the output text (concat keeps char(n) padding, unlike ::text), escaped
        return escaped("concat(" + ref + ")");
    }

    /** Canonical key text: the key columns in key order, joined by '|'. */
    static String keyText(TableSchema schema, Function<String, String> ref) {
        List<String> parts = new ArrayList<>();
        for (String k : schema.keyColumns()) {
            parts.add(value(schema.column(k).orElseThrow().type(), ref.apply(k)));
        }
        return join(parts);
    }

    /** Canonical row text: the scope's columns in schema order, joined by '|'. */
    static String rowText(Scope scope, Function<String, String> ref) {
        List<String> parts = new ArrayList<>();
        for (String c : scope.columns()) {
            parts.add(value(scope.schema().column(c).orElseThrow().type(), ref.apply(c)));
        }
        return join(parts);
    }

    /** The key hash (bigint, 0 .. 2^60-1): the first 15 hex digits of md5 of the UTF-8 text. */
    static String keyHash(String text, boolean utf8Server) {
        return "('x0' || substr(md5(" + utf8(text, utf8Server) + "), 1, 15))::bit(64)::bigint";
    }

    /** The row hash (bigint, two's complement of the first 16 hex digits of md5 of the UTF-8 text). */
    static String rowHash(String text, boolean utf8Server) {
        return "('x' || substr(md5(" + utf8(text, utf8Server) + "), 1, 16))::bit(64)::bigint";
    }

    /** An E'' literal: backslashes and quotes escaped, whatever standard_conforming_strings says. */
    static String literal(String text) {
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String utf8(String text, boolean utf8Server) {
        return utf8Server ? text : "convert_to(" + text + ", 'UTF8')";
    }

    private static String join(List<String> parts) {
        return String.join(" || '|' || ", parts);
    }

    private static String escaped(String text) {
        return "replace(replace(replace(" + text + ", E'\\\\', E'\\\\\\\\'), '|', E'\\\\|'), ',', E'\\\\,')";
    }

    /** Trailing fraction zeros and a trailing point removed (NaN and infinities have no point and stay). */
    private static String trimmedDecimal(String text) {
        return "CASE WHEN strpos(" + text + ", '.') > 0 THEN rtrim(rtrim(" + text + ", '0'), '.') ELSE " + text + " END";
    }

    /**
     * PgInterval.toIso() of the interval's months, days and microseconds: P[nY][nM][nD][T[nH][nM][n[.ffffff]S]], each
     * time part carrying the sign of the whole time field; PT0S for zero.
     */
    private static String interval(String ref) {
        String fields = "SELECT mo, d, us, abs(us) AS a, CASE WHEN us < 0 THEN '-' ELSE '' END AS sg FROM (SELECT"
                + " (extract(year FROM " + ref + ") * 12 + extract(month FROM " + ref + "))::bigint AS mo,"
                + " extract(day FROM " + ref + ")::bigint AS d,"
                + " ((extract(hour FROM " + ref + ") * 3600 + extract(minute FROM " + ref + ") * 60) * 1000000"
                + " + extract(microseconds FROM " + ref + "))::bigint AS us) f";
        String iso = "'P'"
                + " || CASE WHEN mo / 12 <> 0 THEN (mo / 12)::text || 'Y' ELSE '' END"
                + " || CASE WHEN mo % 12 <> 0 THEN (mo % 12)::text || 'M' ELSE '' END"
                + " || CASE WHEN d <> 0 THEN d::text || 'D' ELSE '' END"
                + " || CASE WHEN us = 0 THEN '' ELSE 'T'"
                + " || CASE WHEN a / 3600000000 <> 0 THEN sg || (a / 3600000000)::text || 'H' ELSE '' END"
                + " || CASE WHEN (a / 60000000) % 60 <> 0 THEN sg || ((a / 60000000) % 60)::text || 'M' ELSE '' END"
                + " || CASE WHEN (a / 1000000) % 60 <> 0 OR a % 1000000 <> 0 THEN sg || ((a / 1000000) % 60)::text"
                + " || CASE WHEN a % 1000000 <> 0 THEN '.' || lpad((a % 1000000)::text, 6, '0') ELSE '' END || 'S' ELSE '' END"
                + " END";
        return "CASE WHEN NOT isfinite(" + ref + ") THEN CASE WHEN " + ref + " > '0'::interval THEN " + INFINITE_INTERVAL
                + " ELSE " + MINUS_INFINITE_INTERVAL + " END"
                + " ELSE (SELECT CASE WHEN iso = 'P' THEN 'PT0S' ELSE iso END FROM (SELECT " + iso + " AS iso FROM (" + fields
                + ") x) y) END";
    }

    /** The text the sink writes for an interval PostgreSQL spells {@code text}, decoded the way the engine does. */
    private static String intervalIso(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return ((PgInterval) PgTextDecoders.forType(ColumnType.INTERVAL).decode(b, 0, b.length)).toIso();
    }
}
