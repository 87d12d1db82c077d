package io.echodb.runner.resilience;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.PositionedCount;
import io.echodb.core.port.out.PositionedRowCounter;
import io.echodb.core.port.out.SourceUnavailableException;

/** The source-side {@link PositionedRowCounter} behind the {@code postgres_connection} breaker. */
public final class ResilientPositionedRowCounter implements PositionedRowCounter {

    private final PositionedRowCounter delegate;
    private final Guard guard;

    public ResilientPositionedRowCounter(PositionedRowCounter delegate, Resilience resilience) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.postgres(),
                e -> SourceUnavailableException.of("count rows (circuit breaker '" + Resilience.POSTGRES + "' is open)", e));
    }

    @Override
    public PositionedCount count(TableRef table) {
        return guard.call(() -> delegate.count(table));
    }

    @Override
    public PositionedCount countAtConsistentPoint(TableRef table) {
        return guard.call(() -> delegate.countAtConsistentPoint(table));
    }
}
