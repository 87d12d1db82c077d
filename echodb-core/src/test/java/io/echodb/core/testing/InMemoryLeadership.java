package io.echodb.core.testing;

import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * In-memory {@link Leadership}. Workers competing for one lease share a {@link Store} (the "Redis"); expiry follows
 * the store's clock, so tests step time instead of sleeping. Outages can be simulated for the whole store or for one
 * worker (a network partition).
 */
public final class InMemoryLeadership implements Leadership {

    /** The shared lease: holder, fencing token and expiry. */
    public static final class Store {
        private final Clock clock;
        private String holder;
        private long token;
        private long lastToken;
        private Instant expiresAt = Instant.MIN;
        private RuntimeException outage;

        public Store(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /** The current holder, if the lease is held and not expired. */
        public synchronized Optional<String> holder() {
            return live() ? Optional.of(holder) : Optional.empty();
        }

        /** Every call of every worker throws {@code failure} until {@link #heal()}. */
        public synchronized void failWith(RuntimeException failure) {
            outage = Objects.requireNonNull(failure, "failure");
        }

        public synchronized void heal() {
            outage = null;
        }

        synchronized Optional<Lease> tryAcquire(String worker, Duration ttl) {
            checkAvailable();
            if (live() && !holder.equals(worker)) {
                return Optional.empty();
            }
            if (!live()) {
                holder = worker;
                token = ++lastToken;
            }
            expiresAt = clock.instant().plus(ttl);
            return Optional.of(new Lease(holder, token, expiresAt));
        }

        synchronized Optional<Lease> renew(Lease lease, Duration ttl) {
            checkAvailable();
            if (!live() || !holder.equals(lease.holder()) || token != lease.fencingToken()) {
                return Optional.empty();
            }
            expiresAt = clock.instant().plus(ttl);
            return Optional.of(new Lease(holder, token, expiresAt));
        }

        synchronized void release(Lease lease) {
            checkAvailable();
            if (live() && holder.equals(lease.holder()) && token == lease.fencingToken()) {
                holder = null;
                expiresAt = Instant.MIN;
            }
        }

        private boolean live() {
            return holder != null && clock.instant().isBefore(expiresAt);
        }

        private void checkAvailable() {
            if (outage != null) {
                throw outage;
            }
        }
    }

    private final Store store;
    private final String workerId;
    private volatile RuntimeException partition;

    public InMemoryLeadership(Store store, String workerId) {
        this.store = Objects.requireNonNull(store, "store");
        if (workerId == null || workerId.isBlank()) {
            throw new IllegalArgumentException("workerId must not be blank");
        }
        this.workerId = workerId;
    }

    /** This worker's calls throw {@code failure} until {@link #heal()}; other workers still reach the store. */
    public void partition(RuntimeException failure) {
        partition = Objects.requireNonNull(failure, "failure");
    }

    public void heal() {
        partition = null;
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public Optional<Lease> tryAcquire(Duration ttl) {
        checkReachable();
        return store.tryAcquire(workerId, ttl);
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl) {
        checkReachable();
        return store.renew(lease, ttl);
    }

    @Override
    public void release(Lease lease) {
        checkReachable();
        store.release(lease);
    }

    private void checkReachable() {
        RuntimeException e = partition;
        if (e != null) {
            throw e;
        }
    }
}
