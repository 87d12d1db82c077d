package io.echodb.adapters.redis;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.redis.testing.RedisTestService;
import io.echodb.core.model.Lease;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
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

/** {@link RedisLeadership} against a real Redis, directly or through a proxy that can hang or cut the connection. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisLeadershipTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static RedisTestService redis;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;

    private final String prefix = "test:" + UUID.randomUUID() + ":";
    private final RedisLeaderKeys keys = new RedisLeaderKeys(prefix + "leader_lock", prefix + "leader_token");
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void connect() {
        redis = RedisTestService.get();
        inspector = RedisClient.create(redis.uri());
        inspection = inspector.connect();
    }

    @AfterAll
    static void disconnect() {
        inspection.close();
        inspector.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private RedisLeadership worker(String id, int port) {
        RedisLeadership w = new RedisLeadership(RedisSettings.of(redis.host(), port, null).withTimeout(Duration.ofSeconds(2)),
                keys, id, Clock.systemUTC());
        closeables.add(w);
        return w;
    }

    private RedisLeadership worker(String id) {
        return worker(id, redis.port());
    }

    private static RedisCommands<String, String> redisCli() {
        return inspection.sync();
    }

    @Test
    void twoWorkersCompeteAndOnlyOneWinsAndTheLockHoldsTheWorkerId() {
        RedisLeadership a = worker("worker-1");
        RedisLeadership b = worker("worker-2");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        assertThat(b.tryAcquire(TTL)).isEmpty();
        assertThat(redisCli().get(keys.lockKey())).isEqualTo("worker-1");
        assertThat(redisCli().pttl(keys.lockKey())).isBetween(1L, TTL.toMillis());
        assertThat(Long.parseLong(redisCli().get(keys.tokenKey()))).isEqualTo(lease.fencingToken());
        assertThat(a.tryAcquire(TTL)).get().extracting(Lease::fencingToken).isEqualTo(lease.fencingToken());
    }

    @Test
    void onlyOneOfManyConcurrentWorkersWins() throws Exception {
        List<RedisLeadership> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            workers.add(worker("w" + i));
        }
        List<Thread> threads = new ArrayList<>();
        List<Lease> winners = java.util.Collections.synchronizedList(new ArrayList<>());
        for (RedisLeadership w : workers) {
            Thread t = new Thread(() -> w.tryAcquire(TTL).ifPresent(winners::add));
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(winners).hasSize(1);
        assertThat(redisCli().get(keys.lockKey())).isEqualTo(winners.get(0).holder());
    }

    @Test
    void tokensIncreaseAcrossAcquisitionsEvenWhenTheCounterIsLost() {
        RedisLeadership a = worker("a");
        RedisLeadership b = worker("b");
        long last = 0;
        for (RedisLeadership w : List.of(a, b, a, b)) {
            Lease lease = w.tryAcquire(TTL).orElseThrow();
            assertThat(lease.fencingToken()).isGreaterThan(last);
            last = lease.fencingToken();
            w.release(lease);
        }
        // Redis restarted without persistence: the counter is gone
        redisCli().del(keys.tokenKey());
        Lease afterLoss = a.tryAcquire(TTL).orElseThrow();
        assertThat(afterLoss.fencingToken()).isGreaterThan(last);
    }

    @Test
    void renewByANonHolderOrWithAStaleTokenFails() {
        RedisLeadership a = worker("a");
        RedisLeadership b = worker("b");
        Lease lease = a.tryAcquire(TTL).orElseThrow();
        assertThat(b.renew(lease, TTL)).isEmpty();
        assertThat(b.renew(new Lease("b", lease.fencingToken(), lease.expiresAt()), TTL)).isEmpty();
        assertThat(a.renew(new Lease("a", lease.fencingToken() - 1, lease.expiresAt()), TTL)).isEmpty();
        Lease renewed = a.renew(lease, TTL).orElseThrow();
        assertThat(renewed.fencingToken()).isEqualTo(lease.fencingToken());
    }

    @Test
    void expiryLetsTheOtherWorkerWin() {
        RedisLeadership a = worker("a");
        RedisLeadership b = worker("b");
        Lease old = a.tryAcquire(Duration.ofMillis(300)).orElseThrow();
        eventually(Duration.ofSeconds(5), "the lock expires", () -> b.tryAcquire(TTL).isPresent());
        assertThat(a.renew(old, TTL)).isEmpty();
        assertThat(redisCli().get(keys.lockKey())).isEqualTo("b");
    }

    @Test
    void releaseFreesAndAStaleReleaseDoesNot() {
        RedisLeadership a = worker("a");
        RedisLeadership b = worker("b");
        Lease first = a.tryAcquire(TTL).orElseThrow();
        a.release(first);
        assertThat(redisCli().exists(keys.lockKey())).isZero();
        Lease second = b.tryAcquire(TTL).orElseThrow();
        a.release(first);
        assertThat(redisCli().get(keys.lockKey())).isEqualTo("b");
        assertThat(b.renew(second, TTL)).isPresent();
    }

    @Test
    void closingAWorkerHandsTheLeaseOverAtOnce() {
        RedisLeadership a = worker("a");
        RedisLeadership b = worker("b");
        a.tryAcquire(TTL).orElseThrow();
        a.close();
        assertThat(b.tryAcquire(TTL)).isPresent();
    }

    @Test
    void aHungRedisMakesRenewFailWithinTheTimeoutInsteadOfHanging() throws Exception {
        try (TcpProxy proxy = new TcpProxy(redis.host(), redis.port())) {
            RedisLeadership a = worker("a", proxy.port());
            Duration ttl = Duration.ofSeconds(3);
            Lease lease = a.tryAcquire(ttl).orElseThrow();
            proxy.freeze();

            long t0 = System.nanoTime();
            Optional<Lease> renewed = a.renew(lease, ttl);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(renewed).isEmpty();
            // bounded by TTL/3 (1 s) by design: well before the lease could expire
            assertThat(tookMs).isLessThan(ttl.toMillis());
            proxy.unfreeze();
        }
    }

    @Test
    void aStoppedRedisMakesRenewFailAndLeadershipResumesAfterItComesBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(redis.host(), redis.port())) {
            RedisLeadership a = worker("a", proxy.port());
            Duration ttl = Duration.ofSeconds(3);
            Lease lease = a.tryAcquire(ttl).orElseThrow();
            proxy.cut();

            long t0 = System.nanoTime();
            assertThat(a.renew(lease, ttl)).isEmpty();
            assertThat(a.tryAcquire(ttl)).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(ttl.toMillis());

            proxy.heal();
            // lettuce reconnects by itself; the old lease expired meanwhile or is still ours: either way we lead again
            eventually(Duration.ofSeconds(20), "leadership after Redis is back", () -> a.tryAcquire(ttl).isPresent());
        }
    }

    @Test
    void theRealServerStoppingAndStartingIsSurvived() {
        RedisLeadership a = worker("a");
        Duration ttl = Duration.ofSeconds(3);
        Lease lease = a.tryAcquire(ttl).orElseThrow();
        redis.stop();
        try {
            long t0 = System.nanoTime();
            assertThat(a.renew(lease, ttl)).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(ttl.toMillis());
        } finally {
            redis.start();
        }
        // the server lost its data (no persistence): the next lease still gets a higher token
        eventually(Duration.ofSeconds(20), "leadership after restart", () -> a.tryAcquire(ttl).isPresent());
        assertThat(a.tryAcquire(ttl).orElseThrow().fencingToken()).isGreaterThan(lease.fencingToken());
    }

    @Test
    void anUnreachableRedisAtStartMeansNoLeaseAndNoException() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        RedisLeadership a = worker("a", deadPort);
        assertThat(a.tryAcquire(TTL)).isEmpty();
    }

    @Test
    void settingsNeverShowThePassword() {
        RedisSettings s = RedisSettings.of("redis", 6379, "s3cret!");
        assertThat(s.toString()).doesNotContain("s3cret").contains("****");
        assertThat(RedisSettings.of("redis", 6379, "").password()).isNull();
    }

}
