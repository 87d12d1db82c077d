package io.echodb.runner.wiring;

import io.echodb.runner.console.LagHistory;
import io.echodb.runner.http.ReplicationSnapshot;
import java.util.Objects;
import java.util.Optional;

/** What the API and the console show of replication: the slot as last read and the engine's lag, and its history. */
final class ReplicationReadout {

    private final MirrorEngineHandle engine;
    /** Null with PeerDB: no slot of ours to read. */
    private final SlotMonitor slotMonitor;
    private final LagHistory lagHistory;

    ReplicationReadout(MirrorEngineHandle engine, SlotMonitor slotMonitor, LagHistory lagHistory) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.slotMonitor = slotMonitor;
        this.lagHistory = Objects.requireNonNull(lagHistory, "lagHistory");
    }

    /** Adds the current lag and retained WAL to the console's history. */
    void sampleLag() {
        Optional<ReplicationSnapshot> r = replication();
        lagHistory.record(r.map(ReplicationSnapshot::lagSeconds).orElse(null), null,
                r.map(ReplicationSnapshot::retainedWalBytes).orElse(null));
    }

    /** The replication slot as last read and the engine's lag in time; empty with PeerDB. Never blocks. */
    Optional<ReplicationSnapshot> replication() {
        if (slotMonitor == null) {
            return Optional.empty();
        }
        Double lag = engine.replicationLag().map(d -> d.toMillis() / 1000.0).orElse(null);
        return Optional.of(slotMonitor.last()
                .map(s -> new ReplicationSnapshot(slotMonitor.slotName(), s.exists() ? s.walStatus() : "missing",
                        s.retainedBytes(), s.safeWalBytes(), lag))
                .orElseGet(() -> new ReplicationSnapshot(slotMonitor.slotName(), "unknown", null, null, lag)));
    }
}
