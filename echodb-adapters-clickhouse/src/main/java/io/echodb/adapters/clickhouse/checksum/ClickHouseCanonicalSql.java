package io.echodb.adapters.clickhouse.checksum;

import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;

import io.echodb.adapters.clickhouse.ChType;
import io.echodb.adapters.clickhouse.ClickHouseTypeMapper;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.service.checksum.CanonicalForm;
import java.util.List;

/**
 * ClickHouse expressions that render stored values in the canonical text of {@link CanonicalForm}
 * (docs/CONSISTENCY.md), from the types the sink writes (docs/TYPE-MAPPING.md). Special values were already mapped by the
 * sink (clamped dates, NULL for a NaN decimal, [] for a NULL array), so most rules here are plain formatting. A column
 * whose stored type differs from what the mapper creates today (widened, or kept after a narrowing) is cast to that type
 * first.
 */
final class ClickHouseCanonicalSql {

    static final String NULL = literal(CanonicalForm.NULL);

    private final ClickHouseTypeMapper mapper;

    ClickHouseCanonicalSql(ClickHouseTypeMapper mapper) {
        this.mapper = mapper;
    }

    /** Canonical text of a column of neutral type {@code type} stored as {@code stored}, read by {@code ref}; never NULL. */
    String column(ColumnType type, ChType stored, String ref) {
        ChType expected = mapper.baseType(type);
        String value = ref;
        if (!stored.base().equals(expected.base())) {
            ChType target = stored.isNullable() ? ChType.nullable(expected) : expected;
            value = "CAST(" + ref + ", " + literal(target.sql()) + ")";
        }
        return value(type, stored.isNullable(), value, 0);
    }

    /** Canonical text of a value that may be NULL when {@code nullable}. */
    private String value(ColumnType type, boolean nullable, String ref, int depth) {
        if (type instanceof ColumnType.ArrayOf a) {
            String e = "e" + depth;
            // elements are Nullable(T), or arrays for nested arrays (which ClickHouse cannot make Nullable)
            boolean elementNullable = !(a.element() instanceof ColumnType.ArrayOf);
            return "concat('[', arrayStringConcat(arrayMap(" + e + " -> " + value(a.element(), elementNullable, e, depth + 1)
                    + ", " + ref + "), ','), ']')";
        }
        if (!nullable) {
            return scalar(type, ref);
        }
        return "if(isNull(" + ref + "), " + NULL + ", " + scalar(type, "assumeNotNull(" + ref + ")") + ")";
    }

    private String scalar(ColumnType type, String x) {
        if (type instanceof ColumnType.Bool) {
            return "if(" + x + ", 't', 'f')";
        } else if (type instanceof ColumnType.Float32) {
            return "if(isNaN(" + x + "), 'NaN', leftPad(lower(hex(reinterpretAsUInt32(" + x + "))), 8, '0'))";
        } else if (type instanceof ColumnType.Float64) {
            return "if(isNaN(" + x + "), 'NaN', leftPad(lower(hex(reinterpretAsUInt64(" + x + "))), 16, '0'))";
        } else if (type instanceof ColumnType.Decimal || type instanceof ColumnType.Numeric) {
            // Decimal prints without trailing zeros by default, a String holds the source's text: trim both alike
            return trimmedDecimal("toString(" + x + ")");
        } else if (type instanceof ColumnType.Bytes) {
            return "lower(hex(" + x + "))";
        } else if (type instanceof ColumnType.Timestamp || type instanceof ColumnType.TimestampTz) {
            return "toString(" + x + ", 'UTC')";
        } else if (type instanceof ColumnType.Text || type instanceof ColumnType.Json || type instanceof ColumnType.Enum
                || type instanceof ColumnType.Unknown) {
            return "replaceAll(replaceAll(replaceAll(toString(" + x + "), " + literal("\\") + ", " + literal("\\\\") + "), "
                    + literal("|") + ", " + literal("\\|") + "), " + literal(",") + ", " + literal("\\,") + ")";
        }
        // integers, Date32, UUID; time and interval are Strings already in canonical form
        return "toString(" + x + ")";
    }

    /** Canonical text of the given (type, stored type, reference) values joined by '|'. */
    static String join(List<String> parts) {
        return parts.size() == 1 ? parts.get(0) : "concat(" + String.join(", '|', ", parts) + ")";
    }

    /** The key hash (UInt64, 0 .. 2^60-1): the top 60 bits of md5's first 8 bytes. */
    static String keyHash(String text) {
        return "bitShiftRight(" + rowHash(text) + ", 4)";
    }

    /** The row hash (UInt64): md5's first 8 bytes, big-endian. */
    static String rowHash(String text) {
        return "reinterpretAsUInt64(reverse(substring(MD5(" + text + "), 1, 8)))";
    }

    private static String trimmedDecimal(String text) {
        return "if(position(" + text + ", '.') > 0, replaceRegexpOne(" + text + ", " + literal("\\.?0+$") + ", ''), " + text + ")";
    }
}
