package io.echodb.runner.resilience;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.schema.TableSchema;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/** A {@link SourceCatalog} behind the {@code postgres_connection} breaker; an open breaker reads as the source being unavailable. */
public final class ResilientSourceCatalog implements SourceCatalog {

    private final SourceCatalog delegate;
    private final Guard guard;

    public ResilientSourceCatalog(SourceCatalog delegate, Resilience resilience) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.postgres(),
                e -> SourceUnavailableException.of("read the catalog (circuit breaker '" + Resilience.POSTGRES + "' is open)", e));
    }

    @Override
    public SortedMap<TableRef, Long> listRelations(Set<String> schemas) {
        return guard.call(() -> delegate.listRelations(schemas));
    }

    @Override
    public Optional<TableSchema> describe(TableRef table) {
        return guard.call(() -> delegate.describe(table));
    }
}
