package io.echodb.core.replication;

import io.echodb.core.change.SinkRow;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.UnchangedToast;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Replaces unchanged-TOAST markers (values PostgreSQL did not resend because they did not change) with the stored
 * value, so a marker never overwrites a stored value with a default. Sources, in order: the row's own old image
 * (REPLICA IDENTITY FULL), the latest earlier row of the same key in the buffer, and at write time the target's
 * current row (earlier batches of the table are always written before later ones).
 */
final class ToastResolver {

    /** Rows ready to write, and rows whose markers could not be resolved yet (stream order kept in both). */
    record Resolution(List<SinkRow> resolved, List<SinkRow> unresolved) { }

    private ToastResolver() {
    }

    private static boolean anyUnresolvedMarker(List<SinkRow> rows) {
        for (SinkRow r : rows) {
            if (!r.deleted() && r.row().hasUnchangedToast()) {
                return true;
            }
        }
        return false;
    }

    /** Copies {@code base}'s values into the marker positions of {@code row}; returns {@code row} when none. */
    static Row fill(Row row, Row base) {
        if (base == null || !row.hasUnchangedToast()) {
            return row;
        }
        Object[] values = row.toArray();
        int n = Math.min(values.length, base.size());
        for (int i = 0; i < n; i++) {
            if (values[i] == UnchangedToast.INSTANCE) {
                values[i] = base.get(i);
            }
        }
        return Row.wrap(values);
    }

    /** A copy of {@code row} with markers replaced by null: for delete markers and key-only old images. */
    static Row withoutMarkers(Row row) {
        if (!row.hasUnchangedToast()) {
            return row;
        }
        Object[] values = row.toArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == UnchangedToast.INSTANCE) {
                values[i] = null;
            }
        }
        return Row.wrap(values);
    }

    /**
     * Resolves the markers left in a batch, in stream order: from an earlier row of the same key in the batch, else
     * from the target's current row (looked up once for all such keys through {@code currentRows}).
     */
    static Resolution resolve(List<SinkRow> rows, int[] keyIndexes, Function<Collection<RowKey>, Map<RowKey, Row>> currentRows) {
        if (!anyUnresolvedMarker(rows)) {
            return new Resolution(rows, List.of()); // the common case: nothing to resolve, no keys to compute
        }
        Set<RowKey> lookup = new LinkedHashSet<>();
        Set<RowKey> seen = new java.util.HashSet<>();
        boolean anyMarker = false;
        for (SinkRow r : rows) {
            RowKey key = r.row().key(keyIndexes);
            if (!r.deleted() && r.row().hasUnchangedToast()) {
                anyMarker = true;
                if (!seen.contains(key)) {
                    lookup.add(key);
                }
            }
            seen.add(key);
        }
        if (!anyMarker) {
            return new Resolution(rows, List.of());
        }
        Map<RowKey, Row> stored = lookup.isEmpty() ? Map.of() : currentRows.apply(lookup);
        // Latest row per key within this batch; a null value means the key was deleted.
        Map<RowKey, Row> latest = new HashMap<>();
        List<SinkRow> resolved = new ArrayList<>(rows.size());
        List<SinkRow> unresolved = new ArrayList<>();
        for (SinkRow r : rows) {
            RowKey key = r.row().key(keyIndexes);
            Row row = r.row();
            if (!r.deleted() && row.hasUnchangedToast()) {
                Row base = latest.containsKey(key) ? latest.get(key) : stored.get(key);
                row = fill(row, base);
            }
            SinkRow out = row == r.row() ? r : new SinkRow(row, r.version(), r.deleted());
            latest.put(key, out.deleted() ? null : row);
            if (!out.deleted() && row.hasUnchangedToast()) {
                unresolved.add(out);
            } else {
                resolved.add(out);
            }
        }
        return new Resolution(resolved, unresolved);
    }
}
