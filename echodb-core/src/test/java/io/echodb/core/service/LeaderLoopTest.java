package io.echodb.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import io.echodb.core.testing.InMemoryLeadership;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderLoopTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final LeaderLoop.Settings SETTINGS = LeaderLoop.Settings.of(TTL, INTERVAL);

    private final ManualClock clock = new ManualClock();
    private final InMemoryLeadership.Store store = new InMemoryLeadership.Store(clock);
    private final InMemoryLeadership leaseA = new InMemoryLeadership(store, "worker-a");
    private final InMemoryLeadership leaseB = new InMemoryLeadership(store, "worker-b");
    private final Recorder eventsA = new Recorder();
    private final Recorder eventsB = new Recorder();
    private final LeaderLoop a = new LeaderLoop(leaseA, clock, SETTINGS, eventsA);
    private final LeaderLoop b = new LeaderLoop(leaseB, clock, SETTINGS, eventsB);

    @Test
    void theSeedsDefaultsLeaveAFifthOfTheTtlAsMargin() {
        assertThat(SETTINGS.safetyMargin()).isEqualTo(Duration.ofSeconds(6));
        assertThat(LeaderLoop.Settings.of(Duration.ofSeconds(12), INTERVAL).safetyMargin()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void settingsThatWouldStepDownBeforeTheFirstRenewalAreRejected() {
        assertThatThrownBy(() -> LeaderLoop.Settings.of(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("LEADER_ELECTION_INTERVAL");
        assertThatThrownBy(() -> new LeaderLoop.Settings(TTL, Duration.ofSeconds(25), Duration.ofSeconds(6)))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("LEADER_ELECTION_INTERVAL");
        assertThatThrownBy(() -> new LeaderLoop.Settings(TTL, INTERVAL, TTL))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("safety margin");
        assertThatThrownBy(() -> new LeaderLoop.Settings(Duration.ZERO, INTERVAL, Duration.ZERO))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("LEADER_ELECTION_TTL");
    }

    @Test
    void aFollowerTakesAFreeLease() {
        Duration next = a.runOnce();

        assertThat(a.isLeader()).isTrue();
        assertThat(a.term()).isEqualTo(1);
        assertThat(a.fencingToken()).hasValue(1);
        assertThat(a.lease()).map(Lease::holder).contains("worker-a");
        assertThat(a.actingDeadline()).contains(clock.instant().plus(Duration.ofSeconds(24)));
        assertThat(eventsA.gained).hasSize(1);
        assertThat(next).isEqualTo(INTERVAL);
    }

    @Test
    void onlyOneWorkerLeads() {
        a.runOnce();
        Duration next = b.runOnce();

        assertThat(b.isLeader()).isFalse();
        assertThat(b.term()).isZero();
        assertThat(b.fencingToken()).isEmpty();
        assertThat(next).isEqualTo(INTERVAL);
    }

    @Test
    void aLeaderThatRenewsKeepsLeadingIndefinitely() {
        a.runOnce();
        for (int i = 0; i < 100; i++) {
            clock.advance(a.runOnce());
            b.runOnce();
            assertThat(a.isLeader()).isTrue();
            assertThat(b.isLeader()).isFalse();
        }
        assertThat(clock.instant()).isAfter(Instant.parse("2025-01-01T00:15:00Z"));
        assertThat(eventsA.lost).isEmpty();
        assertThat(a.term()).isEqualTo(1);
        assertThat(a.fencingToken()).hasValue(1);
    }

    @Test
    void aLeaderThatCannotRenewStepsDownBeforeItsLeaseExpires() {
        a.runOnce();
        Instant acquired = clock.instant();
        Instant leaseExpiry = a.lease().orElseThrow().expiresAt();
        leaseA.partition(new IllegalStateException("redis unreachable"));

        Instant steppedDown = null;
        while (steppedDown == null) {
            clock.advance(a.runOnce());
            b.runOnce();
            if (!a.isLeader()) {
                steppedDown = clock.instant();
                // At this moment the old lease is still live in the store: nobody else can be leading yet.
                assertThat(store.holder()).contains("worker-a");
                assertThat(b.isLeader()).isFalse();
            }
            assertThat(a.isLeader() && b.isLeader()).isFalse();
        }
        assertThat(steppedDown).isEqualTo(acquired.plus(Duration.ofSeconds(24))).isBefore(leaseExpiry);
        assertThat(eventsA.lost).singleElement().asString().contains("not renewed");

        clock.advance(Duration.between(clock.instant(), leaseExpiry));
        b.runOnce();
        assertThat(b.isLeader()).isTrue();
        assertThat(b.fencingToken().getAsLong()).isGreaterThan(1);
    }

    @Test
    void theDeadlineIsEnforcedEvenWhileTheElectionThreadIsStuck() {
        a.runOnce();
        // runOnce is never called again, as if blocked in a renew call that hangs.
        clock.advance(Duration.ofSeconds(23));
        assertThat(a.isLeader()).isTrue();

        clock.advance(Duration.ofSeconds(1));

        assertThat(a.isLeader()).isFalse();
        assertThat(a.fencingToken()).isEmpty();
        assertThat(eventsA.lost).hasSize(1);
    }

    @Test
    void aLeaseTakenOverByAnotherWorkerEndsLeadershipAtTheNextRenewal() {
        a.runOnce();
        Lease lease = a.lease().orElseThrow();
        leaseA.release(lease); // e.g. an operator deleted the Redis key
        b.runOnce();

        clock.advance(INTERVAL);
        a.runOnce();

        assertThat(a.isLeader()).isFalse();
        assertThat(eventsA.lost).singleElement().asString().contains("lease lost");
        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void aTransientRenewalFailureIsSurvivedWhenTheNextOneSucceeds() {
        a.runOnce();
        Instant start = clock.instant();
        leaseA.partition(new IllegalStateException("timeout"));
        clock.advance(a.runOnce());
        a.runOnce();
        leaseA.heal();
        clock.advance(a.runOnce());
        a.runOnce();

        assertThat(a.isLeader()).isTrue();
        assertThat(eventsA.lost).isEmpty();
        assertThat(a.actingDeadline()).contains(start.plus(Duration.ofSeconds(20 + 24)));
    }

    @Test
    void theDelayNeverOvershootsTheActingDeadline() {
        a.runOnce();
        leaseA.partition(new IllegalStateException("timeout"));
        clock.advance(Duration.ofSeconds(20));
        Duration next = a.runOnce();

        assertThat(next).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void theActingDeadlineFollowsTheEarlierOfTheLeaseAndOurOwnClock() {
        Leadership shortLeases = new FixedLeases("worker-s", clock, Duration.ofSeconds(12));
        LeaderLoop s = new LeaderLoop(shortLeases, clock, SETTINGS, LeaderLoop.Listener.NONE);

        s.runOnce();

        assertThat(s.actingDeadline()).contains(clock.instant().plus(Duration.ofSeconds(12 - 6)));
    }

    @Test
    void aLeaderThatSteppedDownButStillHoldsTheLeaseStartsANewTerm() {
        a.runOnce();
        leaseA.partition(new IllegalStateException("timeout"));
        clock.advance(Duration.ofSeconds(24));
        a.runOnce();
        assertThat(a.isLeader()).isFalse();

        leaseA.heal();
        a.runOnce();

        assertThat(a.isLeader()).isTrue();
        assertThat(a.term()).isEqualTo(2);
        assertThat(a.fencingToken()).hasValue(1);
        assertThat(eventsA.gained).hasSize(2);
    }

    @Test
    void storeFailuresWhileFollowingAreSurvived() {
        store.failWith(new IllegalStateException("connection refused"));

        Duration next = a.runOnce();

        assertThat(a.isLeader()).isFalse();
        assertThat(next).isEqualTo(INTERVAL);
        store.heal();
        a.runOnce();
        assertThat(a.isLeader()).isTrue();
    }

    @Test
    void closingReleasesTheLeaseSoAnotherWorkerTakesOverAtOnce() {
        a.runOnce();

        a.close();
        b.runOnce();

        assertThat(a.isLeader()).isFalse();
        assertThat(eventsA.lost).containsExactly("shutting down");
        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void listenerFailuresDoNotBreakTheLoop() {
        LeaderLoop.Listener throwing = new LeaderLoop.Listener() {
            @Override
            public void onGained(Lease lease) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onLost(String reason) {
                throw new IllegalStateException("boom");
            }
        };
        LeaderLoop loop = new LeaderLoop(leaseA, clock, SETTINGS, throwing);

        loop.runOnce();
        assertThat(loop.isLeader()).isTrue();
        loop.close();
        assertThat(loop.isLeader()).isFalse();
    }

    @Test
    void soloLeadershipAlwaysLeads() {
        LeaderLoop solo = new LeaderLoop(new SoloLeadership("only", clock), clock, SETTINGS, LeaderLoop.Listener.NONE);
        solo.runOnce();
        for (int i = 0; i < 20; i++) {
            clock.advance(solo.runOnce());
            assertThat(solo.isLeader()).isTrue();
        }
        assertThat(solo.term()).isEqualTo(1);
    }

    private static final class Recorder implements LeaderLoop.Listener {
        final List<Lease> gained = new ArrayList<>();
        final List<String> lost = new ArrayList<>();

        @Override
        public void onGained(Lease lease) {
            gained.add(lease);
        }

        @Override
        public void onLost(String reason) {
            lost.add(reason);
        }
    }

    /** A store that grants leases shorter than asked for (e.g. a server-side cap). */
    private record FixedLeases(String workerId, ManualClock clock, Duration granted) implements Leadership {
        @Override
        public Optional<Lease> tryAcquire(Duration ttl) {
            return Optional.of(new Lease(workerId, 7, clock.instant().plus(granted)));
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl) {
            return tryAcquire(ttl);
        }

        @Override
        public void release(Lease lease) {
        }
    }
}
