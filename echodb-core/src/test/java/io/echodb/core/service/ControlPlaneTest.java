package io.echodb.core.service;

import static io.echodb.core.service.World.mirror;
import static io.echodb.core.service.World.pub;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.InMemoryLeadership;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ControlPlaneTest {

    private static final LeaderLoop.Settings ELECTION = LeaderLoop.Settings.of(Duration.ofSeconds(30), Duration.ofSeconds(10));
    private static final ControlPlane.Settings SETTINGS =
            new ControlPlane.Settings(Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMillis(200), 10);

    private final World world = new World();
    private final InMemoryLeadership.Store store = new InMemoryLeadership.Store(world.clock);
    private final InMemoryLeadership leaseA = new InMemoryLeadership(store, "worker-a");
    private final LeaderLoop leaderA = new LeaderLoop(leaseA, world.clock, ELECTION, LeaderLoop.Listener.NONE);
    private final LeaderLoop leaderB =
            new LeaderLoop(new InMemoryLeadership(store, "worker-b"), world.clock, ELECTION, LeaderLoop.Listener.NONE);

    private ControlPlane plane(LeaderView leader, io.echodb.core.port.in.MirrorControl mirrors) {
        AutoMirror autoMirror = new AutoMirror(world.events, world.catalog, mirrors, world.policy, world.metrics,
                new AutoMirror.Settings(2, Duration.ZERO, false));
        Reconciler reconciler = new Reconciler(world.catalog, mirrors, world.policy, world.metrics, false);
        return new ControlPlane(leader, autoMirror, reconciler, world.metrics, world.clock, SETTINGS);
    }

    private ControlPlane plane(LeaderView leader) {
        return plane(leader, world.mirrors);
    }

    @Test
    void aFollowerDoesNothing() {
        leaderB.runOnce();
        world.create(pub("users"));
        ControlPlane a = plane(leaderA);

        leaderA.runOnce();
        Duration next = a.tick();

        assertThat(world.mirrorNames()).isEmpty();
        assertThat(world.events.acknowledgedPosition()).isZero();
        assertThat(world.events.reads()).isZero();
        assertThat(next).isEqualTo(SETTINGS.idleDelay());
        assertThat(a.stats().leader()).isFalse();
    }

    @Test
    void ddlMadeWhileNoWorkerRanIsAppliedWhenLeadershipIsGained() {
        world.existingMirror(pub("old"));
        world.mirrors.clearOperations();
        world.drop(pub("old"));
        world.create(pub("users"));
        world.create(pub("temp_x"));
        world.create(pub("orders"));
        world.rename(pub("orders"), pub("purchases"));
        ControlPlane a = plane(leaderA);

        leaderA.runOnce();
        a.tick();

        assertThat(world.mirrorNames()).containsExactly(mirror("purchases_mirror"), mirror("users_mirror"));
        assertThat(world.events.acknowledgedPosition()).isEqualTo(world.events.head());
        ControlPlaneStats stats = a.stats();
        assertThat(stats.leader()).isTrue();
        assertThat(stats.reconcileRuns()).isEqualTo(1);
        assertThat(stats.ddlEventsHandled()).isEqualTo(5);
        assertThat(stats.ddlPosition()).isEqualTo(world.events.head());
        // The sweep did the work first; the events that followed found nothing left to do.
        assertThat(world.mirrors.operations()).containsExactly(
                "drop old_mirror", "create purchases_mirror", "create users_mirror");
        assertThat(stats.mirrorsCreated()).isEqualTo(2);
        assertThat(stats.mirrorsDropped()).isEqualTo(1);
    }

    @Test
    void eventsAreHandledEveryTickAndTheSweepRunsEveryInterval() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        world.create(pub("users"));

        a.tick();

        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(a.stats().reconcileRuns()).isEqualTo(1);

        world.clock.advance(Duration.ofMinutes(5));
        leaderA.runOnce();
        a.tick();
        assertThat(a.stats().reconcileRuns()).isEqualTo(2);
    }

    @Test
    void aLostEventIsConvergedByTheNextSweep() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        world.createQuietly(pub("users"));

        a.tick();
        assertThat(world.mirrorNames()).isEmpty();

        world.clock.advance(Duration.ofMinutes(5));
        leaderA.runOnce();
        a.tick();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void aBacklogIsDrainedAcrossTicksWithoutWaiting() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        for (int i = 0; i < 25; i++) {
            world.create(pub("t" + i));
        }

        Duration first = a.tick();

        assertThat(first).isZero();
        assertThat(world.events.acknowledgedPosition()).isEqualTo(20);
        Duration second = a.tick();
        assertThat(second).isEqualTo(SETTINGS.idleDelay());
        assertThat(world.events.acknowledgedPosition()).isEqualTo(25);
        assertThat(world.mirrorNames()).hasSize(25);
    }

    @Test
    void aWorkerThatLostItsLeaseStopsActing() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        leaseA.partition(new IllegalStateException("redis unreachable"));
        for (int i = 0; i < 3; i++) {
            world.clock.advance(leaderA.runOnce());
        }
        assertThat(leaderA.isLeader()).isFalse();
        world.create(pub("users"));

        a.tick();

        assertThat(world.mirrorNames()).isEmpty();
        assertThat(a.stats().leader()).isFalse();
    }

    @Test
    void leadershipRegainedStartsWithAFullSweep() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        leaseA.partition(new IllegalStateException("redis unreachable"));
        world.clock.advance(Duration.ofSeconds(24));
        a.tick();
        world.createQuietly(pub("users"));
        leaseA.heal();

        leaderA.runOnce();
        a.tick();

        assertThat(leaderA.term()).isEqualTo(2);
        assertThat(a.stats().reconcileRuns()).isEqualTo(2);
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void aWorkerLosingLeadershipMidSweepStopsBeforeItsNextCall() {
        world.createQuietly(pub("a"));
        world.createQuietly(pub("b"));
        world.createQuietly(pub("c"));
        // The first create takes so long that the lease can no longer be trusted when it returns.
        DelegatingMirrorControl slow = new DelegatingMirrorControl(world.mirrors) {
            @Override
            public MirrorStatus create(MirrorSpec spec) {
                MirrorStatus status = super.create(spec);
                world.clock.advance(Duration.ofSeconds(25));
                return status;
            }
        };
        ControlPlane a = plane(leaderA, slow);
        leaderA.runOnce();

        a.tick();

        assertThat(world.mirrorNames()).containsExactly(mirror("a_mirror"));
        assertThat(a.stats().lastReconcile().complete()).isFalse();
    }

    @Test
    void failuresAreCountedAndTheSweepLaterRepairsThem() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        world.create(pub("users"));
        world.mirrors.failNextCreate(pub("users"), MirrorEngineException.fatal("bad column type", null));

        a.tick();

        ControlPlaneStats stats = a.stats();
        assertThat(stats.mirrorsFailed()).isEqualTo(1);
        assertThat(stats.lastError()).contains("public.users").contains("bad column type");
        assertThat(world.events.acknowledgedPosition()).isEqualTo(1);
        assertThat(world.mirrorNames()).isEmpty();

        world.clock.advance(Duration.ofMinutes(5));
        leaderA.runOnce();
        a.tick();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(a.stats().mirrorsCreated()).isEqualTo(1);
    }

    @Test
    void anEngineOutageIsRetriedAfterTheRetryDelay() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        world.create(pub("users"));
        world.mirrors.failWith(MirrorEngineException.retryable("connection refused", null));

        a.tick();
        assertThat(world.events.acknowledgedPosition()).isZero();
        world.mirrors.heal();
        int readsBefore = world.events.reads();

        a.tick();
        assertThat(world.events.reads()).isEqualTo(readsBefore);
        assertThat(world.mirrorNames()).isEmpty();

        world.clock.advance(SETTINGS.retryDelay());
        leaderA.runOnce();
        a.tick();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(world.events.acknowledgedPosition()).isEqualTo(1);
    }

    @Test
    void aFailedSweepIsRetriedAfterTheRetryDelayWhileEventsGoOn() {
        world.catalog.failWith(SourceUnavailableException.of("list tables", null));
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        assertThat(a.stats().lastError()).startsWith("reconcile: ").contains("list tables");
        assertThat(a.stats().reconcileRuns()).isZero();
        world.catalog.heal();
        world.create(pub("users"));
        world.createQuietly(pub("orders"));

        a.tick();
        assertThat(a.stats().reconcileRuns()).isZero();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));

        world.clock.advance(SETTINGS.retryDelay());
        leaderA.runOnce();
        a.tick();
        assertThat(a.stats().reconcileRuns()).isEqualTo(1);
        assertThat(world.mirrorNames()).containsExactly(mirror("orders_mirror"), mirror("users_mirror"));
    }

    @Test
    void aRequestedSweepRunsOnTheNextTick() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        a.tick();
        world.createQuietly(pub("users"));

        a.requestReconcile();
        a.tick();

        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(a.stats().reconcileRuns()).isEqualTo(2);
    }

    @Test
    void anUnreachableEventSourceIsRecordedAndRetried() {
        ControlPlane a = plane(leaderA);
        leaderA.runOnce();
        world.events.failWith(SourceUnavailableException.of("read DDL events", null));

        a.tick();

        assertThat(a.stats().lastError()).startsWith("DDL events: ");
        world.events.heal();
        world.create(pub("users"));
        world.clock.advance(SETTINGS.retryDelay());
        leaderA.runOnce();
        a.tick();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void failuresInARowWaitLongerEachTimeUpToTheCapAndASuccessResetsTheWait() {
        ControlPlane.Settings backoff = new ControlPlane.Settings(Duration.ofMinutes(5), Duration.ofSeconds(10),
                Duration.ofMillis(200), 10, 2.0, 3);

        assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofSeconds(80));
        assertThat(backoff.delayAfter(9)).as("no more than maxBackoffSteps doublings").isEqualTo(Duration.ofSeconds(80));
        assertThat(new ControlPlane.Settings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ZERO, 1, 10.0, 5)
                .delayAfter(3)).as("never beyond the reconcile interval").isEqualTo(Duration.ofSeconds(30));

        AutoMirror autoMirror = new AutoMirror(world.events, world.catalog, world.mirrors, world.policy, world.metrics,
                new AutoMirror.Settings(2, Duration.ZERO, false));
        ControlPlane a = new ControlPlane(leaderA, autoMirror,
                new Reconciler(world.catalog, world.mirrors, world.policy, world.metrics, false), world.metrics, world.clock, backoff);
        leaderA.runOnce();
        a.tick();
        world.create(pub("users"));
        world.mirrors.failWith(MirrorEngineException.retryable("connection refused", null));
        a.tick(); // first failure: 10 s
        int reads = world.events.reads();
        world.clock.advance(Duration.ofSeconds(10));
        leaderA.runOnce();
        a.tick(); // second failure: 20 s
        assertThat(world.events.reads()).isGreaterThan(reads);
        reads = world.events.reads();
        world.clock.advance(Duration.ofSeconds(10));
        leaderA.runOnce();
        a.tick();
        assertThat(world.events.reads()).as("still waiting: the second wait is 20 s").isEqualTo(reads);

        world.mirrors.heal();
        world.clock.advance(Duration.ofSeconds(10));
        leaderA.runOnce();
        a.tick();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        world.create(pub("orders"));
        world.mirrors.failWith(MirrorEngineException.retryable("connection refused", null));
        a.tick(); // a fresh failure after a success waits the first delay again
        reads = world.events.reads();
        world.clock.advance(Duration.ofSeconds(10));
        leaderA.runOnce();
        a.tick();
        assertThat(world.events.reads()).isGreaterThan(reads);
    }
}
