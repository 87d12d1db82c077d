package io.echodb.adapters.postgres.ddl;

/** One thing a catalog sweep does in the capture schema, in order, inside its transaction. */
sealed interface SweepStep {

    /** Appends an outbox event through {@code emit_ddl_event} (the same function the event triggers call). */
    record Emit(String eventType, String schema, String table, String oldSchema, String oldName, String reason,
                boolean partition) implements SweepStep { }

    /**
     * Appends a {@code rewritten} event for the table {@code oid} (its partition root when it is a partition) through
     * {@code emit_rewrite_event}: DDL changed existing rows without row changes.
     */
    record EmitRewrite(long oid, String reason) implements SweepStep { }

    /** Puts the partition-TRUNCATE trigger on the leaves of the partitioned table {@code rootOid}. */
    record WatchPartitions(long rootOid) implements SweepStep { }
}
