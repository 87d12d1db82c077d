package io.echodb.adapters.postgres.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import javax.sql.DataSource;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * Opens pgjdbc connections to the source: normal ones and logical replication ones. Every connection gets the same
 * session settings, so values are rendered identically by pgoutput (in the walsender) and by COPY (in a backend):
 * ISO dates, UTC time zone, ISO 8601 intervals, round-trip floats and hex bytea.
 *
 * <p>{@link #pooled} makes {@link #open()} borrow from a HikariCP pool, which bounds every wait for a connection by the
 * pool's acquire timeout (no caller holding the engine lock waits out a 10 s connect timeout) and stops opening a
 * connection per call. Borrowed connections must leave no session state behind (autocommit is reset by the pool;
 * {@code SET LOCAL}/{@code set_config(…, true)} end with the transaction); isolation and read-only are set inside the
 * transaction ({@code SET TRANSACTION …}), never with pgjdbc's setters, which send {@code SET SESSION CHARACTERISTICS}
 * before {@code BEGIN}: a transaction-mode pooler runs that on another server connection. Code that sets session
 * state, holds a connection for long or opens transactions with SQL {@code BEGIN} uses {@link #openDedicated()}.
 */
public final class PgConnectionFactory implements AutoCloseable {

    /** The session settings, in order: the same on every connection. */
    private static final List<Map.Entry<String, String>> SETTINGS = List.of(Map.entry("DateStyle", "ISO"),
            Map.entry("TimeZone", "UTC"), Map.entry("IntervalStyle", "iso_8601"), Map.entry("extra_float_digits", "3"),
            Map.entry("bytea_output", "hex"));
    /** Startup options; repeated as explicit SETs because pgjdbc's own startup TimeZone would otherwise win. */
    static final String SESSION_OPTIONS = settings(e -> "-c " + e.getKey() + "=" + e.getValue(), " ");
    private static final String SESSION_SETS = settings(e -> "SET " + e.getKey() + " = '" + e.getValue() + "'", "; ");
    /**
     * The session settings for the current transaction only: what pooled work that renders values as text runs first
     * in its transaction, since through a transaction-mode pooler its connection has only {@link #POOLER_SESSION_SETS}.
     */
    public static final String TRANSACTION_SETS = settings(e -> "SET LOCAL " + e.getKey() + " = '" + e.getValue() + "'", "; ");
    private static final String POOLER_SESSION_SETS = "SET DateStyle = 'ISO'; SET TimeZone = 'UTC'";

    private static final Driver DRIVER = new Driver();

    private static String settings(Function<Map.Entry<String, String>, String> render, String separator) {
        return SETTINGS.stream().map(render).collect(Collectors.joining(separator));
    }

    private final PgConnectionSettings settings;
    private final String applicationName;
    private final PgPoolSettings poolSettings;
    private HikariDataSource pool;
    private boolean closed;

    public PgConnectionFactory(PgConnectionSettings settings) {
        this(settings, "echodb");
    }

    public PgConnectionFactory(PgConnectionSettings settings, String applicationName) {
        this(settings, applicationName, null);
    }

    private PgConnectionFactory(PgConnectionSettings settings, String applicationName, PgPoolSettings poolSettings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
        this.poolSettings = poolSettings;
    }

    /** A factory whose {@link #open()} borrows from a pool (created at the first borrow); {@link #close()} closes it. */
    public static PgConnectionFactory pooled(PgConnectionSettings settings, String applicationName, PgPoolSettings pool) {
        return new PgConnectionFactory(settings, applicationName, Objects.requireNonNull(pool, "pool"));
    }

    public PgConnectionSettings settings() {
        return settings;
    }

    /**
     * A normal autocommit connection with the deterministic session settings: borrowed from the pool when there is
     * one (closing returns it), else opened.
     */
    public Connection open() throws SQLException {
        if (poolSettings == null) {
            return openDedicated();
        }
        try {
            return pool().getConnection();
        } catch (SQLException e) {
            // the pool's time-out says only that no connection came; a TLS refusal behind it says why
            throw PgTlsException.causeOf(e).orElseThrow(() -> e);
        }
    }

    /**
     * A connection of its own (never pooled), to the server itself (past a pooler, see
     * {@link PgConnectionSettings#directHost()}): for session state, long holds and SQL-level transactions.
     */
    public Connection openDedicated() throws SQLException {
        return connect(settings.directJdbcUrl(), baseProperties(), SESSION_SETS);
    }

    /**
     * What the pool holds: like a dedicated connection, or, when the settings name a pooler, a connection through it
     * that a transaction-mode pooler accepts — no startup {@code options} (PgBouncer refuses unknown startup
     * parameters), no server-side prepared statements (a transaction-mode pooler may run the next statement on another
     * server connection; PgBouncer before 1.21 does not carry them over) and only pooler-tracked session settings.
     */
    private Connection openForPool() throws SQLException {
        if (!settings.throughPooler()) {
            return openDedicated();
        }
        Properties props = baseProperties();
        props.remove(PGProperty.OPTIONS.getName());
        PGProperty.PREPARE_THRESHOLD.set(props, 0);
        return connect(settings.jdbcUrl(), props, POOLER_SESSION_SETS);
    }

    private synchronized HikariDataSource pool() throws SQLException {
        if (closed) {
            throw new SQLException("the PostgreSQL connection pool is closed", "08003");
        }
        if (pool == null) {
            pool = new HikariDataSource(poolConfig(new DedicatedConnections(), poolSettings));
        }
        return pool;
    }

    /** The pool's configuration over {@code connections}. */
    static HikariConfig poolConfig(DataSource connections, PgPoolSettings poolSettings) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("echodb-postgres");
        c.setDataSource(connections);
        c.setMaximumPoolSize(poolSettings.maxSize());
        c.setMinimumIdle(1);
        c.setConnectionTimeout(poolSettings.acquireTimeout().toMillis());
        c.setValidationTimeout(Math.max(250, Math.min(poolSettings.acquireTimeout().toMillis() - 1, 2_000)));
        c.setIdleTimeout(poolSettings.idleTimeout().toMillis());
        c.setMaxLifetime(poolSettings.maxLifetime().toMillis());
        c.setInitializationFailTimeout(-1); // start without PostgreSQL; borrowers wait at most acquireTimeout
        c.setAutoCommit(true);
        // Stated, not detected: HikariCP reads the default from the pool's first connection, and when PostgreSQL drops
        // that connection during the read (a restart) it goes on with level -1 and fails every later connection
        // ("Transaction isolation level -1 not supported") for the life of the pool (schema chaos seed 986424865).
        c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        return c;
    }

    /** Closes the pool (borrowed connections are closed as they come back); dedicated connections are the callers'. */
    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.close();
        }
    }

    /** What the pool opens its connections with (see {@link #openForPool()}). */
    private final class DedicatedConnections implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return openForPool();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return openForPool();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // pgjdbc logs through java.util.logging
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // the connect timeout is set on every connection
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no parent logger");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    /**
     * A {@code replication=database} connection (simple query protocol) for START_REPLICATION and
     * CREATE_REPLICATION_SLOT; it also accepts plain SQL.
     */
    public Connection openReplication() throws SQLException {
        Properties props = baseProperties();
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return connect(settings.directJdbcUrl(), props, SESSION_SETS);
    }

    private Properties baseProperties() {
        Properties props = new Properties();
        PGProperty.CONNECT_TIMEOUT.set(props, 10);
        PGProperty.TCP_KEEP_ALIVE.set(props, true);
        PGProperty.APPLICATION_NAME.set(props, applicationName);
        for (Map.Entry<String, String> p : settings.parameters().entrySet()) {
            props.setProperty(p.getKey(), p.getValue());
        }
        String userOptions = props.getProperty(PGProperty.OPTIONS.getName());
        PGProperty.OPTIONS.set(props, userOptions == null || userOptions.isBlank()
                ? SESSION_OPTIONS : userOptions + " " + SESSION_OPTIONS);
        PGProperty.USER.set(props, settings.user());
        PGProperty.PASSWORD.set(props, settings.password());
        return props;
    }

    private Connection connect(String url, Properties props, String sessionSets) throws SQLException {
        Connection c;
        try {
            c = DRIVER.connect(url, props);
        } catch (SQLException e) {
            throw PgTlsException.explain(e, url, props).orElse(e);
        }
        if (c == null) {
            throw new SQLException("pgjdbc refused the URL " + url, "08001");
        }
        try (Statement st = c.createStatement()) {
            st.execute(sessionSets);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    /** Closes {@code c} ignoring failures: for cleanup after the error that matters. */
    public static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after a failure: the first error is the one that matters
        }
    }
}
