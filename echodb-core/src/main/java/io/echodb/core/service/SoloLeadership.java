package io.echodb.core.service;

import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** LEADERSHIP=none: a single worker that always leads. Only safe when exactly one worker runs. */
public final class SoloLeadership implements Leadership {

    private final String workerId;
    private final Clock clock;

    public SoloLeadership(String workerId, Clock clock) {
        this.workerId = Objects.requireNonNull(workerId, "workerId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public Optional<Lease> tryAcquire(Duration ttl) {
        return Optional.of(new Lease(workerId, 1, clock.instant().plus(ttl)));
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl) {
        return tryAcquire(ttl);
    }

    @Override
    public void release(Lease lease) {
        // Nothing to give up: there is no one to hand over to.
    }
}
