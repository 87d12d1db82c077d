package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import java.time.Instant;
import java.util.Objects;

/**
 * The durable state of one native mirror. {@code snapshotPoint} is the consistent point of its last completed
 * initial copy (null while none completed); {@code lastError} is null when there is none.
 */
public record MirrorRecord(MirrorSpec spec, MirrorState state, Lsn snapshotPoint, long rowsSynced, String lastError, Instant updatedAt) {

    public MirrorRecord {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public MirrorRecord withState(MirrorState newState, String error, Instant at) {
        return new MirrorRecord(spec, newState, snapshotPoint, rowsSynced, error, at);
    }
}
