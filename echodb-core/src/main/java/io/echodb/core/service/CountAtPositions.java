package io.echodb.core.service;

import io.echodb.core.time.Sleeper;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.AsOfCount;
import io.echodb.core.port.out.PositionedCount;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The count check decided by positions, not by waiting: the source is counted together with its WAL position P, the
 * target is counted as it was before P (each key's latest version from a transaction that committed before P), and
 * the two agree exactly once the engine has applied past P. Equal counts are a match at once. Different counts wait
 * (bounded) only until the engine has applied past P — in flight if it does not get there — and are then confirmed
 * at an exact consistent point (a commit being flushed at the instant of the cheap reading can sit on either side of
 * P): a difference there is a mismatch — unless keys changed right after the point lost their older versions to a
 * merge and the counts could still agree, which is in flight, not a mismatch. A stopped mirror (paused, failed) is not waited for: it is behind.
 */
final class CountAtPositions {

    private final ConsistencyChecker.Positions positions;
    private final LagProbe lag;
    private final Clock clock;
    private final Sleeper sleeper;

    CountAtPositions(ConsistencyChecker.Positions positions, LagProbe lag, Clock clock, Sleeper sleeper) {
        this.positions = positions;
        this.lag = lag;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    ConsistencyReport check(TableRef table, Supplier<Optional<MirrorState>> state) {
        PositionedCount source = positions.source().count(table);
        AsOfCount target = positions.target().countBefore(table, source.position());
        if (target.rows() == source.count()) {
            return report(source, target, Verdict.MATCH);
        }
        Optional<MirrorState> s = state.get();
        if (s.isPresent() && (s.get() == MirrorState.CREATING || s.get() == MirrorState.SNAPSHOTTING)) {
            return report(source, target, Verdict.IN_FLIGHT); // the copy has not reached every row yet
        }
        boolean stopped = s.isPresent() && !s.get().isActive();
        if (!appliedPast(table, source.position(), stopped)) {
            return report(source, target, stopped ? Verdict.MISMATCH : Verdict.IN_FLIGHT);
        }
        target = positions.target().countBefore(table, source.position());
        if (target.rows() == source.count()) {
            return report(source, target, Verdict.MATCH);
        }
        PositionedCount exact = positions.source().countAtConsistentPoint(table);
        if (!appliedPast(table, exact.position(), stopped)) {
            return report(exact, positions.target().countBefore(table, exact.position()),
                    stopped ? Verdict.MISMATCH : Verdict.IN_FLIGHT);
        }
        AsOfCount atPoint = positions.target().countBefore(table, exact.position());
        if (atPoint.rows() == exact.count()) {
            return report(exact, atPoint, Verdict.MATCH);
        }
        // Keys whose only versions are from the point on (inserted after it, or changed after it with the older version
        // merged away) may make up the difference: not a mismatch that can be proven at this point.
        return report(exact, atPoint, atPoint.allows(exact.count()) ? Verdict.IN_FLIGHT : Verdict.MISMATCH);
    }

    /** Whether the engine has written everything before {@code position}; waits (bounded) unless the mirror is stopped. */
    private boolean appliedPast(TableRef table, Lsn position, boolean stopped) {
        if (reached(table, position)) {
            return true;
        }
        if (stopped) {
            return false;
        }
        Instant deadline = clock.instant().plus(positions.applyWait());
        while (clock.instant().isBefore(deadline)) {
            try {
                sleeper.sleep(positions.poll());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (reached(table, position)) {
                return true;
            }
        }
        return false;
    }

    private boolean reached(TableRef table, Lsn position) {
        Optional<Lsn> applied = positions.applied().applied(table);
        return applied.isPresent() && applied.get().compareTo(position) >= 0;
    }

    private ConsistencyReport report(PositionedCount source, AsOfCount target, Verdict verdict) {
        return new ConsistencyReport(source.table(), ConsistencyChecker.MODE, source.count(), target.rows(), verdict,
                Math.max(0, lag.lagBytes(source.table())), List.of(), clock.instant());
    }
}
