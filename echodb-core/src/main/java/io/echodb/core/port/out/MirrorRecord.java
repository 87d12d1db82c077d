package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import java.time.Instant;
import java.util.Objects;

/**
 * The durable state of one native mirror. {@code snapshotPoint} is the consistent point of its last completed
 * initial copy (null while none completed); {@code lastError} is null when there is none. {@code relationId} is the
 * source relation (generation) of the table the mirror copies and streams: changes of any other relation with the same
 * name (a table dropped and created again) never reach this mirror ({@link io.echodb.core.schema.TableSchema#UNKNOWN_RELATION}
 * when not known yet). {@code copy} is how far the current copy got (null when none was recorded), and after a
 * copy completed whether it was resumed.
 */
public record MirrorRecord(MirrorSpec spec, MirrorState state, Lsn snapshotPoint, long rowsSynced, String lastError,
        Instant updatedAt, long relationId, CopyCheckpoint copy) {

    public MirrorRecord {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (relationId < 0) {
            throw new IllegalArgumentException("relation id must not be negative, got " + relationId);
        }
    }

    /** A record without copy progress. */
    public MirrorRecord(MirrorSpec spec, MirrorState state, Lsn snapshotPoint, long rowsSynced, String lastError,
            Instant updatedAt, long relationId) {
        this(spec, state, snapshotPoint, rowsSynced, lastError, updatedAt, relationId, null);
    }

    /** A record whose source relation is not known yet. */
    public MirrorRecord(MirrorSpec spec, MirrorState state, Lsn snapshotPoint, long rowsSynced, String lastError, Instant updatedAt) {
        this(spec, state, snapshotPoint, rowsSynced, lastError, updatedAt, io.echodb.core.schema.TableSchema.UNKNOWN_RELATION);
    }

    public MirrorRecord withState(MirrorState newState, String error, Instant at) {
        return new MirrorRecord(spec, newState, snapshotPoint, rowsSynced, error, at, relationId, copy);
    }
}
