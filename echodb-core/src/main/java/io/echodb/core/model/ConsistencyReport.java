package io.echodb.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Result of comparing one table on both sides, in the seed's shape plus the mode, the replication lag seen at
 * check time and the differing keys found (checksum mode; at most the configured number). {@code differences}
 * classifies each of {@code differingKeys}, in the same order.
 */
public record ConsistencyReport(
        TableRef table,
        String mode,
        long postgresCount,
        long clickhouseCount,
        Verdict verdict,
        long lagBytes,
        List<String> differingKeys,
        Instant timestamp,
        List<KeyDifference> differences) {

    /** Outcome of a check. */
    public enum Verdict { MATCH, MISMATCH, IN_FLIGHT }

    /** How a key differs between PostgreSQL and ClickHouse. */
    public enum DifferenceKind {
        /** The row exists in PostgreSQL only. */
        MISSING_IN_CLICKHOUSE,
        /** The row exists in ClickHouse only. */
        EXTRA_IN_CLICKHOUSE,
        /** Both sides hold the key with different values. */
        DIFFERENT;

        /** {@code missing_in_clickhouse}, {@code extra_in_clickhouse}, {@code different}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One differing row: its canonical key text (key values joined by '|', see docs/CONSISTENCY.md) and how it differs. */
    public record KeyDifference(String key, DifferenceKind kind) {
        public KeyDifference {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
        }
    }

    public ConsistencyReport {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(timestamp, "timestamp");
        differences = List.copyOf(differences == null ? List.of() : differences);
        differingKeys = differingKeys == null || differingKeys.isEmpty()
                ? differences.stream().map(KeyDifference::key).toList()
                : List.copyOf(differingKeys);
    }

    /** A report without classified differences (count mode). */
    public ConsistencyReport(TableRef table, String mode, long postgresCount, long clickhouseCount, Verdict verdict,
                             long lagBytes, List<String> differingKeys, Instant timestamp) {
        this(table, mode, postgresCount, clickhouseCount, verdict, lagBytes, differingKeys, timestamp, List.of());
    }

    public boolean match() {
        return verdict == Verdict.MATCH;
    }

    public long difference() {
        return postgresCount - clickhouseCount;
    }
}
