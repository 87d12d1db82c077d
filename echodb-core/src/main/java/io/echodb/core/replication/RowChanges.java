package io.echodb.core.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorState;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.util.List;
import java.util.Map;

/**
 * Turns a streamed insert, update or delete into versioned rows of its mirror's buffer: cut to the target's shape,
 * an update's unchanged TOAST values filled from what is known, a changed key deleting the old key's row, a key-less
 * table's update written as −old/+new images. Engine lock.
 */
final class RowChanges {

    private final EngineEnv env;
    private final VersionAssigner versions;
    private final ChangeRouter router;
    private final BufferWriter writer;
    private final MirrorGuard guard;
    private final MirrorStates states;

    RowChanges(StreamContext context, BufferWriter writer) {
        this.env = context.env();
        this.versions = context.versions();
        this.router = context.router();
        this.writer = writer;
        this.guard = context.guard();
        this.states = context.states();
    }

    void insert(ChangeEvent.Insert i) {
        RowVersion version = versions.next();
        MirrorRuntime m = router.routeChange(i.table(), i.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "apply an insert into", i.table(), () -> {
            TableBatcher b = writer.bufferOf(m);
            Row row = checkWidth(b, shaped(m, i.relationId(), i.newRow()));
            writer.add(m, b, new SinkRow(row, version, false), key(b, row));
        });
    }

    void update(ChangeEvent.Update u) {
        RowVersion version = versions.next();
        MirrorRuntime m = router.routeChange(u.table(), u.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "apply an update of", u.table(), () -> {
            TableBatcher b = writer.bufferOf(m);
            Row newRow = checkWidth(b, shaped(m, u.relationId(), u.newRow()));
            Row oldRow = u.oldRow() == null ? null : checkWidth(b, shaped(m, u.relationId(), u.oldRow()));
            if (b.schema().isMultiset()) {
                updateMultiset(m, b, u, oldRow, newRow, version);
                return;
            }
            if (oldRow != null && b.schema().identity() == ReplicaIdentity.FULL) {
                newRow = ToastResolver.fill(newRow, oldRow); // a FULL old image carries every value
            }
            RowKey key = key(b, newRow);
            if (oldRow != null) {
                RowKey oldKey = key(b, oldRow);
                if (!oldKey.equals(key)) {
                    if (newRow.hasUnchangedToast()) {
                        // Values PostgreSQL did not resend belong to the row under its old key, not the new one.
                        newRow = fillFromMovedRow(m, b, newRow, oldKey, version);
                        if (!m.isActive()) {
                            return;
                        }
                        if (newRow.hasUnchangedToast() && m.state == MirrorState.SNAPSHOTTING) {
                            // The copy has not written the old key yet, and once it has, the key's delete hides it:
                            // nothing can ever supply these values. A copy started now has the row under its new key.
                            states.restartSnapshot(m, "a key of " + m.table() + " changed (" + oldKey + " -> "
                                    + key + ") with unchanged TOAST values", () -> { });
                            return;
                        }
                    }
                    // The key changed: the old key's row must disappear.
                    writer.add(m, b, new SinkRow(ToastResolver.withoutMarkers(oldRow), version, true), oldKey);
                    if (!m.isActive()) {
                        return;
                    }
                    b = writer.bufferOf(m);
                }
            }
            if (newRow.hasUnchangedToast()) {
                SinkRow previous = b.latestFor(key);
                if (previous != null && !previous.deleted()) {
                    newRow = ToastResolver.fill(newRow, previous.row());
                }
            }
            writer.add(m, b, new SinkRow(newRow, version, false), key);
        });
    }

    /**
     * A key-less (multiset) table has no key to replace a row by: the update takes one copy of the old row image out
     * (−1) and puts the new one in (+1), both with the change's version. REPLICA IDENTITY FULL sends the whole old row
     * (TOAST values included), which also fills the new row's unchanged values.
     */
    private void updateMultiset(MirrorRuntime m, TableBatcher b, ChangeEvent.Update u, Row oldRow, Row newRow,
            RowVersion version) {
        if (oldRow == null) {
            states.copyAgain(m, "an update of key-less table " + u.table() + " came without its old row"
                    + " (its REPLICA IDENTITY is no longer FULL)");
            return;
        }
        Row old = ToastResolver.withoutMarkers(oldRow);
        writer.add(m, b, new SinkRow(old, version, true), key(b, old));
        if (!m.isActive()) {
            return;
        }
        TableBatcher current = writer.bufferOf(m);
        Row filled = ToastResolver.fill(newRow, oldRow);
        writer.add(m, current, new SinkRow(filled, version, false), key(current, filled));
    }

    /**
     * Fills the unchanged-TOAST markers of a row whose key changed from {@code oldKey}: from the old key's latest
     * buffered row, then (for markers that row still has itself) from the old key's row in the target, which holds
     * everything older than the buffer. Markers stay when neither has the values (e.g. the copy has not reached the
     * row yet) and while a copy that will empty the target has not chosen its point; the caller then handles them.
     *
     * <p>A stored row at or above {@code version} is not older than this change: the change is a replay (after a
     * restart the stream repeats what was written but not acknowledged), and the old key's stored row belongs to a
     * later change — in a key swap, the other row. Its values must not be taken: the new key's own stored row, written
     * by the first application with this very version, is what the flush fills the markers from.
     */
    private Row fillFromMovedRow(MirrorRuntime m, TableBatcher b, Row newRow, RowKey oldKey, RowVersion version) {
        SinkRow previous = b.latestFor(oldKey);
        if (previous != null) {
            if (previous.deleted()) {
                return newRow;
            }
            newRow = ToastResolver.fill(newRow, previous.row());
            if (!newRow.hasUnchangedToast()) {
                return newRow;
            }
        }
        if (m.holdsChanges()) {
            // A copy is about to empty the target: its rows may be stale (changes skipped while the mirror was not
            // applying) or of a shape the copy rebuilds; they are no longer the mirror's to read.
            return newRow;
        }
        TableSchema schema = b.schema();
        if (!TargetSchemas.covered(m, schema)) {
            writer.bringTargetInLine(m, schema);
            if (!m.isActive() || m.holdsChanges()) {
                return newRow; // stopped, or copying again: the target no longer answers for this mirror
            }
        }
        Map<RowKey, SinkRow> stored = guard.retrySink(m, "read current rows of " + m.target(),
                () -> env.sink().latestRows(m.target(), schema, List.of(oldKey)));
        SinkRow old = stored.get(oldKey);
        if (old == null || old.version().compareTo(version) >= 0) {
            return newRow;
        }
        return ToastResolver.fill(newRow, old.row());
    }

    void delete(ChangeEvent.Delete d) {
        RowVersion version = versions.next();
        MirrorRuntime m = router.routeChange(d.table(), d.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "apply a delete from", d.table(), () -> {
            TableBatcher b = writer.bufferOf(m);
            Row old = ToastResolver.withoutMarkers(checkWidth(b, shaped(m, d.relationId(), d.oldRow())));
            writer.add(m, b, new SinkRow(old, version, true), key(b, old));
        });
    }

    /** A row of the relation's announced shape, cut to the mirror's target shape (excluded columns left out). */
    private Row shaped(MirrorRuntime m, long relationId, Row row) {
        return m.shape.row(router.announcedShape(m, relationId), row);
    }

    private static Row checkWidth(TableBatcher b, Row row) {
        int expected = b.schema().columns().size();
        if (row.size() != expected) {
            throw new IllegalStateException("a row of " + row.size() + " values does not fit the " + expected
                    + " columns of " + b.table() + " (was its Relation message missed?)");
        }
        return row;
    }

    private static RowKey key(TableBatcher b, Row row) {
        for (int i : b.keyIndexes()) {
            if (row.get(i) == UnchangedToast.INSTANCE) {
                throw new IllegalStateException("key column " + b.schema().columns().get(i).name() + " of " + b.table()
                        + " was not sent (unchanged TOAST value); use REPLICA IDENTITY FULL for this table");
            }
        }
        return row.key(b.keyIndexes());
    }
}
