package io.echodb.core.service;

import static io.echodb.core.service.World.pub;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.service.ConsistencyChecker.Mode;
import io.echodb.core.testing.InMemoryPositionedCounts;
import io.echodb.core.testing.InMemoryRowCounter;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Count mode decided by positions: no fixed rechecks, no false alarm while changes are on their way. */
class CountAtPositionsTest {

    private static final TableRef USERS = pub("users");

    private final World world = new World();
    private final InMemoryPositionedCounts counts = new InMemoryPositionedCounts();
    private final InMemoryRowCounter unusedSource = new InMemoryRowCounter(world.clock);
    private final InMemoryRowCounter unusedTarget = new InMemoryRowCounter(world.clock);
    private final MirrorName mirror = world.existingMirror(USERS).name();

    private ConsistencyChecker checker() {
        return ConsistencyChecker.builder(unusedSource, unusedTarget, world.mirrors, world.policy).lag(table -> 0)
                .clock(world.clock).sleeper(world.clock)
                .positions(new ConsistencyChecker.Positions(counts.source(), counts.target(),
                        table -> Optional.of(counts.applied()), Duration.ofSeconds(10), Duration.ofMillis(100)))
                .build();
    }

    @Test
    void equalSidesMatchWithoutWaiting() {
        counts.commit(USERS, 100);
        counts.applyAll();

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(r.postgresCount()).isEqualTo(100);
        assertThat(r.clickhouseCount()).isEqualTo(100);
        assertThat(world.clock.slept()).isZero();
        assertThat(unusedSource.calls(USERS)).isZero();
    }

    @Test
    void theTargetIsReadAsOfTheSourcesPositionSoLaterChangesDoNotShow() {
        counts.commit(USERS, 100);
        counts.applyAll();
        ConsistencyChecker checker = checker();
        // the engine applies a newer transaction while the check runs: the target as of the source's reading is unchanged
        counts.commit(USERS, 150);
        counts.applyAll();

        assertThat(checker.check(USERS, Mode.COUNT).verdict()).isEqualTo(Verdict.MATCH);
    }

    @Test
    void changesStillOnTheirWayAreWaitedForByPositionThenMatch() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.commit(USERS, 120);
        world.clock.onSleep(counts::applyAll); // the engine catches up during the first wait

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(r.postgresCount()).isEqualTo(120);
        assertThat(world.clock.slept()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void anEngineThatDoesNotReachThePositionIsInFlightNotAMismatch() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.commit(USERS, 120);

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(world.clock.slept()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aRealDifferenceIsAMismatchAtOnceOnceConfirmedAtAConsistentPoint() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.tamper(USERS, -3);
        world.clock.onSleep(counts::applyAll); // keepalives move the applied position past each reading

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(r.difference()).isEqualTo(3);
        assertThat(world.clock.slept()).isLessThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aStoppedMirrorThatIsBehindIsAMismatchWithoutWaiting() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.commit(USERS, 130);
        world.mirrors.setState(mirror, MirrorState.PAUSED);

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(world.clock.slept()).isZero();
    }

    @Test
    void aCopyInProgressIsInFlight() {
        counts.commit(USERS, 100);
        world.mirrors.setState(mirror, MirrorState.SNAPSHOTTING);

        assertThat(checker().check(USERS, Mode.COUNT).verdict()).isEqualTo(Verdict.IN_FLIGHT);
    }

    @Test
    void keysWhoseOlderVersionsWereMergedAwayAreInFlightNotAMismatch() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.mergeAway(USERS, 2);
        world.clock.onSleep(counts::applyAll);

        ConsistencyReport r = checker().check(USERS, Mode.COUNT);

        assertThat(r.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(r.postgresCount()).isEqualTo(100);
        assertThat(r.clickhouseCount()).isEqualTo(98);
    }

    @Test
    void aDifferenceBeyondTheUndecidedKeysIsStillAMismatch() {
        counts.commit(USERS, 100);
        counts.applyAll();
        counts.mergeAway(USERS, 2);
        counts.tamper(USERS, -5);
        world.clock.onSleep(counts::applyAll);

        assertThat(checker().check(USERS, Mode.COUNT).verdict()).isEqualTo(Verdict.MISMATCH);
    }
}
