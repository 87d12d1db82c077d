package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;

import io.echodb.adapters.postgres.testing.PostgresTestService;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh database on the shared test server, with helpers to run SQL and build the adapters' factories. */
public final class PgTestDatabase {

    private final PostgresTestService pg;
    private final String name;

    private PgTestDatabase(PostgresTestService pg, String name) {
        this.pg = pg;
        this.name = name;
    }

    public static PgTestDatabase create(String prefix) {
        PostgresTestService pg = PostgresTestService.get();
        return new PgTestDatabase(pg, pg.createDatabase(prefix));
    }

    public PostgresTestService server() {
        return pg;
    }

    public String name() {
        return name;
    }

    public PgConnectionSettings settings() {
        return PgConnectionSettings.of(pg.host(), pg.port(), name, pg.user(), pg.password());
    }

    public PgConnectionFactory connections() {
        return new PgConnectionFactory(settings());
    }

    public Connection connect() {
        return pg.connect(name);
    }

    /** Runs each statement in autocommit mode. */
    public void sql(String... statements) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    public long queryLong(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    public String queryString(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Drops the database (and its inactive slots). */
    public void drop() {
        pg.dropDatabase(name);
    }
}
