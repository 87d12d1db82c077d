package io.echodb.core.service;

import static io.echodb.core.service.World.mirror;
import static io.echodb.core.service.World.pub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.testing.InMemoryRowCounter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsistencyCheckerTest {

    private static final ConsistencyChecker.Settings SETTINGS = ConsistencyChecker.Settings.defaults();
    private static final TableRef USERS = pub("users");
    private static final MirrorName USERS_MIRROR = mirror("users_mirror");

    private final World world = new World();
    private final InMemoryRowCounter source = new InMemoryRowCounter(world.clock);
    private final InMemoryRowCounter target = new InMemoryRowCounter(world.clock);

    private ConsistencyChecker checker(ConsistencyChecker.Settings settings) {
        return ConsistencyChecker.builder(source, target, world.mirrors, world.policy).clock(world.clock)
                .sleeper(world.clock).settings(settings).build();
    }

    private ConsistencyChecker checker() {
        return checker(SETTINGS);
    }

    @AfterEach
    void clearInterruptFlag() {
        Thread.interrupted();
    }

    @Test
    void equalCountsMatchAtOnceInTheSeedsShape() {
        world.existingMirror(USERS);
        source.givenRows(USERS, 42);
        target.givenRows(USERS, 42);

        ConsistencyReport report = checker().check(USERS);

        assertThat(report.table()).isEqualTo(USERS);
        assertThat(report.mode()).isEqualTo("count");
        assertThat(report.postgresCount()).isEqualTo(42);
        assertThat(report.clickhouseCount()).isEqualTo(42);
        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(report.match()).isTrue();
        assertThat(report.difference()).isZero();
        assertThat(report.timestamp()).isEqualTo(world.clock.instant());
        assertThat(world.clock.sleeps()).isEmpty();
    }

    @Test
    void aDifferenceWhileTheMirrorLagsIsNotAMismatchWhenItCatchesUp() {
        world.existingMirror(USERS);
        world.mirrors.setLag(USERS_MIRROR, 8192);
        source.givenRows(USERS, 100);
        target.givenCounts(USERS, 90, 97, 100);

        ConsistencyReport report = checker().check(USERS);

        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(report.clickhouseCount()).isEqualTo(100);
        assertThat(world.clock.sleeps()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void aDifferenceThatOutlastsTheBudgetWhileLaggingIsReportedInFlightWithTheLag() {
        world.existingMirror(USERS);
        world.mirrors.setLag(USERS_MIRROR, 4096);
        source.givenRows(USERS, 100);
        target.givenRows(USERS, 60);

        ConsistencyReport report = checker().check(USERS);

        assertThat(report.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(report.lagBytes()).isEqualTo(4096);
        assertThat(report.difference()).isEqualTo(40);
        assertThat(world.clock.sleeps()).hasSize(3);
        assertThat(target.calls(USERS)).isEqualTo(4);
    }

    @Test
    void aDifferenceSeenTwiceWhileCaughtUpIsAMismatch() {
        world.existingMirror(USERS);
        source.givenRows(USERS, 100);
        target.givenRows(USERS, 98);

        ConsistencyReport report = checker().check(USERS);

        assertThat(report.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(report.match()).isFalse();
        assertThat(report.difference()).isEqualTo(2);
        assertThat(report.lagBytes()).isZero();
        assertThat(world.clock.sleeps()).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void aRaceBetweenTheTwoCountsIsNotAMismatch() {
        world.existingMirror(USERS);
        source.givenCounts(USERS, 100, 101);
        target.givenCounts(USERS, 101, 101);

        assertThat(checker().check(USERS).verdict()).isEqualTo(Verdict.MATCH);
    }

    @Test
    void aMirrorStillCopyingIsInFlightEvenWithoutLag() {
        world.mirrors.startMirrorsAs(MirrorState.SNAPSHOTTING);
        world.existingMirror(USERS);
        source.givenRows(USERS, 1000);
        target.givenRows(USERS, 10);

        assertThat(checker().check(USERS).verdict()).isEqualTo(Verdict.IN_FLIGHT);
    }

    @Test
    void aPausedMirrorIsBehindNotInFlightEvenWithLag() {
        world.existingMirror(USERS);
        world.mirrors.pause(USERS_MIRROR);
        world.mirrors.setLag(USERS_MIRROR, 1 << 20);
        source.givenRows(USERS, 10);
        target.givenRows(USERS, 7);

        assertThat(checker().check(USERS).verdict()).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void withoutRechecksASingleReadingDecides() {
        world.existingMirror(USERS);
        source.givenRows(USERS, 10);
        target.givenRows(USERS, 7);

        ConsistencyReport report = checker(new ConsistencyChecker.Settings(0, Duration.ofSeconds(10),
                Duration.ofMinutes(1), Duration.ofSeconds(5))).check(USERS);

        assertThat(report.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(world.clock.sleeps()).isEmpty();
    }

    @Test
    void afterCreationTheCheckWaitsForTheSnapshotThenCompares() {
        world.mirrors.startMirrorsAs(MirrorState.SNAPSHOTTING);
        world.existingMirror(USERS);
        source.givenRows(USERS, 500);
        target.givenRows(USERS, 0);
        AtomicInteger polls = new AtomicInteger();
        world.clock.onSleep(() -> {
            if (polls.incrementAndGet() == 3) {
                world.mirrors.setState(USERS_MIRROR, MirrorState.RUNNING);
                target.givenRows(USERS, 500);
            }
        });

        ConsistencyReport report = checker().checkAfterSnapshot(USERS_MIRROR);

        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(world.clock.sleeps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void theSnapshotDoneFlagIsEnoughToStartComparing() {
        world.mirrors.startMirrorsAs(MirrorState.SNAPSHOTTING);
        world.existingMirror(USERS);
        world.mirrors.setSnapshot(USERS_MIRROR, new SnapshotProgress(5, 5, 100, true));
        source.givenRows(USERS, 5);
        target.givenRows(USERS, 5);

        assertThat(checker().checkAfterSnapshot(USERS_MIRROR).verdict()).isEqualTo(Verdict.MATCH);
        assertThat(world.clock.sleeps()).isEmpty();
    }

    @Test
    void waitingForASnapshotIsBounded() {
        world.mirrors.startMirrorsAs(MirrorState.SNAPSHOTTING);
        world.existingMirror(USERS);
        source.givenRows(USERS, 500);
        target.givenRows(USERS, 10);

        ConsistencyReport report = checker().checkAfterSnapshot(USERS_MIRROR);

        assertThat(report.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        // 10 minutes of 5 s polls, then the normal 3 rechecks of 10 s.
        assertThat(world.clock.slept()).isEqualTo(Duration.ofMinutes(10).plusSeconds(30));
    }

    @Test
    void checkingAfterCreationOfAnUnknownMirrorThrows() {
        assertThatThrownBy(() -> checker().checkAfterSnapshot(USERS_MIRROR))
                .isInstanceOf(MirrorNotFoundException.class).hasMessageContaining("users_mirror");
    }

    @Test
    void checkAllCoversOwnedMirrorsInNameOrderAndReportsEachProblem() {
        world.existingMirror(pub("orders"));
        world.existingMirror(USERS);
        world.catalog.createTable(pub("events"), false);
        world.mirrors.create(world.policy.specFor(pub("events")));
        world.existingMirror(pub("gone"));
        world.foreignMirror("log_mirror", TableRef.of("audit", "log"));
        source.givenRows(pub("orders"), 3);
        target.givenRows(pub("orders"), 3);
        source.givenRows(USERS, 9);
        target.givenRows(USERS, 8);
        source.givenRows(pub("gone"), 1);

        List<TableCheck> checks = checker().checkAll();

        assertThat(checks).extracting(TableCheck::table)
                .containsExactly(pub("events"), pub("gone"), pub("orders"), USERS);
        assertThat(checks.get(0)).isInstanceOfSatisfying(TableCheck.NotMirrored.class,
                n -> assertThat(n.reason()).contains("no primary key"));
        assertThat(checks.get(1)).isInstanceOfSatisfying(TableCheck.Failed.class,
                f -> assertThat(f.error()).contains("public.gone"));
        assertThat(checks.get(2)).isInstanceOfSatisfying(TableCheck.Checked.class,
                c -> assertThat(c.report().verdict()).isEqualTo(Verdict.MATCH));
        assertThat(checks.get(3)).isInstanceOfSatisfying(TableCheck.Checked.class,
                c -> assertThat(c.report().verdict()).isEqualTo(Verdict.MISMATCH));
        assertThat(source.calls(TableRef.of("audit", "log"))).isZero();
    }

    @Test
    void anInterruptedRecheckEndsInFlightAndKeepsTheInterrupt() {
        world.existingMirror(USERS);
        source.givenRows(USERS, 10);
        target.givenRows(USERS, 7);
        ConsistencyChecker interrupted = ConsistencyChecker.builder(source, target, world.mirrors, world.policy)
                .lag(LagProbe.NONE).clock(world.clock).sleeper(d -> {
                    throw new InterruptedException();
                }).settings(SETTINGS).build();

        ConsistencyReport report = interrupted.check(USERS);

        assertThat(report.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void theLagProbeReadsTheEnginesReportedLag() {
        world.existingMirror(USERS);
        world.mirrors.setLag(USERS_MIRROR, 1234);

        assertThat(LagProbe.fromMirrors(world.mirrors).lagBytes(USERS)).isEqualTo(1234);
        assertThat(LagProbe.fromMirrors(world.mirrors).lagBytes(pub("unknown"))).isZero();
    }
}
