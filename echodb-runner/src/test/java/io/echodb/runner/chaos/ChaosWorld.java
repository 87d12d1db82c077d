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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One isolated world for a chaos run: a fresh PostgreSQL database and a fresh ClickHouse database on the shared real
 * test services, and one current EchoDB worker (the full runner: control plane, native engine, HTTP API;
 * LEADERSHIP=postgres, so a new worker takes over only after the old one let go of the advisory lock), plus, after a
 * leader change, a second one (the former leader, now a follower) until the round ends. Every worker reaches both
 * databases through its own pair of {@link TcpProxy}s, so it can be stopped gracefully or killed the way a process
 * dies, and its ClickHouse can be stalled or cut while it runs. Faults that last a while end by themselves (timer) or
 * at the latest in {@link #endFaults()}. (Settings as the e2e tests' {@code Stack}: short intervals so that things
 * settle in seconds.)
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
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    /** The worker the checks ask (the leader, or the one that will lead). */
    private Worker current;
    /** A second running worker: the former leader of a leader change, now a follower; stopped when the round ends. */
    private Worker standby;
    private int started;
    private Connection application;

    /** One worker process: the application and the proxies it reaches PostgreSQL and ClickHouse through. */
    private record Worker(String id, EchoDbApplication app, TcpProxy pgProxy, TcpProxy chProxy) {
    }

    /** What {@link #changeLeader} did; {@code failure} is null when the follower took over in time. */
    record LeaderChange(String description, long takeoverMillis, String failure) {
    }

    /** A fault in effect until {@code endsAtNanos}; {@link #end} undoes it once. */
    private static final class Fault {
        final String what;
        final Runnable undo;
        final long endsAtNanos;
        final AtomicBoolean ended = new AtomicBoolean();

        Fault(String what, Runnable undo, long endsAtNanos) {
            this.what = what;
            this.undo = undo;
            this.endsAtNanos = endsAtNanos;
        }

        boolean end(String how) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            undo.run();
            LOG.info("chaos fault ended {}: {}", how, what);
            return true;
        }
    }

    ChaosWorld(String prefix) {
        this.pgDb = pg.createDatabase(prefix);
        this.chDb = ch.createDatabase(prefix);
        this.slot = ("slot_" + pgDb).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        LOG.info("chaos world: PostgreSQL database {}, ClickHouse database {}, slot {}", pgDb, chDb, slot);
    }

    // ------------------------------------------------------------------ workers

    /**
     * Table settings every chaos worker runs with, so the differential test covers them: mirrors of {@code t1*} leave
     * out {@code c2} and are partitioned, mirrors of {@code t2*} purge deleted rows physically after one second (cleanup
     * merges racing copies, replays and resyncs). A renamed table moves between the rules, and its mirror is re-created.
     */
    static final String TABLES_FILE = """
            - match: "public.t1*"
              exclude_columns: [c2]
              partition_by: intDiv(id, 500)
            - match: "public.t2*"
              order_by: [id]
              deletes: hard
              purge_after: 1
            """;

    /** The columns {@link #TABLES_FILE} leaves out of {@code table}'s mirror. */
    static Set<String> excludedColumns(String table) {
        return table.startsWith("t1") ? Set.of("c2") : Set.of();
    }

    private static String tablesFile() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("chaos-tables-", ".yaml");
            java.nio.file.Files.writeString(file, TABLES_FILE);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write the chaos table settings", e);
        }
    }

    private Map<String, String> env(String workerId, TcpProxy pgProxy, TcpProxy chProxy) {
        Map<String, String> env = new HashMap<>();
        env.put("ECHODB_TABLES_FILE", tablesFile());
        env.put("KEYLESS_TABLES", "full");
        // one-page copy ranges: the small chaos tables are copied in ranges, so kills leave copies half done to resume
        env.put("SNAPSHOT_RANGE_MIN_PAGES", "1");
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
        // chaos.capture=catalog runs the rounds with DDL captured by the catalog sweep instead of event triggers
        env.put("DDL_CAPTURE", System.getProperty("chaos.capture", "auto"));
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
        endFaults();
        current = launch();
    }

    private Worker launch() {
        int n = ++started;
        TcpProxy pgProxy = TcpProxy.start("w" + n + "-pg", pg.host(), pg.port());
        TcpProxy chProxy = TcpProxy.start("w" + n + "-ch", ch.host(), ch.port());
        proxies.add(pgProxy);
        proxies.add(chProxy);
        String id = "chaos-worker-" + n;
        EchoDbConfig config = EchoDbConfig.from(ConfigSource.of(env(id, pgProxy, chProxy)), () -> "unused");
        EchoDbApplication app = EchoDbApplication.start(config);
        apps.add(app);
        return new Worker(id, app, pgProxy, chProxy);
    }

    /**
     * Graceful shutdown of the running worker (buffers flushed, lease released). With {@code processExits} its
     * connections are then closed, as when the process ends after close(); without, the worker stays in this JVM as an
     * embedding application's would.
     */
    void stopWorker(boolean processExits) {
        Worker w = requireCurrent();
        endFaults();
        current = null;
        w.app().close();
        if (processExits) {
            w.pgProxy().kill();
            w.chProxy().kill();
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
        Worker w = requireCurrent();
        endFaults();
        current = null;
        kill(w);
    }

    private void kill(Worker w) {
        w.pgProxy().kill();
        w.chProxy().kill();
        Thread t = new Thread(w.app()::halt, "chaos-halt-killed-worker");
        t.setDaemon(true);
        t.start();
        halting.add(t);
    }

    private Worker requireCurrent() {
        if (current == null) {
            throw new IllegalStateException("no worker is running");
        }
        return current;
    }

    private EchoDbApplication requireWorker() {
        return requireCurrent().app();
    }

    // ------------------------------------------------------------------ faults while the worker runs

    /** Stalls the current worker's ClickHouse connections (open, silent) for {@code millis}; returns at once. */
    String stallClickHouse(long millis) {
        Worker w = requireCurrent();
        return timed("ClickHouse stalled for " + w.id(), millis, w.chProxy()::pause, w.chProxy()::resume);
    }

    /** Resets the current worker's ClickHouse connections and refuses new ones for {@code millis}; returns at once. */
    String cutClickHouse(long millis) {
        Worker w = requireCurrent();
        return timed("ClickHouse cut for " + w.id(), millis, w.chProxy()::cut, w.chProxy()::restore);
    }

    /** Resets the current worker's PostgreSQL connections (replication too) and refuses new ones for {@code millis}. */
    String cutPostgres(long millis) {
        Worker w = requireCurrent();
        return timed("PostgreSQL cut for " + w.id(), millis, w.pgProxy()::cut, w.pgProxy()::restore);
    }

    /** Whether {@link #restartPostgres} restarts the real server (false: an external server; it cuts instead). */
    boolean canRestartPostgres() {
        return pg.supportsRestart();
    }

    /**
     * Restarts the real PostgreSQL server while the worker runs: fast shutdown, {@code downMillis} down, start (same
     * port and data); returns when it accepts connections again. The application's connection is replaced (the
     * restart ended its session; none of its statements ran meanwhile). Without a restartable server (external), the
     * worker's PostgreSQL connections are cut for {@code downMillis} + 2 s instead.
     */
    String restartPostgres(long downMillis) {
        requireCurrent();
        if (!pg.supportsRestart()) {
            return "the PostgreSQL server cannot be restarted from the test (" + pg.describe() + "), so: "
                    + cutPostgres(downMillis + 2000);
        }
        long t0 = System.nanoTime();
        pg.stop();
        long stopped = System.nanoTime();
        sleep(downMillis);
        pg.start();
        long up = System.nanoTime();
        dropApplicationConnection();
        String done = "PostgreSQL restarted: fast shutdown in " + (stopped - t0) / 1_000_000 + " ms, down "
                + (up - stopped) / 1_000_000 + " ms";
        LOG.info("chaos fault: {}", done);
        return done;
    }

    /** Applies a fault that {@code undo} ends after {@code millis}; a fault still in effect is ended first. */
    private String timed(String what, long millis, Runnable apply, Runnable undo) {
        endTimedFaults(false, "early: another fault begins");
        Fault f = new Fault(what, undo, System.nanoTime() + millis * 1_000_000);
        apply.run();
        faults.add(f);
        LOG.info("chaos fault for {} ms: {}", millis, what);
        Thread t = new Thread(() -> {
            sleep(millis);
            f.end("after " + millis + " ms");
            faults.remove(f);
        }, "chaos-fault-timer");
        t.setDaemon(true);
        t.start();
        return what + " for " + millis + " ms";
    }

    /**
     * Ends every fault still in effect at once and stops the second worker of a leader change, if any (before a worker
     * is stopped, killed or started, or the leader changes). Returns how many faults were ended early.
     */
    int endFaults() {
        int early = endTimedFaults(false, "early: a worker is stopped, killed or started");
        retireStandby();
        return early;
    }

    /**
     * When a round ends: waits until the faults still in effect end by themselves (at most the few seconds each has
     * left), then stops the second worker of a leader change, if any. Returns how many faults were waited for.
     */
    int finishFaults() {
        int waited = endTimedFaults(true, "as planned, at the end of the round");
        retireStandby();
        return waited;
    }

    private int endTimedFaults(boolean waitForPlannedEnd, String how) {
        int n = 0;
        for (Fault f : faults) {
            if (waitForPlannedEnd) {
                long left = f.endsAtNanos - System.nanoTime();
                if (left > 0 && !f.ended.get()) {
                    sleep(left / 1_000_000 + 1);
                }
            }
            if (f.end(how)) {
                n++;
            }
        }
        faults.clear();
        return n;
    }

    /**
     * Leader change: a second worker (a follower) joins; once exactly one of the two leads, that leader is stopped
     * gracefully ({@code stop}), killed ({@code kill}) or stalled ({@code stall}: both its proxies paused), and the
     * other must lead within {@code bound}. A stalled former leader is let go on once the other leads (or the bound
     * passed) and stays in the world as a follower until {@link #endFaults()}. The new leader is the current worker.
     */
    LeaderChange changeLeader(String how, Duration bound) {
        Worker old = requireCurrent();
        endFaults();
        Worker joined = launch();
        long deadline = System.nanoTime() + bound.toNanos();
        Worker leader = null;
        while (leader == null && System.nanoTime() < deadline) {
            boolean a = old.app().isLeader();
            boolean b = joined.app().isLeader();
            if (a != b) {
                leader = a ? old : joined;
            } else {
                sleep(100);
            }
        }
        if (leader == null) {
            // keep the world usable: the one that started first stays current, the other is stopped at round end
            current = old;
            standby = joined;
            return new LeaderChange("no leader change", -1, "of the workers " + old.id() + " and " + joined.id()
                    + " not exactly one acted as the leader within " + bound.toSeconds() + " s (leader flags "
                    + old.app().isLeader() + ", " + joined.app().isLeader() + ")");
        }
        Worker follower = leader == old ? joined : old;
        long t0 = System.nanoTime();
        switch (how) {
            case "stop" -> {
                leader.app().close();
                leader.pgProxy().kill();
                leader.chProxy().kill();
            }
            case "kill" -> kill(leader);
            case "stall" -> {
                leader.pgProxy().pause();
                leader.chProxy().pause();
            }
            default -> throw new IllegalArgumentException("unknown way for the leader to go: " + how);
        }
        long faulted = System.nanoTime();
        deadline = faulted + bound.toNanos();
        while (!follower.app().isLeader() && System.nanoTime() < deadline) {
            sleep(100);
        }
        boolean tookOver = follower.app().isLeader();
        long takeover = (System.nanoTime() - faulted) / 1_000_000;
        String stuck = tookOver ? null : diagnostics(); // before a stalled leader is let go on
        String gone = switch (how) {
            case "stop" -> "stopped gracefully (in " + (faulted - t0) / 1_000_000 + " ms)";
            case "kill" -> "killed";
            default -> "stalled (both proxies paused)";
        };
        String what = "leader " + leader.id() + " " + gone + "; follower " + follower.id()
                + (tookOver ? " led " + takeover + " ms later" : " did not lead within " + bound.toSeconds() + " s");
        if (how.equals("stall")) {
            sleep(ThreadLocalRandom.current().nextLong(2000));
            leader.pgProxy().resume();
            leader.chProxy().resume();
            standby = leader;
            what += "; the stalled former leader runs on as a follower";
        }
        current = follower;
        LOG.info("chaos leader change: {}", what);
        return new LeaderChange(what, tookOver ? takeover : -1, tookOver ? null
                : "the leader " + leader.id() + " was " + gone + ", but the follower " + follower.id()
                + " did not take over within " + bound.toSeconds() + " s (isLeader() false: leadership not acted on)\n" + stuck);
    }

    /** Stops the second worker of a leader change gracefully, as its process would end. */
    private void retireStandby() {
        Worker w = standby;
        if (w == null) {
            return;
        }
        standby = null;
        if (w.app().isLeader()) {
            LOG.warn("chaos: the former leader {} leads again when it is retired", w.id());
        }
        Thread closer = new Thread(w.app()::close, "chaos-close-standby");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warn("chaos: closing the former leader {} took more than 30 s; its connections are reset", w.id());
            halting.add(closer);
        }
        w.pgProxy().kill();
        w.chProxy().kill();
    }

    /**
     * What the PostgreSQL sessions of the test database do and wait for (and which sessions block them), and where the
     * workers' threads are (same JVM), for violation reports.
     */
    String diagnostics() {
        StringBuilder sb = new StringBuilder("  PostgreSQL sessions (not idle):\n");
        try (Connection c = postgres(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pid, application_name, backend_type, state, wait_event_type,"
                     + " wait_event, now() - xact_start, pg_blocking_pids(pid)::text, left(query, 200) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'")) {
            while (rs.next()) {
                sb.append("    pid ").append(rs.getInt(1)).append(' ').append(rs.getString(2)).append(" (").append(rs.getString(3))
                        .append(") ").append(rs.getString(4)).append(" wait ").append(rs.getString(5)).append('/')
                        .append(rs.getString(6)).append(" in a transaction for ").append(rs.getString(7)).append(", blocked by ")
                        .append(rs.getString(8)).append(": ").append(rs.getString(9)).append('\n');
            }
        } catch (SQLException | RuntimeException e) {
            sb.append("    (cannot read pg_stat_activity: ").append(e.getMessage()).append(")\n");
        }
        sb.append("  EchoDB threads:\n");
        Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("echodb-") && e.getKey().isAlive())
                .sorted((a, b) -> a.getKey().getName().compareTo(b.getKey().getName()))
                .forEach(e -> {
                    sb.append("    \"").append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
                    StackTraceElement[] frames = e.getValue();
                    for (int i = 0; i < Math.min(frames.length, 14); i++) {
                        sb.append("      at ").append(frames[i]).append('\n');
                    }
                });
        return sb.toString();
    }

    /** Whether the current worker acts as the leader now. */
    boolean currentLeads() {
        return current != null && current.app().isLeader();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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

    /** Forgets the application's connection (its session ended with a server restart); the next use opens a new one. */
    private void dropApplicationConnection() {
        if (application != null) {
            try {
                application.close();
            } catch (SQLException ignored) {
                // already broken
            }
            application = null;
        }
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
        for (Fault f : faults) {
            f.end("at the end of the run");
        }
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
