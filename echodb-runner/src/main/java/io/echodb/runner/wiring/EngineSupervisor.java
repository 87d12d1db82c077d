package io.echodb.runner.wiring;

import io.echodb.core.model.Lease;
import io.echodb.core.service.LeaderLoop;
import io.echodb.core.service.LeaderView;
import io.echodb.core.time.Backoff;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the engine when this worker becomes leader and stops it when leadership ends. Leadership callbacks may come
 * from any thread and must not block, so the work runs on one dedicated thread, in the order the changes happened.
 * A start that fails is retried with backoff for as long as the same term lasts.
 */
final class EngineSupervisor implements LeaderLoop.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EngineSupervisor.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final MirrorEngineHandle engine;
    private final Duration firstBackoff;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "echodb-engine-supervisor");
        t.setDaemon(true);
        return t;
    });
    private volatile LeaderView leadership;
    private volatile GatedLeaderView gate;
    private volatile String lastStartError;

    EngineSupervisor(MirrorEngineHandle engine, Duration firstBackoff) {
        this.engine = engine;
        this.firstBackoff = firstBackoff;
    }

    /** The leader loop this supervisor listens to (it is created after the supervisor, with it as listener). */
    void watch(LeaderView leaderView) {
        this.leadership = leaderView;
        this.gate = new GatedLeaderView(leaderView);
    }

    /** Leadership as the control plane must see it: leading and the engine started in this term. */
    GatedLeaderView gate() {
        return gate;
    }

    /** Why the engine could not start in the current term, or null. */
    String lastStartError() {
        return lastStartError;
    }

    @Override
    public void onGained(Lease lease) {
        long term = leadership.term();
        submit(() -> start(term, lease.fencingToken()));
    }

    @Override
    public void onLost(String reason) {
        gate.engineStopped();
        submit(() -> {
            LOG.info("stopping the mirror engine: {}", reason);
            engine.stopActing();
        });
    }

    /** After {@link #close()} the engine is already stopped for good, so late callbacks have nothing to do. */
    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.debug("engine supervisor closed; ignoring a late leadership change");
        }
    }

    private void start(long term, long fencingToken) {
        Backoff backoff = new Backoff(firstBackoff, MAX_BACKOFF.compareTo(firstBackoff) < 0 ? firstBackoff : MAX_BACKOFF);
        while (stillLeading(term)) {
            Duration delay;
            try {
                // The gate is the leadership itself, read on every write: it closes on the lease's own clock, also
                // for a writer that wakes from a stall after the lease ran out.
                engine.startActing(fencingToken, () -> leadingIn(term));
                lastStartError = null;
                if (stillLeading(term)) {
                    gate.engineStarted(term);
                    LOG.info("mirror engine started (term {})", term);
                } else {
                    engine.stopActing();
                }
                return;
            } catch (RuntimeException e) {
                lastStartError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                delay = backoff.nextDelay();
                LOG.warn("mirror engine could not start; retrying in {}: {}", delay, lastStartError);
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether to go on starting the engine for {@code term}: leading in it, and the supervisor not closing. */
    private boolean stillLeading(long term) {
        return leadingIn(term) && !thread.isShutdown();
    }

    /**
     * The engine's write gate: leading in {@code term}. Not closed by {@link #close()} itself, so a graceful stop's
     * final flush and acknowledgement still land; the lease is released only after that (see Wiring.stop).
     */
    private boolean leadingIn(long term) {
        LeaderView l = leadership;
        return l != null && l.isLeader() && l.term() == term;
    }

    /** Stops the engine now, on the caller's thread, then ends the supervisor thread. */
    @Override
    public void close() {
        if (gate != null) {
            gate.engineStopped();
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.stopActing();
    }
}
