package io.echodb.adapters.postgres.jdbc;

import io.echodb.core.model.InvalidValueException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the native engine's PostgreSQL side.
 *
 * @param slotName            logical replication slot (lower-case letters, digits, underscores)
 * @param publicationName     publication (same rule)
 * @param queueCapacity       decoded events buffered between the reader thread and the consumer (backpressure bound)
 * @param feedbackInterval    how often a status update is sent to the server, also while the consumer is blocked;
 *                            must stay well below the server's wal_sender_timeout (default 60 s)
 * @param keepaliveInterval   minimum spacing of {@code Keepalive} events emitted while the stream is idle
 * @param copyBatchRows       rows per batch handed to the snapshot consumer
 * @param minPagesPerCopyRange smallest CTID range (in 8 KiB pages) a parallel copy splits a table into; tables
 *                            smaller than two ranges are copied with one plain COPY
 * @param slotBusyTimeout     how long opening a stream waits for a previous walsender to release the slot
 */
public record PgReplicationConfig(String slotName, String publicationName, int queueCapacity, Duration feedbackInterval,
                                  Duration keepaliveInterval, int copyBatchRows, long minPagesPerCopyRange,
                                  Duration slotBusyTimeout) {

    public static final String DEFAULT_SLOT = "echodb_slot";
    public static final String DEFAULT_PUBLICATION = "echodb_pub";

    public PgReplicationConfig {
        PgSql.requireObjectName("replication slot name", slotName);
        PgSql.requireObjectName("publication name", publicationName);
        if (queueCapacity < 1) {
            throw InvalidValueException.of("queue capacity", queueCapacity, "must be >= 1");
        }
        requirePositive("feedback interval", feedbackInterval);
        requirePositive("keepalive interval", keepaliveInterval);
        if (copyBatchRows < 1) {
            throw InvalidValueException.of("copy batch rows", copyBatchRows, "must be >= 1");
        }
        if (minPagesPerCopyRange < 1) {
            throw InvalidValueException.of("minimum pages per copy range", minPagesPerCopyRange, "must be >= 1");
        }
        requirePositive("slot busy timeout", slotBusyTimeout);
    }

    public static PgReplicationConfig defaults() {
        return new PgReplicationConfig(DEFAULT_SLOT, DEFAULT_PUBLICATION, 8192, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 5000, 1024, Duration.ofSeconds(30));
    }

    public PgReplicationConfig withNames(String slot, String publication) {
        return new PgReplicationConfig(slot, publication, queueCapacity, feedbackInterval, keepaliveInterval,
                copyBatchRows, minPagesPerCopyRange, slotBusyTimeout);
    }

    public PgReplicationConfig withQueueCapacity(int capacity) {
        return new PgReplicationConfig(slotName, publicationName, capacity, feedbackInterval, keepaliveInterval,
                copyBatchRows, minPagesPerCopyRange, slotBusyTimeout);
    }

    public PgReplicationConfig withCopy(int batchRows, long minPagesPerRange) {
        return new PgReplicationConfig(slotName, publicationName, queueCapacity, feedbackInterval, keepaliveInterval,
                batchRows, minPagesPerRange, slotBusyTimeout);
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw InvalidValueException.of(what, d, "must be positive");
        }
    }
}
