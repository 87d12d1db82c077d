package io.echodb.bench;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgPoolSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the services of one benchmark run are. The orchestrator fills it from the test services; child processes
 * (the measured CDC consumers) get it through environment variables, so passwords never appear on a command line.
 */
record Endpoints(String pgHost, int pgPort, String pgUser, String pgPassword,
                 String chHost, int chPort, String chUser, String chPassword) {

    static Endpoints fromEnv() {
        return new Endpoints(env("BENCH_PG_HOST"), Integer.parseInt(env("BENCH_PG_PORT")), env("BENCH_PG_USER"),
                env("BENCH_PG_PASSWORD"), env("BENCH_CH_HOST"), Integer.parseInt(env("BENCH_CH_PORT")),
                env("BENCH_CH_USER"), env("BENCH_CH_PASSWORD"));
    }

    Map<String, String> toEnv() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("BENCH_PG_HOST", pgHost);
        m.put("BENCH_PG_PORT", Integer.toString(pgPort));
        m.put("BENCH_PG_USER", pgUser);
        m.put("BENCH_PG_PASSWORD", pgPassword);
        m.put("BENCH_CH_HOST", chHost);
        m.put("BENCH_CH_PORT", Integer.toString(chPort));
        m.put("BENCH_CH_USER", chUser);
        m.put("BENCH_CH_PASSWORD", chPassword);
        return m;
    }

    String pgJdbcUrl(String database) {
        return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
    }

    Properties pgProperties() {
        Properties p = new Properties();
        p.setProperty("user", pgUser);
        p.setProperty("password", pgPassword);
        p.setProperty("connectTimeout", "10");
        return p;
    }

    Connection pg(String database) {
        try {
            return DriverManager.getConnection(pgJdbcUrl(database), pgProperties());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + pgJdbcUrl(database) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Pooled like the runner's (its default pool settings), one pool per database for the whole run: a factory that
     * opens a physical connection per call would measure connection set-up, which the runner never pays.
     */
    PgConnectionFactory pgConnections(String database) {
        return POOLS.computeIfAbsent(pgJdbcUrl(database) + " " + pgUser, k -> PgConnectionFactory.pooled(
                PgConnectionSettings.of(pgHost, pgPort, database, pgUser, pgPassword), "echodb-bench",
                PgPoolSettings.defaults()));
    }

    private static final Map<String, PgConnectionFactory> POOLS = new ConcurrentHashMap<>();

    ClickHouseGateway clickHouse(String database) {
        return new ClickHouseGateway(ClickHouseSettings.of(chHost, chPort, database, chUser, chPassword));
    }

    /** A ClickHouse sink and the gateway it writes through (close the gateway when done). */
    record Sink(ClickHouseGateway gateway, ClickHouseChangeSink sink) { }

    /** Fenced like a leader's sink in the runner (conditional inserts), so the figures are what users get. */
    Sink clickHouseSink(String database) {
        ClickHouseGateway g = clickHouse(database);
        return new Sink(g, new ClickHouseChangeSink(g).fencedBy("bench:" + database, 1));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null) {
            throw new IllegalStateException("environment variable " + name + " is not set (child processes get it from the orchestrator)");
        }
        return v;
    }
}
