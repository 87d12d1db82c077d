package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.PositionedCount;
import io.echodb.core.port.out.PositionedRowCounter;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Objects;

/**
 * Counts a source table with the WAL position it was counted at. {@link #count}: one REPEATABLE READ, READ ONLY
 * transaction whose first statement takes the snapshot and reads the WAL insert position. {@link #countAtConsistentPoint}:
 * a temporary logical slot's exported snapshot ({@link PgSnapshotSession}), whose consistent point orders it exactly
 * against the stream; it needs the REPLICATION attribute and waits for the transactions running at that moment.
 */
public final class PgPositionedRowCounter implements PositionedRowCounter {

    private final PgConnectionFactory connections;
    private final PgReplicationConfig replication;

    /** {@code replication}: names the temporary slots after the engine's slot. */
    public PgPositionedRowCounter(PgConnectionFactory connections, PgReplicationConfig replication) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.replication = Objects.requireNonNull(replication, "replication");
    }

    @Override
    public PositionedCount count(TableRef table) {
        PgPositionedSnapshot.Reading<Long> r = PgPositionedSnapshot.read(connections, table, "count the rows of " + table, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + PgSql.quote(table))) {
                rs.next();
                return rs.getLong(1);
            }
        });
        return new PositionedCount(table, r.value(), r.position());
    }

    @Override
    public PositionedCount countAtConsistentPoint(TableRef table) {
        try (PgSnapshotSession snapshot = PgSnapshotSession.open(connections, replication)) {
            return new PositionedCount(table, snapshot.count(table), snapshot.consistentPoint());
        }
    }
}
