package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * How far the target trails the source in time: the age of the oldest transaction received from the stream whose rows
 * are not all written yet, zero when everything received is written (idle and caught up). The age of the oldest
 * unwritten commit, rather than of the last written one, keeps a quiet hour followed by one fresh transaction from
 * reading as an hour of lag.
 *
 * <p>Written by the stream thread only ({@link #received}, {@link #writtenThrough}, {@link #caughtUp}); read from any
 * thread ({@link #behind}). Memory is bounded: past {@value #MAX_TRACKED} unwritten commits, the newest ones share
 * one entry that keeps the older commit time, so the lag can only be overstated, never understated.
 */
final class CommitLag {

    static final int MAX_TRACKED = 4096;

    private record Pending(Lsn end, long commitMillis) { }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Commit time of the oldest unwritten transaction, or {@link Long#MIN_VALUE} when there is none. */
    private volatile long oldestMillis = Long.MIN_VALUE;

    /** A transaction ending at {@code end}, committed at {@code commitTime}, was received. */
    void received(Lsn end, Instant commitTime) {
        Pending last = pending.peekLast();
        if (last != null && last.end().compareTo(end) >= 0) {
            return; // replayed after a reconnect: already tracked
        }
        if (pending.size() >= MAX_TRACKED) {
            pending.pollLast();
            pending.addLast(new Pending(end, last.commitMillis()));
        } else {
            pending.addLast(new Pending(end, commitTime.toEpochMilli()));
        }
        publish();
    }

    /** Every transaction ending at or before {@code position} is written (or deliberately skipped). */
    void writtenThrough(Lsn position) {
        boolean changed = false;
        while (!pending.isEmpty() && pending.peekFirst().end().compareTo(position) <= 0) {
            pending.pollFirst();
            changed = true;
        }
        if (changed) {
            publish();
        }
    }

    /** The server says there is nothing more and nothing received is unwritten. */
    void caughtUp() {
        pending.clear();
        publish();
    }

    /** How long the oldest unwritten transaction has waited at {@code now}; zero when none waits. */
    Duration behind(Instant now) {
        long oldest = oldestMillis;
        if (oldest == Long.MIN_VALUE) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.max(0, now.toEpochMilli() - oldest));
    }

    private void publish() {
        Pending first = pending.peekFirst();
        oldestMillis = first == null ? Long.MIN_VALUE : first.commitMillis();
    }
}
