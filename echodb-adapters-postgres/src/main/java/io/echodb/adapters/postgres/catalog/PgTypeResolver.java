package io.echodb.adapters.postgres.catalog;

import io.echodb.core.schema.ColumnType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a PostgreSQL type (OID + type modifier) to the neutral {@link ColumnType}. Built-in types are known by their
 * fixed OIDs and need no query; other types (enums, domains, citext, arrays of those, anything else) are looked up in
 * pg_type through the given connection and cached until {@link #forgetUserTypes()}. Thread-safe.
 *
 * <p>Rules: int2/4/8, float4/8, numeric(p,s) (unbounded, or a negative or oversized scale → unbounded numeric),
 * text/varchar/bpchar/name/citext → text, bytea, bool, date, time and timetz → time, timestamp, timestamptz, interval,
 * uuid, json/jsonb → json, enums (labels in sort order), domains → their base type, arrays of any of these → array;
 * anything else (and arrays of it) → unknown, carried as text.
 */
public final class PgTypeResolver {

    /** OIDs below this are assigned by initdb and never change. */
    static final int FIRST_NORMAL_OID = 16_384;

    private static final Map<Integer, String> BUILTIN_NAMES = new HashMap<>();
    private static final Map<Integer, Integer> BUILTIN_ARRAYS = new HashMap<>();

    static {
        builtin(16, "bool", 1000);
        builtin(17, "bytea", 1001);
        builtin(19, "name", 1003);
        builtin(20, "int8", 1016);
        builtin(21, "int2", 1005);
        builtin(23, "int4", 1007);
        builtin(25, "text", 1009);
        builtin(114, "json", 199);
        builtin(700, "float4", 1021);
        builtin(701, "float8", 1022);
        builtin(1042, "bpchar", 1014);
        builtin(1043, "varchar", 1015);
        builtin(1082, "date", 1182);
        builtin(1083, "time", 1183);
        builtin(1114, "timestamp", 1115);
        builtin(1184, "timestamptz", 1185);
        builtin(1186, "interval", 1187);
        builtin(1266, "timetz", 1270);
        builtin(1700, "numeric", 1231);
        builtin(2950, "uuid", 2951);
        builtin(3802, "jsonb", 3807);
    }

    private static void builtin(int oid, String name, int arrayOid) {
        BUILTIN_NAMES.put(oid, name);
        BUILTIN_ARRAYS.put(arrayOid, oid);
    }

    private final Map<Integer, TypeRow> rows = new HashMap<>();
    private final Map<Integer, List<String>> enumLabels = new HashMap<>();

    /** The logical type of values of type {@code oid} with modifier {@code typmod} (-1 when none). */
    public synchronized ColumnType resolve(Connection c, int oid, int typmod) throws SQLException {
        return resolve(c, oid, typmod, 0);
    }

    /** Drops cached information about non-built-in types (enum labels may have changed). */
    public synchronized void forgetUserTypes() {
        rows.clear();
        enumLabels.clear();
    }

    private ColumnType resolve(Connection c, int oid, int typmod, int depth) throws SQLException {
        if (depth > 16) {
            return new ColumnType.Unknown("oid " + Integer.toUnsignedString(oid));
        }
        String builtin = BUILTIN_NAMES.get(oid);
        if (builtin != null) {
            return builtinType(builtin, typmod);
        }
        Integer element = BUILTIN_ARRAYS.get(oid);
        if (element != null) {
            return new ColumnType.ArrayOf(builtinType(BUILTIN_NAMES.get(element), typmod));
        }
        TypeRow row = row(c, oid);
        if (row == null) {
            return new ColumnType.Unknown("oid " + Integer.toUnsignedString(oid));
        }
        switch (row.typtype) {
            case 'd':
                return resolve(c, row.baseType, typmod >= 0 ? typmod : row.baseTypmod, depth + 1);
            case 'e':
                return new ColumnType.Enum(row.schema + "." + row.name, labels(c, oid));
            default:
                break;
        }
        if (row.category == 'A' && row.element != 0 && row.name.startsWith("_")) {
            ColumnType el = resolve(c, row.element, typmod, depth + 1);
            return el instanceof ColumnType.Unknown ? new ColumnType.Unknown(row.name) : new ColumnType.ArrayOf(el);
        }
        if (row.name.equals("citext")) {
            return ColumnType.TEXT;
        }
        if (row.schema.equals("pg_catalog")) {
            return builtinType(row.name, typmod);
        }
        return new ColumnType.Unknown(row.name);
    }

    static ColumnType builtinType(String name, int typmod) {
        return switch (name) {
            case "bool" -> ColumnType.BOOL;
            case "int2" -> ColumnType.INT16;
            case "int4" -> ColumnType.INT32;
            case "int8" -> ColumnType.INT64;
            case "float4" -> ColumnType.FLOAT32;
            case "float8" -> ColumnType.FLOAT64;
            case "numeric" -> numeric(typmod);
            case "text", "varchar", "bpchar", "name", "citext" -> ColumnType.TEXT;
            case "bytea" -> ColumnType.BYTES;
            case "date" -> ColumnType.DATE;
            case "time", "timetz" -> ColumnType.TIME;
            case "timestamp" -> ColumnType.TIMESTAMP;
            case "timestamptz" -> ColumnType.TIMESTAMPTZ;
            case "interval" -> ColumnType.INTERVAL;
            case "uuid" -> ColumnType.UUID;
            case "json", "jsonb" -> ColumnType.JSON;
            default -> new ColumnType.Unknown(name);
        };
    }

    /** numeric typmod = ((precision << 16) | scale) + 4; the scale is an 11-bit signed number since PostgreSQL 15. */
    static ColumnType numeric(int typmod) {
        if (typmod < 4) {
            return ColumnType.NUMERIC;
        }
        int t = typmod - 4;
        int precision = (t >> 16) & 0xffff;
        int scale = ((t & 0x7ff) ^ 1024) - 1024;
        if (precision < 1 || precision > 1000 || scale < 0 || scale > precision) {
            return ColumnType.NUMERIC;
        }
        return new ColumnType.Decimal(precision, scale);
    }

    private TypeRow row(Connection c, int oid) throws SQLException {
        TypeRow cached = rows.get(oid);
        if (cached != null) {
            return cached;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, t.typname, t.typtype, t.typelem::bigint,"
                + " t.typbasetype::bigint, t.typtypmod, t.typcategory FROM pg_catalog.pg_type t"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?::oid")) {
            ps.setLong(1, Integer.toUnsignedLong(oid));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                TypeRow row = new TypeRow(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0),
                        (int) rs.getLong(4), (int) rs.getLong(5), rs.getInt(6), rs.getString(7).charAt(0));
                rows.put(oid, row);
                return row;
            }
        }
    }

    private List<String> labels(Connection c, int oid) throws SQLException {
        List<String> cached = enumLabels.get(oid);
        if (cached != null) {
            return cached;
        }
        List<String> labels = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = ?::oid ORDER BY enumsortorder")) {
            ps.setLong(1, Integer.toUnsignedLong(oid));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    labels.add(rs.getString(1));
                }
            }
        }
        List<String> result = List.copyOf(labels);
        enumLabels.put(oid, result);
        return result;
    }

    private record TypeRow(String schema, String name, char typtype, int element, int baseType, int baseTypmod,
                           char category) {
    }
}
