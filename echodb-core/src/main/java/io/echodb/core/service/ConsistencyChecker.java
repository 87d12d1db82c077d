package io.echodb.core.service;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.MirrorControl;
import io.echodb.core.port.MirrorNotFoundException;
import io.echodb.core.port.RowCounter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares live row counts of a table on both sides (the seed's "count" mode) without crying wolf while changes are
 * still on their way. When the counts differ the table is read again, up to {@code maxRechecks} times,
 * {@code recheckDelay} apart. The verdict is MATCH as soon as the counts agree; MISMATCH once two readings in a row
 * disagree while the mirror is caught up (no lag, not snapshotting) or is stopped (paused, failed); IN_FLIGHT when
 * the budget ran out while the mirror was still catching up, reported with the lag.
 */
public final class ConsistencyChecker {

    public static final String MODE = "count";

    /**
     * @param maxRechecks     readings after the first when counts differ (the seed retried 3 times)
     * @param recheckDelay    wait between readings (the seed waited 10 s)
     * @param snapshotTimeout how long {@link #checkAfterSnapshot} waits for the initial copy to finish
     * @param snapshotPoll    how often it asks the engine meanwhile
     */
    public record Settings(int maxRechecks, Duration recheckDelay, Duration snapshotTimeout, Duration snapshotPoll) {
        public Settings {
            if (maxRechecks < 0 || maxRechecks > 100) {
                throw InvalidValueException.of("consistency rechecks", maxRechecks, "must be 0..100");
            }
            Objects.requireNonNull(recheckDelay, "recheckDelay");
            Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
            Objects.requireNonNull(snapshotPoll, "snapshotPoll");
            if (recheckDelay.isNegative() || snapshotTimeout.isNegative()) {
                throw InvalidValueException.of("consistency delays", recheckDelay + "/" + snapshotTimeout, "must not be negative");
            }
            if (snapshotPoll.isNegative() || snapshotPoll.isZero()) {
                throw InvalidValueException.of("snapshot poll interval", snapshotPoll, "must be > 0");
            }
        }

        public static Settings defaults() {
            return new Settings(3, Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(5));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyChecker.class);

    private final RowCounter source;
    private final RowCounter target;
    private final MirrorControl mirrors;
    private final WatchPolicy policy;
    private final LagProbe lag;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Settings settings;

    public ConsistencyChecker(RowCounter source, RowCounter target, MirrorControl mirrors, WatchPolicy policy,
                              LagProbe lag, Clock clock, Sleeper sleeper, Settings settings) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.lag = Objects.requireNonNull(lag, "lag");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Checks one table ({@code /verify}); counting failures propagate. */
    public ConsistencyReport check(TableRef table) {
        return compare(table, () -> mirrorOf(table).map(MirrorStatus::state));
    }

    /** Checks every mirror this EchoDB owns, in name order ({@code /verify-all}); one table's failure is reported, not thrown. */
    public List<TableCheck> checkAll() {
        List<TableCheck> out = new ArrayList<>();
        for (MirrorStatus mirror : mirrors.list()) {
            if (!OwnedMirrors.isOwned(mirror, policy)) {
                continue;
            }
            TableRef table = mirror.spec().source();
            if (mirror.state() == MirrorState.UNSUPPORTED) {
                out.add(new TableCheck.NotMirrored(table, mirror.name(),
                        mirror.error().orElse("the engine cannot mirror this table"), clock.instant()));
                continue;
            }
            try {
                out.add(new TableCheck.Checked(compare(table, () -> stateOf(mirror.name()))));
            } catch (RuntimeException e) {
                LOG.warn("consistency check of {} failed: {}", table, Failures.describe(e));
                out.add(new TableCheck.Failed(table, mirror.name(), Failures.describe(e), clock.instant()));
            }
        }
        return out;
    }

    /**
     * The check to run after creating a mirror: waits (at most {@code snapshotTimeout}) until the engine reports the
     * initial copy done, then compares. Throws {@link MirrorNotFoundException} for an unknown mirror.
     */
    public ConsistencyReport checkAfterSnapshot(MirrorName name) {
        Instant deadline = clock.instant().plus(settings.snapshotTimeout());
        MirrorStatus status = mirrors.status(name).orElseThrow(() -> MirrorNotFoundException.of(name));
        while (!copyFinished(status) && clock.instant().isBefore(deadline)) {
            if (!pause(settings.snapshotPoll())) {
                break;
            }
            status = mirrors.status(name).orElseThrow(() -> MirrorNotFoundException.of(name));
        }
        return compare(status.spec().source(), () -> stateOf(name));
    }

    private ConsistencyReport compare(TableRef table, Supplier<Optional<MirrorState>> state) {
        boolean previousCaughtUp = false;
        for (int reading = 0; ; reading++) {
            long sourceCount = source.count(table).count();
            long targetCount = target.count(table).count();
            long lagBytes = Math.max(0, lag.lagBytes(table));
            Instant at = clock.instant();
            if (sourceCount == targetCount) {
                return report(table, sourceCount, targetCount, Verdict.MATCH, lagBytes, at);
            }
            boolean catchingUp = isCatchingUp(state.get(), lagBytes);
            if (!catchingUp && previousCaughtUp) {
                return report(table, sourceCount, targetCount, Verdict.MISMATCH, lagBytes, at);
            }
            if (reading >= settings.maxRechecks()) {
                // Out of budget without two caught-up readings in a row: the difference is not confirmed, unless the
                // settings allow a single reading only.
                Verdict verdict = !catchingUp && settings.maxRechecks() == 0 ? Verdict.MISMATCH : Verdict.IN_FLIGHT;
                return report(table, sourceCount, targetCount, verdict, lagBytes, at);
            }
            if (!pause(settings.recheckDelay())) {
                return report(table, sourceCount, targetCount, Verdict.IN_FLIGHT, lagBytes, at);
            }
            previousCaughtUp = !catchingUp;
        }
    }

    /** Still copying, or streaming with WAL left to apply. A stopped mirror is not catching up: it is behind. */
    private static boolean isCatchingUp(Optional<MirrorState> state, long lagBytes) {
        if (state.isEmpty()) {
            return lagBytes > 0;
        }
        MirrorState s = state.get();
        return s == MirrorState.CREATING || s == MirrorState.SNAPSHOTTING || (s == MirrorState.RUNNING && lagBytes > 0);
    }

    private static boolean copyFinished(MirrorStatus status) {
        return status.snapshot().done() || status.state() == MirrorState.RUNNING || !status.state().isActive();
    }

    private Optional<MirrorStatus> mirrorOf(TableRef table) {
        return mirrors.list().stream().filter(s -> s.spec().source().equals(table)).findFirst();
    }

    private Optional<MirrorState> stateOf(MirrorName name) {
        return mirrors.status(name).map(MirrorStatus::state);
    }

    /** Sleeps; false when interrupted (the flag is kept so the caller's thread can stop). */
    private boolean pause(Duration d) {
        try {
            sleeper.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ConsistencyReport report(TableRef table, long src, long tgt, Verdict verdict, long lagBytes, Instant at) {
        return new ConsistencyReport(table, MODE, src, tgt, verdict, lagBytes, List.of(), at);
    }
}
