package io.echodb.runner.engine;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.NativeMirrorEngine;

/** Mirrors one PostgreSQL table into ClickHouse with EchoDB's embedded engine. */
public final class MirrorOneTable {

    public static void main(String[] args) throws InterruptedException {
        PgConnectionSettings postgres = PgConnectionSettings.of("localhost", 5432, "shop", "echodb",
                System.getenv().getOrDefault("POSTGRES_PASSWORD", ""));
        ClickHouseSettings clickhouse = ClickHouseSettings.of("localhost", 8123, "analytics", "default",
                System.getenv().getOrDefault("CLICKHOUSE_PASSWORD", ""));
        TableRef orders = TableRef.of("public", "orders");

        ClickHouseGateway gateway = new ClickHouseGateway(clickhouse);
        NativeMirrorEngine engine = mirror(postgres, gateway, "shop_analytics", orders);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close(); // optional: a killed process resumes from the slot just as well
            gateway.close();
        }));
        while (true) {
            MirrorStatus s = engine.status(MirrorName.forTable(orders, false)).orElseThrow();
            System.out.printf("%s: %s, %d rows written, %d bytes of WAL behind%n",
                    s.name(), s.state(), s.rowsSynced(), s.lagBytes());
            Thread.sleep(10_000);
        }
    }

    /**
     * Starts an engine that copies {@code table} into the ClickHouse table of the same name and then streams its
     * changes through the replication slot {@code slot} (and publication {@code slot_pub}), created if missing.
     * Creating the mirror again on a later start is a no-op: the engine resumes where the slot stands.
     */
    public static NativeMirrorEngine mirror(PgConnectionSettings postgres, ClickHouseGateway gateway, String slot,
            TableRef table) {
        PgConnectionFactory connections = new PgConnectionFactory(postgres);
        PgChangeSource source = new PgChangeSource(connections,
                PgReplicationConfig.defaults().withNames(slot, slot + "_pub"));
        NativeMirrorEngine engine = NativeMirrorEngine
                .builder(source, new ClickHouseChangeSink(gateway), new PgCheckpointStore(connections))
                .build();
        engine.start();
        engine.create(new MirrorSpec(MirrorName.forTable(table, false), table, table.name()));
        return engine;
    }
}
