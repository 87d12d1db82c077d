package io.echodb.runner.resilience;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.port.out.DdlEventSource;
import io.echodb.core.port.out.SourceUnavailableException;
import java.time.Duration;
import java.util.List;

/** A {@link DdlEventSource} behind the {@code postgres_connection} breaker; an open breaker reads as the source being unavailable. */
public final class ResilientDdlEventSource implements DdlEventSource {

    private final DdlEventSource delegate;
    private final Guard guard;

    public ResilientDdlEventSource(DdlEventSource delegate, Resilience resilience) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.postgres(),
                e -> SourceUnavailableException.of("read DDL events (circuit breaker '" + Resilience.POSTGRES + "' is open)", e));
    }

    @Override
    public List<DdlEvent> read(long afterPosition, int max, Duration maxWait) {
        return guard.call(() -> delegate.read(afterPosition, max, maxWait));
    }

    @Override
    public long acknowledgedPosition() {
        return guard.call(delegate::acknowledgedPosition);
    }

    @Override
    public void acknowledge(long position) {
        guard.run(() -> delegate.acknowledge(position));
    }
}
