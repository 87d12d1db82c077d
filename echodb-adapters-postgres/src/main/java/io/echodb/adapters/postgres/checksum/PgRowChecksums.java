package io.echodb.adapters.postgres.checksum;

import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.BucketDigest;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.snapshot.PgPositionedSnapshot;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.schema.TableSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The source side of the checksum comparison: canonical row digests computed by PostgreSQL itself
 * ({@link PgCanonicalSql}), so only bucket digests (or the rows of a few small buckets) cross the network. Each
 * reading runs in one REPEATABLE READ, READ ONLY transaction and reports the WAL insert position taken with its
 * snapshot, the point the target is then compared at. Tables are scanned once per reading (the key hash is computed,
 * not indexed). Thread-safe; one connection per reading.
 */
public final class PgRowChecksums implements RowChecksums {

    /** Alias of the key hash in the inner query; quoted, so it cannot collide with a plain column name. */
    private static final String KH = "\"#echodb_kh\"";

    private final PgConnectionFactory connections;
    private volatile Boolean utf8Server;

    public PgRowChecksums(PgConnectionFactory connections) {
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    public List<String> comparableColumns(TableSchema schema) {
        return schema.columnNames();
    }

    @Override
    public Digests bucketDigests(Query query, int childBits) {
        int depth = sameDepth(query.ranges());
        int bits = depth + childBits;
        if (childBits < 0 || bits > KEY_HASH_BITS) {
            throw new IllegalArgumentException("cannot split ranges of depth " + depth + " by " + childBits + " more bits");
        }
        return inSnapshot(query.scope().schema().table(), "digest rows of " + query.scope().schema().table(), (c, utf8) -> {
            String sql;
            if (isWholeTable(query)) {
                // one flat aggregate: the key hash is the grouping key (computed once), and the planner may scan in parallel
                TableSchema schema = query.scope().schema();
                sql = "SELECT " + PgCanonicalSql.keyHash(PgCanonicalSql.keyText(schema, PgQuoting::ident), utf8) + " >> "
                        + (KEY_HASH_BITS - bits) + ", count(*), sum("
                        + PgCanonicalSql.rowHash(PgCanonicalSql.rowText(query.scope(), PgQuoting::ident), utf8) + ")"
                        + " FROM " + PgSql.quote(schema.table()) + " GROUP BY 1";
            } else {
                sql = "SELECT x." + KH + " >> " + (KEY_HASH_BITS - bits) + ", count(*), sum("
                        + PgCanonicalSql.rowHash(PgCanonicalSql.rowText(query.scope(), outer()), utf8) + ")"
                        + " FROM (" + inner(query, utf8) + ") x" + where(query) + " GROUP BY 1";
            }
            List<BucketDigest> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    BigDecimal sum = rs.getBigDecimal(3);
                    // the sum of signed 64-bit hashes, kept modulo 2^64: its low 64 bits
                    out.add(new BucketDigest(new HashRange(bits, rs.getLong(1)), rs.getLong(2), sum.toBigInteger().longValue()));
                }
            }
            return out;
        }, (buckets, position) -> new Digests(buckets, position));
    }

    @Override
    public RowDigests rowDigests(Query query, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        return inSnapshot(query.scope().schema().table(), "read row digests of " + query.scope().schema().table(), (c, utf8) -> {
            String sql = "SELECT " + PgCanonicalSql.keyText(query.scope().schema(), outer()) + ", x." + KH + ", "
                    + PgCanonicalSql.rowHash(PgCanonicalSql.rowText(query.scope(), outer()), utf8)
                    + " FROM (" + inner(query, utf8) + ") x" + where(query) + " LIMIT " + limit;
            List<RowDigest> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(new RowDigest(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
            return out;
        }, (rows, position) -> new RowDigests(rows, position));
    }

    @Override
    public Optional<Lsn> currentPosition() {
        try (Connection c = connections.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Optional.of(Lsn.parse(rs.getString(1)));
        } catch (SQLException e) {
            throw PgSql.translate("read the current WAL position", e);
        }
    }

    /**
     * The scan of a part of the table: the key hash of every row (computed once: OFFSET 0 keeps the planner from
     * repeating it in the outer filter and grouping) next to the columns to hash.
     */
    private static String inner(Query query, boolean utf8) {
        TableSchema schema = query.scope().schema();
        StringBuilder sb = new StringBuilder("SELECT ")
                .append(PgCanonicalSql.keyHash(PgCanonicalSql.keyText(schema, PgQuoting::ident), utf8)).append(" AS ").append(KH);
        for (String c : query.scope().columns()) {
            sb.append(", ").append(PgQuoting.ident(c));
        }
        return sb.append(" FROM ").append(PgSql.quote(schema.table())).append(" OFFSET 0").toString();
    }

    private static Function<String, String> outer() {
        return c -> "x." + PgQuoting.ident(c);
    }

    private static boolean isWholeTable(Query query) {
        return query.ranges().size() == 1 && query.ranges().get(0).bits() == 0;
    }

    private static String where(Query query) {
        if (isWholeTable(query)) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (HashRange r : query.ranges()) {
            parts.add("x." + KH + " BETWEEN " + r.first() + " AND " + r.last());
        }
        return " WHERE " + String.join(" OR ", parts);
    }

    private static int sameDepth(List<HashRange> ranges) {
        int depth = ranges.get(0).bits();
        for (HashRange r : ranges) {
            if (r.bits() != depth) {
                throw new IllegalArgumentException("ranges of one digest query must have one depth: " + ranges);
            }
        }
        return depth;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(Connection c, boolean utf8Server) throws SQLException;
    }

    @FunctionalInterface
    private interface Result<T, R> {
        R of(T value, Optional<Lsn> position);
    }

    /** Runs {@code reader} in a REPEATABLE READ snapshot whose WAL insert position is read first. */
    private <T, R> R inSnapshot(TableRef table, String what, Reader<T> reader, Result<T, R> result) {
        PgPositionedSnapshot.Reading<T> r = PgPositionedSnapshot.read(connections, table, what,
                c -> reader.read(c, utf8Server(c)));
        return result.of(r.value(), Optional.of(r.position()));
    }

    /** md5 hashes the server's bytes: texts are converted to UTF-8 first unless the server already speaks it. */
    private boolean utf8Server(Connection c) throws SQLException {
        Boolean known = utf8Server;
        if (known == null) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_encoding")) {
                rs.next();
                known = "UTF8".equalsIgnoreCase(rs.getString(1));
            }
            utf8Server = known;
        }
        return known;
    }
}
