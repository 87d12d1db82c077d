package io.echodb.adapters.redis;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership on Redis, compatible with the seed's lock key: the lock key holds the leader's worker id and expires after
 * the TTL. Each operation is one Lua script, so check and change are atomic:
 * <ul>
 *   <li>acquire: if the lock is ours and our token is current, extend it and return that token; if it is free,
 *       {@code SET NX PX} and draw a new fencing token; otherwise 0 (taken);</li>
 *   <li>renew: compare (holder and token) and {@code PEXPIRE};</li>
 *   <li>release: compare (holder and token) and {@code DEL}.</li>
 * </ul>
 * A new token is {@code max(INCR counter, Redis server time in µs)}: tokens grow with every acquisition, and keep growing
 * even if Redis restarts without persistence and loses the counter (microseconds, not milliseconds, because a lost
 * counter and a new acquisition can fall in the same millisecond; the value stays below 2^53, exact in Lua).
 *
 * <p>Every call waits at most min(timeout, TTL/3); a dead, unreachable or hung Redis makes renew return empty well
 * before the lease expires, never block past it. Failures never throw: no answer means no lease. {@link #close()}
 * releases the lease this instance holds, so a successor takes over at once. Thread-safe.
 */
public final class RedisLeadership implements Leadership, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLeadership.class);

    /** Effects replication (default from Redis 5, a no-op in 7) is needed because TIME is read before writing. */
    private static final String PRELUDE = "if redis.replicate_commands then pcall(redis.replicate_commands) end\n";

    private static final String NEW_TOKEN = """
            local token = redis.call('INCR', KEYS[2])
            local now = redis.call('TIME')
            local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
            if token < floor then
              redis.call('SET', KEYS[2], string.format('%d', floor))
              token = floor
            end
            return token
            """;

    /** KEYS: lock, token counter. ARGV: worker id, ttl ms. Returns the lease's token, or 0 when someone else holds it. */
    static final String ACQUIRE = PRELUDE + """
            local holder = redis.call('GET', KEYS[1])
            if holder == ARGV[1] then
              local current = redis.call('GET', KEYS[2])
              if current then
                redis.call('PEXPIRE', KEYS[1], ARGV[2])
                return tonumber(current)
              end
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            elseif holder then
              return 0
            elseif not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
              return 0
            end
            """ + NEW_TOKEN;

    /** KEYS: lock, token counter. ARGV: worker id, ttl ms, token. Returns 1 when extended. */
    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[3] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;

    /** KEYS: lock, token counter. ARGV: worker id, token. Returns 1 when deleted. */
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    private final RedisSettings settings;
    private final RedisLeaderKeys keys;
    private final String workerId;
    private final Clock clock;
    private final RedisConnector redis;
    /** The lease this instance last obtained, released on {@link #close()} so a successor need not wait for expiry. */
    private final AtomicReference<Lease> current = new AtomicReference<>();
    private volatile boolean closed;

    public RedisLeadership(RedisSettings settings, String workerId, Clock clock) {
        this(settings, RedisLeaderKeys.defaults(), workerId, clock);
    }

    public RedisLeadership(RedisSettings settings, RedisLeaderKeys keys, String workerId, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = Objects.requireNonNull(keys, "keys");
        if (workerId == null || workerId.isBlank()) {
            throw InvalidValueException.of("WORKER_ID", workerId, "must not be blank");
        }
        this.workerId = workerId;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.redis = new RedisConnector(settings);
    }

    @Override
    public String workerId() {
        return workerId;
    }

    public RedisLeaderKeys keys() {
        return keys;
    }

    @Override
    public Optional<Lease> tryAcquire(Duration ttl) {
        requireTtl(ttl);
        if (closed) {
            return Optional.empty();
        }
        Instant start = clock.instant();
        try {
            Long token = redis.call(c -> c.eval(ACQUIRE, ScriptOutputType.INTEGER, keyArray(),
                    workerId, Long.toString(ttl.toMillis())), callTimeout(ttl));
            if (token == null || token <= 0) {
                return Optional.empty();
            }
            Lease lease = new Lease(workerId, token, start.plus(ttl));
            current.set(lease);
            return Optional.of(lease);
        } catch (RedisConnector.Unavailable e) {
            LOG.warn("Worker {} could not try the Redis leader lock: {}", workerId, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        requireTtl(ttl);
        if (closed || !lease.holder().equals(workerId)) {
            return Optional.empty();
        }
        Instant start = clock.instant();
        try {
            Long ok = redis.call(c -> c.eval(RENEW, ScriptOutputType.INTEGER, keyArray(),
                    workerId, Long.toString(ttl.toMillis()), Long.toString(lease.fencingToken())), callTimeout(ttl));
            if (ok == null || ok != 1L) {
                LOG.warn("Worker {} lost the Redis leader lock (token {})", workerId, lease.fencingToken());
                return Optional.empty();
            }
            Lease renewed = new Lease(workerId, lease.fencingToken(), start.plus(ttl));
            current.set(renewed);
            return Optional.of(renewed);
        } catch (RedisConnector.Unavailable e) {
            LOG.warn("Worker {} could not renew the Redis leader lock (token {}): {}", workerId, lease.fencingToken(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        if (closed || !lease.holder().equals(workerId)) {
            return;
        }
        current.updateAndGet(c -> c != null && c.fencingToken() == lease.fencingToken() ? null : c);
        try {
            redis.call(c -> c.eval(RELEASE, ScriptOutputType.INTEGER, keyArray(), workerId,
                    Long.toString(lease.fencingToken())), settings.timeout());
        } catch (RedisConnector.Unavailable e) {
            LOG.warn("Worker {} could not release the Redis leader lock (it expires by itself): {}", workerId, e.getMessage());
        }
    }

    @Override
    public void close() {
        Lease held = current.getAndSet(null);
        if (held != null && !closed) {
            release(held);
        }
        closed = true;
        redis.close();
    }

    private String[] keyArray() {
        return new String[] {keys.lockKey(), keys.tokenKey()};
    }

    private Duration callTimeout(Duration ttl) {
        long bound = Math.min(settings.timeout().toMillis(), ttl.toMillis() / 3);
        return Duration.ofMillis(Math.max(50, bound));
    }

    private static void requireTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 150) {
            throw InvalidValueException.of("lease TTL", ttl, "must be at least 150 ms");
        }
    }
}
