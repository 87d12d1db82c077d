package io.echodb.adapters.postgres.state;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.TableSettings;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.MirrorRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native engine's mirror registry in the source database: table {@code "<schema>"."mirrors"} (schema
 * {@code _echodb} by default), created on first use. {@code updated_at} is a timestamptz for people; the
 * nanosecond part is kept in {@code updated_at_nanos} so records round-trip exactly.
 */
public final class PgCheckpointStore implements CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(PgCheckpointStore.class);
    /** Longer than any fenced write of a live leader takes; a holder of the fence row for longer is stalled. */
    private static final Duration STALLED_AFTER = Duration.ofSeconds(5);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    public static final String DEFAULT_SCHEMA = "_echodb";

    private final PgConnectionFactory connections;
    private final String schema;
    private final String table;
    private final String fenceTable;
    /** Null for an unfenced store; else the fence this store's writes must hold. */
    private final Fence fence;
    private volatile boolean ensured;

    /** A leader's claim: the fence named {@code name} (one per leadership lock) at {@code token}. */
    private record Fence(String name, long token) {
    }

    public PgCheckpointStore(PgConnectionFactory connections) {
        this(connections, DEFAULT_SCHEMA);
    }

    public PgCheckpointStore(PgConnectionFactory connections, String schema) {
        this(connections, schema, null);
    }

    private PgCheckpointStore(PgConnectionFactory connections, String schema, Fence fence) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.table = PgQuoting.ident(schema) + "." + PgQuoting.ident("mirrors");
        this.fenceTable = PgQuoting.ident(schema) + "." + PgQuoting.ident("leader_fence");
        this.fence = fence;
    }

    /**
     * The same store for a leader holding fencing {@code token} of the lock {@code fenceName} (I4): {@link #loadAll}
     * claims the fence (raises it to the token), and every save and delete checks it in its own transaction, so once a
     * newer leader has claimed a higher token, this store's writes fail with {@link FencedOutException} and change
     * nothing. Tokens only compare within one fence name (one leadership lock).
     */
    public PgCheckpointStore fencedBy(String fenceName, long token) {
        Objects.requireNonNull(fenceName, "fenceName");
        if (token <= 0) {
            throw new IllegalArgumentException("fencing token must be > 0, got " + token);
        }
        return new PgCheckpointStore(connections, schema, new Fence(fenceName, token));
    }

    @Override
    public List<MirrorRecord> loadAll() {
        List<MirrorRecord> out = new ArrayList<>();
        run("load mirror records", c -> {
            out.clear();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name, source_schema,"
                    + " source_table, target_table, state, snapshot_lsn::text, rows_synced, last_error, updated_at,"
                    + " updated_at_nanos, relation_oid, order_by, partition_by, exclude_columns, deletes,"
                    + " purge_after_seconds, copy_checkpoint FROM " + table)) {
                while (rs.next()) {
                    TableSettings settings = new TableSettings(textArray(rs, 12), rs.getString(13),
                            new LinkedHashSet<>(textArray(rs, 14)), DeleteMode.valueOf(rs.getString(15)),
                            Duration.ofSeconds(rs.getLong(16)));
                    MirrorSpec spec = new MirrorSpec(new MirrorName(rs.getString(1)),
                            new TableRef(rs.getString(2), rs.getString(3)), rs.getString(4), settings);
                    String lsn = rs.getString(6);
                    Instant stored = rs.getObject(9, OffsetDateTime.class).toInstant();
                    Instant at = Instant.ofEpochSecond(stored.getEpochSecond(), rs.getInt(10));
                    String copy = rs.getString(17);
                    out.add(new MirrorRecord(spec, MirrorState.valueOf(rs.getString(5)),
                            lsn == null ? null : Lsn.parse(lsn), rs.getLong(7), rs.getString(8), at, rs.getLong(11),
                            copy == null ? null : CopyCheckpoint.parse(copy)));
                }
            }
        });
        out.sort(Comparator.comparing(r -> r.spec().name()));
        return List.copyOf(out);
    }

    private static final String COLUMNS = "name, source_schema, source_table, target_table, state, snapshot_lsn,"
            + " rows_synced, last_error, updated_at, updated_at_nanos, relation_oid, order_by, partition_by,"
            + " exclude_columns, deletes, purge_after_seconds, copy_checkpoint";
    private static final String VALUES = "?, ?, ?, ?, ?, ?::pg_lsn, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    @Override
    public void save(MirrorRecord r) {
        Objects.requireNonNull(r, "record");
        run("save mirror record " + r.spec().name(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (" + VALUES
                    + ") ON CONFLICT (name) DO UPDATE SET source_schema = EXCLUDED.source_schema,"
                    + " source_table = EXCLUDED.source_table, target_table = EXCLUDED.target_table,"
                    + " state = EXCLUDED.state, snapshot_lsn = EXCLUDED.snapshot_lsn,"
                    + " rows_synced = EXCLUDED.rows_synced, last_error = EXCLUDED.last_error,"
                    + " updated_at = EXCLUDED.updated_at, updated_at_nanos = EXCLUDED.updated_at_nanos,"
                    + " relation_oid = EXCLUDED.relation_oid, order_by = EXCLUDED.order_by,"
                    + " partition_by = EXCLUDED.partition_by, exclude_columns = EXCLUDED.exclude_columns,"
                    + " deletes = EXCLUDED.deletes, purge_after_seconds = EXCLUDED.purge_after_seconds,"
                    + " copy_checkpoint = EXCLUDED.copy_checkpoint")) {
                bind(c, ps, r, 0);
                ps.executeUpdate();
            }
        });
    }

    /** One statement, so a crash leaves either record, never both or none. */
    @Override
    public void rename(MirrorName from, MirrorRecord renamed) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(renamed, "renamed");
        run("rename mirror record " + from + " to " + renamed.spec().name(), c -> {
            try (PreparedStatement ps = c.prepareStatement("WITH gone AS (DELETE FROM " + table + " WHERE name = ?"
                    + " RETURNING name) INSERT INTO " + table + " (" + COLUMNS + ") SELECT " + VALUES + " FROM gone")) {
                ps.setString(1, from.value());
                bind(c, ps, renamed, 1);
                if (ps.executeUpdate() == 0) {
                    throw MirrorNotFoundException.of(from);
                }
            }
        });
    }

    /** Sets the record's values as parameters {@code offset + 1} .. {@code offset + 17}, in {@link #COLUMNS} order. */
    private static void bind(Connection c, PreparedStatement ps, MirrorRecord r, int offset) throws SQLException {
        ps.setString(offset + 1, r.spec().name().value());
        ps.setString(offset + 2, r.spec().source().schema());
        ps.setString(offset + 3, r.spec().source().name());
        ps.setString(offset + 4, r.spec().targetTable());
        ps.setString(offset + 5, r.state().name());
        ps.setString(offset + 6, r.snapshotPoint() == null ? null : r.snapshotPoint().toString());
        ps.setLong(offset + 7, r.rowsSynced());
        ps.setString(offset + 8, r.lastError());
        // truncated, not rounded by the server, so the stored second is the record's second
        ps.setObject(offset + 9, r.updatedAt().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
        ps.setInt(offset + 10, r.updatedAt().getNano());
        ps.setLong(offset + 11, r.relationId());
        TableSettings settings = r.spec().settings();
        ps.setArray(offset + 12, c.createArrayOf("text", settings.orderBy().toArray()));
        ps.setString(offset + 13, settings.partitionBy());
        ps.setArray(offset + 14, c.createArrayOf("text", settings.excludedSorted().toArray()));
        ps.setString(offset + 15, settings.deletes().name());
        ps.setLong(offset + 16, settings.purgeAfter().toSeconds());
        ps.setString(offset + 17, r.copy() == null ? null : r.copy().encode());
    }

    @Override
    public void delete(MirrorName name) {
        Objects.requireNonNull(name, "name");
        run("delete mirror record " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE name = ?")) {
                ps.setString(1, name.value());
                ps.executeUpdate();
            }
        });
    }

    private void run(String what, SqlWork work) {
        SqlWork fenced = fence == null ? work : c -> {
            c.setAutoCommit(false);
            try {
                // A writer stalled inside this transaction (a paused process whose connection stays open) would hold
                // the fence row for ever and keep the next leader from claiming it: the server ends such a
                // transaction, and the next leader stops waiting for it after a while (see endStalledFenceHolders).
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config("
                        + "'idle_in_transaction_session_timeout', ?, true), pg_catalog.set_config('lock_timeout', ?, true)")) {
                    String after = STALLED_AFTER.toMillis() + "ms";
                    ps.setString(1, after);
                    ps.setString(2, after);
                    ps.executeQuery().close();
                }
                holdFence(c, what);
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        };
        try (Connection c = connections.open()) {
            ensureTable(c);
            try {
                fenced.run(c);
            } catch (SQLException e) {
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && fence != null) {
                    endStalledFenceHolders(c, what);
                    fenced.run(c);
                    return;
                }
                if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                    throw e;
                }
                // dropped behind our back: create it again once
                ensured = false;
                ensureTable(c);
                fenced.run(c);
            }
        } catch (SQLException e) {
            throw PgSql.translate(what, e);
        }
    }

    /**
     * The fence row stayed locked longer than any write of a live leader takes: its holder is a stalled writer (an
     * older leader paused mid-transaction). Its session is ended, as a new leader ends the walsender still holding the
     * slot; its transaction rolls back, and its later writes meet the raised fence.
     */
    private void endStalledFenceHolders(Connection c, String what) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, pg_catalog.pg_terminate_backend(a.pid)"
                + " FROM pg_catalog.pg_stat_activity a WHERE a.pid <> pg_catalog.pg_backend_pid()"
                + " AND a.state LIKE 'idle in transaction%' AND a.state_change < now() - ?::interval"
                + " AND a.pid IN (SELECT l.pid FROM pg_catalog.pg_locks l WHERE l.granted"
                + " AND l.relation = ?::regclass)")) {
            ps.setString(1, STALLED_AFTER.toMillis() / 2 + " milliseconds");
            ps.setString(2, fenceTable);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LOG.warn("{}: ended PostgreSQL session {}, a stalled writer holding the leader fence {}", what,
                            rs.getLong(1), fence.name());
                }
            }
        }
    }

    /**
     * Raises the fence to this store's token unless a newer leader holds it higher (then fails); the row stays locked
     * until the transaction ends, so a newer leader's claim waits for this write or comes before it, never between.
     */
    private void holdFence(Connection c, String what) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + fenceTable + " AS f (name, token) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token WHERE f.token <= EXCLUDED.token RETURNING token")) {
            ps.setString(1, fence.name());
            ps.setLong(2, fence.token());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        long current;
        try (PreparedStatement ps = c.prepareStatement("SELECT token FROM " + fenceTable + " WHERE name = ?")) {
            ps.setString(1, fence.name());
            try (ResultSet rs = ps.executeQuery()) {
                current = rs.next() ? rs.getLong(1) : -1;
            }
        }
        throw FencedOutException.superseded(what, fence.token(), current);
    }

    private static List<String> textArray(ResultSet rs, int column) throws SQLException {
        java.sql.Array array = rs.getArray(column);
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    private void ensureTable(Connection c) throws SQLException {
        if (ensured) {
            return;
        }
        String ddl = "CREATE SCHEMA IF NOT EXISTS " + PgQuoting.ident(schema) + ";"
                + " CREATE TABLE IF NOT EXISTS " + table + " ("
                + " name text PRIMARY KEY,"
                + " source_schema text NOT NULL,"
                + " source_table text NOT NULL,"
                + " target_table text NOT NULL,"
                + " state text NOT NULL,"
                + " snapshot_lsn pg_lsn,"
                + " rows_synced bigint NOT NULL DEFAULT 0,"
                + " last_error text,"
                + " updated_at timestamptz NOT NULL,"
                + " updated_at_nanos integer NOT NULL DEFAULT 0);"
                // added after the first release: records written before know no relation (0 = match by name)
                + " ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS relation_oid bigint NOT NULL DEFAULT 0;"
                // table settings (ECHODB_TABLES_FILE), fixed when the mirror was created; empty: the defaults
                + " ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS order_by text[] NOT NULL DEFAULT '{}',"
                + " ADD COLUMN IF NOT EXISTS partition_by text,"
                + " ADD COLUMN IF NOT EXISTS exclude_columns text[] NOT NULL DEFAULT '{}',"
                + " ADD COLUMN IF NOT EXISTS deletes text NOT NULL DEFAULT 'SOFT',"
                + " ADD COLUMN IF NOT EXISTS purge_after_seconds bigint NOT NULL DEFAULT 3600;"
                // how far an interrupted copy got (CopyCheckpoint's text form); null: nothing recorded
                + " ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS copy_checkpoint text;"
                // the highest fencing token any leader claimed, per leadership lock
                + " CREATE TABLE IF NOT EXISTS " + fenceTable + " (name text PRIMARY KEY, token bigint NOT NULL)";
        try (Statement st = c.createStatement()) {
            st.execute(ddl);
        } catch (SQLException e) {
            // two processes creating it at once: one loses with a unique violation on the catalog; it exists now
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
        ensured = true;
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(Connection c) throws SQLException;
    }
}
