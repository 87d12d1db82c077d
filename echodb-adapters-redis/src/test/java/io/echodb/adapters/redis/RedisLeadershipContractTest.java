package io.echodb.adapters.redis;

import io.echodb.adapters.redis.testing.RedisTestService;
import io.echodb.core.port.out.Leadership;
import io.echodb.core.port.contract.LeadershipContract;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The Leadership contract against a real Redis; fresh keys per test. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisLeadershipContractTest extends LeadershipContract {

    private final String prefix = "contract:" + UUID.randomUUID() + ":";
    private final List<RedisLeadership> workers = new ArrayList<>();

    @AfterEach
    void closeWorkers() {
        workers.forEach(RedisLeadership::close);
    }

    @Override
    protected Leadership newLeadership(String workerId) {
        RedisTestService redis = RedisTestService.get();
        RedisLeadership w = new RedisLeadership(RedisSettings.of(redis.host(), redis.port(), null).withTimeout(Duration.ofSeconds(2)),
                new RedisLeaderKeys(prefix + "leader_lock", prefix + "leader_token"), workerId, Clock.systemUTC());
        workers.add(w);
        return w;
    }
}
