package io.echodb.adapters.postgres.leadership;

import io.echodb.core.model.InvalidValueException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Settings of {@link PgAdvisoryLeadership}.
 *
 * @param workerId    this worker's identity (the seed's WORKER_ID)
 * @param schema      schema of the fencing-token sequence {@value #TOKEN_SEQUENCE} (default {@code _echodb}, shared with
 *                    DDL capture); created when missing
 * @param lockName    name of the lease; the advisory lock key is a 64-bit hash of it (default the seed's Redis key
 *                    {@code echodb:auto_mirror:leader_lock}), so workers agree on the key by agreeing on the name
 * @param callTimeout upper bound of one round-trip; each call also stays under a third of the lease's TTL
 */
public record PgLeadershipSettings(String workerId, String schema, String lockName, Duration callTimeout) {

    public static final String DEFAULT_SCHEMA = "_echodb";
    public static final String DEFAULT_LOCK_NAME = "echodb:auto_mirror:leader_lock";
    public static final String TOKEN_SEQUENCE = "leader_token_seq";

    public PgLeadershipSettings {
        if (workerId == null || workerId.isBlank()) {
            throw InvalidValueException.of("WORKER_ID", workerId, "must not be blank");
        }
        if (schema == null || schema.isBlank() || schema.indexOf('\0') >= 0
                || schema.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw InvalidValueException.of("leadership schema", schema, "must be a PostgreSQL name (1..63 bytes, no NUL)");
        }
        if (lockName == null || lockName.isBlank()) {
            throw InvalidValueException.of("leadership lock name", lockName, "must not be blank");
        }
        if (callTimeout == null || callTimeout.toMillis() < 50) {
            throw InvalidValueException.of("leadership call timeout", callTimeout, "must be at least 50 ms");
        }
    }

    public static PgLeadershipSettings of(String workerId) {
        return new PgLeadershipSettings(workerId, DEFAULT_SCHEMA, DEFAULT_LOCK_NAME, Duration.ofSeconds(5));
    }

    public PgLeadershipSettings withSchema(String newSchema) {
        return new PgLeadershipSettings(workerId, newSchema, lockName, callTimeout);
    }

    public PgLeadershipSettings withLockName(String newLockName) {
        return new PgLeadershipSettings(workerId, schema, newLockName, callTimeout);
    }

    public PgLeadershipSettings withCallTimeout(Duration timeout) {
        return new PgLeadershipSettings(workerId, schema, lockName, timeout);
    }

    /** The {@code pg_try_advisory_lock(bigint)} key: FNV-1a 64 of the lock name's UTF-8 bytes. */
    public long lockKey() {
        long h = 0xcbf29ce484222325L;
        for (byte b : lockName.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
