package io.echodb.bench;

import io.echodb.core.change.SinkRow;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** A sink that accepts everything and keeps nothing: measures the engine and its source alone. */
final class NoopSink implements ChangeSink {

    @Override
    public SchemaSync ensureTable(String target, TableSchema schema) {
        return new SchemaSync.Unchanged();
    }

    @Override
    public void write(String target, TableSchema schema, List<SinkRow> rows) {
        // accepted
    }

    @Override
    public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
        return Map.of();
    }

    @Override
    public void truncate(String target) {
    }

    @Override
    public void drop(String target) {
    }
}
