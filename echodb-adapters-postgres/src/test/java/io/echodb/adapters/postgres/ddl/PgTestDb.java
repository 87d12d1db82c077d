package io.echodb.adapters.postgres.ddl;

import io.echodb.adapters.postgres.testing.PostgresTestService;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A fresh database on the shared test server, with small helpers for running SQL in tests. */
public final class PgTestDb implements AutoCloseable {

    private final PostgresTestService pg;
    private final String database;

    private PgTestDb(PostgresTestService pg, String database) {
        this.pg = pg;
        this.database = database;
    }

    public static PgTestDb create(String prefix) {
        PostgresTestService pg = PostgresTestService.get();
        return new PgTestDb(pg, pg.createDatabase(prefix));
    }

    public String name() {
        return database;
    }

    public PostgresTestService server() {
        return pg;
    }

    /** Connections as the server's superuser through the production code path (DriverManager). */
    public ConnectionFactory connections() {
        return ConnectionFactory.of(pg.jdbcUrl(database), pg.connectionProperties());
    }

    /** Connections as another role. */
    public ConnectionFactory connectionsAs(String user, String password) {
        Properties p = pg.connectionProperties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return ConnectionFactory.of(pg.jdbcUrl(database), p);
    }

    public Connection connect() {
        return pg.connect(database);
    }

    /** Runs each statement in its own autocommit transaction. */
    public void exec(String... sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of every row, as text. */
    public List<String> column(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public String scalar(String sql) {
        List<String> col = column(sql);
        return col.isEmpty() ? null : col.get(0);
    }

    @Override
    public void close() {
        pg.dropDatabase(database);
    }
}
