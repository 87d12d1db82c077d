package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The buffered, not yet written changes of one table, all in one schema, in stream order. Remembers the latest row
 * per key (to fill unchanged TOAST values) and its watermark: the end of the last commit processed before its first
 * row arrived, so no commit up to the watermark has anything left in this buffer. Keeps the shared
 * {@link BufferTotals} up to date. Not thread-safe.
 */
final class TableBatcher {

    private final TableRef table;
    private final BufferTotals totals;
    private TableSchema schema;
    private int[] keyIndexes;
    private List<SinkRow> rows = new ArrayList<>();
    /** Index of the latest row per key, built on first use (only updates with unchanged TOAST values need it). */
    private Map<RowKey, Integer> latest;
    private long bytes;
    private long firstAddedMillis;
    private Lsn watermark;
    private boolean discarded;

    TableBatcher(TableRef table, TableSchema schema, BufferTotals totals) {
        this.table = table;
        this.totals = totals;
        switchSchema(schema);
    }

    TableRef table() {
        return table;
    }

    TableSchema schema() {
        return schema;
    }

    int[] keyIndexes() {
        return keyIndexes;
    }

    /** Only an empty buffer may change schema: the rows of one write share one schema. */
    void switchSchema(TableSchema newSchema) {
        if (!rows.isEmpty()) {
            throw new IllegalStateException("cannot change the schema of a non-empty buffer of " + table);
        }
        this.schema = newSchema;
        this.keyIndexes = newSchema.keyIndexes();
    }

    /** Adds a row. {@code processedThrough} is the end of the last fully processed commit. */
    void add(SinkRow row, RowKey key, Lsn processedThrough, long nowMillis) {
        if (discarded) {
            throw new IllegalStateException("buffer of " + table + " was discarded");
        }
        if (rows.isEmpty()) {
            watermark = processedThrough;
            firstAddedMillis = nowMillis;
        }
        if (latest != null) {
            latest.put(key, rows.size());
        }
        rows.add(row);
        long size = RowSize.estimate(row.row());
        bytes += size;
        totals.added(1, size);
    }

    /** The latest buffered row of {@code key}, or null. */
    SinkRow latestFor(RowKey key) {
        if (latest == null) {
            latest = new HashMap<>();
            for (int j = 0; j < rows.size(); j++) {
                latest.put(rows.get(j).row().key(keyIndexes), j);
            }
        }
        Integer i = latest.get(key);
        return i == null ? null : rows.get(i);
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    int size() {
        return rows.size();
    }

    long bytes() {
        return bytes;
    }

    Lsn watermark() {
        return watermark;
    }

    long firstAddedMillis() {
        return firstAddedMillis;
    }

    boolean olderThan(long maxAgeMillis, long nowMillis) {
        return !rows.isEmpty() && nowMillis - firstAddedMillis >= maxAgeMillis;
    }

    /** Takes every row out; the buffer is empty afterwards. */
    List<SinkRow> take() {
        List<SinkRow> out = rows;
        totals.removed(rows.size(), bytes);
        rows = new ArrayList<>();
        latest = null;
        bytes = 0;
        return out;
    }

    /**
     * Puts rows that could not be written yet back in front of anything added since, with their old watermark and
     * age (they are older than anything added since the take). Ignored once the buffer was discarded.
     */
    void putBack(List<SinkRow> kept, Lsn keptWatermark, long keptSince) {
        if (kept.isEmpty() || discarded) {
            return;
        }
        List<SinkRow> newer = take();
        for (SinkRow r : kept) {
            add(r, r.row().key(keyIndexes), keptWatermark, keptSince);
        }
        watermark = keptWatermark;
        firstAddedMillis = keptSince;
        for (SinkRow r : newer) {
            add(r, r.row().key(keyIndexes), keptWatermark, keptSince);
        }
    }

    /** Drops every row for good; later put-backs are ignored. */
    void discard() {
        take();
        discarded = true;
    }
}
