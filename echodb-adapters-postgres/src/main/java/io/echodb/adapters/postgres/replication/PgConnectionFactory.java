package io.echodb.adapters.postgres.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * Opens pgjdbc connections to the source: normal ones and logical replication ones. Every connection gets the same
 * session settings, so values are rendered identically by pgoutput (in the walsender) and by COPY (in a backend):
 * ISO dates, UTC time zone, ISO 8601 intervals, round-trip floats and hex bytea.
 */
public final class PgConnectionFactory {

    /** Startup options; repeated as explicit SETs because pgjdbc's own startup TimeZone would otherwise win. */
    static final String SESSION_OPTIONS =
            "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c bytea_output=hex";
    private static final String SESSION_SETS = "SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; "
            + "SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; SET bytea_output = 'hex'";

    private static final Driver DRIVER = new Driver();

    private final PgConnectionSettings settings;
    private final String applicationName;

    public PgConnectionFactory(PgConnectionSettings settings) {
        this(settings, "echodb");
    }

    public PgConnectionFactory(PgConnectionSettings settings, String applicationName) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
    }

    public PgConnectionSettings settings() {
        return settings;
    }

    /** A normal autocommit connection with the deterministic session settings. */
    public Connection open() throws SQLException {
        return connect(baseProperties());
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
        return connect(props);
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

    private Connection connect(Properties props) throws SQLException {
        Connection c = DRIVER.connect(settings.jdbcUrl(), props);
        if (c == null) {
            throw new SQLException("pgjdbc refused the URL " + settings.jdbcUrl(), "08001");
        }
        try (Statement st = c.createStatement()) {
            st.execute(SESSION_SETS);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    static void closeQuietly(AutoCloseable c) {
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
