package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.jdbc.PgSourceException;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads a table in one REPEATABLE READ, READ ONLY transaction whose first statement takes the snapshot and reads the
 * WAL insert position, so the reading can be compared with a target read as of that position.
 */
public final class PgPositionedSnapshot {

    private PgPositionedSnapshot() {
    }

    /** What runs inside the snapshot. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Connection c) throws SQLException;
    }

    /** The reader's value and the position of the snapshot it read. */
    public record Reading<T>(T value, Lsn position) { }

    /**
     * Runs {@code reader}; a missing table (or schema) throws {@link PgSourceException#tableNotFound}, other failures are
     * translated with {@code what}.
     */
    public static <T> Reading<T> read(PgConnectionFactory connections, TableRef table, String what, Reader<T> reader) {
        try (Connection c = connections.open()) {
            c.setAutoCommit(false);
            try {
                Lsn position;
                try (Statement st = c.createStatement()) {
                    // Inside the transaction, not Connection.setTransactionIsolation/setReadOnly: pgjdbc sends those as
                    // SET SESSION CHARACTERISTICS before BEGIN, which a transaction-mode pooler runs on whatever server
                    // connection is free (an application's next transaction), not on the one this transaction gets.
                    // The rendering settings too: through a pooler this connection lacks them (composites' fields).
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
                            + PgConnectionFactory.TRANSACTION_SETS);
                    try (ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
                        rs.next();
                        position = Lsn.parse(rs.getString(1));
                    }
                }
                T value = reader.read(c);
                c.commit();
                return new Reading<>(value, position);
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                throw PgSourceException.tableNotFound(table.qualified());
            }
            throw PgSql.translate(what, e);
        }
    }
}
