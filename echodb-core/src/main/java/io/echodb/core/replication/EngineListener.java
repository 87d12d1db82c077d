package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;

/**
 * Observes the {@link NativeMirrorEngine} (metrics, alerts) without core depending on a metrics library. Called on
 * engine threads, so implementations must be quick and thread-safe; exceptions they throw are logged and ignored.
 */
public interface EngineListener {

    /** Does nothing. */
    EngineListener NONE = new EngineListener() { };

    /** A buffer of streamed changes of {@code table} was written to the target. */
    default void batchFlushed(TableRef table, int rows, long nanos) { }

    /** A batch of copied rows of {@code table} was written to the target. */
    default void snapshotBatchWritten(TableRef table, int rows, long nanos) { }

    /** A mirror changed state; {@code reason} is null unless the new state is a failure. */
    default void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) { }

    /** Something failed; {@code mirror} is null for engine-wide failures (stream, connection). */
    default void error(MirrorName mirror, String operation, Throwable error) { }

    /** The source was told that everything up to {@code lsn} is applied. */
    default void acknowledged(Lsn lsn) { }

    /** The replication slot was invalidated and created again; {@code mirrors} are being copied again. */
    default void slotRecreated(String reason, int mirrors) { }

    /**
     * The copy of {@code mirror} was cut short earlier and goes on: {@code finishedRanges} page ranges read before (its
     * rows as of {@code firstPoint}) are kept, the rest is read now.
     */
    default void copyResumed(MirrorName mirror, int finishedRanges, Lsn firstPoint) { }
}
