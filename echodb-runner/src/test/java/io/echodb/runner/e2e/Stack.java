package io.echodb.runner.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.adapters.redis.testing.RedisTestService;
import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.config.ConfigSource;
import io.echodb.runner.config.EchoDbConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One isolated end-to-end environment: a fresh PostgreSQL database and a fresh ClickHouse database on the shared real
 * test services (plus Redis when asked), and helpers to start EchoDB workers against them and to look at both sides.
 */
final class Stack implements AutoCloseable {

    static final String ADMIN_TOKEN = "e2e-admin-token-0123456789";

    final PostgresTestService pg = PostgresTestService.get();
    final ClickHouseTestService ch = ClickHouseTestService.get();
    final String db;
    final String chDb;
    final String slot;
    private final List<EchoDbApplication> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    Stack(String prefix) {
        this.db = pg.createDatabase(prefix);
        this.chDb = ch.createDatabase(prefix);
        // replication slots are cluster-wide: one per test database
        this.slot = ("slot_" + db).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** Settings for a worker: small intervals so tests run in seconds. */
    Map<String, String> env(String workerId, String leadership) {
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_HOST", pg.host());
        env.put("POSTGRES_PORT", Integer.toString(pg.port()));
        env.put("POSTGRES_USER", pg.user());
        env.put("POSTGRES_PASSWORD", pg.password());
        env.put("POSTGRES_DB", db);
        env.put("CLICKHOUSE_URL", ch.jdbcUrl(chDb));
        env.put("CLICKHOUSE_USER", ch.user());
        env.put("CLICKHOUSE_PASSWORD", ch.password());
        env.put("ECHODB_SLOT_NAME", slot);
        env.put("SYNC_SCHEMA", "public");
        env.put("EXCLUDED_TABLES", "temp_*,spatial_ref_sys");
        env.put("LEADERSHIP", leadership);
        env.put("LEADER_LOCK_NAME", "echodb:e2e:" + db + ":leader_lock");
        env.put("WORKER_ID", workerId);
        env.put("LEADER_ELECTION_TTL", "3");
        env.put("LEADER_ELECTION_INTERVAL", "1");
        env.put("RECONCILE_INTERVAL", "2");
        env.put("DDL_POLL_INTERVAL", "0.5");
        env.put("CONSISTENCY_CHECK_INTERVAL", "3600");
        env.put("MAX_RETRIES", "1");
        env.put("RETRY_DELAY", "0.2");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", "0");
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        if (leadership.equals("redis")) {
            RedisTestService redis = RedisTestService.get();
            env.put("REDIS_HOST", redis.host());
            env.put("REDIS_PORT", Integer.toString(redis.port()));
        }
        return env;
    }

    EchoDbApplication start(Map<String, String> env) {
        EchoDbConfig config = EchoDbConfig.from(ConfigSource.of(env), () -> "unused");
        EchoDbApplication app = EchoDbApplication.start(config);
        apps.add(app);
        return app;
    }

    // ------------------------------------------------------------------ PostgreSQL side

    void sql(String... statements) {
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    long pgLong(String query) {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of a query on the PostgreSQL test database, each as a list of strings. */
    List<List<String>> pgRows(String query) {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            List<List<String>> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                List<String> row = new java.util.ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ ClickHouse side

    /** Runs a statement on the ClickHouse test database (e.g. a change behind EchoDB's back). */
    void chExecute(String statement) {
        try (Connection c = ch.connect(chDb); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("ClickHouse statement failed: " + statement + ": " + e.getMessage(), e);
        }
    }

    /** Rows of a query on the ClickHouse test database, each as a list of strings. */
    List<List<String>> chRows(String query) {
        try (Connection c = ch.connect(chDb); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("ClickHouse query failed: " + query + ": " + e.getMessage(), e);
        }
    }

    boolean chTableExists(String table) {
        return !chRows("SELECT name FROM system.tables WHERE database = '" + chDb + "' AND name = '" + table + "'").isEmpty();
    }

    /** The current rows of a mirrored table as ClickHouse shows them with FINAL, ordered by id. */
    List<List<String>> chFinal(String table, String columns) {
        return chRows("SELECT " + columns + " FROM `" + chDb + "`.`" + table + "` FINAL ORDER BY id");
    }

    long chCount(String table) {
        return Long.parseLong(chRows("SELECT count() FROM `" + chDb + "`.`" + table + "` FINAL").get(0).get(0));
    }

    // ------------------------------------------------------------------ HTTP

    JsonNode get(EchoDbApplication app, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(r.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("_status", r.statusCode());
            return body;
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        }
    }

    String getText(EchoDbApplication app, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        }
    }

    List<String> mirrorNames(EchoDbApplication app) {
        List<String> names = new ArrayList<>();
        get(app, "/mirrors").get("mirrors").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    /** Stops every worker still running (gracefully) and drops the test databases. */
    @Override
    public void close() {
        for (EchoDbApplication app : apps) {
            app.close();
        }
        try {
            pg.dropDatabase(db);
        } catch (RuntimeException e) {
            // a leftover database only costs disk in the test server
        }
        try (Connection c = ch.connect("default"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + chDb + "`");
        } catch (SQLException | RuntimeException e) {
            // same
        }
    }

    static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }
}
