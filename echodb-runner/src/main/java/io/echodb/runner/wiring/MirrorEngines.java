package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.peerdb.PeerDbMirrorControl;
import io.echodb.adapters.peerdb.PeerDbSettings;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.replication.EngineListener;
import io.echodb.core.replication.EngineSettings;
import io.echodb.core.replication.NativeMirrorEngine;
import io.echodb.runner.config.EchoDbConfig;
import java.net.URI;
import java.time.Clock;

/**
 * MIRROR_ENGINE picks the engine: {@code native} = {@link NativeMirrorEngine} over PostgreSQL logical replication
 * ({@link PgChangeSource}), the ClickHouse sink and the PostgreSQL checkpoint store; {@code peerdb} = the PeerDB
 * adapter driving a PeerDB server with the seed's peers.
 */
final class MirrorEngines {

    private MirrorEngines() {
    }

    static MirrorEngineHandle create(EchoDbConfig config, PgConnectionFactory pg, ClickHouseGateway clickhouse,
                                     EngineListener listener, Clock clock) {
        ClickHouseChangeSink sink = new ClickHouseChangeSink(clickhouse);
        if (config.engine().kind().equals("peerdb")) {
            return new PeerDbEngineHandle(PeerDbMirrorControl.create(peerDbSettings(config), clock, sink::drop));
        }
        EchoDbConfig.Engine e = config.engine();
        PgCheckpointStore store = new PgCheckpointStore(pg, e.stateSchema());
        PgReplicationConfig replication = replicationConfig(config);
        EngineSettings settings = EngineSettings.builder()
                .batchRows(e.batchMaxRows())
                .batchBytes(e.batchMaxBytes())
                .maxBatchAge(e.batchMaxAge())
                .snapshotParallelism(e.snapshotParallelism())
                .concurrentSnapshots(e.concurrentSnapshots())
                .copyMemoryBytes(e.snapshotMemoryBytes())
                .keylessTables(config.policy().keylessTables())
                .build();
        // A fresh source per engine: each leadership term streams on its own connections.
        // Tokens compare only within one leadership lock (Redis and advisory-lock tokens are unrelated numbers).
        String fence = config.leadership().kind() + ":" + config.leadership().lockName();
        return new NativeEngineHandle((token, gate) -> NativeMirrorEngine.builder(new PgChangeSource(pg, replication),
                        sink.fencedBy(fence, token), store.fencedBy(fence, token))
                .settings(settings)
                .clock(clock)
                .listener(listener)
                .writeGate(gate)
                .build(), store);
    }

    /** The native engine's slot and publication names and copy ranges on the adapter's defaults. */
    static PgReplicationConfig replicationConfig(EchoDbConfig config) {
        PgReplicationConfig defaults = PgReplicationConfig.defaults();
        return defaults.withNames(config.engine().slotName(), config.engine().publication())
                .withCopy(defaults.copyBatchRows(), config.engine().snapshotRangeMinPages());
    }

    static PeerDbSettings peerDbSettings(EchoDbConfig config) {
        EchoDbConfig.PeerDb p = config.peerdb();
        EchoDbConfig.Postgres pg = config.postgres();
        EchoDbConfig.ClickHouse ch = config.clickhouse();
        EchoDbConfig.S3 s3 = p.staging();
        return new PeerDbSettings(
                new PeerDbSettings.SqlEndpoint(p.host(), p.port(), p.user(), p.password().reveal(), null),
                new PeerDbSettings.FlowApi(URI.create(p.flowApiUrl()), p.flowApiToken().reveal()),
                new PeerDbSettings.PostgresPeer(p.sourcePeer(), p.postgresHost(), pg.port(), pg.user(), pg.password().reveal(),
                        pg.database()),
                new PeerDbSettings.ClickHousePeer(p.targetPeer(), p.clickhouseHost(), ch.nativePort(), ch.user(),
                        ch.password().reveal(), ch.database(), p.clickhouseDisableTls(),
                        new PeerDbSettings.S3Staging(s3.path(), s3.accessKeyId(), s3.secretAccessKey().reveal(), s3.region(),
                                s3.endpoint())),
                PeerDbSettings.MirrorOptions.DEFAULTS,
                PeerDbSettings.Timeouts.DEFAULTS);
    }
}
