package io.echodb.core.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.ChangeSink;
import io.echodb.core.port.ChangeSource;
import io.echodb.core.port.ChangeStream;
import io.echodb.core.port.FencedOutException;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the change stream to the target: turns row changes into versioned rows, buffers them per table, writes
 * buffers when they are full or old, and acknowledges the stream only up to what is durably written. Used only with
 * the engine lock held (so by one thread at a time).
 */
final class StreamApplier {

    private static final Logger LOG = LoggerFactory.getLogger(StreamApplier.class);
    private static final int AGE_CHECK_EVERY_EVENTS = 1024;

    private final MirrorRegistry registry;
    private final ChangeSource source;
    private final ChangeSink sink;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final Retrier retrier;
    private final MirrorEvents events;
    private final BooleanSupplier running;

    private final Map<TableRef, TableBatcher> buffers = new HashMap<>();
    private final Map<TableRef, TableSchema> relations = new HashMap<>();
    /** The latest Relation message of each known relation id: a renamed table's rows keep their relation. */
    private final Map<Long, TableSchema> relationsById = new HashMap<>();
    private final BufferTotals totals = new BufferTotals();
    private final VersionAssigner versions = new VersionAssigner();
    private final CommitLag commitLag = new CommitLag();

    private ChangeStream stream;
    /** End of the last commit whose every row is buffered, written or deliberately skipped. */
    private Lsn lastCommitEnd = Lsn.ZERO;
    private Lsn lastAcked = Lsn.ZERO;
    private long lastAckMillis;
    /** Set when a write was abandoned half-way: nothing may be acknowledged until the stream restarts. */
    private boolean ackBlocked;
    private int eventsSinceAgeCheck;
    private long skippedNotOwned;

    StreamApplier(MirrorRegistry registry, ChangeSource source, ChangeSink sink, EngineSettings settings, Clock clock,
            EngineListener listener, Retrier retrier, MirrorEvents events, BooleanSupplier running) {
        this.registry = registry;
        this.source = source;
        this.sink = sink;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.retrier = retrier;
        this.events = events;
        this.running = running;
    }

    // ---------------------------------------------------------------- session

    /** Starts applying a freshly opened stream that resumes after {@code from}. */
    void attach(ChangeStream newStream, Lsn from) {
        discardSessionState();
        stream = newStream;
        lastCommitEnd = from;
        lastAcked = Lsn.max(lastAcked, from);
        commitLag.writtenThrough(from);
        lastAckMillis = clock.millis();
        ackBlocked = false;
    }

    /** Forgets the stream and everything buffered from it (a new session replays it from the last acknowledgement). */
    ChangeStream detach() {
        discardSessionState();
        ChangeStream s = stream;
        stream = null;
        return s;
    }

    boolean attached() {
        return stream != null;
    }

    ChangeStream stream() {
        return stream;
    }

    Lsn lastAcked() {
        return lastAcked;
    }

    long maxBufferedRows() {
        return totals.maxRows();
    }

    long bufferedRows() {
        return totals.rows();
    }

    /** Age of the oldest received transaction not yet written; zero when caught up. Any thread. */
    java.time.Duration replicationLag() {
        return commitLag.behind(clock.instant());
    }

    private void discardSessionState() {
        buffers.values().forEach(TableBatcher::discard);
        buffers.clear();
        relations.clear();
        relationsById.clear();
        versions.reset();
    }

    /** Drops the buffered changes of {@code table} (mirror paused, dropped, failed or re-copied). */
    void forget(TableRef table) {
        TableBatcher b = buffers.remove(table);
        if (b != null) {
            b.discard();
        }
    }

    // ---------------------------------------------------------------- events

    void apply(ChangeEvent event) {
        if (event instanceof ChangeEvent.Begin b) {
            versions.begin(b.finalLsn());
        } else if (event instanceof ChangeEvent.Commit c) {
            versions.commit();
            commitLag.received(c.endLsn(), c.commitTime());
            lastCommitEnd = Lsn.max(lastCommitEnd, c.endLsn());
            flushAged();
            maybeAck(false);
        } else if (event instanceof ChangeEvent.Relation r) {
            onRelation(r.schema());
        } else if (event instanceof ChangeEvent.Insert i) {
            onInsert(i);
        } else if (event instanceof ChangeEvent.Update u) {
            onUpdate(u);
        } else if (event instanceof ChangeEvent.Delete d) {
            onDelete(d);
        } else if (event instanceof ChangeEvent.Truncate t) {
            onTruncate(t);
        } else if (event instanceof ChangeEvent.Keepalive k) {
            onKeepalive(k);
        } else if (event instanceof ChangeEvent.ColumnsRenamed c) {
            onColumnsRenamed(c);
        } else if (event instanceof ChangeEvent.RowsRewritten w) {
            onRowsRewritten(w);
        }
        if (++eventsSinceAgeCheck >= AGE_CHECK_EVERY_EVENTS) {
            flushAged();
        }
    }

    /** The stream had nothing to say for a while: write what has waited long enough and acknowledge. */
    void idle() {
        flushAged();
        maybeAck(false);
    }

    private void onKeepalive(ChangeEvent.Keepalive k) {
        if (!versions.inTransaction() && totals.rows() == 0) {
            // Nothing in flight: every commit the server sent up to its position is applied, so the slot may
            // advance even while the mirrored tables are idle.
            lastCommitEnd = Lsn.max(lastCommitEnd, k.serverLsn());
            commitLag.caughtUp();
            maybeAck(true);
        } else {
            flushAged();
            maybeAck(false);
        }
    }

    private void onRelation(TableSchema announced) {
        TableRef table = announced.table();
        relations.put(table, announced);
        if (announced.relationId() != TableSchema.UNKNOWN_RELATION) {
            relationsById.put(announced.relationId(), announced);
        }
        // The shape of an older generation of the table (dropped and created again) must not reach the new target.
        MirrorRuntime m = route(table, announced.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "apply the new shape of", table, () -> {
            TableSchema schema = m.shape.schema(announced);
            m.latestSchema = schema;
            var reason = m.shape.problem(announced);
            if (reason.isPresent()) {
                events.unsupported(m, reason.get());
                return;
            }
            // The mirror's buffer, under the mirror's name: a table renamed since is still named the old way here.
            TableBatcher b = buffers.get(m.table());
            if (b != null && !b.schema().equals(schema)) {
                flush(m, b);
                if (!m.isActive()) {
                    return;
                }
                reshapeRemaining(b, schema);
            }
            Lsn at = versions.commitLsn();
            if (m.shapedUpTo == null || (at != null && at.isAfter(m.shapedUpTo))) {
                ensure(m, schema); // newer than anything pushed before: pushed as it is (drops included)
            } else if (!coveredByTarget(m, schema)) {
                // Possibly older than the target (a replay, or a copy described the table meanwhile): add what the
                // Relation has without ever removing what the table has now.
                Optional<TableSchema> current = retrySource(m, "describe " + m.table(), () -> source.describe(m.table()));
                ensure(m, current.map(c -> union(schema, m.shape.schema(c))).orElse(schema));
            }
        });
    }

    private void onInsert(ChangeEvent.Insert i) {
        RowVersion version = versions.next();
        MirrorRuntime m = routeChange(i.table(), i.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "apply an insert into", i.table(), () -> {
            TableBatcher b = buffer(m);
            Row row = checkWidth(b, shaped(m, i.relationId(), i.newRow()));
            add(m, b, new SinkRow(row, version, false), key(b, row));
        });
    }

    private void onUpdate(ChangeEvent.Update u) {
        RowVersion version = versions.next();
        MirrorRuntime m = routeChange(u.table(), u.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "apply an update of", u.table(), () -> {
            TableBatcher b = buffer(m);
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
                            events.restartSnapshot(m, "a key of " + m.table() + " changed (" + oldKey + " -> "
                                    + key + ") with unchanged TOAST values", () -> { });
                            return;
                        }
                    }
                    // The key changed: the old key's row must disappear.
                    add(m, b, new SinkRow(ToastResolver.withoutMarkers(oldRow), version, true), oldKey);
                    if (!m.isActive()) {
                        return;
                    }
                    b = buffer(m);
                }
            }
            if (newRow.hasUnchangedToast()) {
                SinkRow previous = b.latestFor(key);
                if (previous != null && !previous.deleted()) {
                    newRow = ToastResolver.fill(newRow, previous.row());
                }
            }
            add(m, b, new SinkRow(newRow, version, false), key);
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
            events.copyAgain(m, "an update of key-less table " + u.table() + " came without its old row"
                    + " (its REPLICA IDENTITY is no longer FULL)");
            return;
        }
        Row old = ToastResolver.withoutMarkers(oldRow);
        add(m, b, new SinkRow(old, version, true), key(b, old));
        if (!m.isActive()) {
            return;
        }
        TableBatcher current = buffer(m);
        Row filled = ToastResolver.fill(newRow, oldRow);
        add(m, current, new SinkRow(filled, version, false), key(current, filled));
    }

    /**
     * Fills the unchanged-TOAST markers of a row whose key changed from {@code oldKey}: from the old key's latest
     * buffered row, then (for markers that row still has itself) from the old key's row in the target, which holds
     * everything older than the buffer. Markers stay when neither has the values (e.g. the copy has not reached the
     * row yet); the flush then handles them as usual.
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
        TableSchema schema = b.schema();
        if (!coveredByTarget(m, schema)) {
            ensure(m, schema);
            if (!m.isActive()) {
                return newRow;
            }
        }
        Map<RowKey, SinkRow> stored = retrySink(m, "read current rows of " + m.target(),
                () -> sink.latestRows(m.target(), schema, List.of(oldKey)));
        SinkRow old = stored.get(oldKey);
        if (old == null || old.version().compareTo(version) >= 0) {
            return newRow;
        }
        return ToastResolver.fill(newRow, old.row());
    }

    private void onDelete(ChangeEvent.Delete d) {
        RowVersion version = versions.next();
        MirrorRuntime m = routeChange(d.table(), d.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "apply a delete from", d.table(), () -> {
            TableBatcher b = buffer(m);
            Row old = ToastResolver.withoutMarkers(checkWidth(b, shaped(m, d.relationId(), d.oldRow())));
            add(m, b, new SinkRow(old, version, true), key(b, old));
        });
    }

    private void onTruncate(ChangeEvent.Truncate t) {
        for (int i = 0; i < t.tables().size(); i++) {
            TableRef table = t.tables().get(i);
            MirrorRuntime m = routeChange(table, t.relationId(i));
            if (m == null) {
                continue;
            }
            guarded(m, "apply a truncate of", table, () -> {
                // Buffered rows are older than the truncate: writing them would only be undone by it.
                forget(m.table());
                Runnable truncate = () -> retrySink(m, "truncate " + m.target(), () -> {
                    sink.truncate(m.target());
                    return null;
                });
                if (m.state == MirrorState.SNAPSHOTTING) {
                    // Rows of the running copy could land after this truncate and resurrect truncated rows.
                    events.restartSnapshot(m, table + " was truncated", truncate);
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
    private void onColumnsRenamed(ChangeEvent.ColumnsRenamed c) {
        // A rename committed before the target's copy is in the copy already (its names are the new ones).
        MirrorRuntime m = routeChange(c.table(), c.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "rename columns of", m.table(), () -> {
            String reason = "columns of " + m.table() + " renamed " + c.renames();
            if (m.state == MirrorState.SNAPSHOTTING) {
                events.restartSnapshot(m, reason, () -> { });
                return;
            }
            TableBatcher b = buffers.get(m.table());
            if (b != null) {
                flush(m, b);
                if (!m.isActive() || !b.isEmpty()) {
                    if (m.isActive()) {
                        events.copyAgain(m, reason + " while changes waited to be written");
                    }
                    return;
                }
                forget(m.table());
            }
            Map<String, String> renames = m.shape.targetRenames(c.renames());
            if (renames == null) {
                events.copyAgain(m, reason + ": an excluded column changed its name");
                return;
            }
            boolean renamed = renames.isEmpty() || retrySink(m, "rename columns of " + m.target(),
                    () -> sink.renameColumns(m.target(), renames));
            if (!renamed) {
                events.copyAgain(m, reason + ", which the target cannot take in place");
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
    private void onRowsRewritten(ChangeEvent.RowsRewritten w) {
        MirrorRuntime m = routeChange(w.table(), w.relationId());
        if (m == null) {
            return;
        }
        guarded(m, "copy again", m.table(), () -> {
            String reason = "DDL changed existing rows of " + m.table() + " (" + w.reason() + ")";
            if (m.state == MirrorState.SNAPSHOTTING) {
                events.restartSnapshot(m, reason, () -> { });
            } else {
                events.copyAgain(m, reason);
            }
        });
    }

    // ---------------------------------------------------------------- routing

    /**
     * The mirror a change of {@code table} belongs to, or null: the table's mirror must be applying changes and follow
     * the changed relation (see {@link MirrorRuntime#owns}).
     */
    private MirrorRuntime route(TableRef table, long relationId) {
        MirrorRuntime m = registry.activeFor(table);
        if (m == null || !m.owns(relationId)) {
            // A table renamed since: the stream still names it as it was when the change was written.
            MirrorRuntime renamed = registry.forRelation(relationId);
            if (renamed != null && renamed.isActive()) {
                return renamed;
            }
        }
        if (m == null) {
            return null;
        }
        if (!m.owns(relationId)) {
            skippedNotOwned++;
            if (LOG.isDebugEnabled()) {
                LOG.debug("mirror {}: skipped a change of relation {} (the mirror follows relation {})", m.name(),
                        relationId, m.relationId);
            }
            return null;
        }
        return m;
    }

    /**
     * {@link #route} for a row change or truncate of the open transaction: null also when the mirror's copy already
     * contains it (committed before the copy's point, see {@link MirrorRuntime#copyPointChosen}).
     */
    private MirrorRuntime routeChange(TableRef table, long relationId) {
        MirrorRuntime m = route(table, relationId);
        if (m == null) {
            return null;
        }
        Lsn at = versions.commitLsn();
        if (at != null && m.predatesCopy(at)) {
            skippedNotOwned++;
            return null;
        }
        return m;
    }

    private static boolean sameRelation(long a, long b) {
        return a == TableSchema.UNKNOWN_RELATION || b == TableSchema.UNKNOWN_RELATION || a == b;
    }

    /** Test hook: changes skipped because they belonged to another generation of a table or predate its copy. */
    long skippedNotOwned() {
        return skippedNotOwned;
    }

    // ---------------------------------------------------------------- buffering

    private TableBatcher buffer(MirrorRuntime m) {
        TableBatcher b = buffers.get(m.table());
        if (b == null) {
            TableSchema announced = announced(m, m.relationId);
            TableSchema schema = announced != null && sameRelation(announced.relationId(), m.relationId)
                    ? m.shape.schema(announced) : m.latestSchema;
            if (schema == null) {
                throw new IllegalStateException("no Relation message and no known schema for " + m.table());
            }
            b = new TableBatcher(m.table(), schema, totals);
            buffers.put(m.table(), b);
        }
        return b;
    }

    private void add(MirrorRuntime m, TableBatcher b, SinkRow row, RowKey key) {
        b.add(row, key, lastCommitEnd, clock.millis());
        if (b.size() >= settings.batchRows() || b.bytes() >= settings.batchBytes()) {
            flush(m, b);
        } else if (totals.bytes() >= settings.maxBufferedBytes()) {
            flushLargest();
        }
    }

    /** A row of the relation's announced shape, cut to the mirror's target shape (excluded columns left out). */
    private Row shaped(MirrorRuntime m, long relationId, Row row) {
        return m.shape.row(announced(m, relationId), row);
    }

    /** The latest Relation message of {@code relationId}, else of the mirror's table name (null when none came). */
    private TableSchema announced(MirrorRuntime m, long relationId) {
        TableSchema byId = relationsById.get(relationId);
        return byId != null ? byId : relations.get(m.table());
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

    /** Rows kept back (unresolved TOAST during a copy) follow the table into its new shape, matched by column name. */
    private void reshapeRemaining(TableBatcher b, TableSchema schema) {
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

    // ---------------------------------------------------------------- writing

    private void flushAged() {
        eventsSinceAgeCheck = 0;
        long now = clock.millis();
        long maxAge = settings.maxBatchAge().toMillis();
        List<TableBatcher> aged = null;
        for (TableBatcher b : buffers.values()) {
            if (b.olderThan(maxAge, now)) {
                if (aged == null) {
                    aged = new ArrayList<>(2);
                }
                aged.add(b);
            }
        }
        if (aged != null) {
            for (TableBatcher b : aged) {
                flushTable(b);
            }
        }
    }

    private void flushLargest() {
        TableBatcher largest = null;
        for (TableBatcher b : buffers.values()) {
            if (largest == null || b.bytes() > largest.bytes()) {
                largest = b;
            }
        }
        if (largest != null) {
            flushTable(largest);
        }
    }

    /**
     * Writes the mirror's buffered changes now (its table is about to be known by another name); false when they
     * could not all be written (the mirror stopped, or rows wait for a copy).
     */
    boolean flushMirror(MirrorRuntime m) {
        TableBatcher b = buffers.get(m.table());
        if (b == null) {
            return true;
        }
        guarded(m, "write changes of", m.table(), () -> flush(m, b));
        return b.isEmpty() && m.isActive();
    }

    /** Writes every buffer, as far as possible. */
    void flushAll() {
        for (TableBatcher b : List.copyOf(buffers.values())) {
            flushTable(b);
        }
    }

    private void flushTable(TableBatcher b) {
        MirrorRuntime m = registry.activeFor(b.table());
        if (m == null) {
            forget(b.table());
            return;
        }
        guarded(m, "write changes of", b.table(), () -> flush(m, b));
    }

    private void flush(MirrorRuntime m, TableBatcher b) {
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
            if (!coveredByTarget(m, schema)) {
                ensure(m, schema);
                if (!m.isActive() || m.holdsChanges()) {
                    return; // stopped, or copying again: the copy's point comes after these rows
                }
            }
            ToastResolver.Resolution r = ToastResolver.resolve(rows, b.keyIndexes(),
                    keys -> retrySink(m, "read current rows of " + m.target(), () -> sink.currentRows(m.target(), schema, keys)));
            if (!r.unresolved().isEmpty()) {
                keepOrSkipUnresolved(m, b, r.unresolved(), watermark, since);
            }
            if (!r.resolved().isEmpty()) {
                long start = System.nanoTime();
                retrySink(m, "write rows to " + m.target(), () -> {
                    sink.write(m.target(), schema, r.resolved());
                    return null;
                });
                long nanos = System.nanoTime() - start;
                events.rowsWritten(m, r.resolved().size());
                listener.batchFlushed(m.table(), r.resolved().size(), nanos);
            }
        } catch (RetryAbandonedException e) {
            // The engine is stopping: these rows are not written, so the acknowledged position must stay put.
            ackBlocked = true;
            throw e;
        }
    }

    private void keepOrSkipUnresolved(MirrorRuntime m, TableBatcher b, List<SinkRow> unresolved, Lsn watermark, long since) {
        if (m.state == MirrorState.SNAPSHOTTING) {
            // The copy has not reached these keys yet; once it has, their stored values fill the gaps.
            b.putBack(unresolved, watermark, since);
            return;
        }
        // No live row exists for these keys: a later delete of the key is already in the target (replay after a
        // crash), so the row is superseded anyway. Writing it with guessed values could only do harm.
        String message = unresolved.size() + " update(s) of " + m.table() + " carried unchanged TOAST values for keys"
                + " with no stored row (first key " + unresolved.get(0).row().key(b.keyIndexes()) + "); skipped";
        LOG.warn("mirror {}: {}", m.name(), message);
        listener.error(m.name(), "resolve unchanged TOAST values", new IllegalStateException(message));
    }

    /** {@code relation}'s columns, then those only {@code current} has; key and identity of {@code relation}. */
    private static TableSchema union(TableSchema relation, TableSchema current) {
        List<io.echodb.core.schema.Column> columns = new ArrayList<>(relation.columns());
        for (var c : current.columns()) {
            if (relation.indexOf(c.name()) < 0) {
                columns.add(c);
            }
        }
        return new TableSchema(relation.table(), columns, relation.keyColumns(), relation.identity());
    }

    /**
     * True when the target already has every column of {@code schema} with its type. Buffered rows can carry an
     * older shape than the target (the stream lags behind a copy's fresh description); such a shape must not be
     * pushed to the target again, where a drop-column policy could remove a newer column.
     */
    private static boolean coveredByTarget(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return true;
        }
        for (TableSchema ensured : m.ensuredSchemas) {
            if (ensured.keyColumns().equals(schema.keyColumns()) && covers(ensured, schema)) {
                return true;
            }
        }
        return false;
    }

    private static boolean covers(TableSchema wide, TableSchema narrow) {
        for (var c : narrow.columns()) {
            var w = wide.column(c.name());
            if (w.isEmpty() || !w.get().type().equals(c.type())) {
                return false;
            }
        }
        return true;
    }

    private void ensure(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return;
        }
        SchemaSync sync = retrySink(m, "bring " + m.target() + " in line with " + m.table(),
                () -> m.shape.ensure(sink, m.target(), schema));
        if (sync instanceof SchemaSync.Incompatible inc) {
            if (inc.rebuildable() && m.state == MirrorState.SNAPSHOTTING) {
                // A copy rebuilds the target for the table's shape when it starts: start it again rather than fail.
                events.restartSnapshot(m, "the table changed to a shape the target cannot take (" + inc.reason() + ")",
                        () -> { });
                return;
            }
            if (inc.rebuildable() && m.state == MirrorState.RUNNING) {
                // e.g. a column dropped and added again with another type: no rewrite event comes, and only a copy
                // can rebuild the target; failing would leave a mirror stopped that can be made exact again (I3).
                events.copyAgain(m, "the table changed to a shape the target cannot take in place (" + inc.reason() + ")");
                return;
            }
            events.failed(m, "incompatible schema change of " + m.table() + ": " + inc.reason(), null);
            return;
        }
        if (sync instanceof SchemaSync.Altered altered) {
            LOG.info("mirror {}: target {} altered: {}", m.name(), m.target(), altered.changes());
        }
        if (m.ensuredSchemas.size() > 16) {
            m.ensuredSchemas.clear();
        }
        m.ensuredSchemas.add(schema);
    }

    private <T> T retrySink(MirrorRuntime m, String what, Supplier<T> action) {
        T result = retrier.call(what, action, running, e -> events.transientFailure(m, what, e));
        if (m.errorIsTransient) {
            events.recovered(m);
        }
        return result;
    }

    private <T> T retrySource(MirrorRuntime m, String what, Supplier<T> action) {
        return retrier.call(what, action, running, e -> events.transientFailure(m, what, e));
    }

    /** Runs a table's work; a failure that is not transient stops only that table's mirror. */
    private void guarded(MirrorRuntime m, String verb, TableRef table, Runnable work) {
        try {
            work.run();
        } catch (RetryAbandonedException e) {
            ackBlocked = true;
            throw e;
        } catch (FencedOutException e) {
            // Not the mirror's fault: this engine may no longer write. Nothing more is acknowledged; the leader
            // that took over replays from the slot.
            ackBlocked = true;
            throw new RetryAbandonedException(verb + " " + table, e);
        } catch (RuntimeException e) {
            if (!running.getAsBoolean()) {
                // Failures while the engine stops (interrupted I/O) are not the mirror's fault.
                ackBlocked = true;
                throw new RetryAbandonedException(verb + " " + table, e);
            }
            if (registry.contains(m) && m.isActive()) {
                events.failed(m, "failed to " + verb + " " + table + ": " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- acknowledging

    /** Everything up to this position is written (or deliberately skipped). */
    Lsn ackable() {
        Lsn position = lastCommitEnd;
        for (TableBatcher b : buffers.values()) {
            if (!b.isEmpty() && b.watermark().compareTo(position) < 0) {
                position = b.watermark();
            }
        }
        return position;
    }

    /** Acknowledges the written position when the ack interval has passed, or right away when {@code force}. */
    void maybeAck(boolean force) {
        if (stream == null || ackBlocked) {
            return;
        }
        commitLag.writtenThrough(ackable());
        long now = clock.millis();
        if (!force && now - lastAckMillis < settings.ackInterval().toMillis()) {
            return;
        }
        lastAckMillis = now;
        if (!events.statesDurable()) {
            return;
        }
        Lsn position = ackable();
        if (position.isAfter(lastAcked)) {
            stream.acknowledge(position);
            lastAcked = position;
            listener.acknowledged(position);
        }
    }
}
