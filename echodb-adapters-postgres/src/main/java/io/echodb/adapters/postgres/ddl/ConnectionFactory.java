package io.echodb.adapters.postgres.ddl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens a new pgjdbc connection to the source database; each call returns a fresh connection the caller owns.
 * Put connect and socket timeouts into the URL or properties ({@code connectTimeout}, {@code socketTimeout}).
 */
@FunctionalInterface
public interface ConnectionFactory {

    Connection connect() throws SQLException;

    /** A factory backed by {@link DriverManager}; {@code properties} (user, password, timeouts) are copied. */
    static ConnectionFactory of(String jdbcUrl, Properties properties) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Properties copy = new Properties();
        copy.putAll(properties);
        return () -> DriverManager.getConnection(jdbcUrl, copy);
    }
}
