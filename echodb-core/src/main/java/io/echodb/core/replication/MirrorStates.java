package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TableNotPublishableException;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a mirror's life cycle: every change of its state (saved, logged, reported) goes through the methods
 * here, named for why it happens; so do starting and cancelling its copies. The stream side calls them with the
 * engine lock held; copies, on their own threads, through {@link SnapshotHost}, whose entry points take the lock.
 */
final class MirrorStates implements SnapshotHost {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorStates.class);

    private final EngineEnv env;
    private final MirrorRegistry registry;
    private final EngineLock lock;
    private final ChangeBuffers buffers;
    private final SlotKeeper slot;
    private final TargetSchemas schemas;
    private final CopyQueue copies;
    /** Shared by every copy of this engine: their writes' sizes. */
    private final CopyMemory copyMemory;
    private long nextRunId;
    /** Guarded by the engine lock: mirrors whose last state change could not be saved. */
    private final Set<MirrorRuntime> unsaved = new HashSet<>();

    MirrorStates(EngineEnv env, MirrorRegistry registry, EngineLock lock, ChangeBuffers buffers, SlotKeeper slot,
            TargetSchemas schemas) {
        this.env = env;
        this.registry = registry;
        this.lock = lock;
        this.buffers = buffers;
        this.slot = slot;
        this.schemas = schemas;
        this.copies = new CopyQueue(env.settings().concurrentSnapshots(), env.source(), this);
        this.copyMemory = new CopyMemory(env.settings().copyMemoryBytes(), env.settings().batchBytes());
    }

    // ================================================================ lock held

    /**
     * Starts a fresh copy of the mirror's table once the lock is released: the ranges an earlier copy finished no
     * longer count (forgetting them is saved, and the stream is not acknowledged past this point until it is).
     */
    void scheduleSnapshot(MirrorRuntime m) {
        if (m.forgetCopyProgress()) {
            saveQuietly(m);
        }
        m.holdChangesForCopy();
        startCopy(m);
    }

    private void startCopy(MirrorRuntime m) {
        SnapshotRun run = new SnapshotRun(++nextRunId);
        m.run = run;
        m.resetSnapshotProgress(env.clock().instant());
        copies.add(new SnapshotTask(env, m, run, this, copyMemory));
        lock.submitAfterUnlock(copies::copyWaiting);
    }

    /**
     * At start, for a mirror whose copy was cut short (a crash, a leader change): the copy resumes from the ranges it
     * finished, whose rows are as of its first point, so the stream applies every change from that point on; with no
     * finished range it starts over.
     */
    void restartInterruptedCopy(MirrorRuntime m) {
        m.state = MirrorState.SNAPSHOTTING;
        CopyCheckpoint progress = m.copyCheckpoint();
        if (progress == null || !progress.hasFinishedRanges()) {
            scheduleSnapshot(m);
            return;
        }
        LOG.info("mirror {}: its copy was cut short; resuming it ({} range(s) finished at {})", m.name(),
                progress.finished().size(), progress.point());
        m.resumeCopy();
        startCopy(m);
    }

    /** The mirror is being dropped: nothing is applied to it from now on, even if a later step of the drop fails. */
    void markDropping(MirrorRuntime m) {
        stopApplying(m);
        m.state = MirrorState.DROPPING;
        m.updatedAt = env.clock().instant();
    }

    /** A new mirror that cannot run ({@code state} FAILED or UNSUPPORTED, with {@code reason}) is recorded as such. */
    MirrorRuntime addStopped(MirrorSpec spec, MirrorState state, String reason, long relationId) {
        MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, state, null, 0, reason, env.clock().instant(), relationId),
                env.settings().keylessTables());
        env.store().save(m.toRecord());
        registry.add(m);
        if (state == MirrorState.FAILED) {
            LOG.error("mirror {}: {}", spec.name(), reason);
        } else {
            LOG.warn("mirror {}: table {} cannot be mirrored: {}", spec.name(), spec.source(), reason);
        }
        env.listener().stateChanged(spec.name(), null, state, reason);
        return m;
    }

    /**
     * A new mirror of {@code schema} is recorded and its first copy scheduled; {@code targetCreatedEmpty}: its target
     * was just created for it, so that copy neither shapes nor empties it again.
     */
    MirrorRuntime addCopying(MirrorSpec spec, TableSchema schema, boolean targetCreatedEmpty) {
        MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.SNAPSHOTTING, null, 0, null,
                env.clock().instant(), schema.relationId()), env.settings().keylessTables());
        m.latestSchema = schema;
        if (targetCreatedEmpty) {
            m.targetCreatedEmpty(schema);
        }
        // Otherwise not marked ensured: the copy's preparation checks the target again and rebuilds one that an
        // earlier table of this name left in another shape or other column types.
        m.shapedUpTo = env.source().currentLsn();
        env.store().save(m.toRecord());
        registry.add(m);
        scheduleSnapshot(m);
        LOG.info("mirror {}: created for {} -> {}; copying", spec.name(), spec.source(), spec.targetTable());
        env.listener().stateChanged(spec.name(), null, MirrorState.SNAPSHOTTING, null);
        return m;
    }

    /** The dropped mirror's record is gone: the mirror leaves the engine. */
    void removeDropped(MirrorRuntime m, MirrorState before) {
        env.store().delete(m.name());
        registry.remove(m);
        env.listener().stateChanged(m.name(), before, MirrorState.DROPPING, null);
    }

    /** Stops applying changes until the mirror is resumed (which copies it again). */
    void pause(MirrorRuntime m) {
        stopApplying(m);
        transition(m, MirrorState.PAUSED, null, true);
    }

    /**
     * Copies the table again while changes keep flowing (resync, resume, a recreated slot): the target is emptied,
     * then filled at a new consistent point. Throws for a mirror being dropped.
     */
    void resync(MirrorRuntime m) {
        if (m.state == MirrorState.DROPPING) {
            throw MirrorEngineException.fatal("mirror " + m.name() + " is being dropped", null);
        }
        stopApplying(m);
        m.ensuredSchemas.clear();
        transition(m, MirrorState.SNAPSHOTTING, null, true);
        scheduleSnapshot(m);
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
        buffers.forget(m.table());
    }

    /** Changes state, clears or sets the error, saves the record (throwing on failure when {@code mustSave}). */
    void transition(MirrorRuntime m, MirrorState to, String error, boolean mustSave) {
        MirrorState from = m.state;
        m.state = to;
        m.lastError = error;
        m.errorIsTransient = false;
        m.updatedAt = env.clock().instant();
        if (mustSave) {
            store(m);
        } else {
            saveQuietly(m);
        }
        if (from != to) {
            LOG.info("mirror {}: {} -> {}{}", m.name(), from, to, error == null ? "" : " (" + error + ")");
            env.listener().stateChanged(m.name(), from, to, error);
        }
    }

    /** Saves the mirror's record; throws when it could not be saved. */
    private void store(MirrorRuntime m) {
        env.store().save(m.toRecord());
        m.copyProgressSaved();
    }

    void saveQuietly(MirrorRuntime m) {
        try {
            store(m);
            unsaved.remove(m);
        } catch (RuntimeException e) {
            unsaved.add(m);
            LOG.warn("mirror {}: could not save its state ({}); it is kept in memory, and the stream is not acknowledged"
                    + " until it is saved", m.name(), e.toString());
        }
    }

    /**
     * Whether every mirror's state is durable (saving again what could not be saved before). The stream must not be
     * acknowledged past changes a mirror stopped applying while its stop is only in memory: after a crash the mirror
     * would come back RUNNING without them.
     */
    boolean statesDurable() {
        if (unsaved.isEmpty()) {
            return true;
        }
        for (MirrorRuntime m : List.copyOf(unsaved)) {
            if (!registry.contains(m)) {
                unsaved.remove(m);
                continue;
            }
            try {
                store(m);
                unsaved.remove(m);
                LOG.info("mirror {}: state saved ({})", m.name(), m.state);
            } catch (RuntimeException e) {
                LOG.debug("mirror {}: state still not saved: {}", m.name(), e.toString());
            }
        }
        return unsaved.isEmpty();
    }

    MirrorStatus statusOf(MirrorRuntime m, long lagBytes) {
        return new MirrorStatus(m.spec, m.state, m.rowsSynced.get(), lagBytes, m.progress(env.clock().instant()), m.lastError, m.updatedAt,
                m.relationId);
    }

    // ================================================================ the stream side (lock held)

    /** The mirror stops with {@code reason}; its copy is cancelled and its buffered changes dropped. */
    void failed(MirrorRuntime m, String reason, Throwable cause) {
        stopApplying(m);
        transition(m, MirrorState.FAILED, reason, false);
        LOG.error("mirror {} failed: {} (it stays stopped: resync it once the cause is fixed)", m.name(), reason, cause);
        env.listener().error(m.name(), "mirror", cause != null ? cause : new IllegalStateException(reason));
    }

    /** The table can no longer be mirrored (e.g. it lost its key). */
    void unsupported(MirrorRuntime m, String reason) {
        stopApplying(m);
        transition(m, MirrorState.UNSUPPORTED, reason, false);
        LOG.warn("mirror {}: table {} cannot be mirrored: {}", m.name(), m.table(), reason);
    }

    /**
     * Stops the copy in progress (waiting for its writes), runs {@code inBetween}, then starts a fresh copy, whose
     * consistent point is after every change applied so far; {@code why} is for the log.
     */
    void restartSnapshot(MirrorRuntime m, String why, Runnable inBetween) {
        cancelSnapshot(m);
        inBetween.run();
        LOG.info("mirror {}: {} during its copy; copying again", m.name(), why);
        scheduleSnapshot(m);
    }

    /**
     * A RUNNING mirror's table took a shape its target cannot take in place (but a copy can rebuild it for): stops
     * applying, drops the buffered changes and copies the table again at a new consistent point.
     */
    void copyAgain(MirrorRuntime m, String why) {
        stopApplying(m);
        m.ensuredSchemas.clear();
        LOG.warn("mirror {}: {}; copying the table again, which rebuilds the target", m.name(), why);
        transition(m, MirrorState.SNAPSHOTTING, null, false);
        scheduleSnapshot(m);
    }

    /**
     * The mirror's target table is gone (dropped behind its back, e.g. by a deposed leader's late DDL): a copy creates
     * it again and fills it, at a new point; failing would leave a mirror stopped that a copy makes exact (I3).
     */
    void targetMissing(MirrorRuntime m, String why) {
        m.ensuredSchemas.clear();
        copyAfresh(m, "its target table disappeared (" + why + ")");
    }

    /**
     * The table must be copied again from a new point ({@code why} for the log): a copy in progress starts over, a
     * running mirror copies again.
     */
    void copyAfresh(MirrorRuntime m, String why) {
        if (m.state == MirrorState.SNAPSHOTTING) {
            restartSnapshot(m, why, () -> { });
        } else {
            copyAgain(m, why);
        }
    }

    /** The stream wrote {@code rows} rows of the mirror. */
    void rowsWritten(MirrorRuntime m, int rows) {
        m.rowsSynced.addAndGet(rows);
        m.updatedAt = env.clock().instant();
    }

    /** A call failed transiently and will be retried: shown on the mirror until {@link #recovered}. */
    void transientFailure(MirrorRuntime m, String operation, RuntimeException error) {
        m.lastError = operation + ": " + error.getMessage();
        m.errorIsTransient = true;
        LOG.warn("mirror {}: {} failed, retrying: {}", m.name(), operation, error.getMessage());
        env.listener().error(m.name(), operation, error);
    }

    /** A call succeeded: a transient error shown on the mirror is cleared. */
    void recovered(MirrorRuntime m) {
        if (m.errorIsTransient) {
            m.lastError = null;
            m.errorIsTransient = false;
            LOG.info("mirror {}: reachable again", m.name());
        }
    }

    // ================================================================ SnapshotHost (takes the lock)

    @Override
    public boolean isCurrent(MirrorRuntime m, SnapshotRun run) {
        return env.isRunning() && m.run == run && !run.isCancelled() && registry.contains(m);
    }

    @Override
    public Target prepareTarget(MirrorRuntime m, SnapshotRun run, TableSchema schema) {
        return lock.locked(() -> {
            if (!isCurrent(m, run)) {
                return Target.STOP;
            }
            // Only the first attempt after the target was created may skip emptying it: a later one follows writes.
            boolean createdEmpty = m.takeTargetCreatedEmpty();
            if (resumable(m, schema)) {
                if (schemas.prepareToResume(m, schema)) {
                    return publishForCopy(m) ? Target.RESUME : Target.STOP;
                }
                LOG.info("mirror {}: its target must be rebuilt for {}; the copy starts over", m.name(), m.table());
            }
            if (m.forgetCopyProgress()) {
                store(m); // before the target is emptied: a resumed copy must never count on rows no longer there
            }
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
                buffers.forget(m.table());
                saveQuietly(m);
            }
            if (schemas.prepareForCopy(m, schema) instanceof SchemaSync.Incompatible inc) {
                failed(m, "target table '" + m.target() + "' does not fit " + m.table() + ": " + inc.reason(), null);
                return Target.STOP;
            }
            if (!publishForCopy(m)) {
                return Target.STOP;
            }
            return createdEmpty ? Target.EMPTY : Target.MAY_HOLD_ROWS;
        });
    }

    /**
     * Whether the copy can go on from the ranges finished before: only for the same relation (not a table created
     * again), with rows told apart by key (a multiset's moved row would take out a copy that was never made), while the
     * stream applies from the first attempt's point (a fresh copy emptying the target holds changes instead).
     */
    private static boolean resumable(MirrorRuntime m, TableSchema schema) {
        CopyCheckpoint progress = m.copyCheckpoint();
        return progress != null && progress.hasFinishedRanges() && !m.holdsChanges()
                && m.relationId == schema.relationId() && !schema.isMultiset();
    }

    /** The table's changes reach the slot; false when it cannot be published (the mirror is then unsupported). */
    private boolean publishForCopy(MirrorRuntime m) {
        m.shapedUpTo = env.source().currentLsn();
        slot.ensurePrepared();
        try {
            env.source().publish(m.table());
            return true;
        } catch (TableNotPublishableException e) {
            unsupported(m, e.getMessage());
            return false;
        }
    }

    @Override
    public boolean pointChosen(MirrorRuntime m, SnapshotRun run, Lsn point) {
        return lock.locked(() -> {
            if (!isCurrent(m, run)) {
                return false;
            }
            if (m.holdsChanges()) {
                m.copyPointChosen(point);
                m.copyStartedAt(point);
            } else {
                m.copyResumed(); // the stream already applies from the first attempt's point, which stays
                CopyCheckpoint progress = m.copyCheckpoint();
                if (progress != null) {
                    env.listener().copyResumed(m.name(), progress.finished().size(), progress.point());
                }
            }
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
                // A resumed copy's rows are as of its first point or later, and the stream applies from there.
                CopyCheckpoint progress = m.copyCheckpoint();
                m.snapshotPoint = progress != null ? progress.point() : point;
                m.copyCompleted();
                m.snapshotDone = true;
                Duration took = m.snapshotStartedAt == null ? Duration.ZERO : Duration.between(m.snapshotStartedAt, env.clock().instant());
                if (progress != null && progress.resumed()) {
                    LOG.info("mirror {}: copied {} rows of {} at {} in {}, resumed (the ranges finished at {} were kept)",
                            m.name(), rows, m.table(), point, took, progress.point());
                } else {
                    LOG.info("mirror {}: copied {} rows of {} at {} in {}", m.name(), rows, m.table(), point, took);
                }
                transition(m, MirrorState.RUNNING, null, false);
            }
            return null;
        });
    }

    @Override
    public void targetMissing(MirrorRuntime m, SnapshotRun run) {
        lock.locked(() -> {
            if (isCurrent(m, run)) {
                m.ensuredSchemas.clear(); // the next attempt creates it again, empty: nothing to resume from
            }
            return null;
        });
    }

    @Override
    public void rangeFinished(MirrorRuntime m, SnapshotRun run, CopyRange range) {
        lock.locked(() -> {
            if (isCurrent(m, run) && m.copyCheckpoint() != null) {
                m.rangeCopied(range);
                saveQuietly(m);
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
