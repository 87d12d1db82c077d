package io.echodb.runner.http;

import java.util.Objects;

/** The worker's own state as {@code /metrics} reports it (the seed's fields, circuit breakers aside). */
public record WorkerSnapshot(
        boolean running,
        boolean connected,
        String workerId,
        boolean leader,
        long mirrorsCreated,
        long mirrorsDropped,
        long mirrorsFailed,
        String lastError,
        long uptimeSeconds) {

    public WorkerSnapshot {
        Objects.requireNonNull(workerId, "workerId");
    }
}
