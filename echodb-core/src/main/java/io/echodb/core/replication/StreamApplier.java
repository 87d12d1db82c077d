package io.echodb.core.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.ChangeStream;
import java.time.Duration;

/**
 * Applies one stream session to the targets, event by event: transaction boundaries version the rows and move the
 * acknowledgeable position ({@link AckTracker}), row changes go to {@link RowChanges}, changes of whole tables to
 * {@link TableChanges}, and {@link BufferWriter} writes the buffers when they are full or old. Used only with the
 * engine lock held (so by one thread at a time).
 */
final class StreamApplier {

    private static final int AGE_CHECK_EVERY_EVENTS = 1024;

    private final EngineEnv env;
    private final VersionAssigner versions;
    private final ChangeRouter router;
    private final ChangeBuffers buffers;
    private final AckTracker ack;
    private final BufferWriter writer;
    private final RowChanges rows;
    private final TableChanges tables;

    private ChangeStream stream;
    private int eventsSinceAgeCheck;

    StreamApplier(EngineEnv env, MirrorRegistry registry, ChangeBuffers buffers, MirrorStates states,
            TargetSchemas schemas) {
        this.env = env;
        this.buffers = buffers;
        this.versions = new VersionAssigner();
        this.router = new ChangeRouter(registry, versions);
        this.ack = new AckTracker(buffers, states, env.settings(), env.clock(), env.listener());
        MirrorGuard guard = new MirrorGuard(registry, states, ack, env.retrier(), env.running());
        StreamContext context = new StreamContext(env, registry, versions, router, buffers, guard, states, ack);
        this.writer = new BufferWriter(context, schemas);
        this.rows = new RowChanges(context, writer);
        this.tables = new TableChanges(context, writer);
    }

    // ---------------------------------------------------------------- session

    /** Starts applying a freshly opened stream that resumes after {@code from}. */
    void attach(ChangeStream newStream, Lsn from) {
        discardSessionState();
        stream = newStream;
        ack.sessionStarted(from);
    }

    /** Forgets the stream and everything buffered from it (a new session replays it from the last acknowledgement). */
    ChangeStream detach() {
        discardSessionState();
        ChangeStream s = stream;
        stream = null;
        return s;
    }

    private void discardSessionState() {
        buffers.forgetAll();
        router.forgetRelations();
        versions.reset();
    }

    boolean attached() {
        return stream != null;
    }

    ChangeStream stream() {
        return stream;
    }

    Lsn lastAcked() {
        return ack.lastAcked();
    }

    long maxBufferedRows() {
        return buffers.maxRows();
    }

    /** Age of the oldest received transaction not yet written; zero when caught up. Any thread. */
    Duration replicationLag() {
        return ack.lag(env.clock().instant());
    }

    // ---------------------------------------------------------------- events

    void apply(ChangeEvent event) {
        if (event instanceof ChangeEvent.Begin b) {
            versions.begin(b.finalLsn());
        } else if (event instanceof ChangeEvent.Commit c) {
            versions.commit();
            ack.committed(c.endLsn(), c.commitTime());
            flushAged();
            maybeAck(false);
        } else if (event instanceof ChangeEvent.Relation r) {
            tables.relation(r.schema());
        } else if (event instanceof ChangeEvent.Insert i) {
            rows.insert(i);
        } else if (event instanceof ChangeEvent.Update u) {
            rows.update(u);
        } else if (event instanceof ChangeEvent.Delete d) {
            rows.delete(d);
        } else if (event instanceof ChangeEvent.Truncate t) {
            tables.truncate(t);
        } else if (event instanceof ChangeEvent.Keepalive k) {
            keepalive(k);
        } else if (event instanceof ChangeEvent.ColumnsRenamed c) {
            tables.columnsRenamed(c);
        } else if (event instanceof ChangeEvent.RowsRewritten w) {
            tables.rowsRewritten(w);
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

    private void keepalive(ChangeEvent.Keepalive k) {
        if (!versions.inTransaction() && buffers.rows() == 0) {
            // Nothing in flight: every commit the server sent up to its position is applied, so the slot may
            // advance even while the mirrored tables are idle.
            ack.caughtUp(k.serverLsn());
            maybeAck(true);
        } else {
            flushAged();
            maybeAck(false);
        }
    }

    private void flushAged() {
        eventsSinceAgeCheck = 0;
        writer.flushAged();
    }

    // ---------------------------------------------------------------- writing and acknowledging

    /** Writes every buffer, as far as possible. */
    void flushAll() {
        writer.flushAll();
    }

    /** See {@link BufferWriter#flushMirror}. */
    boolean flushMirror(MirrorRuntime m) {
        return writer.flushMirror(m);
    }

    /** Acknowledges the written position when the ack interval has passed, or right away when {@code force}. */
    void maybeAck(boolean force) {
        ack.maybeAck(stream, force);
    }
}
