package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of {@link Leadership}. Instances made by {@link #newLeadership} within one test compete for the same
 * lease; leases still held at the end of a test are released (a fresh lease key per test is even better). Expiry is
 * tested with {@link #shortTtl()}: a real store needs real time, so keep it short (at most 2 s);
 * {@link #awaitExpiry} sleeps by default and fakes step their clock instead.
 */
public abstract class LeadershipContract {

    private final List<Held> held = new ArrayList<>();

    private record Held(Leadership owner, Lease lease) { }

    /** A worker named {@code workerId} competing for this test's lease. */
    protected abstract Leadership newLeadership(String workerId);

    /** TTL for expiry tests; at most 2 s. */
    protected Duration shortTtl() {
        return Duration.ofMillis(800);
    }

    /** TTL for leases that must not expire during a test. */
    protected Duration longTtl() {
        return Duration.ofSeconds(30);
    }

    /** Lets a lease acquired with {@code ttl} expire. */
    protected void awaitExpiry(Duration ttl) throws InterruptedException {
        Thread.sleep(ttl.toMillis() + 400);
    }

    /** The clock the worker reads ({@link Lease#expiresAt()} is on it). */
    protected Clock clock() {
        return Clock.systemUTC();
    }

    @AfterEach
    void releaseLeftovers() {
        for (Held h : held) {
            h.owner().release(h.lease());
        }
    }

    @Test
    void aWorkerKnowsItsId() {
        assertThat(newLeadership("worker-a").workerId()).isEqualTo("worker-a");
    }

    @Test
    void theFirstWorkerGetsTheLeaseAndOthersDoNot() {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");

        Instant before = clock().instant();
        Lease lease = acquire(a, longTtl());
        Instant after = clock().instant();

        assertThat(lease.holder()).isEqualTo("worker-a");
        assertThat(lease.fencingToken()).isPositive();
        // Safe for the holder: the lease never claims to last longer than the TTL from when it was granted.
        assertThat(lease.expiresAt()).isAfter(before).isBeforeOrEqualTo(after.plus(longTtl()));
        assertThat(b.tryAcquire(longTtl())).isEmpty();
    }

    @Test
    void theHolderAcquiringAgainKeepsTheLease() {
        Leadership a = newLeadership("worker-a");
        Lease first = acquire(a, longTtl());
        Lease again = acquire(a, longTtl());

        assertThat(again.holder()).isEqualTo("worker-a");
        assertThat(again.fencingToken()).isGreaterThanOrEqualTo(first.fencingToken());
        assertThat(newLeadership("worker-b").tryAcquire(longTtl())).isEmpty();
    }

    @Test
    void renewalKeepsTheTokenAndExtendsTheLease() {
        Leadership a = newLeadership("worker-a");
        Lease lease = acquire(a, longTtl());

        Lease renewed = a.renew(lease, longTtl()).orElseThrow();

        assertThat(renewed.holder()).isEqualTo("worker-a");
        assertThat(renewed.fencingToken()).isEqualTo(lease.fencingToken());
        assertThat(renewed.expiresAt()).isAfterOrEqualTo(lease.expiresAt());
        assertThat(newLeadership("worker-b").tryAcquire(longTtl())).isEmpty();
    }

    @Test
    void afterReleaseAnotherWorkerTakesOverWithAHigherToken() {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");
        Lease first = acquire(a, longTtl());
        a.release(first);

        Lease second = acquire(b, longTtl());

        assertThat(second.holder()).isEqualTo("worker-b");
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        assertThat(a.renew(first, longTtl())).isEmpty();
    }

    @Test
    void releasingAStaleLeaseDoesNotFreeTheNewHoldersLease() {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");
        Lease stale = acquire(a, longTtl());
        a.release(stale);
        Lease current = acquire(b, longTtl());

        a.release(stale);

        assertThat(newLeadership("worker-c").tryAcquire(longTtl())).isEmpty();
        assertThat(b.renew(current, longTtl())).isPresent();
    }

    @Test
    void anExpiredLeaseCanBeTakenAndItsOldHolderCannotRenewIt() throws InterruptedException {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");
        Lease old = acquire(a, shortTtl());

        awaitExpiry(shortTtl());
        Lease taken = acquire(b, longTtl());

        assertThat(taken.holder()).isEqualTo("worker-b");
        assertThat(taken.fencingToken()).isGreaterThan(old.fencingToken());
        assertThat(a.renew(old, longTtl())).isEmpty();
        assertThat(a.tryAcquire(longTtl())).isEmpty();
    }

    @Test
    void aLeaseIsNotTakenBeforeItExpires() throws InterruptedException {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");
        Lease lease = acquire(a, longTtl());

        awaitExpiry(shortTtl());

        assertThat(b.tryAcquire(longTtl())).isEmpty();
        assertThat(a.renew(lease, longTtl())).isPresent();
    }

    @Test
    void tokensGrowWithEveryNewAcquisition() {
        Leadership a = newLeadership("worker-a");
        Leadership b = newLeadership("worker-b");
        long last = 0;
        for (Leadership worker : List.of(a, b, a, b)) {
            Lease lease = acquire(worker, longTtl());
            assertThat(lease.fencingToken()).isGreaterThan(last);
            last = lease.fencingToken();
            worker.release(lease);
        }
    }

    private Lease acquire(Leadership worker, Duration ttl) {
        Lease lease = worker.tryAcquire(ttl).orElseThrow(() -> new AssertionError(worker.workerId() + " got no lease"));
        held.add(new Held(worker, lease));
        return lease;
    }
}
