package io.echodb.adapters.postgres.catalog;

import io.echodb.adapters.postgres.decode.RelationMessage;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds {@link TableSchema}s from pg_catalog, and from pgoutput Relation messages completed by the catalog, so both
 * paths give equal schemas for the same table.
 *
 * <p>Columns: attnum order, not dropped, no generated columns (pgoutput does not publish them by default).
 * Nullability from attnotnull. Key — the columns that identify a row in old tuples of updates and deletes:
 * REPLICA IDENTITY DEFAULT → the primary key (empty without one); USING INDEX → that index's key columns;
 * FULL → the primary key when there is one, else every column; NOTHING → empty (updates and deletes cannot be
 * identified, so the table is unsupported). Key columns are listed in index order.
 */
public final class PgTableDescriber {

    private final PgTypeResolver types;

    public PgTableDescriber(PgTypeResolver types) {
        this.types = Objects.requireNonNull(types, "types");
    }

    /** The table's current shape (ordinary or partitioned table), or empty when there is no such table. */
    public Optional<TableSchema> describe(Connection c, TableRef table) throws SQLException {
        types.forgetUserTypes();
        long oid;
        char replident;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::bigint, c.relreplident FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                oid = rs.getLong(1);
                replident = rs.getString(2).charAt(0);
            }
        }
        boolean generatedColumns = majorVersion(c) >= 12;
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, a.atttypid::bigint, a.atttypmod,"
                + " a.attnotnull, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
                + (generatedColumns ? " AND a.attgenerated = ''" : "") + " ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ColumnType type = types.resolve(c, (int) rs.getLong(2), rs.getInt(3));
                    columns.add(new Column(rs.getString(1), type, !rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        IndexKeys keys = indexKeys(c, oid);
        List<String> key = switch (replident) {
            case 'd' -> keys.primary;
            case 'i' -> keys.identity;
            case 'f' -> fullKey(c, oid, keys);
            default -> List.of();
        };
        // e.g. a DEFERRABLE primary key, or a partition without one: PostgreSQL cannot identify the rows, so the table
        // must not be published (its UPDATEs would fail) and is unsupported, with this reason, until it gets one.
        // A plain table without any key is not a source problem: the engine reports it, or mirrors it as a multiset.
        String problem = identityProblem(c, oid)
                .filter(p -> !(key.isEmpty() && replident == 'd' && ReplicaIdentityCheck.NO_PRIMARY_KEY.equals(p)))
                .map(p -> ReplicaIdentityCheck.refusal(table, p).getMessage())
                .orElse(null);
        return Optional.of(new TableSchema(table, columns, key, identity(replident), oid, problem));
    }

    /**
     * The schema announced by a Relation message: its columns and types (as sent), nullability and key order from
     * the catalog when it still matches (the catalog may be ahead of the stream; then the message wins).
     */
    public TableSchema fromRelation(Connection c, RelationMessage m) throws SQLException {
        types.forgetUserTypes();
        long oid = Integer.toUnsignedLong(m.relationId());
        int n = m.columns().size();
        List<String> formatted = formatTypes(c, m.columns());
        Map<String, Boolean> notNull = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, attnotnull FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    notNull.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        List<Column> columns = new ArrayList<>(n);
        List<String> flagged = new ArrayList<>();
        List<String> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RelationMessage.Column mc = m.columns().get(i);
            ColumnType type = types.resolve(c, mc.typeOid(), mc.typeModifier());
            columns.add(new Column(mc.name(), type, !notNull.getOrDefault(mc.name(), false), formatted.get(i)));
            all.add(mc.name());
            if (mc.key()) {
                flagged.add(mc.name());
            }
        }
        IndexKeys keys = indexKeys(c, oid);
        List<String> key;
        String problem = null;
        switch (m.replicaIdentity()) {
            case 'f' -> {
                List<String> full = fullKey(c, oid, keys);
                key = all.containsAll(full) ? full : List.of();
            }
            case 'd' -> key = sameSet(keys.primary, flagged) ? keys.primary : flagged;
            case 'i' -> key = sameSet(keys.identity, flagged) ? keys.identity : flagged;
            default -> key = List.of();
        }
        return new TableSchema(new TableRef(m.schema(), m.table()), columns, key, identity(m.replicaIdentity()), oid, problem);
    }

    /** Why PostgreSQL cannot identify the rows of relation {@code oid} in UPDATE and DELETE, or empty when it can. */
    public static Optional<String> identityProblem(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ReplicaIdentityCheck.problemSql("?::oid"))) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public static ReplicaIdentity identity(char relreplident) {
        return switch (relreplident) {
            case 'i' -> ReplicaIdentity.INDEX;
            case 'f' -> ReplicaIdentity.FULL;
            case 'n' -> ReplicaIdentity.NOTHING;
            default -> ReplicaIdentity.DEFAULT;
        };
    }

    private List<String> formatTypes(Connection c, List<RelationMessage.Column> cols) throws SQLException {
        Long[] oids = new Long[cols.size()];
        Integer[] mods = new Integer[cols.size()];
        for (int i = 0; i < oids.length; i++) {
            oids[i] = Integer.toUnsignedLong(cols.get(i).typeOid());
            mods[i] = cols.get(i).typeModifier();
        }
        List<String> out = new ArrayList<>(oids.length);
        if (oids.length == 0) {
            return out;
        }
        Array oidArray = c.createArrayOf("int8", oids);
        Array modArray = c.createArrayOf("int4", mods);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(x.o::oid, x.m)"
                + " FROM unnest(?::int8[], ?::int4[]) WITH ORDINALITY AS x(o, m, ord) ORDER BY x.ord")) {
            ps.setArray(1, oidArray);
            ps.setArray(2, modArray);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } finally {
            oidArray.free();
            modArray.free();
        }
        return out;
    }

    /**
     * The ClickHouse key of a REPLICA IDENTITY FULL table: its primary key, else the columns of a unique index that
     * identifies rows (valid, immediate, not partial, plain NOT NULL columns; the narrowest), else none: identical rows
     * cannot be told apart, and the table is key-less (reported, or mirrored as a multiset).
     */
    private static List<String> fullKey(Connection c, long relOid, IndexKeys keys) throws SQLException {
        if (!keys.primary.isEmpty()) {
            return keys.primary;
        }
        String keyAtts = majorVersion(c) >= 11 ? "i.indnkeyatts" : "i.indnatts";
        try (PreparedStatement ps = c.prepareStatement("SELECT array_agg(a.attname::text ORDER BY k.ord)"
                + " FROM pg_catalog.pg_index i"
                + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = ?::oid AND i.indisunique AND i.indimmediate AND i.indisvalid"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= " + keyAtts
                + " GROUP BY i.indexrelid HAVING bool_and(a.attnotnull) ORDER BY count(*), i.indexrelid LIMIT 1")) {
            ps.setLong(1, relOid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return List.of((String[]) rs.getArray(1).getArray());
                }
            }
        }
        return List.of();
    }

    private static IndexKeys indexKeys(Connection c, long relOid) throws SQLException {
        String keyAtts = majorVersion(c) >= 11 ? "i.indnkeyatts" : "i.indnatts";
        List<String> primary = new ArrayList<>();
        List<String> identity = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT i.indisprimary, i.indisreplident, a.attname"
                + " FROM pg_catalog.pg_index i"
                + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = ?::oid AND (i.indisprimary OR i.indisreplident) AND k.ord <= " + keyAtts
                + " ORDER BY i.indexrelid, k.ord")) {
            ps.setLong(1, relOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(1)) {
                        primary.add(rs.getString(3));
                    }
                    if (rs.getBoolean(2)) {
                        identity.add(rs.getString(3));
                    }
                }
            }
        }
        return new IndexKeys(List.copyOf(primary), List.copyOf(identity));
    }

    private static boolean sameSet(List<String> a, List<String> b) {
        return a.size() == b.size() && new HashSet<>(a).equals(new HashSet<>(b));
    }

    static int majorVersion(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion();
    }

    private record IndexKeys(List<String> primary, List<String> identity) {
    }
}
