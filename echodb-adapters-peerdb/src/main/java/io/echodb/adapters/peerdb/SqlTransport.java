package io.echodb.adapters.peerdb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Sends one statement to PeerDB's SQL interface over the PostgreSQL wire protocol, through {@code java.sql} only (the
 * driver comes from the runner's classpath). One short connection per statement: PeerDB commands are rare, and a
 * fresh connection never carries a broken session over. The driver properties keep pgjdbc from sending anything but
 * the statement itself: the simple query protocol (PeerDB's server parses statement text) and no start-up queries.
 */
final class SqlTransport {

    private final String url;
    private final Properties properties = new Properties();

    SqlTransport(PeerDbSettings.SqlEndpoint endpoint, PeerDbSettings.Timeouts timeouts) {
        this.url = endpoint.jdbcUrl();
        properties.setProperty("user", endpoint.user());
        properties.setProperty("password", endpoint.password());
        properties.setProperty("preferQueryMode", "simple");
        // >= 9.0 puts extra_float_digits and application_name into the start-up packet instead of SET statements.
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("ApplicationName", "echodb");
        properties.setProperty("connectTimeout", Long.toString(Math.max(1, timeouts.connect().toSeconds())));
        properties.setProperty("loginTimeout", Long.toString(Math.max(1, timeouts.connect().toSeconds())));
        properties.setProperty("socketTimeout", Long.toString(Math.max(1, timeouts.request().toSeconds())));
        properties.setProperty("tcpKeepAlive", "true");
    }

    /** Executes {@code sql}; throws the driver's exception unchanged for the caller to classify. */
    void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, properties); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
