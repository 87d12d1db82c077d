package io.echodb.adapters.redis;

import io.echodb.core.model.InvalidValueException;

/**
 * The Redis keys of one lease. Both are used by one script, so on Redis Cluster give them a common hash tag
 * (e.g. {@code {echodb}:leader_lock} and {@code {echodb}:leader_token}).
 *
 * @param lockKey  holds the leader's worker id with a millisecond expiry (the seed's {@code echodb:auto_mirror:leader_lock})
 * @param tokenKey the fencing-token counter; never expires
 */
public record RedisLeaderKeys(String lockKey, String tokenKey) {

    public static final String SEED_LOCK_KEY = "echodb:auto_mirror:leader_lock";
    public static final String DEFAULT_TOKEN_KEY = "echodb:auto_mirror:leader_token";

    public RedisLeaderKeys {
        if (lockKey == null || lockKey.isBlank()) {
            throw InvalidValueException.of("leader lock key", lockKey, "must not be blank");
        }
        if (tokenKey == null || tokenKey.isBlank() || tokenKey.equals(lockKey)) {
            throw InvalidValueException.of("leader token key", tokenKey, "must be non-blank and differ from the lock key");
        }
    }

    public static RedisLeaderKeys defaults() {
        return new RedisLeaderKeys(SEED_LOCK_KEY, DEFAULT_TOKEN_KEY);
    }
}
