package io.echodb.runner.http;

import java.util.Objects;

/**
 * The native engine's replication slot as operators watch it: retained WAL, how much more may be written before
 * PostgreSQL invalidates it ({@code safeWalBytes}, null without {@code max_slot_wal_keep_size}), its {@code wal_status}
 * ({@code reserved}, {@code extended}, {@code unreserved}, {@code lost}, or {@code missing}/{@code unknown}), and the
 * replication lag in seconds (null on a follower, which does not stream). Numbers are null until first read.
 */
public record ReplicationSnapshot(String slot, String walStatus, Long retainedWalBytes, Long safeWalBytes,
                                  Double lagSeconds) {

    public ReplicationSnapshot {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(walStatus, "walStatus");
    }
}
