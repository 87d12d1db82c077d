package io.echodb.bench;

import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.replication.EngineListener;
import io.echodb.core.replication.EngineSettings;
import io.echodb.core.replication.NativeMirrorEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/** Builds the native engine the way the runner does, with names of the harness's choosing. */
final class Engines {

    private Engines() {
    }

    /** The engine's PostgreSQL side: slot, publication and its checkpoint schema, in {@code database}. */
    record Names(String database, String slot, String publication, String stateSchema) { }

    static PgChangeSource source(Endpoints ep, Names n) {
        PgConnectionFactory connections = ep.pgConnections(n.database());
        return new PgChangeSource(connections, PgReplicationConfig.defaults().withNames(n.slot(), n.publication()));
    }

    static NativeMirrorEngine engine(Endpoints ep, Names n, ChangeSource source, ChangeSink sink) {
        return engine(ep, n, source, sink, EngineListener.NONE);
    }

    /** The engine with default settings (what a user gets), its state in {@code n.stateSchema()}. */
    static NativeMirrorEngine engine(Endpoints ep, Names n, ChangeSource source, ChangeSink sink, EngineListener listener) {
        PgConnectionFactory connections = ep.pgConnections(n.database());
        return NativeMirrorEngine.builder(source, sink, new PgCheckpointStore(connections, n.stateSchema()))
                .settings(EngineSettings.defaults())
                .listener(listener)
                .build();
    }

    static MirrorSpec spec(TableRef table) {
        return new MirrorSpec(new MirrorName(table.name() + "_mirror"), table, table.name());
    }

    /** Waits until the mirror runs (its copy is complete); fails on FAILED/UNSUPPORTED or after {@code max}. */
    static MirrorStatus awaitRunning(NativeMirrorEngine engine, MirrorName name, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            Optional<MirrorStatus> s = engine.status(name);
            if (s.isPresent()) {
                MirrorState st = s.get().state();
                if (st == MirrorState.RUNNING) {
                    return s.get();
                }
                if (st == MirrorState.FAILED || st == MirrorState.UNSUPPORTED) {
                    throw new IllegalStateException("mirror " + name + " is " + st + ": " + s.get().lastError());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("mirror " + name + " not running after " + max + ": " + s);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }
}
