package io.echodb.core.service;

import io.echodb.core.time.Sleeper;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.PositionedRowCounter;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.out.RowCounterAsOf;
import io.echodb.core.service.checksum.AppliedPosition;
import io.echodb.core.service.checksum.ChecksumComparer;
import io.echodb.core.service.checksum.ChecksumResult;
import io.echodb.core.service.checksum.ChecksumUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares a table on both sides without crying wolf while changes are still on their way. In {@link Mode#COUNT}
 * (the seed's) it compares live row counts; in {@link Mode#CHECKSUM} it compares canonical row digests and finds the
 * differing keys ({@link ChecksumComparer}). When the sides differ the table (in checksum mode: the differing ranges)
 * is read again, up to {@code maxRechecks} times, {@code recheckDelay} apart. The verdict is MATCH as soon as the
 * sides agree; MISMATCH once two readings in a row disagree while the mirror is caught up (no lag, not snapshotting,
 * and in checksum mode applied past each reading's source position) or is stopped (paused, failed); IN_FLIGHT when
 * the budget ran out while the mirror was still catching up, reported with the lag.
 *
 * <p>Given {@link Positions} (the native engine), positions decide instead of WAL-wide lag and timers: count mode
 * reads both sides at one source position ({@link CountAtPositions}), and a checksum reading compared at a point the
 * mirror had applied past is confirmed by an immediate second reading of the differing ranges, without a delay.
 *
 * <p>A little over the project's ~400-line guide: its public {@link Builder}, {@link Settings} and {@link Positions}
 * are part of its face and stay with it; the work itself is in {@link CountAtPositions} and
 * {@link io.echodb.core.service.checksum.ChecksumComparer}.
 */
public final class ConsistencyChecker {

    /** The mode name of count checks, as reported. */
    public static final String MODE = "count";

    /** What is compared. */
    public enum Mode {
        /** Live row counts (cheap; the seed's check). */
        COUNT,
        /** Canonical row digests per key-hash bucket, down to the differing keys. */
        CHECKSUM;

        /** {@code count} or {@code checksum}, as in {@code /verify?mode=}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code count} or {@code checksum} (any case). */
        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return m;
                }
            }
            throw InvalidValueException.of("consistency check mode", text, "must be count or checksum");
        }
    }

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

    /**
     * Reading both sides at one position (the native engine).
     *
     * @param source  counts the source with its position
     * @param target  counts the target as of a position
     * @param applied how far the engine has written the stream
     * @param applyWait how long a differing reading waits for the engine to apply past its position
     * @param poll    how often it asks meanwhile
     */
    public record Positions(PositionedRowCounter source, RowCounterAsOf target, AppliedPosition applied, Duration applyWait,
                     Duration poll) {
        public Positions {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(applied, "applied");
            Objects.requireNonNull(applyWait, "applyWait");
            Objects.requireNonNull(poll, "poll");
            if (applyWait.isNegative() || poll.isNegative() || poll.isZero()) {
                throw InvalidValueException.of("position wait/poll", applyWait + "/" + poll, "must be >= 0 / > 0");
            }
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
    private final ChecksumComparer checksums;
    private final CountAtPositions atPositions;

    /**
     * See {@link #builder}: {@code checksums} null means count mode only; {@code positions} null means counts now,
     * rechecked {@code recheckDelay} apart while the mirror lags.
     */
    private ConsistencyChecker(RowCounter source, RowCounter target, MirrorControl mirrors, WatchPolicy policy,
                              LagProbe lag, Clock clock, Sleeper sleeper, Settings settings, ChecksumComparer checksums,
                              Positions positions) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.lag = Objects.requireNonNull(lag, "lag");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.checksums = checksums;
        this.atPositions = positions == null ? null : new CountAtPositions(positions, lag, clock, sleeper);
    }

    /**
     * Starts a checker of the mirrors {@code policy} watches, comparing what {@code source} and {@code target} count;
     * everything else has defaults: lag read from {@code mirrors}, the system clock, wall-clock sleeps, default
     * settings, count mode only.
     */
    public static Builder builder(RowCounter source, RowCounter target, MirrorControl mirrors, WatchPolicy policy) {
        return new Builder(source, target, mirrors, policy);
    }

    /** Options of a {@link ConsistencyChecker}. */
    public static final class Builder {
        private final RowCounter source;
        private final RowCounter target;
        private final MirrorControl mirrors;
        private final WatchPolicy policy;
        private LagProbe lag;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Settings settings = Settings.defaults();
        private ChecksumComparer checksums;
        private Positions positions;

        private Builder(RowCounter source, RowCounter target, MirrorControl mirrors, WatchPolicy policy) {
            this.source = Objects.requireNonNull(source, "source");
            this.target = Objects.requireNonNull(target, "target");
            this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
            this.policy = Objects.requireNonNull(policy, "policy");
            this.lag = LagProbe.fromMirrors(mirrors);
        }

        /** How far behind a mirror is (default: the lag its status reports). */
        public Builder lag(LagProbe value) {
            this.lag = Objects.requireNonNull(value, "lag");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How waits between rechecks are spent (default: wall-clock sleep). */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        public Builder settings(Settings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** Enables checksum mode (default: count mode only; checksum mode then throws). */
        public Builder checksums(ChecksumComparer value) {
            this.checksums = Objects.requireNonNull(value, "checksums");
            return this;
        }

        /** Count mode compares both sides at one source position (the native engine); default: counts now, rechecked. */
        public Builder positions(Positions value) {
            this.positions = Objects.requireNonNull(value, "positions");
            return this;
        }

        public ConsistencyChecker build() {
            return new ConsistencyChecker(source, target, mirrors, policy, lag, clock, sleeper, settings, checksums, positions);
        }
    }

    /** True when checksum mode is available. */
    public boolean supportsChecksums() {
        return checksums != null;
    }

    /** Checks one table by counting ({@code /verify}); counting failures propagate. */
    public ConsistencyReport check(TableRef table) {
        return check(table, Mode.COUNT);
    }

    /**
     * Checks one table in {@code mode} ({@code /verify?mode=}); failures propagate, checksum mode throws
     * {@link ChecksumUnavailableException} when it is not configured or the table cannot be compared that way.
     */
    public ConsistencyReport check(TableRef table, Mode mode) {
        return compare(table, () -> mirrorOf(table).map(MirrorStatus::state), mode);
    }

    /** Checks every mirror this EchoDB owns by counting, in name order ({@code /verify-all}). */
    public List<TableCheck> checkAll() {
        return checkAll(Mode.COUNT);
    }

    /** Checks every mirror this EchoDB owns in {@code mode}, in name order; one table's failure is reported, not thrown. */
    public List<TableCheck> checkAll(Mode mode) {
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
                out.add(new TableCheck.Checked(compare(table, () -> stateOf(mirror.name()), mode)));
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
        return compare(status.spec().source(), () -> stateOf(name), Mode.COUNT);
    }

    private ConsistencyReport compare(TableRef table, Supplier<Optional<MirrorState>> state, Mode mode) {
        if (mode == Mode.COUNT && atPositions != null) {
            return atPositions.check(table, state);
        }
        Reading reading = firstReading(table, mode);
        boolean previousCaughtUp = false;
        for (int n = 0; ; n++) {
            long lagBytes = Math.max(0, lag.lagBytes(table));
            Instant at = clock.instant();
            if (!reading.differs()) {
                return reading.report(Verdict.MATCH, lagBytes, at);
            }
            // With positions (native engine), a checksum reading that was compared at a point the mirror had applied
            // past is settled whatever the WAL-wide lag: it is confirmed by an immediate second reading.
            boolean positioned = atPositions != null && mode == Mode.CHECKSUM;
            Optional<MirrorState> now = state.get();
            boolean catchingUp = positioned
                    ? isCopying(now) || (reading.missedCommonPoint() && !isStopped(now))
                    : isCatchingUp(now, lagBytes) || reading.missedCommonPoint();
            if (!catchingUp && previousCaughtUp) {
                return reading.report(Verdict.MISMATCH, lagBytes, at);
            }
            if (n >= settings.maxRechecks()) {
                // Out of budget without two caught-up readings in a row: the difference is not confirmed, unless the
                // settings allow a single reading only.
                Verdict verdict = !catchingUp && settings.maxRechecks() == 0 ? Verdict.MISMATCH : Verdict.IN_FLIGHT;
                return reading.report(verdict, lagBytes, at);
            }
            boolean confirmAtOnce = positioned && !catchingUp;
            if (!confirmAtOnce && !pause(settings.recheckDelay())) {
                return reading.report(Verdict.IN_FLIGHT, lagBytes, at);
            }
            previousCaughtUp = !catchingUp;
            reading = reading.next();
        }
    }

    private Reading firstReading(TableRef table, Mode mode) {
        if (mode == Mode.COUNT) {
            return countReading(table);
        }
        if (checksums == null) {
            throw ChecksumUnavailableException.notConfigured();
        }
        return new ChecksumReading(table, checksums.compare(table));
    }

    /** One look at both sides. */
    private interface Reading {
        boolean differs();

        /** True when the target may not yet hold everything the source reading showed (checksum mode). */
        boolean missedCommonPoint();

        ConsistencyReport report(Verdict verdict, long lagBytes, Instant at);

        Reading next();
    }

    private Reading countReading(TableRef table) {
        long sourceCount = source.count(table).count();
        long targetCount = target.count(table).count();
        return new Reading() {
            @Override
            public boolean differs() {
                return sourceCount != targetCount;
            }

            @Override
            public boolean missedCommonPoint() {
                return false;
            }

            @Override
            public ConsistencyReport report(Verdict verdict, long lagBytes, Instant at) {
                return new ConsistencyReport(table, MODE, sourceCount, targetCount, verdict, lagBytes, List.of(), at);
            }

            @Override
            public Reading next() {
                return countReading(table);
            }
        };
    }

    /** A checksum reading; the next one reads only the ranges that still differed. */
    private final class ChecksumReading implements Reading {
        private final TableRef table;
        private final ChecksumResult result;

        ChecksumReading(TableRef table, ChecksumResult result) {
            this.table = table;
            this.result = result;
        }

        @Override
        public boolean differs() {
            return result.differs();
        }

        @Override
        public boolean missedCommonPoint() {
            return result.missedCommonPoint();
        }

        @Override
        public ConsistencyReport report(Verdict verdict, long lagBytes, Instant at) {
            return new ConsistencyReport(table, Mode.CHECKSUM.label(), result.sourceRows(), result.targetRows(), verdict,
                    lagBytes, List.of(), at, verdict == Verdict.MATCH ? List.of() : result.differences());
        }

        @Override
        public Reading next() {
            return new ChecksumReading(table, checksums.recheck(result));
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

    private static boolean isCopying(Optional<MirrorState> state) {
        return state.isPresent() && (state.get() == MirrorState.CREATING || state.get() == MirrorState.SNAPSHOTTING);
    }

    private static boolean isStopped(Optional<MirrorState> state) {
        return state.isPresent() && !state.get().isActive();
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
}
