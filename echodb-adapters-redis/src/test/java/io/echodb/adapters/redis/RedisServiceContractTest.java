package io.echodb.adapters.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.redis.testing.RedisTestService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves that {@link RedisTestService} gives a real Redis that lettuce can use for locks with fencing. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisServiceContractTest {

    private static final String COMPARE_AND_DELETE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private static RedisTestService redis;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        redis = RedisTestService.get();
        client = RedisClient.create(RedisURI.create(redis.uri()));
        client.setDefaultTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void setNxPxAndGet() throws InterruptedException {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> cmd = conn.sync();
            String key = "contract:lock:" + UUID.randomUUID();
            assertThat(cmd.set(key, "owner-a", SetArgs.Builder.nx().px(300))).isEqualTo("OK");
            assertThat(cmd.set(key, "owner-b", SetArgs.Builder.nx().px(300))).isNull();
            assertThat(cmd.get(key)).isEqualTo("owner-a");
            assertThat(cmd.pttl(key)).isBetween(1L, 300L);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (cmd.exists(key) == 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(cmd.get(key)).isNull();
            assertThat(cmd.set(key, "owner-b", SetArgs.Builder.nx().px(10_000))).isEqualTo("OK");
            assertThat(cmd.get(key)).isEqualTo("owner-b");
        }
    }

    @Test
    void luaCompareAndDelete() {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> cmd = conn.sync();
            String key = "contract:cad:" + UUID.randomUUID();
            cmd.set(key, "token-1", SetArgs.Builder.nx().px(60_000));

            Long wrongOwner = cmd.eval(COMPARE_AND_DELETE, ScriptOutputType.INTEGER, new String[] {key}, "token-2");
            assertThat(wrongOwner).isZero();
            assertThat(cmd.get(key)).isEqualTo("token-1");

            Long rightOwner = cmd.eval(COMPARE_AND_DELETE, ScriptOutputType.INTEGER, new String[] {key}, "token-1");
            assertThat(rightOwner).isEqualTo(1L);
            assertThat(cmd.get(key)).isNull();

            // cached script through EVALSHA too
            String sha = cmd.scriptLoad(COMPARE_AND_DELETE);
            cmd.set(key, "token-3");
            Long viaSha = cmd.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, "token-3");
            assertThat(viaSha).isEqualTo(1L);
        }
    }

    @Test
    void infoServerShowsRedisVersion() {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            String info = conn.sync().info("server");
            assertThat(info).containsPattern("redis_version:\\d+\\.\\d+");
        }
        assertThat(redis.version()).matches("\\d+\\.\\d+.*");
        assertThat(redis.uri()).isEqualTo("redis://" + redis.host() + ":" + redis.port());
    }

    @Test
    void stopAndStartKeepThePort() {
        if (!redis.supportsRestart()) {
            assertThatThrownBy(redis::stop).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("ECHODB_TEST_REDIS_URI");
            return;
        }
        int port = redis.port();
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            conn.sync().set("contract:restart", "before");
        }
        redis.stop();
        redis.start();
        assertThat(redis.port()).isEqualTo(port);
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            // no persistence: a restarted local Redis is empty, like a failed-over one without replication
            assertThat(conn.sync().ping()).isEqualTo("PONG");
            conn.sync().set("contract:restart", "after");
            assertThat(conn.sync().get("contract:restart")).isEqualTo("after");
        }
    }
}
