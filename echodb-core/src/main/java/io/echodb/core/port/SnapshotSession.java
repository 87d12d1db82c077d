package io.echodb.core.port;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Inbound: a consistent read of the source at exactly {@link #consistentPoint()}: every commit up to that point is
 * visible, none after. Blocking; closing releases the exported snapshot.
 */
public interface SnapshotSession extends AutoCloseable {

    Lsn consistentPoint();

    /** Planner estimate of the table's rows (0 when unknown). */
    long estimateRows(TableRef table);

    /**
     * Copies every row of {@code table} (in {@code schema}'s column order) into {@code batches}, using up to
     * {@code parallelism} workers on the same snapshot; batches may arrive from several threads concurrently.
     * Throws {@link SourceTableChangedException} before delivering any row when the snapshot's table is not the one
     * {@code schema} describes (another relation id, or other columns).
     */
    default void copy(TableSchema schema, int parallelism, Consumer<List<Row>> batches) {
        copy(schema, Set.of(), parallelism, batches);
    }

    /**
     * {@link #copy(TableSchema, int, Consumer)} without the columns named in {@code omitted}: they are never read,
     * and rows hold {@code schema}'s other columns in its order. The check for the described table still covers every
     * column.
     */
    void copy(TableSchema schema, Set<String> omitted, int parallelism, Consumer<List<Row>> batches);

    @Override
    void close();
}
