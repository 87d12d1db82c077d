package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The replication slot as PostgreSQL sees it: how much WAL it keeps the server from removing, and how close that is
 * to being removed anyway ({@code wal_status}, {@code safe_wal_size}, PostgreSQL 13+). A stalled CDC consumer's slot
 * is the first thing that fills a primary's disk; an invalidated one ({@code lost}) can never stream again.
 */
public final class PgSlotWatch {

    /** What {@link #read} found; {@code safeWalBytes} is null when the server sets no limit (max_slot_wal_keep_size = -1). */
    public record SlotState(boolean exists, long retainedBytes, String walStatus, Long safeWalBytes, boolean active) {

        static final SlotState MISSING = new SlotState(false, 0, "missing", null, false);

        public SlotState {
            Objects.requireNonNull(walStatus, "walStatus");
        }

        /** The slot was invalidated: the WAL it needs is gone. */
        public boolean lost() {
            return walStatus.equals("lost");
        }
    }

    private final PgConnectionFactory connections;
    private final String slotName;

    public PgSlotWatch(PgConnectionFactory connections, String slotName) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.slotName = PgSql.requireObjectName("replication slot name", slotName);
    }

    public String slotName() {
        return slotName;
    }

    /** Blocking; throws {@link io.echodb.core.port.out.SourceUnavailableException} when PostgreSQL cannot be asked. */
    public SlotState read() {
        try (Connection c = connections.open();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(pg_catalog.pg_wal_lsn_diff("
                     + "pg_catalog.pg_current_wal_lsn(), restart_lsn), 0)::bigint, coalesce(wal_status, 'lost'),"
                     + " safe_wal_size, active FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return SlotState.MISSING;
                }
                long retained = rs.getLong(1);
                String status = rs.getString(2);
                long safe = rs.getLong(3);
                Long safeOrNone = rs.wasNull() ? null : safe;
                return new SlotState(true, Math.max(0, retained), status, safeOrNone, rs.getBoolean(4));
            }
        } catch (SQLException e) {
            throw PgSql.translate("read replication slot " + slotName, e);
        }
    }
}
