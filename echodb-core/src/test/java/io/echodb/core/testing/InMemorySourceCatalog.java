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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory {@link SourceCatalog}: a sorted map of table shapes that tests create, drop and rename. Like PostgreSQL's
 * oids, each table created gets a new relation id, which an ALTER or a rename keeps.
 */
public final class InMemorySourceCatalog implements SourceCatalog {

    private final ConcurrentSkipListMap<TableRef, TableSchema> tables = new ConcurrentSkipListMap<>();
    private final AtomicLong nextRelation = new AtomicLong(16_384);
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

    /** Creates the table (a new relation), or replaces its shape (an ALTER, the same relation) when it exists. */
    public synchronized TableSchema createTable(TableSchema schema) {
        TableSchema before = tables.get(schema.table());
        long relation = schema.relationId() != TableSchema.UNKNOWN_RELATION ? schema.relationId()
                : before != null ? before.relationId() : nextRelation.getAndIncrement();
        TableSchema stored = new TableSchema(schema.table(), schema.columns(), schema.keyColumns(), schema.identity(),
                relation, schema.sourceProblem());
        tables.put(schema.table(), stored);
        return stored;
    }

    /** The relation id {@code table} has now (0 when it does not exist). */
    public long relationOf(TableRef table) {
        TableSchema schema = tables.get(table);
        return schema == null ? TableSchema.UNKNOWN_RELATION : schema.relationId();
    }

    public void dropTable(TableRef table) {
        tables.remove(table);
    }

    public synchronized void renameTable(TableRef from, TableRef to) {
        if (tables.containsKey(to)) {
            throw new IllegalArgumentException("relation " + to + " already exists");
        }
        TableSchema old = tables.remove(from);
        if (old == null) {
            throw new IllegalArgumentException("no table " + from);
        }
        tables.put(to, new TableSchema(to, old.columns(), old.keyColumns(), old.identity(), old.relationId(),
                old.sourceProblem()));
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
    public SortedMap<TableRef, Long> listRelations(Set<String> schemas) {
        checkAvailable();
        SortedMap<TableRef, Long> out = new TreeMap<>();
        tables.forEach((t, schema) -> {
            if (schemas.contains(t.schema())) {
                out.put(t, schema.relationId());
            }
        });
        return out;
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
