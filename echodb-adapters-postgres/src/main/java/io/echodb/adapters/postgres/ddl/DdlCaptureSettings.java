package io.echodb.adapters.postgres.ddl;

import io.echodb.core.model.InvalidValueException;
import java.nio.charset.StandardCharsets;

/**
 * Where and how DDL capture is installed in the source database.
 *
 * @param schema                   dedicated schema holding the outbox, cursor and trigger functions (default {@code _echodb})
 * @param notifyChannel            channel woken with the new position after each captured event ({@code echodb_ddl})
 * @param endTriggerName           event trigger on {@code ddl_command_end} ({@code echodb_ddl_end_trigger})
 * @param dropTriggerName          event trigger on {@code sql_drop} ({@code echodb_sql_drop_trigger})
 * @param seedCompatNotifications  also notify the seed's channels {@code peerdb_create_mirror} / {@code peerdb_drop_mirror}
 *                                 with {@code {"schema": ..., "table": ...}} (default true)
 * @param dropLegacySeedTriggers   drop the seed's event triggers {@value #SEED_CREATE_TRIGGER} and
 *                                 {@value #SEED_DROP_TRIGGER} when installing (default false: leave them alone)
 * @param guardedPublication       the native engine's publication: inside every captured DDL transaction, a member
 *                                 that lost its replica identity is taken out of it, so the application's UPDATE and
 *                                 DELETE keep working; null when no publication is guarded (PeerDB mode)
 */
public record DdlCaptureSettings(
        String schema,
        String notifyChannel,
        String endTriggerName,
        String dropTriggerName,
        boolean seedCompatNotifications,
        boolean dropLegacySeedTriggers,
        String guardedPublication) {

    public static final String DEFAULT_SCHEMA = "_echodb";
    public static final String DEFAULT_CHANNEL = "echodb_ddl";
    public static final String DEFAULT_END_TRIGGER = "echodb_ddl_end_trigger";
    public static final String DEFAULT_DROP_TRIGGER = "echodb_sql_drop_trigger";
    /** The seed's CREATE TABLE event trigger. */
    public static final String SEED_CREATE_TRIGGER = "peerdb_auto_mirror_trigger";
    /** The seed's DROP TABLE event trigger. */
    public static final String SEED_DROP_TRIGGER = "peerdb_auto_mirror_drop_trigger";
    public static final String SEED_CREATE_CHANNEL = "peerdb_create_mirror";
    public static final String SEED_DROP_CHANNEL = "peerdb_drop_mirror";

    public DdlCaptureSettings {
        requireName("DDL capture schema", schema);
        requireName("DDL notify channel", notifyChannel);
        requireName("DDL end trigger name", endTriggerName);
        requireName("DDL drop trigger name", dropTriggerName);
        if (endTriggerName.equals(dropTriggerName)) {
            throw InvalidValueException.of("DDL drop trigger name", dropTriggerName, "must differ from the end trigger name");
        }
        if (guardedPublication != null) {
            requireName("guarded publication", guardedPublication);
        }
    }

    public static DdlCaptureSettings defaults() {
        return new DdlCaptureSettings(DEFAULT_SCHEMA, DEFAULT_CHANNEL, DEFAULT_END_TRIGGER, DEFAULT_DROP_TRIGGER, true, false,
                null);
    }

    public DdlCaptureSettings withSchema(String newSchema) {
        return new DdlCaptureSettings(newSchema, notifyChannel, endTriggerName, dropTriggerName, seedCompatNotifications,
                dropLegacySeedTriggers, guardedPublication);
    }

    public DdlCaptureSettings withDropLegacySeedTriggers(boolean drop) {
        return new DdlCaptureSettings(schema, notifyChannel, endTriggerName, dropTriggerName, seedCompatNotifications, drop,
                guardedPublication);
    }

    public DdlCaptureSettings withSeedCompatNotifications(boolean notify) {
        return new DdlCaptureSettings(schema, notifyChannel, endTriggerName, dropTriggerName, notify, dropLegacySeedTriggers,
                guardedPublication);
    }

    /** Guards {@code publication} (see {@link #guardedPublication}); null guards none. */
    public DdlCaptureSettings withGuardedPublication(String publication) {
        return new DdlCaptureSettings(schema, notifyChannel, endTriggerName, dropTriggerName, seedCompatNotifications,
                dropLegacySeedTriggers, publication);
    }

    /**
     * The transaction-level advisory lock that orders outbox writers and readers: writers hold it shared until commit,
     * the reader tries it exclusively. Two int keys (so it never collides with single-bigint leadership locks), derived
     * from the schema so two installs in one database stay independent.
     */
    int[] barrierLockKeys() {
        return new int[] {"echodb_ddl_outbox".hashCode(), schema.hashCode()};
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw InvalidValueException.of(what, value, "must not be blank");
        }
        if (value.indexOf('\0') >= 0) {
            throw InvalidValueException.of(what, value, "must not contain NUL");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw InvalidValueException.of(what, value, "must be at most 63 bytes (PostgreSQL's NAMEDATALEN)");
        }
    }
}
