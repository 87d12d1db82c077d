package io.echodb.adapters.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.redis.testing.RedisTestService;
import io.echodb.core.testing.Eventually;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seed's notification dedup keys against a real Redis. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RedisNotificationDedupTest {

    @Test
    void aNotificationIsNewOnceUntilItsKeyExpires() {
        RedisTestService redis = RedisTestService.get();
        RedisSettings settings = RedisSettings.of(redis.host(), redis.port(), null);
        try (RedisNotificationDedup a = new RedisNotificationDedup(settings);
             RedisNotificationDedup b = new RedisNotificationDedup(settings)) {
            String id = "create:public.users:" + UUID.randomUUID();
            assertThat(a.firstSeen(id, Duration.ofMillis(300))).isTrue();
            assertThat(b.firstSeen(id, Duration.ofMillis(300))).isFalse();
            Eventually.eventually(Duration.ofSeconds(5), "dedup key expires",
                    () -> b.firstSeen(id, Duration.ofSeconds(30)));
            assertThat(a.firstSeen(id, Duration.ofSeconds(30))).isFalse();
        }
    }

    @Test
    void anUnreachableRedisFailsOpen() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (RedisNotificationDedup d = new RedisNotificationDedup(RedisSettings.of("127.0.0.1", deadPort, null))) {
            assertThat(d.firstSeen("x", Duration.ofSeconds(1))).isTrue();
            assertThat(d.firstSeen("x", Duration.ofSeconds(1))).isTrue();
        }
    }
}
