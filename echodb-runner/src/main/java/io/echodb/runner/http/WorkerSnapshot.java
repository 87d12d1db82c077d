package io.echodb.runner.http;

import java.util.Objects;

/**
 * The worker's own state as {@code /metrics} reports it (the seed's fields, circuit breakers aside); {@code deadLoop}
 * is null while every loop of the worker runs, else why one does not (then /health fails).
 */
public record WorkerSnapshot(
        boolean running,
        boolean connected,
        String workerId,
        boolean leader,
        long mirrorsCreated,
        long mirrorsDropped,
        long mirrorsFailed,
        String lastError,
        long uptimeSeconds,
        String deadLoop) {

    public WorkerSnapshot {
        Objects.requireNonNull(workerId, "workerId");
    }

    /** Running, and every loop alive. */
    public boolean healthy() {
        return running && deadLoop == null;
    }
}
