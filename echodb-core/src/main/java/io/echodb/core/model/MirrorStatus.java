package io.echodb.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Observable state of one mirror. {@code lastError} is null when there is none. {@code relationId} is the source
 * relation the mirror follows (PostgreSQL: the table's oid, which a rename keeps and a table created again under the
 * same name does not), {@link #UNKNOWN_RELATION} when the engine does not tell.
 */
public record MirrorStatus(
        MirrorSpec spec,
        MirrorState state,
        long rowsSynced,
        long lagBytes,
        SnapshotProgress snapshot,
        String lastError,
        Instant updatedAt,
        long relationId) {

    /** The relation is not known (an engine that does not track relations, or a mirror never described). */
    public static final long UNKNOWN_RELATION = 0;

    public MirrorStatus {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (rowsSynced < 0) {
            throw InvalidValueException.of("rowsSynced", rowsSynced, "must be >= 0");
        }
        if (relationId < 0) {
            throw InvalidValueException.of("relationId", relationId, "must be >= 0");
        }
    }

    /** A status whose relation is not known. */
    public MirrorStatus(MirrorSpec spec, MirrorState state, long rowsSynced, long lagBytes, SnapshotProgress snapshot,
                        String lastError, Instant updatedAt) {
        this(spec, state, rowsSynced, lagBytes, snapshot, lastError, updatedAt, UNKNOWN_RELATION);
    }

    /**
     * Whether the mirror follows another relation than {@code currentRelation}, the one its source table has now: the
     * table was replaced under its name (dropped and created again, or swapped by renames). False when either is unknown.
     */
    public boolean followsAnotherRelationThan(long currentRelation) {
        return relationId != UNKNOWN_RELATION && currentRelation != UNKNOWN_RELATION && relationId != currentRelation;
    }

    public MirrorName name() {
        return spec.name();
    }

    public Optional<String> error() {
        return Optional.ofNullable(lastError);
    }
}
