package io.echodb.runner.wiring;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.leadership.PgAdvisoryLeadership;
import io.echodb.adapters.postgres.leadership.PgLeadershipSettings;
import io.echodb.adapters.redis.RedisLeaderKeys;
import io.echodb.adapters.redis.RedisLeadership;
import io.echodb.adapters.redis.RedisSettings;
import io.echodb.runner.config.EchoDbConfig;
import java.time.Clock;

/** Builds the leadership adapters: PostgreSQL advisory locks, and Redis with the seed's lock key and fencing tokens. */
final class Leaderships {

    private Leaderships() {
    }

    static PgAdvisoryLeadership postgres(EchoDbConfig config, PgConnectionFactory pg, Clock clock) {
        EchoDbConfig.Leadership l = config.leadership();
        return new PgAdvisoryLeadership(pg::openDedicated,
                PgLeadershipSettings.of(l.workerId()).withSchema(config.engine().stateSchema()).withLockName(l.lockName()), clock);
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
