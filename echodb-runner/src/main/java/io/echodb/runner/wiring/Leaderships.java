package io.echodb.runner.wiring;

import io.echodb.adapters.redis.RedisLeaderKeys;
import io.echodb.adapters.redis.RedisLeadership;
import io.echodb.adapters.redis.RedisSettings;
import io.echodb.runner.config.EchoDbConfig;
import java.time.Clock;

/** Builds the Redis leadership adapter (LEADERSHIP=redis): the seed's lock key, fencing tokens. */
final class Leaderships {

    private Leaderships() {
    }

    static RedisLeadership redis(EchoDbConfig config, Clock clock) {
        EchoDbConfig.Leadership l = config.leadership();
        String password = l.redisPassword().isEmpty() ? null : l.redisPassword().reveal();
        RedisLeaderKeys keys = l.lockName().equals(RedisLeaderKeys.SEED_LOCK_KEY)
                ? RedisLeaderKeys.defaults()
                : new RedisLeaderKeys(l.lockName(), l.lockName() + ":token");
        return new RedisLeadership(RedisSettings.of(l.redisHost(), l.redisPort(), password), keys, l.workerId(), clock);
    }
}
