package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.ChangeSink;
import io.echodb.core.port.ChangeSource;
import io.echodb.core.port.CheckpointStore;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.port.TableNotPublishableException;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves mirrors through their life cycle: state changes (saved, logged, reported), starting and cancelling copies,
 * and the requests of the stream side ({@link MirrorEvents}) and of copies ({@link SnapshotHost}). Everything except
 * the {@link SnapshotHost} entry points expects the engine lock to be held; those take it themselves.
 */
final class MirrorStates implements MirrorEvents, SnapshotHost {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorStates.class);

    private final MirrorRegistry registry;
    private final CheckpointStore store;
    private final ChangeSource source;
    private final ChangeSink sink;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final Retrier retrier;
    private final EngineLock lock;
    private final BooleanSupplier running;
    private final Runnable ensurePrepared;
    private StreamApplier applier;
    private long nextRunId;
    private final CopyQueue copies;
    /** Guarded by the engine lock: mirrors whose last state change could not be saved. */
    private final Set<MirrorRuntime> unsaved = new HashSet<>();

    MirrorStates(MirrorRegistry registry, CheckpointStore store, ChangeSource source, ChangeSink sink, EngineSettings settings,
            Clock clock, EngineListener listener, Retrier retrier, EngineLock lock, BooleanSupplier running,
            Runnable ensurePrepared) {
        this.registry = registry;
        this.store = store;
        this.source = source;
        this.sink = sink;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.retrier = retrier;
        this.lock = lock;
        this.running = running;
        this.ensurePrepared = ensurePrepared;
        this.copies = new CopyQueue(settings.concurrentSnapshots(), source, this);
    }

    /** Completes the wiring: the applier is built with this object as its {@link MirrorEvents}. */
    void attach(StreamApplier streamApplier) {
        this.applier = streamApplier;
    }

    // ================================================================ lock held

    /** Starts a fresh copy of the mirror's table once the lock is released. */
    void scheduleSnapshot(MirrorRuntime m) {
        SnapshotRun run = new SnapshotRun(++nextRunId);
        m.run = run;
        m.holdChangesForCopy();
        m.resetSnapshotProgress(clock.instant());
        copies.add(new SnapshotTask(m, run, source, sink, settings, clock, listener, retrier, this));
        lock.submitAfterUnlock(copies::copyWaiting);
    }

    /**
     * At start, for a mirror whose copy was cut short (a crash, a leader change): the copy starts over, since its rows
     * up to then are not known to be complete.
     */
    void restartInterruptedCopy(MirrorRuntime m) {
        m.state = MirrorState.SNAPSHOTTING;
        scheduleSnapshot(m);
    }

    /** The mirror is being dropped: nothing is applied to it from now on, even if a later step of the drop fails. */
    void markDropping(MirrorRuntime m) {
        stopApplying(m);
        m.state = MirrorState.DROPPING;
        m.updatedAt = clock.instant();
    }

    /** Stops the copy in progress, if any, waiting until none of its writes can still land. */
    void cancelSnapshot(MirrorRuntime m) {
        SnapshotRun run = m.run;
        if (run != null) {
            m.run = null;
            run.cancelAndAwaitWrites();
        }
    }

    /** The mirror no longer applies anything: copy cancelled, buffered changes dropped. */
    void stopApplying(MirrorRuntime m) {
        cancelSnapshot(m);
        applier.forget(m.table());
    }

    /** Changes state, clears or sets the error, saves the record (throwing on failure when {@code mustSave}). */
    void transition(MirrorRuntime m, MirrorState to, String error, boolean mustSave) {
        MirrorState from = m.state;
        m.state = to;
        m.lastError = error;
        m.errorIsTransient = false;
        m.updatedAt = clock.instant();
        if (mustSave) {
            store.save(m.toRecord());
        } else {
            saveQuietly(m);
        }
        if (from != to) {
            LOG.info("mirror {}: {} -> {}{}", m.name(), from, to, error == null ? "" : " (" + error + ")");
            listener.stateChanged(m.name(), from, to, error);
        }
    }

    void saveQuietly(MirrorRuntime m) {
        try {
            store.save(m.toRecord());
            unsaved.remove(m);
        } catch (RuntimeException e) {
            unsaved.add(m);
            LOG.warn("mirror {}: could not save its state ({}); it is kept in memory, and the stream is not acknowledged"
                    + " until it is saved", m.name(), e.toString());
        }
    }

    @Override
    public boolean statesDurable() {
        if (unsaved.isEmpty()) {
            return true;
        }
        for (MirrorRuntime m : List.copyOf(unsaved)) {
            if (!registry.contains(m)) {
                unsaved.remove(m);
                continue;
            }
            try {
                store.save(m.toRecord());
                unsaved.remove(m);
                LOG.info("mirror {}: state saved ({})", m.name(), m.state);
            } catch (RuntimeException e) {
                LOG.debug("mirror {}: state still not saved: {}", m.name(), e.toString());
            }
        }
        return unsaved.isEmpty();
    }

    MirrorStatus statusOf(MirrorRuntime m, long lagBytes) {
        return new MirrorStatus(m.spec, m.state, m.rowsSynced.get(), lagBytes, m.progress(clock.instant()), m.lastError, m.updatedAt);
    }

    // ================================================================ MirrorEvents (lock held)

    @Override
    public void failed(MirrorRuntime m, String reason, Throwable cause) {
        stopApplying(m);
        transition(m, MirrorState.FAILED, reason, false);
        LOG.error("mirror {} failed: {} (it stays stopped: resync it once the cause is fixed)", m.name(), reason, cause);
        listener.error(m.name(), "mirror", cause != null ? cause : new IllegalStateException(reason));
    }

    @Override
    public void unsupported(MirrorRuntime m, String reason) {
        stopApplying(m);
        transition(m, MirrorState.UNSUPPORTED, reason, false);
        LOG.warn("mirror {}: table {} cannot be mirrored: {}", m.name(), m.table(), reason);
    }

    @Override
    public void restartSnapshot(MirrorRuntime m, String why, Runnable inBetween) {
        cancelSnapshot(m);
        inBetween.run();
        LOG.info("mirror {}: {} during its copy; copying again", m.name(), why);
        scheduleSnapshot(m);
    }

    @Override
    public void copyAgain(MirrorRuntime m, String why) {
        stopApplying(m);
        m.ensuredSchemas.clear();
        LOG.warn("mirror {}: {}; copying the table again, which rebuilds the target", m.name(), why);
        transition(m, MirrorState.SNAPSHOTTING, null, false);
        scheduleSnapshot(m);
    }

    @Override
    public void rowsWritten(MirrorRuntime m, int rows) {
        m.rowsSynced.addAndGet(rows);
        m.updatedAt = clock.instant();
    }

    @Override
    public void transientFailure(MirrorRuntime m, String operation, RuntimeException error) {
        m.lastError = operation + ": " + error.getMessage();
        m.errorIsTransient = true;
        LOG.warn("mirror {}: {} failed, retrying: {}", m.name(), operation, error.getMessage());
        listener.error(m.name(), operation, error);
    }

    @Override
    public void recovered(MirrorRuntime m) {
        if (m.errorIsTransient) {
            m.lastError = null;
            m.errorIsTransient = false;
            LOG.info("mirror {}: reachable again", m.name());
        }
    }

    // ================================================================ SnapshotHost (takes the lock)

    @Override
    public boolean isCurrent(MirrorRuntime m, SnapshotRun run) {
        return running.getAsBoolean() && m.run == run && !run.isCancelled() && registry.contains(m);
    }

    @Override
    public Target prepareTarget(MirrorRuntime m, SnapshotRun run, TableSchema schema) {
        return lock.locked(() -> {
            if (!isCurrent(m, run)) {
                return Target.STOP;
            }
            // Only the first attempt after the target was created may skip emptying it: a later one follows writes.
            boolean createdEmpty = m.takeTargetCreatedEmpty();
            // Each attempt empties the target again: what an earlier attempt's point let through is gone with it.
            m.holdChangesForCopy();
            if (m.latestSchema == null || m.relationId != schema.relationId()) {
                m.latestSchema = schema;
            }
            if (m.relationId != schema.relationId()) {
                // A new generation of the table (dropped and created again): its stream changes, from now on the
                // only ones applied, are told from the old generation's by relation id.
                if (m.relationId != TableSchema.UNKNOWN_RELATION) {
                    LOG.info("mirror {}: {} is now relation {} (was {})", m.name(), m.table(), schema.relationId(),
                            m.relationId);
                }
                registry.follow(m, schema.relationId());
                m.ensuredSchemas.clear();
                applier.forget(m.table());
                saveQuietly(m);
            }
            if (!m.ensuredSchemas.contains(schema)) {
                SchemaSync sync = m.shape.ensure(sink, m.target(), schema);
                String rebuild = rebuildReason(m, schema, sync);
                if (rebuild != null) {
                    LOG.warn("mirror {}: target {} {}; rebuilding it for the copy of {}", m.name(), m.target(), rebuild,
                            m.table());
                    sink.drop(m.target());
                    sync = m.shape.ensure(sink, m.target(), schema);
                }
                if (sync instanceof SchemaSync.Incompatible inc) {
                    failed(m, "target table '" + m.target() + "' does not fit " + m.table() + ": " + inc.reason(), null);
                    return Target.STOP;
                }
                m.ensuredSchemas.add(schema);
            }
            m.shapedUpTo = source.currentLsn();
            ensurePrepared.run();
            try {
                source.publish(m.table());
            } catch (TableNotPublishableException e) {
                unsupported(m, e.getMessage());
                return Target.STOP;
            }
            return createdEmpty ? Target.EMPTY : Target.MAY_HOLD_ROWS;
        });
    }

    /**
     * Why a copy should drop and recreate the target (it empties it anyway), or null: it cannot take the new shape in
     * place (e.g. real -> double precision), or could hold it only in types a fresh table would not have (a String
     * column kept for what is now a timestamp: exact, yet not what readers and checksums expect).
     */
    private String rebuildReason(MirrorRuntime m, TableSchema schema, SchemaSync sync) {
        if (sync instanceof SchemaSync.Incompatible inc) {
            return inc.rebuildable() ? "cannot take the new shape in place (" + inc.reason() + ")" : null;
        }
        return sink.isCanonicalFor(m.target(), schema) ? null : "keeps older column types than the table now has";
    }

    @Override
    public boolean pointChosen(MirrorRuntime m, SnapshotRun run, Lsn point) {
        return lock.locked(() -> {
            if (!isCurrent(m, run)) {
                return false;
            }
            m.copyPointChosen(point);
            return true;
        });
    }

    @Override
    public void inOneTurn(Runnable calls) {
        lock.locked(() -> {
            calls.run();
            return null;
        });
    }

    @Override
    public void completed(MirrorRuntime m, SnapshotRun run, Lsn point, long rows) {
        lock.locked(() -> {
            if (isCurrent(m, run)) {
                m.run = null;
                m.snapshotPoint = point;
                m.snapshotDone = true;
                Duration took = m.snapshotStartedAt == null ? Duration.ZERO : Duration.between(m.snapshotStartedAt, clock.instant());
                LOG.info("mirror {}: copied {} rows of {} at {} in {}", m.name(), rows, m.table(), point, took);
                transition(m, MirrorState.RUNNING, null, false);
            }
            return null;
        });
    }

    @Override
    public void failed(MirrorRuntime m, SnapshotRun run, String reason, Throwable cause) {
        lock.locked(() -> {
            if (isCurrent(m, run)) {
                failed(m, reason, cause);
            }
            return null;
        });
    }

    @Override
    public void unsupported(MirrorRuntime m, SnapshotRun run, String reason) {
        lock.locked(() -> {
            if (isCurrent(m, run)) {
                unsupported(m, reason);
            }
            return null;
        });
    }

    @Override
    public void transientFailure(MirrorRuntime m, SnapshotRun run, String operation, RuntimeException error) {
        if (isCurrent(m, run)) {
            transientFailure(m, operation, error);
        }
    }
}
