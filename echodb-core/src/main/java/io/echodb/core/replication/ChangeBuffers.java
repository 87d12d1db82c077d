package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stream's changes not written yet: one {@link TableBatcher} per mirror, keyed by the mirror's table (a table
 * renamed since is still named the old way in the stream), and their totals. The one owner of the buffers: the stream
 * side fills and writes them, the life cycle drops a mirror's buffer when the mirror stops applying. Engine lock.
 */
final class ChangeBuffers {

    private final Map<TableRef, TableBatcher> buffers = new HashMap<>();
    private final BufferTotals totals = new BufferTotals();

    /** The mirror table's buffer, or null. */
    TableBatcher of(TableRef table) {
        return buffers.get(table);
    }

    /** A new, empty buffer for {@code table}'s changes in {@code schema}'s shape. */
    TableBatcher open(TableRef table, TableSchema schema) {
        TableBatcher b = new TableBatcher(table, schema, totals);
        buffers.put(table, b);
        return b;
    }

    /** Drops the buffered changes of {@code table} (mirror paused, dropped, failed or copied again). */
    void forget(TableRef table) {
        TableBatcher b = buffers.remove(table);
        if (b != null) {
            b.discard();
        }
    }

    /** Drops every buffer (the stream session ended; the next one replays from the last acknowledgement). */
    void forgetAll() {
        buffers.values().forEach(TableBatcher::discard);
        buffers.clear();
    }

    /** A snapshot of the buffers, safe to write while iterating. */
    List<TableBatcher> all() {
        return List.copyOf(buffers.values());
    }

    /** The buffers holding rows older than {@code maxAgeMillis}. */
    List<TableBatcher> olderThan(long maxAgeMillis, long nowMillis) {
        List<TableBatcher> aged = new ArrayList<>(2);
        for (TableBatcher b : buffers.values()) {
            if (b.olderThan(maxAgeMillis, nowMillis)) {
                aged.add(b);
            }
        }
        return aged;
    }

    /** The buffer holding the most bytes, or null when there is none. */
    TableBatcher largest() {
        TableBatcher largest = null;
        for (TableBatcher b : buffers.values()) {
            if (largest == null || b.bytes() > largest.bytes()) {
                largest = b;
            }
        }
        return largest;
    }

    /** {@code position}, or the lowest watermark of a non-empty buffer when that is earlier. */
    Lsn writtenBelow(Lsn position) {
        for (TableBatcher b : buffers.values()) {
            if (!b.isEmpty() && b.watermark().compareTo(position) < 0) {
                position = b.watermark();
            }
        }
        return position;
    }

    long rows() {
        return totals.rows();
    }

    long bytes() {
        return totals.bytes();
    }

    long maxRows() {
        return totals.maxRows();
    }
}
