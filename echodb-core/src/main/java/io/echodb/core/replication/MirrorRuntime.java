package io.echodb.core.replication;

import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.MirrorRecord;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one mirror inside the engine. Fields are changed under the engine lock (snapshot counters
 * excepted) and are volatile so that status queries can read them without it.
 */
final class MirrorRuntime {

    /** Changed only by {@link #renameTo} (under the engine lock). */
    volatile MirrorSpec spec;
    /** What the spec's settings make of the source table; guarded by the engine lock. */
    final TargetShape shape;
    volatile MirrorState state;
    volatile String lastError;
    /** True while {@link #lastError} describes a transient outage that clears itself on the next success. */
    volatile boolean errorIsTransient;
    volatile Lsn snapshotPoint;
    /**
     * Changed under the engine lock: the source relation (generation) this mirror follows; set from the description
     * each copy starts from. Changes of other relations with the same name are not this mirror's.
     */
    volatile long relationId;
    /**
     * Changed under the engine lock: the consistent point of the copy the target was last emptied for; changes
     * committed before it are skipped (see {@link #copyPointChosen}). Null when not known (no floor).
     */
    private volatile Lsn applyFrom;
    /**
     * Changed under the engine lock (by {@link MirrorStates}): how far the current copy got, and whether the last one
     * resumed; null when nothing is recorded.
     */
    private volatile CopyCheckpoint copyCheckpoint;
    /** Guarded by the engine lock: the stored record may still list finished ranges that no longer hold. */
    private boolean storedRangesStale;
    /** Changed under the engine lock: a copy emptied or is about to empty the target and has no point yet. */
    private volatile boolean holdingForCopy;
    volatile Instant updatedAt;
    final AtomicLong rowsSynced;

    // Copy progress, written by the snapshot worker.
    final AtomicLong snapshotRowsDone = new AtomicLong();
    volatile long snapshotRowsEstimated;
    volatile Instant snapshotStartedAt;
    volatile boolean snapshotDone;

    /** Guarded by the engine lock: the newest known shape of the source table (describe or Relation), or null. */
    TableSchema latestSchema;
    /** Changed under the engine lock: the copy in progress, or null. */
    volatile SnapshotRun run;
    /**
     * Guarded by the engine lock: a WAL position up to which the target may already have a newer shape than the
     * stream's Relation events show — taken after the target was shaped from a fresh description of the table and
     * whenever a stream (re)starts and replays. Null when unknown (nothing can be newer).
     */
    Lsn shapedUpTo;
    /** Guarded by the engine lock: schemas already brought into the target (ensureTable done). */
    final Set<TableSchema> ensuredSchemas = new HashSet<>();
    /** Guarded by the engine lock: the target was created empty for this mirror's first copy, which has not begun. */
    private boolean targetCreatedEmpty;

    MirrorRuntime(MirrorRecord record, KeylessTables keylessTables) {
        this.spec = record.spec();
        this.shape = new TargetShape(spec.settings(), keylessTables);
        this.state = record.state();
        this.lastError = record.lastError();
        this.snapshotPoint = record.snapshotPoint();
        this.relationId = record.relationId();
        this.applyFrom = record.snapshotPoint();
        this.updatedAt = record.updatedAt();
        this.rowsSynced = new AtomicLong(Math.max(0, record.rowsSynced()));
        this.snapshotDone = record.snapshotPoint() != null;
        this.copyCheckpoint = record.copy();
    }

    CopyCheckpoint copyCheckpoint() {
        return copyCheckpoint;
    }

    /**
     * The copy that will resume from {@link #copyCheckpoint}'s finished ranges starts: the target keeps them and the
     * stream applies every change from the first attempt's point on. Under the engine lock.
     */
    void resumeCopy() {
        copyPointChosen(copyCheckpoint.point());
    }

    /** A fresh copy chose {@code point}: its finished ranges are recorded from here. Under the engine lock. */
    void copyStartedAt(Lsn point) {
        copyCheckpoint = CopyCheckpoint.startedAt(point);
    }

    /** The resumed copy reads the remaining ranges at a later point. Under the engine lock. */
    void copyResumed() {
        CopyCheckpoint c = copyCheckpoint;
        if (c != null) {
            copyCheckpoint = c.markResumed();
        }
    }

    /** Every row of {@code range} is in the target. Under the engine lock. */
    void rangeCopied(CopyRange range) {
        copyCheckpoint = copyCheckpoint.withFinished(range);
    }

    /**
     * A copy starts over: the finished ranges no longer hold (the target is about to be emptied, or the source changed
     * in a way they cannot follow). Returns whether the stored record may still list some, so that it must be saved
     * before anything relies on their absence. Under the engine lock.
     */
    boolean forgetCopyProgress() {
        CopyCheckpoint was = copyCheckpoint;
        copyCheckpoint = null;
        storedRangesStale |= was != null && was.hasFinishedRanges();
        return storedRangesStale;
    }

    /** The record was saved: ranges forgotten before are no longer stored. Under the engine lock. */
    void copyProgressSaved() {
        storedRangesStale = false;
    }

    /** The copy completed: only whether it resumed is kept. Under the engine lock. */
    void copyCompleted() {
        CopyCheckpoint c = copyCheckpoint;
        copyCheckpoint = c != null && c.resumed() ? c.completed() : null;
    }

    /**
     * Whether the target's rows came from a copy that resumed: rows an update moved into a range finished earlier were
     * never read, so unchanged TOAST values of theirs can be found nowhere.
     */
    boolean copyWasResumed() {
        CopyCheckpoint c = copyCheckpoint;
        return c != null && c.resumed();
    }

    /**
     * The table was renamed and the mirror follows it: same relation, settings and state, the new names. Only through
     * {@link MirrorRegistry#rename}, which indexes it under them.
     */
    void renameTo(MirrorSpec renamed) {
        spec = renamed.withSettings(spec.settings());
        TableSchema known = latestSchema;
        if (known != null) {
            latestSchema = new TableSchema(renamed.source(), known.columns(), known.keyColumns(), known.identity(),
                    known.relationId(), known.sourceProblem());
        }
        ensuredSchemas.clear();
    }

    /**
     * The target was just created, empty, in {@code schema}'s shape: the first copy neither shapes nor empties it again
     * (for a burst of new tables that is two ClickHouse statements fewer per table). Under the engine lock.
     */
    void targetCreatedEmpty(TableSchema schema) {
        ensuredSchemas.add(schema);
        targetCreatedEmpty = true;
    }

    /**
     * Whether the target is still as {@link #targetCreatedEmpty} left it; true at most once, for the first copy
     * attempt (a later attempt follows writes of an earlier one). Under the engine lock.
     */
    boolean takeTargetCreatedEmpty() {
        boolean empty = targetCreatedEmpty;
        targetCreatedEmpty = false;
        return empty;
    }

    MirrorName name() {
        return spec.name();
    }

    TableRef table() {
        return spec.source();
    }

    String target() {
        return spec.targetTable();
    }

    boolean isActive() {
        return state.isActive();
    }

    /**
     * Whether a change of source relation {@code changed} belongs to this mirror: it must be of the relation this
     * mirror follows (unknown ids on either side match by name). A table dropped and created again (or swapped by
     * renames) is another relation, so the old table's changes still in the slot never reach the new one.
     */
    boolean owns(long changed) {
        long mine = relationId;
        return mine == TableSchema.UNKNOWN_RELATION || changed == TableSchema.UNKNOWN_RELATION || mine == changed;
    }

    /**
     * A copy is about to empty the target and choose its consistent point: until {@link #copyPointChosen} the stream
     * holds this mirror's changes back instead of writing them, because it cannot tell yet which of them the copy
     * will contain. Called under the engine lock, before the copy's truncate.
     */
    void holdChangesForCopy() {
        holdingForCopy = true;
        applyFrom = null;
    }

    /**
     * The copy's consistent point is {@code point}: from now on exactly the changes committed at or after it are
     * applied, the ones before are in the copy. Applying them too would be wrong whenever the source changed rows
     * without row changes in between (a TRUNCATE replayed after the copy empties it, and the rows inserted after it
     * come back without a column default added later; a detached partition's rows come back).
     */
    void copyPointChosen(Lsn point) {
        applyFrom = point;
        holdingForCopy = false;
    }

    /** True while a copy's point is not chosen yet: nothing of this mirror may be written. */
    boolean holdsChanges() {
        return holdingForCopy;
    }

    /** True when a change committed at {@code commitLsn} is already contained in the copy the target holds. */
    boolean predatesCopy(Lsn commitLsn) {
        Lsn from = applyFrom;
        return from != null && commitLsn.compareTo(from) < 0;
    }

    /** {@link #predatesCopy} for a row version (a copied row's own version is never older than its copy). */
    boolean predatesCopy(RowVersion version) {
        Lsn from = applyFrom;
        return from != null && Long.compareUnsigned(version.lsn(), from.value()) < 0;
    }

    MirrorRecord toRecord() {
        return new MirrorRecord(spec, state, snapshotPoint, rowsSynced.get(), lastError, updatedAt, relationId, copyCheckpoint);
    }

    SnapshotProgress progress(Instant now) {
        long done = snapshotRowsDone.get();
        Instant started = snapshotStartedAt;
        double rate = 0;
        if (started != null && done > 0) {
            long millis = Math.max(1, Duration.between(started, now).toMillis());
            rate = done * 1000.0 / millis;
        }
        return new SnapshotProgress(done, Math.max(0, snapshotRowsEstimated), rate, snapshotDone);
    }

    void resetSnapshotProgress(Instant now) {
        snapshotRowsDone.set(0);
        snapshotRowsEstimated = 0;
        snapshotStartedAt = now;
        snapshotDone = false;
    }
}
