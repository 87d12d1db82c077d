package io.echodb.adapters.redis;

import io.echodb.core.model.InvalidValueException;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's notification de-duplication: {@code SET <prefix><id> 1 NX PX ttl} under
 * {@code echodb:auto_mirror:notification:*}, so several workers handle one notification once. Fails open: when Redis
 * cannot answer, a notification counts as new (handling is idempotent; a duplicate is cheaper than a lost one).
 */
public final class RedisNotificationDedup implements AutoCloseable {

    public static final String SEED_PREFIX = "echodb:auto_mirror:notification:";
    private static final Logger LOG = LoggerFactory.getLogger(RedisNotificationDedup.class);

    private final RedisSettings settings;
    private final String prefix;
    private final RedisConnector redis;

    public RedisNotificationDedup(RedisSettings settings) {
        this(settings, SEED_PREFIX);
    }

    public RedisNotificationDedup(RedisSettings settings, String prefix) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.redis = new RedisConnector(settings);
    }

    /** True the first time {@code id} is seen within {@code ttl}; false for a repeat. */
    public boolean firstSeen(String id, Duration ttl) {
        if (id == null || id.isEmpty()) {
            throw InvalidValueException.of("notification id", id, "must not be empty");
        }
        if (ttl == null || ttl.toMillis() < 1) {
            throw InvalidValueException.of("notification dedup TTL", ttl, "must be at least 1 ms");
        }
        try {
            String reply = redis.call(c -> c.set(prefix + id, "1", SetArgs.Builder.nx().px(ttl.toMillis())), settings.timeout());
            return "OK".equals(reply);
        } catch (RedisConnector.Unavailable e) {
            LOG.warn("Notification dedup unavailable, treating '{}' as new: {}", id, e.getMessage());
            return true;
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
