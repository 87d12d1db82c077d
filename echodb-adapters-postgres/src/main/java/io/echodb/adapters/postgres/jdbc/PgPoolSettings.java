package io.echodb.adapters.postgres.jdbc;

import io.echodb.core.model.InvalidValueException;
import java.time.Duration;
import java.util.Objects;

/**
 * The pool behind {@link PgConnectionFactory#open()} (HikariCP).
 *
 * @param maxSize          most connections the pool holds (replication and dedicated connections come on top)
 * @param acquireTimeout   longest a caller waits for a connection, including opening one: the bound on any wait for
 *                         PostgreSQL to accept a connection (HikariCP's connectionTimeout; at least 250 ms)
 * @param idleTimeout      an idle connection above one is closed after this long
 * @param maxLifetime      every connection is replaced after this long (below server and proxy timeouts)
 */
public record PgPoolSettings(int maxSize, Duration acquireTimeout, Duration idleTimeout, Duration maxLifetime) {

    public PgPoolSettings {
        if (maxSize < 1 || maxSize > 1000) {
            throw InvalidValueException.of("PostgreSQL pool size", maxSize, "must be 1..1000");
        }
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        if (acquireTimeout.toMillis() < 250) {
            throw InvalidValueException.of("PostgreSQL pool acquire timeout", acquireTimeout, "must be >= 250 ms");
        }
        if (idleTimeout.toMillis() < 10_000 || maxLifetime.toMillis() < 30_000) {
            throw InvalidValueException.of("PostgreSQL pool idle timeout / max lifetime", idleTimeout + " / " + maxLifetime,
                    "must be >= 10 s / >= 30 s");
        }
    }

    public static PgPoolSettings defaults() {
        return new PgPoolSettings(8, Duration.ofSeconds(3), Duration.ofMinutes(1), Duration.ofMinutes(30));
    }

    public PgPoolSettings withSize(int size, Duration acquire) {
        return new PgPoolSettings(size, acquire, idleTimeout, maxLifetime);
    }
}
