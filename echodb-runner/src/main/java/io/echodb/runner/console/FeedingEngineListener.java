package io.echodb.runner.console;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineListener;
import java.util.Locale;
import java.util.Objects;

/** Passes every engine event on, and puts mirror state changes and slot re-creations into the activity feed. */
public final class FeedingEngineListener implements EngineListener {

    private final EngineListener delegate;
    private final ActivityFeed feed;

    public FeedingEngineListener(EngineListener delegate, ActivityFeed feed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    @Override
    public void batchFlushed(TableRef table, int rows, long nanos) {
        delegate.batchFlushed(table, rows, nanos);
    }

    @Override
    public void snapshotBatchWritten(TableRef table, int rows, long nanos) {
        delegate.snapshotBatchWritten(table, rows, nanos);
    }

    @Override
    public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
        feed.record("state", mirror.value(), (from == null ? "new" : label(from)) + " → " + label(to)
                + (reason == null ? "" : ": " + reason));
        delegate.stateChanged(mirror, from, to, reason);
    }

    @Override
    public void error(MirrorName mirror, String operation, Throwable error) {
        delegate.error(mirror, operation, error);
    }

    @Override
    public void acknowledged(Lsn lsn) {
        delegate.acknowledged(lsn);
    }

    @Override
    public void slotRecreated(String reason, int mirrors) {
        feed.record("slot", "replication slot", "created again (" + reason + "); copying " + mirrors + " mirrors");
        delegate.slotRecreated(reason, mirrors);
    }

    @Override
    public void copyResumed(MirrorName mirror, int finishedRanges, Lsn firstPoint) {
        feed.record("copy", mirror.value(), "copy resumed: " + finishedRanges + " finished range(s) kept (read at "
                + firstPoint + ")");
        delegate.copyResumed(mirror, finishedRanges, firstPoint);
    }

    private static String label(MirrorState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
