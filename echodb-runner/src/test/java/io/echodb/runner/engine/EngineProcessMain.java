package io.echodb.runner.engine;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.NativeMirrorEngine;
import java.io.IOException;

/**
 * The engine alone in a JVM of its own, for {@link ProcessKillEngineTest}: builds the real adapters, starts the engine,
 * creates (or finds) a mirror per table given, prints {@code READY} and runs until the process is killed. Arguments:
 * PostgreSQL host, port, database, user, password; ClickHouse host, port, database, user, password; slot; publication;
 * then the tables (public schema). It halts when its standard input closes, so it never outlives the test JVM.
 */
public final class EngineProcessMain {

    private EngineProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        PgConnectionSettings pg = PgConnectionSettings.of(args[0], Integer.parseInt(args[1]), args[2], args[3], args[4]);
        ClickHouseSettings ch = ClickHouseSettings.of(args[5], Integer.parseInt(args[6]), args[7], args[8], args[9]);
        PgReplicationConfig replication = PgReplicationConfig.defaults().withNames(args[10], args[11]).withCopy(5000, 64);
        PgConnectionFactory connections = new PgConnectionFactory(pg);
        ClickHouseGateway gateway = new ClickHouseGateway(ch);
        NativeMirrorEngine engine = NativeMirrorEngine.builder(new PgChangeSource(connections, replication),
                new ClickHouseChangeSink(gateway), new PgCheckpointStore(connections))
                .settings(E2eEnv.engineSettings())
                .build();
        engine.start();
        for (int i = 12; i < args.length; i++) {
            engine.create(E2eEnv.spec(TableRef.of("public", args[i])));
        }
        System.out.println("READY");
        System.out.flush();
        Thread orphanGuard = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; end of input means the test JVM is gone
                }
            } catch (IOException ignored) {
                // same
            }
            Runtime.getRuntime().halt(3);
        }, "orphan-guard");
        orphanGuard.setDaemon(true);
        orphanGuard.start();
        Thread.currentThread().join();
    }
}
