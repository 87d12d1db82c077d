package io.echodb.bench;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.postgres.catalog.PgSourceCatalog;
import io.echodb.adapters.postgres.ddl.DdlCaptureInstaller;
import io.echodb.adapters.postgres.ddl.DdlCaptureSettings;
import io.echodb.adapters.postgres.ddl.DdlSourceSettings;
import io.echodb.adapters.postgres.ddl.PgDdlEventSource;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.replication.NativeMirrorEngine;
import io.echodb.core.service.AutoMirror;
import io.echodb.core.service.ControlPlaneMetrics;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Item 5: the auto-mirror reaction. Wired like the runner (event-trigger DDL capture with its outbox and LISTEN
 * wake-up, {@link AutoMirror} rounds back to back on one thread, the native engine into ClickHouse), then for each
 * table: {@code CREATE TABLE} and an {@code INSERT} of one row (two transactions), and the time until that row is
 * visible in ClickHouse with {@code FINAL} (polled every 10 ms). Tables are created one after the other.
 */
final class AutoMirrorBench {

    /**
     * {@code burstTables} created with {@value #BURST_ROWS} rows each in one transaction (a migration, a restore): the
     * time from its commit until every row is in ClickHouse, or -1 when they were not there after two minutes.
     */
    record Result(int tables, Stats stats, long failures, int burstTables, long burstNanos) { }

    static final int BURST_ROWS = 10;

    private final Endpoints ep;
    private final String pgDb;
    private final String chDb;

    AutoMirrorBench(Endpoints ep, String pgDb, String chDb) {
        this.ep = ep;
        this.pgDb = pgDb;
        this.chDb = chDb;
    }

    Result run(int tables, int burstTables) throws Exception {
        PgConnectionFactory pg = ep.pgConnections(pgDb);
        DdlCaptureSettings capture = DdlCaptureSettings.defaults();
        new DdlCaptureInstaller(pg::open, capture).install();
        Engines.Names names = new Engines.Names(pgDb, "bench_auto", "bench_auto_pub", PgCheckpointStore.DEFAULT_SCHEMA);
        Endpoints.Sink sink = ep.clickHouseSink(chDb);
        AtomicBoolean running = new AtomicBoolean(true);
        long[] latencies = new long[tables];
        int n = 0;
        long failures = 0;
        try (NativeMirrorEngine engine = Engines.engine(ep, names, Engines.source(ep, names), sink.sink());
             PgDdlEventSource events = new PgDdlEventSource(pg::open, DdlSourceSettings.of(capture));
             ClickHouseGateway poller = ep.clickHouse(chDb)) {
            engine.start();
            WatchPolicy policy = new WatchPolicy(Set.of("public"), List.of());
            AutoMirror auto = new AutoMirror(events, new PgSourceCatalog(pg, Set.of(capture.schema())), engine, policy,
                    new ControlPlaneMetrics(Clock.systemUTC()), new AutoMirror.Settings(100, Duration.ofSeconds(1), true));
            Thread loop = new Thread(() -> {
                while (running.get()) {
                    try {
                        auto.runOnce();
                    } catch (RuntimeException e) {
                        if (running.get()) {
                            Bench.progress("  auto-mirror round failed (retrying): %s", e.getMessage());
                            LockSupport.parkNanos(100_000_000L);
                        }
                    }
                }
            }, "bench-auto-mirror");
            loop.setDaemon(true);
            loop.start();
            try (Connection c = ep.pg(pgDb)) {
                for (int i = 1; i <= tables; i++) {
                    String t = "auto_" + i;
                    long t0 = System.nanoTime();
                    Sql.exec(c, "CREATE TABLE public." + t + " (id integer PRIMARY KEY, note text, at timestamptz DEFAULT now())");
                    Sql.exec(c, "INSERT INTO public." + t + " (id, note) VALUES (1, 'first row of " + t + "')");
                    long visibleAt = awaitRow(poller, t, t0 + 120_000_000_000L);
                    if (visibleAt < 0) {
                        failures++;
                        Bench.progress("  %s: row not visible in ClickHouse after 120 s", t);
                    } else {
                        latencies[n++] = visibleAt - t0;
                    }
                }
            }
            long burst = burst(burstTables, poller);
            Bench.progress("  burst of %d tables in one transaction: %s", burstTables,
                    burst < 0 ? "not complete after 120 s" : Stats.ms(burst));
            running.set(false);
            loop.interrupt();
            loop.join(5_000);
        } finally {
            sink.gateway().close();
        }
        return new Result(tables, Stats.of(latencies, n), failures, burstTables, burstNanosMeasured);
    }

    private long burstNanosMeasured = -1;

    /** Creates the burst's tables in one transaction and waits until ClickHouse holds every row. */
    private long burst(int count, ClickHouseGateway ch) throws Exception {
        StringBuilder sql = new StringBuilder("BEGIN;");
        for (int i = 1; i <= count; i++) {
            sql.append("CREATE TABLE public.burst_").append(i).append(" (id integer PRIMARY KEY, note text);")
                    .append("INSERT INTO public.burst_").append(i).append(" SELECT g, 'row ' || g FROM generate_series(1, ")
                    .append(BURST_ROWS).append(") g;");
        }
        sql.append("COMMIT;");
        long expected = (long) count * BURST_ROWS;
        String poll = "SELECT sum(rows) FROM system.parts WHERE database = '" + chDb + "' AND active AND startsWith(table, 'burst_')";
        try (Connection c = ep.pg(pgDb)) {
            Sql.exec(c, sql.toString());
            long t0 = System.nanoTime();
            long deadline = t0 + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                Object v = ch.query(poll, "poll the burst").rows().get(0)[0];
                if (v != null && ((Number) v).longValue() >= expected) {
                    burstNanosMeasured = System.nanoTime() - t0;
                    return burstNanosMeasured;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
        return -1;
    }

    /** The time the row became visible (poll return), or -1 after the deadline. */
    private long awaitRow(ClickHouseGateway ch, String table, long deadline) {
        String sql = "SELECT count() FROM `" + chDb + "`.`" + table + "` FINAL";
        while (System.nanoTime() < deadline) {
            try {
                Object v = ch.query(sql, "poll auto-mirrored table").rows().get(0)[0];
                long now = System.nanoTime();
                if (((Number) v).longValue() >= 1) {
                    return now;
                }
            } catch (RuntimeException e) {
                // the table does not exist yet
            }
            LockSupport.parkNanos(10_000_000L);
        }
        return -1;
    }
}
