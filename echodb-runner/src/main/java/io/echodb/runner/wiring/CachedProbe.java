package io.echodb.runner.wiring;

import io.echodb.runner.http.ReadinessReport.Check;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A readiness probe whose result is reused for a short while, so frequent /ready polling (and /metrics' "connected")
 * does not open a database connection per request. A probe runs on its own thread and is waited for at most
 * {@code answerWithin}: a dependency that hangs (a connect timeout, a stalled server) makes the check fail at once with
 * that reason instead of holding the caller, and one probe at a time is in flight. A probe that throws counts as
 * failed with the error's message. A change from usable to not usable is logged (with the fix, when the probe knows
 * it), and back; the worker probes on a schedule, so that line appears without anyone polling /ready.
 */
final class CachedProbe implements Supplier<Check> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CachedProbe.class);

    private final Supplier<Check> probe;
    private final Clock clock;
    private final Duration ttl;
    private final Duration answerWithin;
    private final String what;
    private Check last;
    private Instant lastAt = Instant.MIN;
    private CompletableFuture<Check> inFlight;

    CachedProbe(String what, Supplier<Check> probe, Clock clock, Duration ttl, Duration answerWithin) {
        this.what = Objects.requireNonNull(what, "what");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = clock;
        this.ttl = ttl;
        this.answerWithin = answerWithin;
    }

    @Override
    public Check get() {
        CompletableFuture<Check> running;
        synchronized (this) {
            if (last != null && clock.instant().isBefore(lastAt.plus(ttl))) {
                return last;
            }
            if (inFlight == null) {
                inFlight = CompletableFuture.supplyAsync(this::probeOnce, r -> {
                    Thread t = new Thread(r, "echodb-probe-" + what);
                    t.setDaemon(true);
                    t.start();
                });
            }
            running = inFlight;
        }
        try {
            return running.get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Check.failed(what + " did not answer within " + answerWithin.toMillis() + " ms (still trying)");
        } catch (ExecutionException e) {
            return Check.failed(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.failed(what + " probe interrupted");
        }
    }

    private Check probeOnce() {
        Check c;
        try {
            c = probe.get();
        } catch (RuntimeException e) {
            c = Check.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        synchronized (this) {
            if (!c.ok() && (last == null || last.ok())) {
                LOG.error("{} is not usable: {}", what, c.detail());
            } else if (c.ok() && last != null && !last.ok()) {
                LOG.info("{} is usable again: {}", what, c.detail());
            }
            last = c;
            lastAt = clock.instant();
            inFlight = null;
        }
        return c;
    }

    /** Forgets the cached result (e.g. after a reconnect). */
    synchronized void invalidate() {
        last = null;
    }
}
