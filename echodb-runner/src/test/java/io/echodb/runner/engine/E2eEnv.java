package io.echodb.runner.engine;

import io.echodb.runner.testing.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineSettings;
import io.echodb.core.replication.NativeMirrorEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One isolated world for an end-to-end test class: a fresh PostgreSQL database and a fresh ClickHouse database on the
 * shared real test services, a replication slot and publication named after the database (slots are cluster-wide, so
 * classes never share one), helpers to build engines over the real adapters and to look at both sides. Closing it
 * closes every engine built here, drops the slot and publication, and drops both databases.
 */
final class E2eEnv implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(E2eEnv.class);

    final PostgresTestService pg = PostgresTestService.get();
    final ClickHouseTestService ch = ClickHouseTestService.get();
    final String pgDb;
    final String chDb;
    final String slot;
    final String publication;
    private final List<Rig> rigs = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> afterRigs = new CopyOnWriteArrayList<>();

    private E2eEnv(String prefix) {
        this.pgDb = pg.createDatabase(prefix);
        this.chDb = ch.createDatabase(prefix);
        String base = pgDb.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        this.slot = trim("s_" + base);
        this.publication = trim("p_" + base);
        LOG.info("end-to-end env: PostgreSQL database {}, ClickHouse database {}, slot {}, publication {}", pgDb, chDb,
                slot, publication);
    }

    static E2eEnv create(String prefix) {
        return new E2eEnv(prefix);
    }

    private static String trim(String name) {
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    // ------------------------------------------------------------------ settings

    PgConnectionSettings pgSettings() {
        return PgConnectionSettings.of(pg.host(), pg.port(), pgDb, pg.user(), pg.password());
    }

    /** The same database reached through {@code proxy}. */
    PgConnectionSettings pgSettings(TcpProxy proxy) {
        return PgConnectionSettings.of(proxy.host(), proxy.port(), pgDb, pg.user(), pg.password());
    }

    ClickHouseSettings chSettings() {
        return ClickHouseSettings.of(ch.host(), ch.port(), chDb, ch.user(), ch.password());
    }

    /** The same database reached through {@code proxy}. */
    ClickHouseSettings chSettings(TcpProxy proxy) {
        return ClickHouseSettings.of(proxy.host(), proxy.port(), chDb, ch.user(), ch.password());
    }

    /** This class's slot and publication; small CTID ranges so that modest tables already copy in parallel. */
    PgReplicationConfig replicationConfig() {
        return PgReplicationConfig.defaults().withNames(slot, publication).withCopy(5000, 64);
    }

    /** Short ages and backoffs so that tests see results in well under a second. */
    static EngineSettings engineSettings() {
        return EngineSettings.defaults()
                .withMaxBatchAge(Duration.ofMillis(50))
                .withAckInterval(Duration.ofMillis(200))
                .withRetryBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
                .withControlTimeout(Duration.ofSeconds(20))
                .withSnapshotBatchRows(10_000)
                .withProgressLogInterval(Duration.ofSeconds(1));
    }

    /** Starts describing an engine over the real adapters of this environment. */
    Rig.Builder rig() {
        return new Rig.Builder(this);
    }

    void register(Rig rig) {
        rigs.add(rig);
    }

    /** Closes {@code resource} when the environment closes, after every engine (e.g. the proxies engines use). */
    void closeAfterEngines(AutoCloseable resource) {
        afterRigs.add(resource);
    }

    /** A PostgreSQL-side view of the slot, independent of any engine. */
    PgChangeSource directSource() {
        return new PgChangeSource(new PgConnectionFactory(pgSettings()), replicationConfig());
    }

    // ------------------------------------------------------------------ PostgreSQL side

    /** Runs each statement in its own transaction (autocommit). */
    void sql(String... statements) {
        try (Connection c = pg.connect(pgDb); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Runs all statements in one transaction. */
    void tx(String... statements) {
        try (Connection c = pg.connect(pgDb)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String s : statements) {
                    st.execute(s);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("transaction failed: " + e.getMessage(), e);
        }
    }

    long pgLong(String query) {
        return Long.parseLong(pgString(query));
    }

    String pgString(String query) {
        try (Connection c = pg.connect(pgDb); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + query + ": " + e.getMessage(), e);
        }
    }

    boolean slotExists() {
        return pgLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = " + pgLiteral(slot)) == 1;
    }

    boolean publicationExists() {
        return pgLong("SELECT count(*) FROM pg_publication WHERE pubname = " + pgLiteral(publication)) == 1;
    }

    /** The slot's confirmed_flush_lsn as PostgreSQL reports it (null when the slot does not exist). */
    String confirmedFlush() {
        return pgString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = " + pgLiteral(slot));
    }

    static String pgIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String pgTable(TableRef t) {
        return pgIdent(t.schema()) + "." + pgIdent(t.name());
    }

    static String pgLiteral(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    // ------------------------------------------------------------------ ClickHouse side

    /** Rows of a ClickHouse query in this environment's database, every value as its string (null for NULL). */
    List<List<String>> chRows(String query) {
        try (Connection c = ch.connect(chDb); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("ClickHouse query failed: " + query + ": " + e.getMessage(), e);
        }
    }

    String chString(String query) {
        List<List<String>> rows = chRows(query);
        assertThat(rows).as("rows of " + query).hasSize(1);
        return rows.get(0).get(0);
    }

    long chLong(String query) {
        return Long.parseLong(chString(query));
    }

    /** {@code `db`.`table`}. */
    String chTable(String table) {
        return chIdent(chDb) + "." + chIdent(table);
    }

    static String chIdent(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String chLiteral(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    boolean chTableExists(String table) {
        return chLong("SELECT count() FROM system.tables WHERE database = " + chLiteral(chDb) + " AND name = "
                + chLiteral(table)) == 1;
    }

    /** Column name to ClickHouse type, in table order. */
    Map<String, String> chColumnTypes(String table) {
        Map<String, String> types = new LinkedHashMap<>();
        for (List<String> row : chRows("SELECT name, type FROM system.columns WHERE database = " + chLiteral(chDb)
                + " AND table = " + chLiteral(table) + " ORDER BY position")) {
            types.put(row.get(0), row.get(1));
        }
        return types;
    }

    // ------------------------------------------------------------------ mirrors

    static TableRef table(String name) {
        return TableRef.of("public", name);
    }

    /** A mirror of {@code table} into a ClickHouse table of the same name. */
    static MirrorSpec spec(TableRef table) {
        return new MirrorSpec(MirrorName.forTable(table, false), table, table.name());
    }

    /** Waits until the mirror's copy is done (RUNNING); a FAILED or UNSUPPORTED mirror ends the wait with its reason. */
    static MirrorStatus awaitCopied(NativeMirrorEngine engine, MirrorName name, Duration timeout) {
        return Poll.value(timeout, name + " copied", () -> engine.status(name).filter(s -> {
            if (s.state() == MirrorState.FAILED || s.state() == MirrorState.UNSUPPORTED) {
                throw new AssertionError(name + " is " + s.state() + ": " + s.lastError());
            }
            return s.state() == MirrorState.RUNNING;
        }).orElse(null));
    }

    static MirrorStatus awaitState(NativeMirrorEngine engine, MirrorName name, MirrorState state, Duration timeout) {
        return Poll.value(timeout, name + " in state " + state, () -> engine.status(name)
                .filter(s -> s.state() == state).orElse(null));
    }

    /** Waits until ClickHouse shows exactly the source rows of {@code table} (with FINAL); returns the last reading. */
    TableComparison.Result awaitMirrored(TableRef table, Duration timeout) {
        return awaitMirrored(table, table.name(), timeout);
    }

    TableComparison.Result awaitMirrored(TableRef table, String target, Duration timeout) {
        TableComparison comparison = TableComparison.of(this, table, target);
        long deadline = System.nanoTime() + timeout.toNanos();
        TableComparison.Result last = null;
        RuntimeException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = comparison.read();
                if (last.matches()) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e; // e.g. the target table does not exist yet
            }
            Poll.pause(200);
        }
        if (last == null) {
            throw new AssertionError("could not compare " + table + " with ClickHouse table " + target, lastError);
        }
        throw new AssertionError("ClickHouse table " + target + " (FINAL) does not match " + table + " after "
                + timeout.toSeconds() + " s:\n" + last.describe(10));
    }

    // ------------------------------------------------------------------ cleanup

    @Override
    public void close() {
        List<Thread> closers = new ArrayList<>();
        for (Rig rig : rigs) {
            Thread t = new Thread(rig::close, "close-" + rig);
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable resource : afterRigs) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("could not close {}: {}", resource, e.toString());
            }
        }
        try {
            directSource().teardown();
        } catch (RuntimeException e) {
            LOG.warn("could not drop slot {} / publication {}: {}", slot, publication, e.toString());
        }
        try {
            pg.dropDatabase(pgDb);
        } catch (RuntimeException e) {
            LOG.warn("could not drop PostgreSQL database {}: {}", pgDb, e.toString());
        }
        try (Connection c = ch.connect("default"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + chIdent(chDb));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not drop ClickHouse database {}: {}", chDb, e.toString());
        }
    }
}
