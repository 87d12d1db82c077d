package io.echodb.runner.engine;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.replication.EngineListener;
import io.echodb.core.replication.EngineSettings;
import io.echodb.core.replication.NativeMirrorEngine;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * One engine over the real adapters (PgChangeSource, ClickHouseChangeSink, PgCheckpointStore), with optional wrappers
 * around each port (fault injection, observation) and optional TCP proxies in front of the servers.
 */
final class Rig implements AutoCloseable {

    final NativeMirrorEngine engine;
    final ChangeSource source;
    final ChangeSink sink;
    final CheckpointStore store;
    final ClickHouseGateway gateway;
    private final String label;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Rig(Builder b) {
        PgConnectionFactory connections = new PgConnectionFactory(b.pg);
        this.gateway = new ClickHouseGateway(b.ch);
        this.source = b.wrapSource.apply(new PgChangeSource(connections, b.replication));
        this.sink = b.wrapSink.apply(new ClickHouseChangeSink(gateway));
        this.store = b.wrapStore.apply(new PgCheckpointStore(connections));
        this.engine = NativeMirrorEngine.builder(source, sink, store)
                .settings(b.settings)
                .listener(b.listener)
                .writeGate(b.writeGate)
                .build();
        this.label = "rig@" + b.pg.port() + "/" + b.pg.database();
    }

    /** Stops the engine cleanly and releases the ClickHouse client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                engine.close();
            } finally {
                gateway.close();
            }
        }
    }

    @Override
    public String toString() {
        return label;
    }

    /** What to build; defaults: direct connections, the environment's slot, fast test settings, no wrappers. */
    static final class Builder {
        private final E2eEnv env;
        private PgConnectionSettings pg;
        private ClickHouseSettings ch;
        private PgReplicationConfig replication;
        private EngineSettings settings = E2eEnv.engineSettings();
        private EngineListener listener = EngineListener.NONE;
        private UnaryOperator<ChangeSource> wrapSource = UnaryOperator.identity();
        private UnaryOperator<ChangeSink> wrapSink = UnaryOperator.identity();
        private UnaryOperator<CheckpointStore> wrapStore = UnaryOperator.identity();
        private io.echodb.core.replication.WriteGate writeGate = io.echodb.core.replication.WriteGate.OPEN;

        Builder(E2eEnv env) {
            this.env = env;
            this.pg = env.pgSettings();
            this.ch = env.chSettings();
            this.replication = env.replicationConfig();
        }

        Builder postgres(PgConnectionSettings value) {
            this.pg = value;
            return this;
        }

        Builder clickhouse(ClickHouseSettings value) {
            this.ch = value;
            return this;
        }

        Builder replication(PgReplicationConfig value) {
            this.replication = value;
            return this;
        }

        Builder settings(EngineSettings value) {
            this.settings = value;
            return this;
        }

        Builder listener(EngineListener value) {
            this.listener = value;
            return this;
        }

        Builder wrapSource(UnaryOperator<ChangeSource> value) {
            this.wrapSource = value;
            return this;
        }

        Builder wrapSink(UnaryOperator<ChangeSink> value) {
            this.wrapSink = value;
            return this;
        }

        Builder wrapStore(UnaryOperator<CheckpointStore> value) {
            this.wrapStore = value;
            return this;
        }

        Builder writeGate(io.echodb.core.replication.WriteGate value) {
            this.writeGate = value;
            return this;
        }

        /** Builds the engine (registered for cleanup with the environment) without starting it. */
        Rig build() {
            Rig rig = new Rig(this);
            env.register(rig);
            return rig;
        }

        /** Builds and starts the engine. */
        Rig start() {
            Rig rig = build();
            rig.engine.start();
            return rig;
        }
    }
}
