package io.echodb.adapters.postgres.ddl;

import io.echodb.adapters.postgres.catalog.ReplicaIdentityCheck;
import io.echodb.core.port.out.SourceUnavailableException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DDL capture without event triggers: compares the catalog with {@code known_tables} and writes what changed to the
 * same outbox the event triggers write, through the same functions, so {@link PgDdlEventSource} and everything after
 * it work unchanged. Each sweep is one transaction (events and the new record commit together, so a crash repeats a
 * sweep but never loses or doubles one), serialized across workers by a transaction-level advisory lock.
 *
 * <p>What it cannot do that the triggers do: act inside the application's DDL transaction. A table that loses its
 * replica identity leaves the publication at the next sweep, so for up to one sweep interval the application's UPDATE
 * and DELETE on it fail; DDL is reported within one interval instead of at commit. Thread-safe.
 */
public final class CatalogSweep implements AutoCloseable {

    /** What the last sweep did, for status pages. {@code lastError} is null after a successful sweep. */
    public record Status(Instant lastSweepAt, Duration lastDuration, long events, String lastError) { }

    /** What this mode cannot guarantee, said at start-up, in readiness details and in the docs. */
    public static final String LIMITS = "Without event triggers, DDL is seen within one sweep interval instead of inside"
            + " the DDL's transaction: a table that loses its replica identity (primary key dropped, identity set to"
            + " NOTHING) leaves the publication only at the next sweep, so until then — and while no EchoDB worker runs —"
            + " the application's UPDATE and DELETE on it fail; TRUNCATE of a single partition is seen only where this role may create triggers on it;"
            + " VACUUM FULL, CLUSTER and TRUNCATE look like rewrites in the catalog and make the table copy again.";

    private static final Logger LOG = LoggerFactory.getLogger(CatalogSweep.class);

    private final ConnectionFactory connections;
    private final DdlCaptureScript script;
    private final String schema;
    private final int[] lockKeys;
    private final Clock clock;
    private Connection connection;
    /** known_tables as of {@code cachedGeneration}; null generation: read it from the database. */
    private Long cachedGeneration;
    private List<CatalogTable> cachedKnown = List.of();
    private Long pendingGeneration;
    private List<CatalogTable> pendingKnown = List.of();
    private volatile Status status = new Status(null, Duration.ZERO, 0, null);

    public CatalogSweep(ConnectionFactory connections, DdlCaptureSettings settings, Clock clock) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.script = new DdlCaptureScript(Objects.requireNonNull(settings, "settings"));
        this.schema = settings.schema();
        this.lockKeys = sweepLockKeys(settings);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The transaction-level advisory lock a sweep holds: an install takes it too (waiting for a running sweep) before
     * it alters the capture tables, so the two never lock the same tables in opposite orders.
     */
    static int[] sweepLockKeys(DdlCaptureSettings settings) {
        return new int[] {"echodb_ddl_sweep".hashCode(), settings.schema().hashCode()};
    }

    public Status status() {
        return status;
    }

    /**
     * Compares the catalog with the record and writes an outbox event per change; returns how many steps ran (0 also
     * when another worker's sweep was running). Throws {@link SourceUnavailableException} when PostgreSQL cannot be
     * reached; the next sweep retries.
     */
    public synchronized int sweep() {
        Instant start = clock.instant();
        try {
            int steps = inTransaction(c -> {
                if (!tryLock(c)) {
                    return 0;
                }
                Long generation = generation(c);
                List<CatalogTable> known = generation != null && generation.equals(cachedGeneration) ? cachedKnown : known(c);
                CatalogDiff.Outcome diff = CatalogDiff.between(known, live(c));
                for (SweepStep step : diff.steps()) {
                    run(c, step);
                }
                if (!diff.recorded().isEmpty() || !diff.forgotten().isEmpty()) {
                    record(c, diff.recorded(), diff.forgotten());
                    generation = bumpGeneration(c);
                }
                pendingGeneration = generation;
                pendingKnown = applied(known, diff);
                if (diff.changed()) {
                    // the guard takes a member that lost its replica identity out of the publication
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT " + script.qualified(DdlCaptureScript.GUARD_FUNCTION) + "()");
                    }
                    LOG.info("DDL capture (catalog sweep): {}", describe(diff.steps()));
                }
                return diff.steps().size();
            });
            // the record as it is now committed: the next sweep reads it again only if another worker changed it
            cachedGeneration = pendingGeneration;
            cachedKnown = pendingKnown;
            status = new Status(clock.instant(), Duration.between(start, clock.instant()), status.events() + steps, null);
            return steps;
        } catch (RuntimeException e) {
            cachedGeneration = null;
            status = new Status(status.lastSweepAt(), status.lastDuration(), status.events(), e.getMessage());
            throw e;
        }
    }

    /**
     * Records the whole catalog once, without events, when no sweep ever did in this capture schema; later calls do
     * nothing, so DDL done while no worker ran is reported by the next sweep. Returns true when it recorded.
     */
    public synchronized boolean recordIfFirst() {
        return inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + lockKeys[0] + ", " + lockKeys[1] + ")");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + script.qualified(DdlCaptureScript.SWEEP_STATE))) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return false;
                    }
                }
            }
            List<CatalogTable> live = live(c);
            List<CatalogTable> known = known(c);
            List<Long> gone = known.stream().map(CatalogTable::oid)
                    .filter(oid -> live.stream().noneMatch(t -> t.oid() == oid)).toList();
            record(c, live.stream().map(t -> t.withDroppedNames(List.of())).toList(), gone);
            for (CatalogTable t : live) {
                if (t.partitioned()) {
                    // a TRUNCATE of one partition is not published through its root: watch the existing partitions too
                    run(c, new SweepStep.WatchPartitions(t.oid()));
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + script.qualified(DdlCaptureScript.SWEEP_STATE) + " (id) VALUES (1)");
            }
            LOG.info("DDL capture (catalog sweep): recorded {} tables", live.size());
            return true;
        });
    }

    @Override
    public synchronized void close() {
        closeConnection();
    }

    // ------------------------------------------------------------------ reading

    private List<CatalogTable> known(Connection c) throws SQLException {
        List<CatalogTable> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rel_oid::bigint, schema_name,"
                + " table_name, is_partition, root_oid::bigint, missing_attnums, col_attnums, col_names, dropped_names,"
                + " col_types, file_node::bigint, identity_problem, natts::int FROM "
                + script.qualified(DdlCaptureScript.KNOWN_TABLES))) {
            while (rs.next()) {
                out.add(new CatalogTable(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), false,
                        nullableLong(rs, 5), ints(rs.getArray(6)), ints(rs.getArray(7)), texts(rs.getArray(8)),
                        texts(rs.getArray(9)), rs.getArray(10) == null ? null : texts(rs.getArray(10)), nullableLong(rs, 11),
                        rs.getString(12), nullableInt(rs, 13)));
            }
        }
        return out;
    }

    private List<CatalogTable> live(Connection c) throws SQLException {
        String columns = "a.attnum IS NOT NULL";
        // type OID and modifier, plus each enum value's OID and label hash: a renamed value keeps its OID
        String typeSignature = "a.atttypid::text || ':' || a.atttypmod::text || coalesce(':' || (SELECT"
                + " string_agg(e.oid::text || '=' || md5(e.enumlabel::text), ',' ORDER BY e.oid) FROM pg_catalog.pg_enum e"
                + " WHERE e.enumtypid IN (a.atttypid, t.typelem)), '')";
        String sql = "SELECT rel.oid::bigint, n.nspname::text, rel.relname::text, rel.relispartition, rel.relkind = 'p',"
                + " CASE WHEN rel.relispartition THEN pg_catalog.pg_partition_root(rel.oid)::bigint END,"
                + " coalesce(array_agg(a.attnum ORDER BY a.attnum) FILTER (WHERE " + columns + " AND a.atthasmissing), '{}'),"
                + " coalesce(array_agg(a.attnum ORDER BY a.attnum) FILTER (WHERE " + columns + "), '{}'),"
                + " coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE " + columns + "), '{}'),"
                + " coalesce(array_agg(" + typeSignature + " ORDER BY a.attnum) FILTER (WHERE " + columns + "), '{}'),"
                + " rel.relfilenode::bigint, coalesce(" + ReplicaIdentityCheck.problemSql("rel.oid") + ", ''),"
                + " rel.relnatts::int"
                + " FROM pg_catalog.pg_class rel JOIN pg_catalog.pg_namespace n ON n.oid = rel.relnamespace"
                + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " WHERE rel.relkind IN ('r', 'p') AND rel.relpersistence <> 't' AND NOT " + script.ignoredSchema("n.nspname")
                + " GROUP BY rel.oid, n.nspname";
        List<CatalogTable> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(new CatalogTable(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5),
                        nullableLong(rs, 6), ints(rs.getArray(7)), ints(rs.getArray(8)), texts(rs.getArray(9)), List.of(),
                        texts(rs.getArray(10)), rs.getLong(11), rs.getString(12), rs.getInt(13)));
            }
        }
        return out;
    }

    /** The record's generation; null when no sweep state exists (nothing is cached then). */
    private Long generation(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT generation FROM "
                + script.qualified(DdlCaptureScript.SWEEP_STATE) + " WHERE id = 1")) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private Long bumpGeneration(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("UPDATE "
                + script.qualified(DdlCaptureScript.SWEEP_STATE) + " SET generation = generation + 1, last_sweep_at = now()"
                + " WHERE id = 1 RETURNING generation")) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    /** {@code known} after the diff's record was written. */
    private static List<CatalogTable> applied(List<CatalogTable> known, CatalogDiff.Outcome diff) {
        Map<Long, CatalogTable> byOid = new LinkedHashMap<>();
        known.forEach(t -> byOid.put(t.oid(), t));
        diff.forgotten().forEach(byOid::remove);
        diff.recorded().forEach(t -> byOid.put(t.oid(), t));
        return List.copyOf(byOid.values());
    }

    // ------------------------------------------------------------------ writing

    private void run(Connection c, SweepStep step) throws SQLException {
        if (step instanceof SweepStep.Emit e) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + script.qualified(DdlCaptureScript.EMIT_FUNCTION)
                    + "(?, ?, ?, ?, ?, ?, NULL, ?)")) {
                ps.setString(1, e.eventType());
                ps.setString(2, e.schema());
                ps.setString(3, e.table());
                ps.setString(4, e.oldSchema());
                ps.setString(5, e.oldName());
                ps.setString(6, e.reason());
                ps.setBoolean(7, e.partition());
                ps.execute();
            }
        } else if (step instanceof SweepStep.EmitRewrite r) {
            try (PreparedStatement ps = c.prepareStatement("SELECT "
                    + script.qualified(DdlCaptureScript.EMIT_REWRITE_FUNCTION) + "(CAST(? AS bigint)::oid, ?)")) {
                ps.setLong(1, r.oid());
                ps.setString(2, r.reason());
                ps.execute();
            }
        } else if (step instanceof SweepStep.WatchPartitions w) {
            try (PreparedStatement ps = c.prepareStatement("SELECT "
                    + script.qualified(DdlCaptureScript.WATCH_PARTITIONS_FUNCTION) + "(CAST(? AS bigint)::oid)")) {
                ps.setLong(1, w.rootOid());
                ps.execute();
            }
        }
    }

    private void record(Connection c, List<CatalogTable> rows, List<Long> forgotten) throws SQLException {
        String known = script.qualified(DdlCaptureScript.KNOWN_TABLES);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + known + " AS k (rel_oid, schema_name, table_name,"
                + " is_partition, root_oid, missing_attnums, col_attnums, col_names, dropped_names, col_types, file_node,"
                + " identity_problem, natts) VALUES (CAST(? AS bigint)::oid, ?, ?, ?, CAST(? AS bigint)::oid, ?, ?, ?, ?,"
                + " ?, CAST(? AS bigint)::oid, ?, ?) ON CONFLICT (rel_oid) DO UPDATE SET schema_name = EXCLUDED.schema_name,"
                + " table_name = EXCLUDED.table_name, is_partition = EXCLUDED.is_partition, root_oid = EXCLUDED.root_oid,"
                + " missing_attnums = EXCLUDED.missing_attnums, col_attnums = EXCLUDED.col_attnums,"
                + " col_names = EXCLUDED.col_names, dropped_names = EXCLUDED.dropped_names, col_types = EXCLUDED.col_types,"
                + " file_node = EXCLUDED.file_node, identity_problem = EXCLUDED.identity_problem,"
                + " natts = EXCLUDED.natts")) {
            for (CatalogTable t : rows) {
                ps.setLong(1, t.oid());
                ps.setString(2, t.schema());
                ps.setString(3, t.name());
                ps.setBoolean(4, t.partition());
                setLong(ps, 5, t.rootOid());
                ps.setArray(6, c.createArrayOf("int2", t.missingAttnums().stream().map(Integer::shortValue).toArray()));
                ps.setArray(7, c.createArrayOf("int2", t.attnums().stream().map(Integer::shortValue).toArray()));
                ps.setArray(8, c.createArrayOf("text", t.names().toArray()));
                ps.setArray(9, c.createArrayOf("text", t.droppedNames().toArray()));
                ps.setArray(10, t.columnTypes() == null ? null : c.createArrayOf("text", t.columnTypes().toArray()));
                setLong(ps, 11, t.fileNode());
                ps.setString(12, t.identityProblem());
                if (t.attnumsAllocated() == null) {
                    ps.setNull(13, java.sql.Types.SMALLINT);
                } else {
                    ps.setShort(13, t.attnumsAllocated().shortValue());
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + known + " WHERE rel_oid = CAST(? AS bigint)::oid")) {
            for (long oid : forgotten) {
                ps.setLong(1, oid);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private boolean tryLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_try_advisory_xact_lock(" + lockKeys[0] + ", " + lockKeys[1] + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(SqlWork<T> work) {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            c.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            closeConnection(); // a failed sweep starts over on a fresh connection
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState()) || "42883".equals(e.getSQLState())) {
                throw DdlCaptureNotInstalledException.of(schema, e);
            }
            throw DdlCaptureInstaller.failure("sweep the catalog for DDL", e);
        }
    }

    private Connection connection() {
        if (connection == null) {
            try {
                Connection c = connections.connect();
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'echodb-ddl-sweep'");
                    st.execute("SET idle_in_transaction_session_timeout = '10s'");
                    st.execute("SET statement_timeout = '30s'");
                }
                connection = c;
            } catch (SQLException e) {
                throw SourceUnavailableException.of("connect to sweep the catalog for DDL", e);
            }
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
            connection = null;
        }
    }

    private static String describe(List<SweepStep> steps) {
        List<String> parts = new ArrayList<>();
        for (SweepStep s : steps) {
            if (s instanceof SweepStep.Emit e) {
                parts.add(e.eventType() + " " + e.schema() + "." + e.table()
                        + (e.oldName() == null ? "" : " (was " + e.oldSchema() + "." + e.oldName() + ")"));
            } else if (s instanceof SweepStep.EmitRewrite r) {
                parts.add("copy again table " + r.oid() + ": " + r.reason());
            }
        }
        return String.join(", ", parts);
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static List<Integer> ints(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        return Arrays.stream(values).map(v -> ((Number) v).intValue()).toList();
    }

    private static List<String> texts(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }
}
