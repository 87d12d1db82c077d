package io.echodb.core.port.out;

import io.echodb.core.change.SinkRow;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Driven: the rows of the target's tables — versioned rows written (durable once the call returns), the stored rows
 * of given keys read back, a table emptied. Blocking; never returns null; transient failures throw
 * {@link SinkUnavailableException}.
 */
public interface TargetRowStore {

    /** Writes versioned rows (values in {@code schema}'s column order); rows never contain unchanged-TOAST markers. */
    void write(String target, TableSchema schema, List<SinkRow> rows);

    /**
     * The current (highest-version, not deleted) rows for the given keys with their versions, used to fill unchanged
     * TOAST values (the version tells a replayed change that a stored row is newer than itself). Keys without a live
     * row are absent.
     */
    Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys);

    /** {@link #latestRows} without the versions. */
    default Map<RowKey, Row> currentRows(String target, TableSchema schema, Collection<RowKey> keys) {
        Map<RowKey, Row> rows = new java.util.HashMap<>();
        latestRows(target, schema, keys).forEach((k, r) -> rows.put(k, r.row()));
        return rows;
    }

    /** Removes every row of the target table. */
    void truncate(String target);
}
