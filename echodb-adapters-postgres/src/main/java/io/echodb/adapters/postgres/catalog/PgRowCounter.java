package io.echodb.adapters.postgres.catalog;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Objects;

/** Exact live-row count of a source table ({@code SELECT count(*)}); a partitioned root counts all its partitions. */
public final class PgRowCounter implements RowCounter {

    private final PgConnectionFactory connections;
    private final Clock clock;

    public PgRowCounter(PgConnectionFactory connections, Clock clock) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public RowCount count(TableRef table) {
        try (Connection c = connections.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + PgSql.quote(table))) {
            rs.next();
            return new RowCount(table, rs.getLong(1), clock.instant());
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                throw PgSourceException.tableNotFound(table.qualified());
            }
            throw PgSql.translate("count the rows of " + table, e);
        }
    }
}
