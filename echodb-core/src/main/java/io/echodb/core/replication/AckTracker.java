package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.ChangeStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The one place that decides what may be acknowledged to the source: the end of the last commit whose every row is
 * buffered, written or deliberately skipped, held back by the oldest row still buffered, by a write abandoned half-way
 * and by mirror states not saved yet. Engine lock (except {@link #lag}).
 */
final class AckTracker {

    private final ChangeBuffers buffers;
    private final MirrorStates states;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final CommitLag commitLag = new CommitLag();

    /** End of the last commit whose every row is buffered, written or deliberately skipped. */
    private Lsn lastCommitEnd = Lsn.ZERO;
    private Lsn lastAcked = Lsn.ZERO;
    private long lastAckMillis;
    /** Set when a write was abandoned half-way: nothing may be acknowledged until the stream restarts. */
    private boolean blocked;

    AckTracker(ChangeBuffers buffers, MirrorStates states, EngineSettings settings, Clock clock, EngineListener listener) {
        this.buffers = buffers;
        this.states = states;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
    }

    /** A stream session resumes after {@code from}: everything before it was acknowledged. */
    void sessionStarted(Lsn from) {
        lastCommitEnd = from;
        lastAcked = Lsn.max(lastAcked, from);
        commitLag.writtenThrough(from);
        lastAckMillis = clock.millis();
        blocked = false;
    }

    /** A commit ending at {@code end} was received and its rows are buffered (or skipped). */
    void committed(Lsn end, Instant commitTime) {
        commitLag.received(end, commitTime);
        lastCommitEnd = Lsn.max(lastCommitEnd, end);
    }

    /** Nothing is in flight and the server is at {@code serverLsn}: every commit up to it is applied. */
    void caughtUp(Lsn serverLsn) {
        lastCommitEnd = Lsn.max(lastCommitEnd, serverLsn);
        commitLag.caughtUp();
    }

    /** Buffered rows are half written (the engine stops, or may no longer write): acknowledge nothing more. */
    void block() {
        blocked = true;
    }

    /** The position a row buffered now is covered by: the end of the last commit received before it. */
    Lsn lastCommitEnd() {
        return lastCommitEnd;
    }

    Lsn lastAcked() {
        return lastAcked;
    }

    /** Everything up to this position is written (or deliberately skipped). */
    Lsn ackable() {
        return buffers.writtenBelow(lastCommitEnd);
    }

    /** Acknowledges the written position on {@code stream} when the ack interval has passed, or now when {@code force}. */
    void maybeAck(ChangeStream stream, boolean force) {
        if (stream == null || blocked) {
            return;
        }
        commitLag.writtenThrough(ackable());
        long now = clock.millis();
        if (!force && now - lastAckMillis < settings.ackInterval().toMillis()) {
            return;
        }
        lastAckMillis = now;
        // A mirror whose stop is only in memory would come back RUNNING without the changes acknowledged past it.
        if (!states.statesDurable()) {
            return;
        }
        Lsn position = ackable();
        if (position.isAfter(lastAcked)) {
            stream.acknowledge(position);
            lastAcked = position;
            listener.acknowledged(position);
        }
    }

    /** Age of the oldest received transaction not yet written; zero when caught up. Any thread. */
    Duration lag(Instant now) {
        return commitLag.behind(now);
    }
}
