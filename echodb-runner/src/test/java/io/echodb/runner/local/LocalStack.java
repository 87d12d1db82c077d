package io.echodb.runner.local;

import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.core.model.MirrorStatus;
import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.logging.LogLevels;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The README's main job: a local end-to-end stack without Docker. Starts an embedded PostgreSQL 17 and the local
 * ClickHouse engine (the same services the tests use), loads the seed's sample tables, runs EchoDB with the native
 * engine, shows the tables mirrored, then keeps running and reports every newly mirrored table.
 * Run it with {@code ./run-local-stack.sh}.
 */
public final class LocalStack {

    private static final List<String> SAMPLE_TABLES = List.of("users", "products", "orders", "order_items");
    private static final Duration MIRROR_WAIT = Duration.ofMinutes(3);

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Path root = repositoryRoot();
        say("starting embedded PostgreSQL 17 (wal_level=logical) ...");
        PostgresTestService pg = PostgresTestService.get();
        String pgDb = "echodb";
        createPostgresDatabase(pg, pgDb);
        say("starting the local ClickHouse engine (chDB behind ClickHouse's HTTP interface) ...");
        ClickHouseTestService ch = ClickHouseTestService.get();
        String chDb = "echodb";
        try (Connection c = ch.connect("default"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS `" + chDb + "`");
        }
        loadSampleData(pg, pgDb, root.resolve("compose/postgres-init"));

        int httpPort = freePortPreferring(8080);
        String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POSTGRES_HOST", pg.host());
        env.put("POSTGRES_PORT", Integer.toString(pg.port()));
        env.put("POSTGRES_USER", pg.user());
        env.put("POSTGRES_PASSWORD", pg.password());
        env.put("POSTGRES_DB", pgDb);
        env.put("CLICKHOUSE_URL", ch.jdbcUrl(chDb));
        env.put("CLICKHOUSE_USER", ch.user());
        env.put("CLICKHOUSE_PASSWORD", ch.password());
        env.put("CLICKHOUSE_DATABASE", chDb);
        env.put("MIRROR_ENGINE", "native");
        env.put("LEADERSHIP", "none");
        env.put("WORKER_ID", "local-1");
        env.put("SYNC_SCHEMA", "public");
        env.put("HTTP_PORT", Integer.toString(httpPort));
        env.put("ADMIN_TOKEN", adminToken);
        env.put("RECONCILE_INTERVAL", "30");
        env.put("LOG_LEVEL", System.getenv().getOrDefault("LOG_LEVEL", "WARN"));
        say("starting EchoDB (native engine) ...");
        EchoDbConfig config = EchoDbConfig.load(env, root);
        LogLevels.apply(config.logLevel());
        EchoDbApplication app = EchoDbApplication.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "local-stack-shutdown"));

        waitForSampleMirrors(pg, pgDb, ch, chDb);
        printBanner(pg, pgDb, ch, chDb, httpPort, adminToken);
        watchNewMirrors(app, ch, chDb);
    }

    private static void createPostgresDatabase(PostgresTestService pg, String db) throws SQLException {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE \"" + db + "\"");
                }
            }
        }
    }

    private static void loadSampleData(PostgresTestService pg, String db, Path initDir) throws IOException, SQLException {
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('public.users') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    say("sample tables already present");
                    return;
                }
            }
            try (var files = Files.list(initDir)) {
                for (Path sql : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                    say("loading " + initDir.getFileName() + "/" + sql.getFileName());
                    st.execute(Files.readString(sql, StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void waitForSampleMirrors(PostgresTestService pg, String pgDb, ClickHouseTestService ch, String chDb)
            throws Exception {
        Instant deadline = Instant.now().plus(MIRROR_WAIT);
        Map<String, long[]> counts = new LinkedHashMap<>();
        while (true) {
            boolean all = true;
            for (String table : SAMPLE_TABLES) {
                long source = count(pg.connect(pgDb), "SELECT count(*) FROM public.\"" + table + "\"");
                long target = clickHouseCount(ch, chDb, table);
                counts.put(table, new long[] {source, target});
                all &= source == target;
            }
            if (all) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                say("WARNING: the sample tables are not all mirrored after " + MIRROR_WAIT.toSeconds() + " s; see /mirrors");
                break;
            }
            Thread.sleep(500);
        }
        say("");
        say("  table         PostgreSQL   ClickHouse (FINAL)");
        counts.forEach((t, c) -> say(String.format("  %-12s %11d %12d", t, c[0], c[1])));
        say("");
        try (Connection c = ch.connect(chDb); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, email, full_name, country FROM `users` FINAL ORDER BY id LIMIT 3")) {
            say("  ClickHouse> SELECT id, email, full_name, country FROM users FINAL ORDER BY id LIMIT 3");
            while (rs.next()) {
                say(String.format("    %d | %s | %s | %s", rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
    }

    private static long clickHouseCount(ClickHouseTestService ch, String db, String table) {
        try (Connection c = ch.connect(db)) {
            return count(c, "SELECT count() FROM `" + table + "` FINAL");
        } catch (Exception notYetCreated) {
            return -1;
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void printBanner(PostgresTestService pg, String pgDb, ClickHouseTestService ch, String chDb,
            int httpPort, String adminToken) {
        String psql = String.format("psql \"postgresql://%s:%s@%s:%d/%s\"", pg.user(), pg.password(), pg.host(), pg.port(), pgDb);
        say("EchoDB local stack is running. Try it:");
        say("");
        say("  PostgreSQL   " + psql);
        say("  ClickHouse   " + ch.httpUrl() + "  (user " + ch.user() + ", password " + ch.password() + ", database " + chDb + ")");
        say("               curl -u " + ch.user() + ":" + ch.password() + " '" + ch.httpUrl()
                + "/?database=" + chDb + "' --data-binary 'SELECT * FROM users FINAL LIMIT 5'");
        say("  JDBC         " + ch.jdbcUrl(chDb));
        say("  Console      http://127.0.0.1:" + httpPort + "/   (open it in a browser; give it the admin token below for actions)");
        say("  EchoDB API   http://127.0.0.1:" + httpPort + "/health  /ready  /metrics  /metrics/prometheus  /mirrors  /verify-all");
        say("               admin token for POST /mirrors/{name}/pause|resume|resync: " + adminToken);
        say("");
        say("  Create a table and watch it appear in ClickHouse:");
        say("    " + psql + " -c \"CREATE TABLE public.reviews (id bigint PRIMARY KEY, body text); INSERT INTO public.reviews VALUES (1, 'great');\"");
        say("");
        say("Press Ctrl-C to stop (the data lives only as long as this process).");
    }

    private static void watchNewMirrors(EchoDbApplication app, ClickHouseTestService ch, String chDb) throws InterruptedException {
        Set<String> seen = new TreeSet<>();
        app.mirrors().list().forEach(m -> seen.add(m.name().value()));
        while (true) {
            Thread.sleep(2000);
            List<MirrorStatus> mirrors;
            try {
                mirrors = app.mirrors().list();
            } catch (RuntimeException e) {
                say("(could not list mirrors: " + e.getMessage() + ")");
                continue;
            }
            for (MirrorStatus m : mirrors) {
                if (seen.add(m.name().value())) {
                    say("new mirror " + m.name() + ": " + m.spec().source() + " -> " + chDb + "." + m.spec().targetTable()
                            + " [" + m.state() + (m.lastError() == null ? "" : ": " + m.lastError()) + "]");
                }
            }
            seen.retainAll(mirrors.stream().map(m -> m.name().value()).toList());
        }
    }

    private static int freePortPreferring(int preferred) throws IOException {
        try (ServerSocket s = new ServerSocket(preferred)) {
            return preferred;
        } catch (IOException busy) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("compose/postgres-init"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from inside the EchoDB repository (compose/postgres-init not found)");
        }
        return dir;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
