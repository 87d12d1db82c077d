package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorState;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the stream's rows per mirror and writes a buffer when it is full, old, or the buffers together are too
 * large: target shaped first, unchanged TOAST values resolved, then one write; rows a copy already contains are left
 * out. Engine lock.
 */
final class BufferWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BufferWriter.class);

    private final EngineEnv env;
    private final MirrorRegistry registry;
    private final ChangeBuffers buffers;
    private final ChangeRouter router;
    private final TargetSchemas schemas;
    private final MirrorGuard guard;
    private final MirrorStates states;
    private final AckTracker ack;

    BufferWriter(StreamContext context, TargetSchemas schemas) {
        this.env = context.env();
        this.registry = context.registry();
        this.buffers = context.buffers();
        this.router = context.router();
        this.schemas = schemas;
        this.guard = context.guard();
        this.states = context.states();
        this.ack = context.ack();
    }

    /** The mirror's buffer, opened in the shape of the relation's latest Relation message (else the known schema). */
    TableBatcher bufferOf(MirrorRuntime m) {
        TableBatcher b = buffers.of(m.table());
        if (b == null) {
            TableSchema announced = router.announcedShape(m, m.relationId);
            TableSchema schema = announced != null && sameRelation(announced.relationId(), m.relationId)
                    ? m.shape.schema(announced) : m.latestSchema;
            if (schema == null) {
                throw new IllegalStateException("no Relation message and no known schema for " + m.table());
            }
            b = buffers.open(m.table(), schema);
        }
        return b;
    }

    private static boolean sameRelation(long a, long b) {
        return a == TableSchema.UNKNOWN_RELATION || b == TableSchema.UNKNOWN_RELATION || a == b;
    }

    /** Buffers a row; writes the buffer when full, or the largest buffer when all of them together are too large. */
    void add(MirrorRuntime m, TableBatcher b, SinkRow row, RowKey key) {
        EngineSettings settings = env.settings();
        b.add(row, key, ack.lastCommitEnd(), env.clock().millis());
        if (b.size() >= settings.batchRows() || b.bytes() >= settings.batchBytes()) {
            flush(m, b);
        } else if (buffers.bytes() >= settings.maxBufferedBytes()) {
            TableBatcher largest = buffers.largest();
            if (largest != null) {
                flushTable(largest);
            }
        }
    }

    /** Writes every buffer that has waited longer than the batch age. */
    void flushAged() {
        for (TableBatcher b : buffers.olderThan(env.settings().maxBatchAge().toMillis(), env.clock().millis())) {
            flushTable(b);
        }
    }

    /** Writes every buffer, as far as possible. */
    void flushAll() {
        for (TableBatcher b : buffers.all()) {
            flushTable(b);
        }
    }

    /**
     * Writes the mirror's buffered changes now (its table is about to be known by another name); false when they
     * could not all be written (the mirror stopped, or rows wait for a copy).
     */
    boolean flushMirror(MirrorRuntime m) {
        TableBatcher b = buffers.of(m.table());
        if (b == null) {
            return true;
        }
        guard.guarded(m, "write changes of", m.table(), () -> flush(m, b));
        return b.isEmpty() && m.isActive();
    }

    private void flushTable(TableBatcher b) {
        MirrorRuntime m = registry.activeFor(b.table());
        if (m == null) {
            buffers.forget(b.table());
            return;
        }
        guard.guarded(m, "write changes of", b.table(), () -> flush(m, b));
    }

    /** Writes the buffer of {@code m} (in the caller's guard). */
    void flush(MirrorRuntime m, TableBatcher b) {
        if (b.isEmpty() || m.holdsChanges()) {
            return; // held: the copy emptying the target has not chosen its point yet
        }
        Lsn watermark = b.watermark();
        long since = b.firstAddedMillis();
        TableSchema schema = b.schema();
        List<SinkRow> rows = b.take();
        // Changes buffered while a copy chose its point: the ones before it are in the copy.
        rows.removeIf(r -> m.predatesCopy(r.version()));
        if (rows.isEmpty()) {
            return;
        }
        try {
            if (!TargetSchemas.covered(m, schema)) {
                bringTargetInLine(m, schema);
                if (!m.isActive() || m.holdsChanges()) {
                    return; // stopped, or copying again: the copy's point comes after these rows
                }
            }
            ToastResolver.Resolution r = ToastResolver.resolve(rows, b.keyIndexes(), keys -> guard.retrySink(m,
                    "read current rows of " + m.target(), () -> env.sink().currentRows(m.target(), schema, keys)));
            if (!r.unresolved().isEmpty() && !keepOrSkipUnresolved(m, b, r.unresolved(), watermark, since)) {
                return; // copying again
            }
            if (!r.resolved().isEmpty()) {
                long start = System.nanoTime();
                guard.retrySink(m, "write rows to " + m.target(), () -> {
                    env.sink().write(m.target(), schema, r.resolved());
                    return null;
                });
                long nanos = System.nanoTime() - start;
                states.rowsWritten(m, r.resolved().size());
                env.listener().batchFlushed(m.table(), r.resolved().size(), nanos);
            }
        } catch (RetryAbandonedException e) {
            // The engine is stopping: these rows are not written, so the acknowledged position must stay put.
            ack.block();
            throw e;
        }
    }

    /** Handles rows whose unchanged TOAST values are nowhere to be found; false when the mirror copies again. */
    private boolean keepOrSkipUnresolved(MirrorRuntime m, TableBatcher b, List<SinkRow> unresolved, Lsn watermark,
            long since) {
        if (m.state == MirrorState.SNAPSHOTTING) {
            // The copy has not reached these keys yet; once it has, their stored values fill the gaps.
            b.putBack(unresolved, watermark, since);
            return true;
        }
        if (m.copyWasResumed()) {
            // An update may have moved the row into a range finished before the copy resumed: the copy never read it,
            // so its values are nowhere, and skipping would lose the row (I1). Only a fresh copy has it.
            states.copyAgain(m, unresolved.size() + " update(s) of " + m.table() + " carried unchanged TOAST values of"
                    + " rows the resumed copy did not read (first key " + unresolved.get(0).row().key(b.keyIndexes()) + ")");
            return false;
        }
        // No live row exists for these keys: a later delete of the key is already in the target (replay after a
        // crash), so the row is superseded anyway. Writing it with guessed values could only do harm.
        String message = unresolved.size() + " update(s) of " + m.table() + " carried unchanged TOAST values for keys"
                + " with no stored row (first key " + unresolved.get(0).row().key(b.keyIndexes()) + "); skipped";
        LOG.warn("mirror {}: {}", m.name(), message);
        env.listener().error(m.name(), "resolve unchanged TOAST values", new IllegalStateException(message));
        return true;
    }

    /**
     * Pushes {@code schema} to the target, retrying in place; a shape the target cannot take stops the mirror's
     * applying: a copy rebuilds a target of its own, anything else fails the mirror.
     */
    void bringTargetInLine(MirrorRuntime m, TableSchema schema) {
        SchemaSync sync = guard.retrySink(m, "bring " + m.target() + " in line with " + m.table(), () -> schemas.push(m, schema));
        if (!(sync instanceof SchemaSync.Incompatible inc)) {
            return;
        }
        if (inc.rebuildable() && (m.state == MirrorState.SNAPSHOTTING || m.state == MirrorState.RUNNING)) {
            // A copy rebuilds the target for the table's shape when it starts (e.g. a column dropped and added again
            // with another type: no rewrite event comes); failing would leave a mirror stopped that a copy makes exact.
            states.copyAfresh(m, "the table changed to a shape the target cannot take in place (" + inc.reason() + ")");
        } else {
            states.failed(m, "incompatible schema change of " + m.table() + ": " + inc.reason(), null);
        }
    }
}
