package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.schema.TableSchema;

/**
 * What a copy, on its worker thread, may ask of the engine: the thread boundary between copies and the mirrors' life
 * cycle ({@link MirrorStates} implements it). Each call takes the engine lock and ignores runs that are no longer
 * current, so a cancelled copy can never change a mirror.
 */
interface SnapshotHost {

    /** True while {@code run} is the mirror's current copy and the engine is running. */
    boolean isCurrent(MirrorRuntime mirror, SnapshotRun run);

    /** What {@link #prepareTarget} left for the copy. */
    enum Target {
        /** The run must stop (no longer current, failed or unsupported: already reported). */
        STOP,
        /** Created empty for this copy, and nothing has written to it since: no need to empty it. */
        EMPTY,
        /** It may hold rows: the copy empties it first. */
        MAY_HOLD_ROWS,
        /**
         * It holds the rows of the ranges an earlier attempt finished, kept: the copy reads only the others, and the
         * stream keeps applying from the earlier attempt's point.
         */
        RESUME
    }

    /** Brings the target in line with {@code schema} and publishes the table. */
    Target prepareTarget(MirrorRuntime mirror, SnapshotRun run, TableSchema schema);

    /**
     * The target is empty and the copy's snapshot is open at {@code point}: the stream may apply the changes committed
     * from there on (and skips the older ones, which the copy contains); for a resumed copy the earlier point stays.
     * False when the run must stop.
     */
    boolean pointChosen(MirrorRuntime mirror, SnapshotRun run, Lsn point);

    /** Runs {@code calls} (calls of this host) under one acquisition of the engine lock: one wait for a group of copies. */
    void inOneTurn(Runnable calls);

    /** The target table vanished during the copy: the next attempt must create it again. */
    void targetMissing(MirrorRuntime mirror, SnapshotRun run);

    /** Every row of {@code range} is in the target: a later attempt need not read it again. */
    void rangeFinished(MirrorRuntime mirror, SnapshotRun run, io.echodb.core.port.out.CopyRange range);

    /** The copy is complete at {@code point}: the mirror runs. */
    void completed(MirrorRuntime mirror, SnapshotRun run, Lsn point, long rows);

    void failed(MirrorRuntime mirror, SnapshotRun run, String reason, Throwable cause);

    void unsupported(MirrorRuntime mirror, SnapshotRun run, String reason);

    void transientFailure(MirrorRuntime mirror, SnapshotRun run, String operation, RuntimeException error);
}
