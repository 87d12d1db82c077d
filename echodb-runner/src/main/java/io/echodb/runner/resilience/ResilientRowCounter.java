package io.echodb.runner.resilience;

import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.out.SourceUnavailableException;

/** The source-side {@link RowCounter} behind the {@code postgres_connection} breaker. */
public final class ResilientRowCounter implements RowCounter {

    private final RowCounter delegate;
    private final Guard guard;

    public ResilientRowCounter(RowCounter delegate, Resilience resilience) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.postgres(),
                e -> SourceUnavailableException.of("count rows (circuit breaker '" + Resilience.POSTGRES + "' is open)", e));
    }

    @Override
    public RowCount count(TableRef table) {
        return guard.call(() -> delegate.count(table));
    }
}
