package io.echodb.adapters.redis;

import io.echodb.core.model.InvalidValueException;
import java.time.Duration;

/**
 * Where Redis is (the seed's REDIS_HOST, REDIS_PORT, REDIS_PASSWORD) and how long one command may take.
 *
 * @param host     host name or address
 * @param port     1..65535 (the seed's default 6379)
 * @param password AUTH password; null or empty for none. Never printed: {@link #toString()} masks it
 * @param database logical database index (SELECT), 0..15 on a default server
 * @param timeout  connect timeout and upper bound of every command; leadership calls also stay under a third of the
 *                 lease's TTL so a dead Redis can never hold a renewal past expiry
 */
public record RedisSettings(String host, int port, String password, int database, Duration timeout) {

    public static final int DEFAULT_PORT = 6379;

    public RedisSettings {
        if (host == null || host.isBlank()) {
            throw InvalidValueException.of("REDIS_HOST", host, "must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw InvalidValueException.of("REDIS_PORT", port, "must be 1..65535");
        }
        if (database < 0) {
            throw InvalidValueException.of("Redis database", database, "must be >= 0");
        }
        if (timeout == null || timeout.toMillis() < 50) {
            throw InvalidValueException.of("Redis timeout", timeout, "must be at least 50 ms");
        }
        password = password == null || password.isEmpty() ? null : password;
    }

    public static RedisSettings of(String host, int port, String password) {
        return new RedisSettings(host, port, password, 0, Duration.ofSeconds(5));
    }

    public RedisSettings withDatabase(int db) {
        return new RedisSettings(host, port, password, db, timeout);
    }

    public RedisSettings withTimeout(Duration newTimeout) {
        return new RedisSettings(host, port, password, database, newTimeout);
    }

    @Override
    public String toString() {
        return "RedisSettings[host=" + host + ", port=" + port + ", password=" + (password == null ? "(none)" : "****")
                + ", database=" + database + ", timeout=" + timeout + "]";
    }
}
