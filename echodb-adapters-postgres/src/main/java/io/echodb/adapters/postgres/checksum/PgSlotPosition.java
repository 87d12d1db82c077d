package io.echodb.adapters.postgres.checksum;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.change.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * How far the native engine has applied the stream: the confirmed flush position of its replication slot, which the
 * engine advances only after ClickHouse accepted every row before it (and on idle keepalives). The checksum comparison
 * waits on it to compare both sides at one point ({@code AppliedPosition}). Empty when the slot does not exist.
 */
public final class PgSlotPosition {

    private final PgConnectionFactory connections;
    private final String slotName;

    public PgSlotPosition(PgConnectionFactory connections, String slotName) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.slotName = PgSql.requireObjectName("replication slot name", slotName);
    }

    /** The slot's confirmed flush position, or empty when there is no such slot (or it has confirmed nothing yet). */
    public Optional<Lsn> confirmedFlush() {
        try (Connection c = connections.open();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Optional.empty();
                }
                return Optional.of(Lsn.parse(rs.getString(1)));
            }
        } catch (SQLException e) {
            throw PgSql.translate("read the confirmed position of replication slot " + slotName, e);
        }
    }
}
