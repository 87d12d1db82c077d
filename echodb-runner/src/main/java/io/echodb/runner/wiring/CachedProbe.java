package io.echodb.runner.wiring;

import io.echodb.runner.http.ReadinessReport.Check;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A readiness probe whose result is reused for a short while, so frequent /ready polling (and /metrics' "connected")
 * does not open a database connection per request. A probe that throws counts as failed with the error's message.
 */
final class CachedProbe implements Supplier<Check> {

    private final Supplier<Check> probe;
    private final Clock clock;
    private final Duration ttl;
    private Check last;
    private Instant lastAt = Instant.MIN;

    CachedProbe(Supplier<Check> probe, Clock clock, Duration ttl) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public synchronized Check get() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(lastAt.plus(ttl))) {
            try {
                last = probe.get();
            } catch (RuntimeException e) {
                last = Check.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            lastAt = now;
        }
        return last;
    }

    /** Forgets the cached result (e.g. after a reconnect). */
    synchronized void invalidate() {
        last = null;
    }
}
