package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields the engine from listeners that throw: a metrics bug must never stop replication. */
final class SafeListener implements EngineListener {

    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

    private final EngineListener delegate;

    SafeListener(EngineListener delegate) {
        this.delegate = delegate == null ? EngineListener.NONE : delegate;
    }

    @Override
    public void batchFlushed(TableRef table, int rows, long nanos) {
        guard(() -> delegate.batchFlushed(table, rows, nanos));
    }

    @Override
    public void snapshotBatchWritten(TableRef table, int rows, long nanos) {
        guard(() -> delegate.snapshotBatchWritten(table, rows, nanos));
    }

    @Override
    public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
        guard(() -> delegate.stateChanged(mirror, from, to, reason));
    }

    @Override
    public void error(MirrorName mirror, String operation, Throwable error) {
        guard(() -> delegate.error(mirror, operation, error));
    }

    @Override
    public void acknowledged(Lsn lsn) {
        guard(() -> delegate.acknowledged(lsn));
    }

    @Override
    public void slotRecreated(String reason, int mirrors) {
        guard(() -> delegate.slotRecreated(reason, mirrors));
    }

    @Override
    public void copyResumed(MirrorName mirror, int finishedRanges, Lsn firstPoint) {
        guard(() -> delegate.copyResumed(mirror, finishedRanges, firstPoint));
    }

    private static void guard(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("engine listener failed; ignored", e);
        }
    }
}
