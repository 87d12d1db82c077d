package io.echodb.core.service;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on top of {@link Leadership}. A follower tries to take the lease every {@code interval}; the leader
 * renews it every {@code interval}. The leader acts only until {@code start + ttl - safetyMargin}, measured on the
 * injected clock from the moment the last successful acquire/renew request was sent (never later than the lease's
 * own expiry), so a leader that cannot renew — lease lost, store unreachable, request hanging — stops acting before
 * any other worker can take over. {@link #isLeader()} checks that deadline on every call, from any thread, so even
 * while {@link #runOnce()} is blocked in a slow renew the rest of the worker stops on time.
 */
public final class LeaderLoop implements LeaderView, AutoCloseable {

    /**
     * @param ttl          lease lifetime (LEADER_ELECTION_TTL)
     * @param interval     time between acquire/renew attempts (LEADER_ELECTION_INTERVAL)
     * @param safetyMargin how long before the lease's expiry the leader stops acting without a renewal
     */
    public record Settings(Duration ttl, Duration interval, Duration safetyMargin) {
        public Settings {
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(safetyMargin, "safetyMargin");
            if (ttl.isNegative() || ttl.isZero()) {
                throw InvalidValueException.of("LEADER_ELECTION_TTL", ttl, "must be > 0");
            }
            if (interval.isNegative() || interval.isZero()) {
                throw InvalidValueException.of("LEADER_ELECTION_INTERVAL", interval, "must be > 0");
            }
            if (safetyMargin.isNegative() || safetyMargin.compareTo(ttl) >= 0) {
                throw InvalidValueException.of("leader safety margin", safetyMargin, "must be >= 0 and < the TTL " + ttl);
            }
            if (interval.compareTo(ttl.minus(safetyMargin)) >= 0) {
                throw InvalidValueException.of("LEADER_ELECTION_INTERVAL", interval,
                        "must be shorter than LEADER_ELECTION_TTL (" + ttl + ") minus the safety margin (" + safetyMargin
                                + "), or the leader would step down before its first renewal");
            }
        }

        /** The seed's two knobs; the margin is a fifth of the TTL, shrunk if needed to leave room for one renewal. */
        public static Settings of(Duration ttl, Duration interval) {
            if (interval.compareTo(ttl) >= 0) {
                throw InvalidValueException.of("LEADER_ELECTION_INTERVAL", interval,
                        "must be shorter than LEADER_ELECTION_TTL (" + ttl + ")");
            }
            Duration margin = ttl.dividedBy(5);
            Duration room = ttl.minus(interval).dividedBy(2);
            return new Settings(ttl, interval, margin.compareTo(room) < 0 ? margin : room);
        }
    }

    /** Told about leadership changes; called on the thread that noticed the change; must not block for long. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void onGained(Lease lease) {
            }

            @Override
            public void onLost(String reason) {
            }
        };

        void onGained(Lease lease);

        void onLost(String reason);
    }

    /** One leadership term: the lease, until when we may act on it, and when to renew next. */
    private record Term(long number, Lease lease, Instant actUntil, Instant renewAt) { }

    private static final Logger LOG = LoggerFactory.getLogger(LeaderLoop.class);

    private final Leadership leadership;
    private final Clock clock;
    private final Settings settings;
    private final Listener listener;
    private final AtomicReference<Term> current = new AtomicReference<>();
    private final AtomicLong terms = new AtomicLong();

    public LeaderLoop(Leadership leadership, Clock clock, Settings settings, Listener listener) {
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public String workerId() {
        return leadership.workerId();
    }

    /**
     * One election step: acquire when following, renew when due while leading. Never throws for store failures
     * (they are logged; the deadline does the rest). Returns how long to wait before the next step: never past the
     * next renewal nor past the acting deadline, so the step-down happens on time.
     */
    public Duration runOnce() {
        Term term = activeTerm();
        if (term == null) {
            tryAcquire();
        } else if (!clock.instant().isBefore(term.renewAt())) {
            renew(term);
        }
        Term now = activeTerm();
        if (now == null) {
            return settings.interval();
        }
        Instant next = now.renewAt().isBefore(now.actUntil()) ? now.renewAt() : now.actUntil();
        Duration wait = Duration.between(clock.instant(), next);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    @Override
    public boolean isLeader() {
        return activeTerm() != null;
    }

    @Override
    public long term() {
        return terms.get();
    }

    @Override
    public OptionalLong fencingToken() {
        Term t = activeTerm();
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.lease().fencingToken());
    }

    /** The current lease while leading. */
    public Optional<Lease> lease() {
        Term t = activeTerm();
        return t == null ? Optional.empty() : Optional.of(t.lease());
    }

    /** Until when this worker may act, while leading. */
    public Optional<Instant> actingDeadline() {
        Term t = activeTerm();
        return t == null ? Optional.empty() : Optional.of(t.actUntil());
    }

    /** Steps down and releases the lease (best effort) so another worker can take over at once. */
    @Override
    public void close() {
        Term t = current.get();
        if (t != null && end(t, "shutting down")) {
            try {
                leadership.release(t.lease());
            } catch (RuntimeException e) {
                LOG.warn("could not release the leader lease (it will expire): {}", Failures.describe(e));
            }
        }
    }

    /** The current term, ending it first when its acting deadline has passed. */
    private Term activeTerm() {
        Term t = current.get();
        if (t != null && !clock.instant().isBefore(t.actUntil())) {
            end(t, "lease not renewed before " + t.actUntil() + " (safety margin " + settings.safetyMargin() + ")");
            return null;
        }
        return t;
    }

    private void tryAcquire() {
        Instant sent = clock.instant();
        Optional<Lease> lease;
        try {
            lease = leadership.tryAcquire(settings.ttl());
        } catch (RuntimeException e) {
            LOG.warn("could not try to acquire leadership: {}", Failures.describe(e));
            return;
        }
        if (lease.isEmpty()) {
            return;
        }
        Term term = new Term(terms.get() + 1, lease.get(), actUntil(lease.get(), sent), sent.plus(settings.interval()));
        if (current.compareAndSet(null, term)) {
            terms.incrementAndGet();
            LOG.info("{} is now the leader (fencing token {}, acting until {})", workerId(),
                    term.lease().fencingToken(), term.actUntil());
            notifyGained(term.lease());
        }
    }

    private void renew(Term term) {
        Instant sent = clock.instant();
        Optional<Lease> renewed;
        try {
            renewed = leadership.renew(term.lease(), settings.ttl());
        } catch (RuntimeException e) {
            LOG.warn("could not renew the leader lease (acting until {}): {}", term.actUntil(), Failures.describe(e));
            current.compareAndSet(term, new Term(term.number(), term.lease(), term.actUntil(),
                    sent.plus(settings.interval())));
            return;
        }
        if (renewed.isEmpty()) {
            end(term, "lease lost (expired or taken by another worker)");
            return;
        }
        Lease lease = renewed.get();
        // Only extend the term we renewed: if it ended meanwhile (deadline passed during a slow call), the next
        // round goes through tryAcquire and starts a fresh term with a full reconcile.
        current.compareAndSet(term, new Term(term.number(), lease, actUntil(lease, sent), sent.plus(settings.interval())));
    }

    private Instant actUntil(Lease lease, Instant sent) {
        Instant byOurClock = sent.plus(settings.ttl());
        Instant expiry = lease.expiresAt().isBefore(byOurClock) ? lease.expiresAt() : byOurClock;
        return expiry.minus(settings.safetyMargin());
    }

    private boolean end(Term term, String reason) {
        if (!current.compareAndSet(term, null)) {
            return false;
        }
        LOG.warn("{} stopped leading: {}", workerId(), reason);
        try {
            listener.onLost(reason);
        } catch (RuntimeException e) {
            LOG.error("leadership listener failed on loss", e);
        }
        return true;
    }

    private void notifyGained(Lease lease) {
        try {
            listener.onGained(lease);
        } catch (RuntimeException e) {
            LOG.error("leadership listener failed on gain", e);
        }
    }
}
