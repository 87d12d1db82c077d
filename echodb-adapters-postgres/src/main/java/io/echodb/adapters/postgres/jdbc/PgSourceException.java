package io.echodb.adapters.postgres.jdbc;

import java.sql.SQLException;

/**
 * The source refused an operation for a reason that retrying will not fix (configuration, privileges, a missing
 * object, invalid data). Transient failures are {@link io.echodb.core.port.out.SourceUnavailableException} instead.
 */
public final class PgSourceException extends RuntimeException {

    private final String sqlState;

    private PgSourceException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** SQLSTATE of the underlying server error, or null. */
    public String sqlState() {
        return sqlState;
    }

    public static PgSourceException failed(String what, SQLException cause) {
        return new PgSourceException("PostgreSQL refused to " + what + ": " + cause.getMessage()
                + (cause.getSQLState() == null ? "" : " [SQLSTATE " + cause.getSQLState() + "]"), cause.getSQLState(), cause);
    }

    public static PgSourceException walLevelNotLogical(String actual) {
        return new PgSourceException("logical replication needs the server setting wal_level = logical, but it is '"
                + actual + "'; set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and"
                + " restart PostgreSQL", "55000", null);
    }

    public static PgSourceException missingReplicationPrivilege(String user, SQLException cause) {
        return new PgSourceException("user '" + user + "' may not create replication slots or stream changes: it needs the"
                + " REPLICATION attribute (ALTER ROLE \"" + user + "\" REPLICATION) or, on managed services, the"
                + " provider's replication role (e.g. rds_replication)"
                + (cause == null ? "" : ": " + cause.getMessage()), "42501", cause);
    }

    public static PgSourceException slotPluginMismatch(String slot, String plugin, String database) {
        return new PgSourceException("replication slot '" + slot + "' already exists but uses plugin '" + plugin
                + "' in database '" + database + "'; the native engine needs a pgoutput slot in this database — drop"
                + " the slot or configure another slot name", "42710", null);
    }

    public static PgSourceException tableNotFound(String table) {
        return new PgSourceException("table " + table + " does not exist", "42P01", null);
    }
}
