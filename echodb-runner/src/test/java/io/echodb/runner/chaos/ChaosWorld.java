package io.echodb.runner.chaos;

import io.echodb.runner.testing.TcpProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.config.ConfigSource;
import io.echodb.runner.config.EchoDbConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One isolated world for a chaos run: a fresh PostgreSQL database and a fresh ClickHouse database on the shared real
 * test services, and at most one running EchoDB worker (the full runner: control plane, native engine, HTTP API;
 * LEADERSHIP=postgres, so a new worker takes over only after the old one let go of the advisory lock). Every worker
 * reaches both databases through its own pair of {@link TcpProxy}s, so it can be stopped gracefully or killed
 * the way a process dies. (Settings as the e2e tests' {@code Stack}: short intervals so that things settle in seconds.)
 */
final class ChaosWorld implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosWorld.class);
    static final String ADMIN_TOKEN = "chaos-admin-token-0123456789";

    final PostgresTestService pg = PostgresTestService.get();
    final ClickHouseTestService ch = ClickHouseTestService.get();
    final String pgDb;
    final String chDb;
    final String slot;
    private final List<EchoDbApplication> apps = new ArrayList<>();
    private final List<TcpProxy> proxies = new ArrayList<>();
    private final List<Thread> halting = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private EchoDbApplication current;
    private TcpProxy currentPgProxy;
    private TcpProxy currentChProxy;
    private int started;
    private Connection application;

    ChaosWorld(String prefix) {
        this.pgDb = pg.createDatabase(prefix);
        this.chDb = ch.createDatabase(prefix);
        this.slot = ("slot_" + pgDb).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        LOG.info("chaos world: PostgreSQL database {}, ClickHouse database {}, slot {}", pgDb, chDb, slot);
    }

    // ------------------------------------------------------------------ workers

    private Map<String, String> env(String workerId, TcpProxy pgProxy, TcpProxy chProxy) {
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_HOST", pgProxy.host());
        env.put("POSTGRES_PORT", Integer.toString(pgProxy.port()));
        env.put("POSTGRES_USER", pg.user());
        env.put("POSTGRES_PASSWORD", pg.password());
        env.put("POSTGRES_DB", pgDb);
        env.put("CLICKHOUSE_URL", "jdbc:clickhouse:http://" + chProxy.host() + ":" + chProxy.port() + "/" + chDb + "?compress=0");
        env.put("CLICKHOUSE_USER", ch.user());
        env.put("CLICKHOUSE_PASSWORD", ch.password());
        env.put("ECHODB_SLOT_NAME", slot);
        env.put("SYNC_SCHEMA", "public");
        env.put("EXCLUDED_TABLES", "temp_*");
        env.put("LEADERSHIP", "postgres");
        env.put("LEADER_LOCK_NAME", "echodb:chaos:" + pgDb + ":leader_lock");
        env.put("WORKER_ID", workerId);
        env.put("LEADER_ELECTION_TTL", "3");
        env.put("LEADER_ELECTION_INTERVAL", "1");
        env.put("RECONCILE_INTERVAL", "2");
        env.put("DDL_POLL_INTERVAL", "0.5");
        env.put("CONSISTENCY_CHECK_INTERVAL", "3600");
        env.put("CONSISTENCY_MODE", "checksum");
        env.put("MAX_RETRIES", "1");
        env.put("RETRY_DELAY", "0.2");
        env.put("BATCH_MAX_AGE_MS", "100");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", "0");
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        return env;
    }

    boolean workerRunning() {
        return current != null;
    }

    int workersStarted() {
        return started;
    }

    /** Starts a new worker (the previous one must be stopped or killed). */
    void startWorker() {
        if (current != null) {
            throw new IllegalStateException("a worker is already running");
        }
        int n = ++started;
        TcpProxy pgProxy = TcpProxy.start("w" + n + "-pg", pg.host(), pg.port());
        TcpProxy chProxy = TcpProxy.start("w" + n + "-ch", ch.host(), ch.port());
        proxies.add(pgProxy);
        proxies.add(chProxy);
        EchoDbConfig config = EchoDbConfig.from(ConfigSource.of(env("chaos-worker-" + n, pgProxy, chProxy)), () -> "unused");
        EchoDbApplication app = EchoDbApplication.start(config);
        apps.add(app);
        current = app;
        currentPgProxy = pgProxy;
        currentChProxy = chProxy;
    }

    /**
     * Graceful shutdown of the running worker (buffers flushed, lease released). With {@code processExits} its
     * connections are then closed, as when the process ends after close(); without, the worker stays in this JVM as an
     * embedding application's would.
     */
    void stopWorker(boolean processExits) {
        EchoDbApplication app = requireWorker();
        current = null;
        app.close();
        if (processExits) {
            currentPgProxy.kill();
            currentChProxy.kill();
        }
    }

    /** The PID of the walsender holding the slot, or null when the slot is free (or absent). */
    Integer slotHolder() {
        try (Connection c = postgres(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            if (rs.next()) {
                int pid = rs.getInt(1);
                return rs.wasNull() ? null : pid;
            }
            return null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kills the running worker: every connection it has to PostgreSQL and ClickHouse is reset at once and it can never
     * reach them again; its threads are then halted in the background (they can only fail from now on).
     */
    void killWorker() {
        EchoDbApplication app = requireWorker();
        current = null;
        currentPgProxy.kill();
        currentChProxy.kill();
        Thread t = new Thread(app::halt, "chaos-halt-killed-worker");
        t.setDaemon(true);
        t.start();
        halting.add(t);
    }

    private EchoDbApplication requireWorker() {
        if (current == null) {
            throw new IllegalStateException("no worker is running");
        }
        return current;
    }

    // ------------------------------------------------------------------ HTTP

    /** GET on the running worker; the body as JSON with "_status" added. */
    JsonNode get(String path) {
        EchoDbApplication app = requireWorker();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                    .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(r.body());
            if (body instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                o.put("_status", r.statusCode());
            }
            return body;
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        }
    }

    /** The mirrors the running worker reports. */
    JsonNode mirrors() {
        return get("/mirrors");
    }

    /** GET /verify for one table in checksum mode. */
    JsonNode verify(String schema, String table) {
        return get("/verify?mode=checksum&schema=" + encode(schema) + "&table=" + encode(table));
    }

    /**
     * POST /mirrors/{name}/resync; returns "status: body". A worker that does not act as the leader yet (409) or has
     * not created the mirror yet (404) is asked again for up to 15 s.
     */
    String resync(String mirror) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String answer = postResync(mirror);
        while ((answer.startsWith("409") || answer.startsWith("404")) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
            answer = postResync(mirror);
        }
        return answer;
    }

    private String postResync(String mirror) {
        EchoDbApplication app = requireWorker();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
                            + "/mirrors/" + encode(mirror) + "/resync")).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + ": " + r.body();
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ connections

    /**
     * The application's connection: autocommit, and a lock timeout, so that EchoDB holding a lock the application
     * waits on for long (invariant I2) makes the application's statement fail instead of hanging the run.
     */
    Connection application() throws SQLException {
        if (application == null || application.isClosed()) {
            application = pg.connect(pgDb);
            try (Statement st = application.createStatement()) {
                st.execute("SET lock_timeout = '20s'");
                st.execute("SET statement_timeout = '180s'");
            }
        }
        return application;
    }

    Connection postgres() {
        return pg.connect(pgDb);
    }

    Connection clickhouse() throws SQLException {
        return ch.connect(chDb);
    }

    // ------------------------------------------------------------------ cleanup

    @Override
    public void close() {
        List<Thread> closers = new ArrayList<>();
        for (EchoDbApplication app : apps) {
            Thread t = new Thread(app::close, "chaos-close-worker");
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        closers.addAll(halting);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        proxies.forEach(TcpProxy::close);
        if (application != null) {
            try {
                application.close();
            } catch (SQLException ignored) {
                // going away
            }
        }
        try {
            pg.dropDatabase(pgDb);
        } catch (RuntimeException e) {
            LOG.warn("could not drop PostgreSQL database {}: {}", pgDb, e.toString());
        }
        try (Connection c = ch.connect("default"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + chDb + "`");
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not drop ClickHouse database {}: {}", chDb, e.toString());
        }
    }
}
