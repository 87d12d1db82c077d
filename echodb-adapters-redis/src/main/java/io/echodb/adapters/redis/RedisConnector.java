package io.echodb.adapters.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One lettuce connection, opened on first use. Lettuce reconnects by itself; while it is disconnected commands are
 * rejected at once instead of being queued (a queued lock command could run long after its caller gave up). Every
 * call waits at most the given timeout. Thread-safe.
 */
final class RedisConnector implements AutoCloseable {

    /** Redis could not answer in time (down, unreachable, hung) or refused the command. */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final RedisSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    RedisConnector(RedisSettings settings) {
        this.settings = settings;
        RedisURI.Builder uri = RedisURI.builder().withHost(settings.host()).withPort(settings.port())
                .withDatabase(settings.database()).withTimeout(settings.timeout());
        if (settings.password() != null) {
            uri.withPassword(settings.password().toCharArray());
        }
        // reconnect quickly after an outage (lettuce's default backoff grows to 30 s); two threads are plenty here
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri.build());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
    }

    /** Runs one command; waits at most {@code timeout}. */
    <T> T call(Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command, Duration timeout) throws Unavailable {
        RedisFuture<T> future;
        try {
            future = command.apply(connection().async());
        } catch (RuntimeException e) {
            throw new Unavailable("Redis at " + settings.host() + ":" + settings.port() + " is not reachable: " + e.getMessage(), e);
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Unavailable("Redis did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Unavailable("Redis command failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new Unavailable("interrupted while waiting for Redis", e);
        }
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            synchronized (this) {
                c = connection;
                if (c == null) {
                    c = client.connect(StringCodec.UTF8); // bounded by the connect timeout; throws when Redis is down
                    connection = c;
                }
            }
        }
        return c;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
