package io.echodb.core.service;

import io.echodb.core.model.InvalidValueException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's control loop. While this worker leads, each {@link #tick()} first runs a full reconciliation when
 * leadership was just gained, when the reconcile interval has passed or when one was requested, then drains DDL
 * events through {@link AutoMirror}. Followers do nothing. Every mutating step re-checks leadership (same term), so
 * a worker that loses its lease mid-sweep stops before its next call. Failures are counted and retried after
 * {@code retryDelay}, growing by {@code backoff} with each further failure in a row; they never end the loop. This is
 * the only retry on the control plane's path: the engine calls it makes are tried once each.
 */
public final class ControlPlane {

    /**
     * @param reconcileInterval time between full sweeps while leading
     * @param retryDelay        wait after a failed sweep or a deferred DDL batch before trying again
     * @param idleDelay         wait between ticks when there is nothing more to do right now
     * @param maxBatchesPerTick DDL batches handled per tick before yielding (a backlog continues at once)
     * @param backoff           the wait after each further failure in a row is this many times longer ({@code >= 1})
     * @param maxBackoffSteps   after this many failures in a row the wait stops growing (never beyond the reconcile
     *                          interval)
     */
    public record Settings(Duration reconcileInterval, Duration retryDelay, Duration idleDelay, int maxBatchesPerTick,
                           double backoff, int maxBackoffSteps) {
        public Settings {
            if (!(backoff >= 1.0) || Double.isInfinite(backoff)) {
                throw InvalidValueException.of("control-plane retry backoff", backoff, "must be >= 1");
            }
            if (maxBackoffSteps < 0) {
                throw InvalidValueException.of("control-plane backoff steps", maxBackoffSteps, "must be >= 0");
            }
            requirePositive("reconcile interval", reconcileInterval);
            requirePositive("retry delay", retryDelay);
            Objects.requireNonNull(idleDelay, "idleDelay");
            if (idleDelay.isNegative()) {
                throw InvalidValueException.of("idle delay", idleDelay, "must not be negative");
            }
            if (maxBatchesPerTick < 1) {
                throw InvalidValueException.of("max DDL batches per tick", maxBatchesPerTick, "must be >= 1");
            }
        }

        /** A fixed retry delay (no backoff). */
        public Settings(Duration reconcileInterval, Duration retryDelay, Duration idleDelay, int maxBatchesPerTick) {
            this(reconcileInterval, retryDelay, idleDelay, maxBatchesPerTick, 1.0, 0);
        }

        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMillis(200), 10);
        }

        /** The wait after {@code failuresInARow} (>= 1) failed rounds. */
        Duration delayAfter(int failuresInARow) {
            double factor = Math.pow(backoff, Math.min(Math.max(0, failuresInARow - 1), maxBackoffSteps));
            double millis = Math.min(retryDelay.toMillis() * factor, (double) reconcileInterval.toMillis());
            return Duration.ofMillis(Math.max(retryDelay.toMillis(), Math.round(millis)));
        }

        private static void requirePositive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw InvalidValueException.of(what, d, "must be > 0");
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    private final LeaderView leader;
    private final AutoMirror autoMirror;
    private final Reconciler reconciler;
    private final ControlPlaneMetrics metrics;
    private final Clock clock;
    private final Settings settings;

    // Touched by the loop thread only, except the request flag.
    private long reconciledTerm;
    private Instant nextReconcileAt = Instant.MIN;
    private Instant nextEventsAt = Instant.MIN;
    private boolean acting;
    private int failuresInARow;
    private volatile boolean reconcileRequested;

    public ControlPlane(LeaderView leader, AutoMirror autoMirror, Reconciler reconciler, ControlPlaneMetrics metrics,
                        Clock clock, Settings settings) {
        this.leader = Objects.requireNonNull(leader, "leader");
        this.autoMirror = Objects.requireNonNull(autoMirror, "autoMirror");
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** One round; returns how long to wait before the next. Never throws for port failures. */
    public synchronized Duration tick() {
        if (!leader.isLeader()) {
            if (acting) {
                LOG.info("not the leader any more: auto-mirroring paused");
                acting = false;
            }
            return settings.idleDelay();
        }
        long term = leader.term();
        BooleanSupplier mayAct = () -> leader.isLeader() && leader.term() == term;
        if (!acting || term != reconciledTerm) {
            LOG.info("leading (term {}): full reconcile, then DDL events", term);
            acting = true;
            reconciledTerm = term;
            nextReconcileAt = Instant.MIN;
            nextEventsAt = Instant.MIN;
        }
        boolean reconcileFailed = false;
        if (reconcileRequested || !clock.instant().isBefore(nextReconcileAt)) {
            reconcileFailed = !reconcile(mayAct);
        }
        boolean moreEvents = !reconcileFailed && handleEvents(mayAct);
        return moreEvents ? Duration.ZERO : settings.idleDelay();
    }

    /** Asks for a full sweep on the next tick (e.g. from an admin endpoint). */
    public void requestReconcile() {
        reconcileRequested = true;
    }

    public ControlPlaneStats stats() {
        return metrics.snapshot(leader.isLeader());
    }

    /** Runs a sweep; true when it completed. */
    private boolean reconcile(BooleanSupplier mayAct) {
        reconcileRequested = false;
        try {
            ReconcileResult result = reconciler.reconcile(mayAct);
            if (result.complete()) {
                failuresInARow = 0;
                nextReconcileAt = clock.instant().plus(settings.reconcileInterval());
                return true;
            }
        } catch (RuntimeException e) {
            metrics.error("reconcile", e);
            LOG.warn("reconcile failed; retrying in {}: {}", settings.delayAfter(failuresInARow + 1), Failures.describe(e));
        }
        nextReconcileAt = clock.instant().plus(settings.delayAfter(++failuresInARow));
        return false;
    }

    /** Handles DDL batches; true when a full batch was seen last, i.e. more are probably waiting. */
    private boolean handleEvents(BooleanSupplier mayAct) {
        if (clock.instant().isBefore(nextEventsAt)) {
            return false;
        }
        for (int i = 0; i < settings.maxBatchesPerTick(); i++) {
            if (!mayAct.getAsBoolean()) {
                return false;
            }
            DdlBatchResult result;
            try {
                result = autoMirror.runOnce(mayAct);
            } catch (RuntimeException e) {
                metrics.error("DDL events", e);
                LOG.warn("reading DDL events failed; retrying in {}: {}", settings.delayAfter(failuresInARow + 1),
                        Failures.describe(e));
                nextEventsAt = clock.instant().plus(settings.delayAfter(++failuresInARow));
                return false;
            }
            if (!result.acknowledged()) {
                nextEventsAt = clock.instant().plus(settings.delayAfter(++failuresInARow));
                return false;
            }
            failuresInARow = 0;
            if (result.events() < autoMirror.settings().batchSize()) {
                return false;
            }
        }
        return true;
    }
}
