package io.echodb.adapters.postgres.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.ddl.ConnectionFactory;
import io.echodb.adapters.postgres.ddl.PgTestDb;
import io.echodb.core.model.Lease;
import io.echodb.core.testing.Eventually;
import io.echodb.core.testing.ManualClock;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Advisory-lock leadership against a real PostgreSQL: two sessions in one JVM compete. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgAdvisoryLeadershipTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static PgTestDb db;

    private final String lockName = "test-lease-" + UUID.randomUUID();
    private final List<PgAdvisoryLeadership> workers = new ArrayList<>();

    @BeforeAll
    static void createDatabase() {
        db = PgTestDb.create("leader");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(PgAdvisoryLeadership::close);
    }

    private PgAdvisoryLeadership worker(String id, Clock clock) {
        PgAdvisoryLeadership w = new PgAdvisoryLeadership(db.connections(), PgLeadershipSettings.of(id).withLockName(lockName), clock);
        workers.add(w);
        return w;
    }

    private PgAdvisoryLeadership worker(String id) {
        return worker(id, Clock.systemUTC());
    }

    @Test
    void twoWorkersCompeteAndOnlyOneWins() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        assertThat(b.tryAcquire(TTL)).isEmpty();
        assertThat(a.tryAcquire(TTL)).get().extracting(Lease::fencingToken).isEqualTo(lease.fencingToken());
        assertThat(db.column("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                + "AND ((classid::bigint << 32) | objid::bigint) = " + a.lockKey())).containsExactly("1");
    }

    @Test
    void killingTheHoldersBackendLosesTheLeaseAndTheOtherWorkerTakesOver() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();

        assertThat(db.column("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE application_name = 'echodb-leader:a' "
                + "AND datname = current_database()")).containsExactly("true");

        assertThat(a.renew(lease, TTL)).isEmpty();
        Eventually.eventually(Duration.ofSeconds(10), "b takes over", () -> b.tryAcquire(TTL).isPresent());
        Lease taken = b.tryAcquire(TTL).orElseThrow();
        assertThat(taken.fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(a.tryAcquire(TTL)).isEmpty();
    }

    @Test
    void tokensIncreaseAcrossAcquisitionsAndComeFromTheSequence() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        long last = 0;
        for (PgAdvisoryLeadership w : List.of(a, b, a, b, a)) {
            Lease lease = w.tryAcquire(TTL).orElseThrow();
            assertThat(lease.fencingToken()).isGreaterThan(last);
            last = lease.fencingToken();
            w.release(lease);
        }
        assertThat(Long.parseLong(db.scalar("SELECT last_value FROM _echodb.leader_token_seq"))).isEqualTo(last);
    }

    @Test
    void renewByANonHolderOrWithAForeignTokenFails() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        assertThat(b.renew(lease, TTL)).isEmpty();
        assertThat(a.renew(new Lease("a", lease.fencingToken() + 1000, lease.expiresAt()), TTL)).isEmpty();
        assertThat(a.renew(lease, TTL)).isPresent();
    }

    @Test
    void aLeaseExpiredOnTheLocalClockIsGivenUpAndFreed() {
        ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
        PgAdvisoryLeadership a = worker("a", clock);
        PgAdvisoryLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        assertThat(lease.expiresAt()).isEqualTo(clock.instant().plus(TTL));

        clock.advance(TTL);
        assertThat(a.renew(lease, TTL)).as("never renew past the expiry we promised").isEmpty();
        assertThat(b.tryAcquire(TTL)).as("giving up closed the session, so the lock is free at once").isPresent();
    }

    @Test
    void aSilentHolderIsDisconnectedByTheServerAfterTheTtl() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        a.tryAcquire(Duration.ofSeconds(1)).orElseThrow();
        assertThat(b.tryAcquire(TTL)).isEmpty();
        // a never renews: idle_session_timeout ends its session, which frees the lock
        Eventually.eventually(Duration.ofSeconds(15), "b takes over from a silent holder", () -> b.tryAcquire(TTL).isPresent());
    }

    @Test
    void anUnreachableServerMeansNoLeaseAndNoException() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        ConnectionFactory dead = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + deadPort + "/x",
                db.server().connectionProperties());
        PgAdvisoryLeadership w = new PgAdvisoryLeadership(dead, PgLeadershipSettings.of("a"), Clock.systemUTC());
        workers.add(w);
        assertThat(w.tryAcquire(TTL)).isEmpty();
    }

    @Test
    void releaseFreesTheLockAtOnce() {
        PgAdvisoryLeadership a = worker("a");
        PgAdvisoryLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        a.release(lease);
        Optional<Lease> taken = b.tryAcquire(TTL);
        assertThat(taken).isPresent();
        assertThat(a.renew(lease, TTL)).isEmpty();
    }
}
