package io.echodb.core.testing;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/** In-memory {@link SourceCatalog}: a sorted map of table shapes that tests create, drop and rename. */
public final class InMemorySourceCatalog implements SourceCatalog {

    private final ConcurrentSkipListMap<TableRef, TableSchema> tables = new ConcurrentSkipListMap<>();
    private volatile RuntimeException outage;

    /** The contract's standard shape: {@code id bigint NOT NULL} and {@code name text}, keyed by id when asked. */
    public static TableSchema standardSchema(TableRef table, boolean withPrimaryKey) {
        return new TableSchema(table,
                List.of(new Column("id", new ColumnType.Int64(), false, "bigint"),
                        new Column("name", new ColumnType.Text(), true, "text")),
                withPrimaryKey ? List.of("id") : List.of(),
                ReplicaIdentity.DEFAULT);
    }

    public TableSchema createTable(TableRef table, boolean withPrimaryKey) {
        return createTable(standardSchema(table, withPrimaryKey));
    }

    /** Creates the table, or replaces its shape (an ALTER) when it exists. */
    public TableSchema createTable(TableSchema schema) {
        tables.put(schema.table(), schema);
        return schema;
    }

    public void dropTable(TableRef table) {
        tables.remove(table);
    }

    public void renameTable(TableRef from, TableRef to) {
        TableSchema old = tables.remove(from);
        if (old == null) {
            throw new IllegalArgumentException("no table " + from);
        }
        tables.put(to, new TableSchema(to, old.columns(), old.keyColumns(), old.identity()));
    }

    public boolean exists(TableRef table) {
        return tables.containsKey(table);
    }

    /** Makes every call throw {@code failure} until {@link #heal()}. */
    public void failWith(RuntimeException failure) {
        outage = Objects.requireNonNull(failure, "failure");
    }

    public void heal() {
        outage = null;
    }

    @Override
    public List<TableRef> listTables(Set<String> schemas) {
        checkAvailable();
        return tables.keySet().stream().filter(t -> schemas.contains(t.schema())).toList();
    }

    @Override
    public Optional<TableSchema> describe(TableRef table) {
        checkAvailable();
        return Optional.ofNullable(tables.get(table));
    }

    private void checkAvailable() {
        RuntimeException e = outage;
        if (e != null) {
            throw e;
        }
    }
}
