package io.echodb.adapters.postgres.ddl;

import io.echodb.core.model.InvalidValueException;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PgDdlEventSource} reads the outbox.
 *
 * @param capture           where capture is installed (schema, notify channel)
 * @param consumer          cursor name in {@code ddl_cursor}; workers sharing one name share one cursor (default {@code echodb})
 * @param includePartitions report events about partitions too; by default they are left out because partitioned
 *                          tables are mirrored through their root (the outbox keeps them, flagged {@code is_partition})
 * @param pollInterval      longest wait between two outbox reads while nothing is notified; bounds the delay when a
 *                          notification is missed, e.g. while the LISTEN connection reconnects (default 5 s)
 */
public record DdlSourceSettings(DdlCaptureSettings capture, String consumer, boolean includePartitions, Duration pollInterval) {

    public static final String DEFAULT_CONSUMER = "echodb";

    public DdlSourceSettings {
        Objects.requireNonNull(capture, "capture");
        if (consumer == null || consumer.isBlank()) {
            throw InvalidValueException.of("DDL cursor consumer", consumer, "must not be blank");
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.toMillis() < 10) {
            throw InvalidValueException.of("DDL poll interval", pollInterval, "must be at least 10 ms");
        }
    }

    public static DdlSourceSettings defaults() {
        return new DdlSourceSettings(DdlCaptureSettings.defaults(), DEFAULT_CONSUMER, false, Duration.ofSeconds(5));
    }

    public static DdlSourceSettings of(DdlCaptureSettings capture) {
        return new DdlSourceSettings(capture, DEFAULT_CONSUMER, false, Duration.ofSeconds(5));
    }

    public DdlSourceSettings withConsumer(String newConsumer) {
        return new DdlSourceSettings(capture, newConsumer, includePartitions, pollInterval);
    }

    public DdlSourceSettings withIncludePartitions(boolean include) {
        return new DdlSourceSettings(capture, consumer, include, pollInterval);
    }

    public DdlSourceSettings withPollInterval(Duration interval) {
        return new DdlSourceSettings(capture, consumer, includePartitions, interval);
    }
}
