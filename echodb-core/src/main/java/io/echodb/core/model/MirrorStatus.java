package io.echodb.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Observable state of one mirror. {@code lastError} is null when there is none. */
public record MirrorStatus(
        MirrorSpec spec,
        MirrorState state,
        long rowsSynced,
        long lagBytes,
        SnapshotProgress snapshot,
        String lastError,
        Instant updatedAt) {

    public MirrorStatus {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (rowsSynced < 0) {
            throw InvalidValueException.of("rowsSynced", rowsSynced, "must be >= 0");
        }
    }

    public MirrorName name() {
        return spec.name();
    }

    public Optional<String> error() {
        return Optional.ofNullable(lastError);
    }
}
