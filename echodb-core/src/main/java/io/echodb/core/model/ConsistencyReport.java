package io.echodb.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Result of comparing one table on both sides, in the seed's shape plus the mode, the replication lag seen at
 * check time and the differing keys found (checksum mode; at most the configured number).
 */
public record ConsistencyReport(
        TableRef table,
        String mode,
        long postgresCount,
        long clickhouseCount,
        Verdict verdict,
        long lagBytes,
        List<String> differingKeys,
        Instant timestamp) {

    /** Outcome of a check. */
    public enum Verdict { MATCH, MISMATCH, IN_FLIGHT }

    public ConsistencyReport {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(timestamp, "timestamp");
        differingKeys = List.copyOf(differingKeys == null ? List.of() : differingKeys);
    }

    public boolean match() {
        return verdict == Verdict.MATCH;
    }

    public long difference() {
        return postgresCount - clickhouseCount;
    }
}
