package io.echodb.core.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe counters of the control plane (the seed's {@code mirrors_created}, {@code mirrors_dropped},
 * {@code mirrors_failed}, {@code last_error}, plus event and sweep progress). Read them with {@link #snapshot}.
 */
public final class ControlPlaneMetrics {

    private final Clock clock;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ddlEvents = new AtomicLong();
    private final AtomicLong reconcileRuns = new AtomicLong();
    private volatile long ddlPosition;
    private volatile LastError lastError;
    private volatile ReconcileResult lastReconcile;
    private volatile Instant lastReconcileAt;

    private record LastError(String message, Instant at) { }

    public ControlPlaneMetrics(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void mirrorCreated() {
        created.incrementAndGet();
    }

    void mirrorDropped() {
        dropped.incrementAndGet();
    }

    /** A create or drop of one mirror failed. */
    void mirrorFailed(String what, Throwable e) {
        failed.incrementAndGet();
        error(what, e);
    }

    /** Something other than one mirror's operation failed (reading events, listing tables, ...). */
    void error(String what, Throwable e) {
        lastError = new LastError(what + ": " + Failures.describe(e), clock.instant());
    }

    void ddlEventsHandled(int count, long position) {
        ddlEvents.addAndGet(count);
        ddlPosition = position;
    }

    void reconciled(ReconcileResult result) {
        reconcileRuns.incrementAndGet();
        lastReconcile = result;
        lastReconcileAt = clock.instant();
    }

    /** A consistent-enough copy of every counter; {@code leader} is supplied by the caller. */
    public ControlPlaneStats snapshot(boolean leader) {
        LastError e = lastError;
        return new ControlPlaneStats(leader, created.get(), dropped.get(), failed.get(),
                e == null ? null : e.message(), e == null ? null : e.at(),
                ddlEvents.get(), ddlPosition, reconcileRuns.get(), lastReconcileAt, lastReconcile);
    }
}
