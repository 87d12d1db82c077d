package io.echodb.core.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the stream says about whole tables, each at its place between the row changes: a new shape
 * (Relation), a truncate, renamed columns, rows rewritten by DDL. A copy in progress that such a change would
 * invalidate starts again; a running mirror whose target cannot follow in place copies its table again. Engine lock.
 */
final class TableChanges {

    private static final Logger LOG = LoggerFactory.getLogger(TableChanges.class);

    private final EngineEnv env;
    private final VersionAssigner versions;
    private final ChangeRouter router;
    private final ChangeBuffers buffers;
    private final BufferWriter writer;
    private final MirrorGuard guard;
    private final MirrorStates states;

    TableChanges(StreamContext context, BufferWriter writer) {
        this.env = context.env();
        this.versions = context.versions();
        this.router = context.router();
        this.buffers = context.buffers();
        this.writer = writer;
        this.guard = context.guard();
        this.states = context.states();
    }

    void relation(TableSchema announced) {
        TableRef table = announced.table();
        TableSchema before = router.announcedBefore(announced.relationId());
        router.announced(announced);
        // The shape of an older generation of the table (dropped and created again) must not reach the new target.
        MirrorRuntime m = router.route(table, announced.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "apply the new shape of", table, () -> {
            TableSchema schema = m.shape.schema(announced);
            m.latestSchema = schema;
            var reason = m.shape.problem(announced);
            if (reason.isPresent()) {
                states.unsupported(m, reason.get());
                return;
            }
            if (m.shape.needsFullIdentityFirst(announced)) {
                lostItsKey(m);
                return;
            }
            String rewritten = ValueChangingDdl.between(before, announced);
            Lsn at = versions.commitLsn();
            if (rewritten != null && (at == null || !m.predatesCopy(at))) {
                // As for a rewrite marker just before this message: the copy starts again, and the new shape still
                // reaches the buffered rows and the target below (the rows after it have the new width).
                states.copyAfresh(m, "DDL changed existing rows of " + m.table() + " (" + rewritten + ")");
                if (!m.isActive()) {
                    return;
                }
            }
            // The mirror's buffer, under the mirror's name: a table renamed since is still named the old way here.
            TableBatcher b = buffers.of(m.table());
            if (b != null && !b.schema().equals(schema)) {
                writer.flush(m, b);
                if (!m.isActive()) {
                    return;
                }
                reshapeRemaining(b, schema);
            }
            if (m.shapedUpTo == null || (at != null && at.isAfter(m.shapedUpTo))) {
                writer.bringTargetInLine(m, schema); // newer than anything pushed before: pushed as it is (drops included)
            } else if (!TargetSchemas.covered(m, schema)) {
                // Possibly older than the target (a replay, or a copy described the table meanwhile): add what the
                // Relation has without ever removing what the table has now.
                Optional<TableSchema> current = guard.retrySource(m, "describe " + m.table(),
                        () -> env.source().describe(m.table()));
                writer.bringTargetInLine(m, current.map(c -> TargetSchemas.union(schema, m.shape.schema(c))).orElse(schema));
            }
        });
    }

    /**
     * The table lost its key and is mirrored on as a multiset, which only a copy can make (it sets REPLICA IDENTITY
     * FULL and rebuilds the target). Its changes can reach the stream before the DDL reaches the control plane (the
     * catalog sweep sees it later): no target can take this shape, but failing the mirror would be wrong (I3). A shape
     * older than the copy the target holds changes nothing (a replay).
     */
    private void lostItsKey(MirrorRuntime m) {
        Lsn at = versions.commitLsn();
        if (at != null && m.predatesCopy(at)) {
            return;
        }
        states.copyAfresh(m, m.table() + " lost its key; it is mirrored on as a multiset");
    }

    /** Rows kept back (unresolved TOAST during a copy) follow the table into its new shape, matched by column name. */
    private static void reshapeRemaining(TableBatcher b, TableSchema schema) {
        if (b.isEmpty()) {
            b.switchSchema(schema);
            return;
        }
        Lsn watermark = b.watermark();
        long since = b.firstAddedMillis();
        TableSchema from = b.schema();
        List<SinkRow> kept = new ArrayList<>();
        for (SinkRow r : b.take()) {
            Object[] values = new Object[schema.columns().size()];
            for (int i = 0; i < values.length; i++) {
                int j = from.indexOf(schema.columns().get(i).name());
                values[i] = j < 0 ? null : r.row().get(j);
            }
            kept.add(new SinkRow(Row.wrap(values), r.version(), r.deleted()));
        }
        b.switchSchema(schema);
        b.putBack(kept, watermark, since);
    }

    void truncate(ChangeEvent.Truncate t) {
        for (int i = 0; i < t.tables().size(); i++) {
            TableRef table = t.tables().get(i);
            MirrorRuntime m = router.routeChange(table, t.relationId(i));
            if (m == null) {
                continue;
            }
            guard.guarded(m, "apply a truncate of", table, () -> {
                // Buffered rows are older than the truncate: writing them would only be undone by it.
                buffers.forget(m.table());
                Runnable truncate = () -> guard.retrySink(m, "truncate " + m.target(), () -> {
                    env.sink().truncate(m.target());
                    return null;
                });
                if (m.state == MirrorState.SNAPSHOTTING) {
                    // Rows of the running copy could land after this truncate and resurrect truncated rows.
                    states.restartSnapshot(m, table + " was truncated", truncate);
                } else {
                    truncate.run();
                }
            });
        }
    }

    /**
     * RENAME COLUMN, at its place in the stream: the buffered rows (old names) are written, then the target's columns
     * are renamed, so old rows keep their values under the new names and nothing is copied. A copy in progress
     * described the old names and starts again; a rename the target cannot take (a name taken, an excluded column
     * becoming visible) makes the mirror copy the table again.
     */
    void columnsRenamed(ChangeEvent.ColumnsRenamed c) {
        // A rename committed before the target's copy is in the copy already (its names are the new ones).
        MirrorRuntime m = router.routeChange(c.table(), c.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "rename columns of", m.table(), () -> {
            String reason = "columns of " + m.table() + " renamed " + c.renames();
            if (m.state == MirrorState.SNAPSHOTTING) {
                states.restartSnapshot(m, reason, () -> { });
                return;
            }
            TableBatcher b = buffers.of(m.table());
            if (b != null) {
                writer.flush(m, b);
                if (!m.isActive() || !b.isEmpty()) {
                    if (m.isActive()) {
                        states.copyAgain(m, reason + " while changes waited to be written");
                    }
                    return;
                }
                buffers.forget(m.table());
            }
            Map<String, String> renames = m.shape.targetRenames(c.renames());
            if (renames == null) {
                states.copyAgain(m, reason + ": an excluded column changed its name");
                return;
            }
            boolean renamed = renames.isEmpty() || guard.retrySink(m, "rename columns of " + m.target(),
                    () -> env.sink().renameColumns(m.target(), renames));
            if (!renamed) {
                states.copyAgain(m, reason + ", which the target cannot take in place");
                return;
            }
            m.ensuredSchemas.clear();
            LOG.info("mirror {}: {}; target {} renamed them, rows kept", m.name(), reason, m.target());
        });
    }

    /**
     * DDL changed rows without row changes, at its place in the stream: the mirror following that relation (also
     * under a new name: the DDL outbox names tables as they were, and a rename followed meanwhile would hide it) copies
     * the table again. A copy whose point comes after the DDL already holds its effect.
     */
    void rowsRewritten(ChangeEvent.RowsRewritten w) {
        MirrorRuntime m = router.routeChange(w.table(), w.relationId());
        if (m == null) {
            return;
        }
        guard.guarded(m, "copy again", m.table(),
                () -> states.copyAfresh(m, "DDL changed existing rows of " + m.table() + " (" + w.reason() + ")"));
    }
}
