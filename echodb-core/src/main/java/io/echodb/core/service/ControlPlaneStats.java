package io.echodb.core.service;

import java.time.Instant;

/**
 * Snapshot of the control plane's counters for {@code /metrics}. {@code lastError}, {@code lastErrorAt},
 * {@code lastReconcileAt} and {@code lastReconcile} are null until something happened.
 */
public record ControlPlaneStats(
        boolean leader,
        long mirrorsCreated,
        long mirrorsDropped,
        long mirrorsFailed,
        String lastError,
        Instant lastErrorAt,
        long ddlEventsHandled,
        long ddlPosition,
        long reconcileRuns,
        Instant lastReconcileAt,
        ReconcileResult lastReconcile) {
}
