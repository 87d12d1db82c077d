package io.echodb.adapters.clickhouse;

import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;

/**
 * Maps neutral column types to ClickHouse column types. The rules, and why, are in docs/TYPE-MAPPING.md:
 * <ul>
 *   <li>bool→Bool, int2/4/8→Int16/32/64, float4/8→Float32/64, uuid→UUID, text/bytea/unknown→String,
 *       enum→LowCardinality(String), date→Date32, timestamp→DateTime64(6,'UTC') (wall clock read as UTC), timestamptz→DateTime64(6,'UTC');</li>
 *   <li>numeric(p,s)→Decimal(p,s) for p ≤ 76, else String; unbounded numeric→String (decimal text, lossless:
 *       no fixed scale holds every value);</li>
 *   <li>time→String ('HH:MM:SS.ffffff'), interval→String (ISO-8601 with months, days and time kept apart),
 *       json/jsonb→String, or JSON when the JSON flag is on;</li>
 *   <li>T[]→Array(Nullable(T')); arrays are never Nullable (ClickHouse forbids it): a NULL array is stored as [];</li>
 *   <li>nullable source columns→Nullable(T); Decimal columns are always Nullable (numeric NaN/±Infinity are stored as
 *       NULL); key columns are never Nullable, except nullable columns of a REPLICA IDENTITY FULL key (then the table
 *       gets {@code allow_nullable_key = 1}).</li>
 * </ul>
 */
public final class ClickHouseTypeMapper {

    /** The largest precision of ClickHouse's Decimal (Decimal256). */
    public static final int MAX_DECIMAL_PRECISION = 76;

    private final boolean jsonType;

    /** @param jsonType map json/jsonb to ClickHouse's JSON type (otherwise String) */
    public ClickHouseTypeMapper(boolean jsonType) {
        this.jsonType = jsonType;
    }

    /** The ClickHouse type holding values of {@code type}, without any Nullable wrapper. */
    public ChType baseType(ColumnType type) {
        if (type instanceof ColumnType.Bool) {
            return ChType.BOOL;
        } else if (type instanceof ColumnType.Int16) {
            return ChType.INT16;
        } else if (type instanceof ColumnType.Int32) {
            return ChType.INT32;
        } else if (type instanceof ColumnType.Int64) {
            return ChType.INT64;
        } else if (type instanceof ColumnType.Float32) {
            return ChType.FLOAT32;
        } else if (type instanceof ColumnType.Float64) {
            return ChType.FLOAT64;
        } else if (type instanceof ColumnType.Decimal d) {
            return d.precision() <= MAX_DECIMAL_PRECISION ? new ChType.Decimal(d.precision(), d.scale()) : ChType.STRING;
        } else if (type instanceof ColumnType.Date) {
            return ChType.DATE32;
        } else if (type instanceof ColumnType.Timestamp) {
            return new ChType.DateTime64(6, "UTC");
        } else if (type instanceof ColumnType.TimestampTz) {
            return new ChType.DateTime64(6, "UTC");
        } else if (type instanceof ColumnType.Uuid) {
            return ChType.UUID;
        } else if (type instanceof ColumnType.Json) {
            return jsonType ? ChType.JSON : ChType.STRING;
        } else if (type instanceof ColumnType.Enum) {
            return new ChType.LowCardinality(ChType.STRING);
        } else if (type instanceof ColumnType.ArrayOf a) {
            return new ChType.Array(elementType(a.element()));
        }
        // Numeric, Text, Bytes, Time, Interval, Unknown: text (or raw bytes) in a String.
        return ChType.STRING;
    }

    /** The SQL spelling of {@link #baseType}. */
    public String sql(ColumnType type) {
        return baseType(type).sql();
    }

    /** The type of {@code column} in the target table of {@code schema} (key-aware, see the class comment). */
    public ChType columnType(Column column, TableSchema schema) {
        boolean key = schema.keyColumns().contains(column.name());
        ChType base = baseType(column.type());
        if (key) {
            if (base.equals(ChType.JSON)) {
                base = ChType.STRING; // the JSON type cannot be part of a sorting key
            }
            return nullableKeyColumn(column, schema) ? ChType.nullable(base) : base;
        }
        boolean nullable = column.nullable() || base instanceof ChType.Decimal;
        return nullable ? ChType.nullable(base) : base;
    }

    /** True when the table needs {@code allow_nullable_key}: a REPLICA IDENTITY FULL key with nullable columns. */
    public boolean needsNullableKey(TableSchema schema) {
        return needsNullableKey(schema, schema.keyColumns());
    }

    /** {@link #needsNullableKey(TableSchema)} for a table sorted by {@code sortColumns} (a multiset's order_by). */
    public boolean needsNullableKey(TableSchema schema, java.util.List<String> sortColumns) {
        for (Column c : schema.columns()) {
            if (sortColumns.contains(c.name()) && nullableKeyColumn(c, schema) && !(baseType(c.type()) instanceof ChType.Array)) {
                return true;
            }
        }
        return false;
    }

    private static boolean nullableKeyColumn(Column column, TableSchema schema) {
        return column.nullable() && schema.identity() == ReplicaIdentity.FULL;
    }

    private ChType elementType(ColumnType element) {
        if (element instanceof ColumnType.ArrayOf inner) {
            return new ChType.Array(elementType(inner.element()));
        }
        ChType base = element instanceof ColumnType.Json ? ChType.STRING : baseType(element);
        return ChType.nullable(base);
    }
}
