package io.echodb.adapters.peerdb;

/**
 * Drops a mirror's target table when {@code drop(name, true)} asks for it: PeerDB itself only removes its own raw
 * table and keeps the target. The runner passes the ClickHouse adapter's drop; idempotent.
 */
@FunctionalInterface
public interface TargetTableDropper {

    /** Keeps target tables (logs that they were kept). */
    TargetTableDropper NONE = target -> { };

    void drop(String targetTable);
}
