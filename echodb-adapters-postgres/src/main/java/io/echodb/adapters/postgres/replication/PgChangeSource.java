package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import io.echodb.adapters.postgres.catalog.PgTableDescriber;
import io.echodb.adapters.postgres.catalog.PgTypeResolver;
import io.echodb.adapters.postgres.catalog.ReplicaIdentityCheck;
import io.echodb.adapters.postgres.snapshot.PgSnapshotSession;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.TableNotPublishableException;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL side of the native engine: one publication and one pgoutput slot per source database, streamed
 * with pgjdbc's replication API. Every method opens the connections it needs, so a restarted server is picked up by
 * the next call. Transient failures throw {@link io.echodb.core.port.out.SourceUnavailableException}; configuration
 * and privilege problems throw {@link PgSourceException} with a message that says what to change.
 */
public final class PgChangeSource implements ChangeSource {

    private static final int IDENTITY_LOCK_TIMEOUT_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(PgChangeSource.class);

    private final PgConnectionFactory connections;
    private final PgReplicationConfig config;
    private final PgTableDescriber describer = new PgTableDescriber(new PgTypeResolver());

    public PgChangeSource(PgConnectionSettings settings) {
        this(new PgConnectionFactory(settings), PgReplicationConfig.defaults());
    }

    public PgChangeSource(PgConnectionFactory connections, PgReplicationConfig config) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.config = Objects.requireNonNull(config, "config");
    }

    public PgReplicationConfig config() {
        return config;
    }

    @Override
    public Lsn prepare() {
        try (Connection c = connections.open()) {
            String walLevel = queryString(c, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw PgSourceException.walLevelNotLogical(walLevel);
            }
            KnownServerIssues.publicationCacheWarning(Integer.parseInt(queryString(c, "SHOW server_version_num")))
                    .ifPresent(LOG::warn);
            ensurePublication(c);
            ensureSlot(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, config.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String lsn = rs.getString(1);
                    return lsn == null ? Lsn.ZERO : Lsn.parse(lsn);
                }
            }
        } catch (SQLException e) {
            throw PgSql.translate("prepare replication slot " + config.slotName() + " and publication "
                    + config.publicationName(), e);
        }
    }

    private void ensurePublication(Connection c) throws SQLException {
        boolean viaRootSupported = majorVersion(c) >= 13;
        Boolean viaRoot = null;
        boolean exists = false;
        try (PreparedStatement ps = c.prepareStatement(viaRootSupported
                ? "SELECT pubviaroot FROM pg_catalog.pg_publication WHERE pubname = ?"
                : "SELECT true FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            ps.setString(1, config.publicationName());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    exists = true;
                    viaRoot = rs.getBoolean(1);
                }
            }
        }
        String pub = PgQuoting.ident(config.publicationName());
        try (Statement st = c.createStatement()) {
            if (!exists) {
                try {
                    st.execute("CREATE PUBLICATION " + pub
                            + (viaRootSupported ? " WITH (publish_via_partition_root = true)" : ""));
                    LOG.info("created publication {}", config.publicationName());
                } catch (SQLException e) {
                    if (!"42710".equals(e.getSQLState())) { // created concurrently: fine
                        throw e;
                    }
                }
            } else if (viaRootSupported && !viaRoot) {
                st.execute("ALTER PUBLICATION " + pub + " SET (publish_via_partition_root = true)");
            }
        }
    }

    private void ensureSlot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database, slot_type"
                + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String plugin = rs.getString(1);
                    String database = rs.getString(2);
                    if (!"pgoutput".equals(plugin) || !connections.settings().database().equals(database)) {
                        throw PgSourceException.slotPluginMismatch(config.slotName(), plugin, database);
                    }
                    return;
                }
            }
        }
        // the publication exists before the slot, so decoding from the slot's start always finds it
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, config.slotName());
            ps.execute();
            LOG.info("created logical replication slot {} (pgoutput)", config.slotName());
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                return; // created concurrently
            }
            if ("42501".equals(e.getSQLState())) {
                throw PgSourceException.missingReplicationPrivilege(connections.settings().user(), e);
            }
            if ("55000".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().contains("wal_level")) {
                throw PgSourceException.walLevelNotLogical(queryString(c, "SHOW wal_level"));
            }
            throw e;
        }
    }

    @Override
    public void publish(TableRef table) {
        try (Connection c = connections.open()) {
            Optional<String> problem = identityProblem(c, table);
            if (problem.isPresent()) {
                throw ReplicaIdentityCheck.refusal(table, problem.get());
            }
            if (isPublished(c, table)) {
                return;
            }
            try (Statement st = c.createStatement()) {
                // ONLY: an inheritance parent's children are other tables, maybe without a replica identity (for a
                // partitioned table ONLY changes nothing: its leaves are published through it).
                st.execute("ALTER PUBLICATION " + PgQuoting.ident(config.publicationName()) + " ADD TABLE ONLY "
                        + PgSql.quote(table));
                LOG.info("added {} to publication {}", table, config.publicationName());
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) { // already a member (concurrent publish): fine
                    throw e;
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                throw PgSourceException.tableNotFound(table.qualified());
            }
            throw PgSql.translate("add " + table + " to publication " + config.publicationName(), e);
        }
    }

    @Override
    public void unpublish(TableRef table, long relationId) {
        try (Connection c = connections.open()) {
            Optional<TableRef> member = publishedMember(c, table, relationId);
            if (member.isEmpty()) {
                return;
            }
            try (Statement st = c.createStatement()) {
                st.execute("ALTER PUBLICATION " + PgQuoting.ident(config.publicationName()) + " DROP TABLE "
                        + PgSql.quote(member.get()));
                LOG.info("removed {} from publication {}{}", member.get(), config.publicationName(),
                        member.get().equals(table) ? "" : " (the table mirrored as " + table + ", renamed since)");
            } catch (SQLException e) {
                if (!"42704".equals(e.getSQLState()) && !"42P01".equals(e.getSQLState())) { // gone concurrently
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw PgSql.translate("remove " + table + " from publication " + config.publicationName(), e);
        }
    }

    private static Optional<String> identityProblem(Connection c, TableRef table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::bigint FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PgSourceException.tableNotFound(table.qualified());
                }
                return PgTableDescriber.identityProblem(c, rs.getLong(1));
            }
        }
    }

    /** Whether the table itself is an explicit member of the publication (pg_publication_rel, by name). */
    public boolean isPublished(TableRef table) {
        try (Connection c = connections.open()) {
            return isPublished(c, table);
        } catch (SQLException e) {
            throw PgSql.translate("check publication " + config.publicationName(), e);
        }
    }

    private boolean isPublished(Connection c, TableRef table) throws SQLException {
        return publishedMember(c, table, TableSchema.UNKNOWN_RELATION).isPresent();
    }

    /**
     * The publication member that is relation {@code relationId} (by the name it has now), or the table named
     * {@code table} when the relation is not known; empty when it is not a member.
     */
    private Optional<TableRef> publishedMember(Connection c, TableRef table, long relationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname FROM pg_catalog.pg_publication_rel pr"
                + " JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
                + " JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE p.pubname = ? AND CASE WHEN ?::bigint = 0 THEN n.nspname = ? AND c.relname = ?"
                + " ELSE pr.prrelid = ?::bigint::oid END")) {
            ps.setString(1, config.publicationName());
            ps.setLong(2, relationId);
            ps.setString(3, table.schema());
            ps.setString(4, table.name());
            ps.setLong(5, relationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new TableRef(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    @Override
    public Optional<TableSchema> describe(TableRef table) {
        try (Connection c = connections.open()) {
            synchronized (describer) {
                return describer.describe(c, table);
            }
        } catch (SQLException e) {
            throw PgSql.translate("describe " + table, e);
        }
    }

    /**
     * {@code ALTER TABLE … REPLICA IDENTITY FULL} with a short lock timeout: the statement needs a brief exclusive lock,
     * and waiting behind a long transaction would queue the application's statements behind it. A timeout or a
     * missing privilege is a refusal naming the fix; the control plane tries again at its next reconciliation.
     */
    @Override
    public Optional<TableSchema> useFullReplicaIdentity(TableRef table) {
        try (Connection c = connections.open(); Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '" + IDENTITY_LOCK_TIMEOUT_MS + "ms'");
            try {
                st.execute("ALTER TABLE " + PgSql.quote(table) + " REPLICA IDENTITY FULL");
            } finally {
                st.execute("RESET lock_timeout");
            }
            LOG.info("set REPLICA IDENTITY FULL on key-less table {}", table);
            synchronized (describer) {
                return describer.describe(c, table);
            }
        } catch (SQLException e) {
            switch (String.valueOf(e.getSQLState())) {
                case "42P01" -> {
                    return Optional.empty();
                }
                case "42501", "55P03" -> throw TableNotPublishableException.of(table, "has no key, and REPLICA IDENTITY"
                        + " FULL could not be set (" + e.getMessage() + ")", "run ALTER TABLE " + table
                        + " REPLICA IDENTITY FULL as its owner, or add a primary key");
                default -> throw PgSql.translate("set REPLICA IDENTITY FULL on " + table, e);
            }
        }
    }

    @Override
    public SnapshotSession openSnapshot() {
        return PgSnapshotSession.open(connections, config);
    }

    @Override
    public ChangeStream openStream(Lsn from) {
        return PgChangeStream.open(connections, config, from);
    }

    @Override
    public long lagBytes() {
        try (Connection c = connections.open();
             PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),"
                     + " confirmed_flush_lsn)::bigint FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
            }
        } catch (SQLException e) {
            throw PgSql.translate("measure the lag of replication slot " + config.slotName(), e);
        }
    }

    @Override
    public Lsn currentLsn() {
        try (Connection c = connections.open()) {
            return Lsn.parse(queryString(c, "SELECT pg_catalog.pg_current_wal_lsn()::text"));
        } catch (SQLException e) {
            throw PgSql.translate("read the current WAL position", e);
        }
    }

    @Override
    public Lsn recreateSlot() {
        try (Connection c = connections.open()) {
            dropSlot(c);
            LOG.warn("dropped replication slot {} to create it again", config.slotName());
        } catch (SQLException e) {
            throw PgSql.translate("drop replication slot " + config.slotName() + " to create it again", e);
        }
        return prepare();
    }

    @Override
    public void teardown() {
        try (Connection c = connections.open()) {
            dropSlot(c);
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS " + PgQuoting.ident(config.publicationName()));
            }
            LOG.info("dropped replication slot {} and publication {}", config.slotName(), config.publicationName());
        } catch (SQLException e) {
            throw PgSql.translate("drop replication slot " + config.slotName() + " and publication "
                    + config.publicationName(), e);
        }
    }

    private void dropSlot(Connection c) throws SQLException {
        long deadline = System.nanoTime() + config.slotBusyTimeout().toNanos();
        while (true) {
            Integer activePid = null;
            boolean exists = false;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, config.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        int pid = rs.getInt(1);
                        activePid = rs.wasNull() ? null : pid;
                    }
                }
            }
            if (!exists) {
                return;
            }
            if (activePid != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_terminate_backend(?)")) {
                    ps.setInt(1, activePid);
                    ps.execute();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
                    ps.setString(1, config.slotName());
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    // 42704: dropped concurrently; 55006: became active again — loop
                    if ("42704".equals(e.getSQLState())) {
                        return;
                    }
                    if (!"55006".equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("replication slot " + config.slotName() + " stays active", "55006");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int majorVersion(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion();
    }
}
