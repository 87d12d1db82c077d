package io.echodb.adapters.clickhouse.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import io.echodb.core.testing.services.FreePorts;
import io.echodb.core.testing.services.RunDirectories;
import io.echodb.core.testing.services.Waits;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.clickhouse.ClickHouseContainer;

/**
 * A real ClickHouse for tests, shared by every test class of a JVM and stopped when the JVM exits.
 *
 * <p>Where it comes from, in this order:
 * <ol>
 *   <li>{@code ECHODB_TEST_CLICKHOUSE_URL} ({@code http://host:port}), with {@code ECHODB_TEST_CLICKHOUSE_USER} and
 *       {@code ECHODB_TEST_CLICKHOUSE_PASSWORD}: an already running server;</li>
 *   <li>Docker, when available: {@value #DOCKER_IMAGE} through Testcontainers;</li>
 *   <li>otherwise the repository's chDB-backed server, {@code compose/local/clickhouse-http.mjs}, run with Node.js
 *       (chDB is installed by {@code compose/local/install.sh} on first use).</li>
 * </ol>
 * When none of them works, {@link #get()} fails with an explanation: tests that need ClickHouse never skip.
 */
public final class ClickHouseTestService {

    public static final String DOCKER_IMAGE = "clickhouse/clickhouse-server:25.3";

    private static final String LOCAL_SERVER = "compose/local/clickhouse-http.mjs";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static ClickHouseTestService instance;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String origin;

    private ClickHouseTestService(String host, int port, String user, String password, String origin) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.origin = origin;
    }

    /** The shared instance, started on first use. */
    public static synchronized ClickHouseTestService get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Where this ClickHouse comes from (an external URL, Docker or the local chDB server), for messages. */
    public String origin() {
        return origin;
    }

    public String httpUrl() {
        return "http://" + host + ":" + port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:clickhouse:" + httpUrl() + "/" + database + "?compress=0";
    }

    /** Opens a JDBC connection as the service's user, with {@code database} as the current database. */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** Creates a database no other test uses, named {@code prefix} plus a random suffix, and returns its name. */
    public String createDatabase(String prefix) {
        String name = prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + HexFormat.of().formatHex(randomBytes(6));
        try (Connection connection = connect("default"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name + " on ClickHouse (" + origin + ")", e);
        }
        return name;
    }

    @Override
    public String toString() {
        return "ClickHouse at " + httpUrl() + " (" + origin + ")";
    }

    // ---- starting ------------------------------------------------------------------------------------------------

    private static ClickHouseTestService start() {
        String url = System.getenv("ECHODB_TEST_CLICKHOUSE_URL");
        if (url != null && !url.isBlank()) {
            return external(url.trim());
        }
        List<String> attempts = new ArrayList<>();
        if (dockerAvailable(attempts)) {
            try {
                return docker();
            } catch (RuntimeException e) {
                attempts.add("Docker: " + e);
            }
        }
        try {
            return LocalServer.start();
        } catch (RuntimeException e) {
            attempts.add("local chDB server: " + e.getMessage());
        }
        throw new IllegalStateException("No ClickHouse available for the tests. Tried:\n  - "
                + String.join("\n  - ", attempts)
                + "\nProvide one of: Node.js >= 18 with npm (the tests then run compose/local/clickhouse-http.mjs, "
                + "installing chDB from the npm registry), a running Docker daemon (" + DOCKER_IMAGE + "), "
                + "or ECHODB_TEST_CLICKHOUSE_URL=http://host:port with ECHODB_TEST_CLICKHOUSE_USER/_PASSWORD.");
    }

    private static ClickHouseTestService external(String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() > 0 ? uri.getPort() : 8123;
        String user = System.getenv().getOrDefault("ECHODB_TEST_CLICKHOUSE_USER", "default");
        String password = System.getenv().getOrDefault("ECHODB_TEST_CLICKHOUSE_PASSWORD", "");
        return new ClickHouseTestService(uri.getHost(), port, user, password, "ECHODB_TEST_CLICKHOUSE_URL=" + url);
    }

    private static boolean dockerAvailable(List<String> attempts) {
        try {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return true;
            }
            attempts.add("Docker: no Docker daemon reachable");
        } catch (RuntimeException | LinkageError e) {
            attempts.add("Docker: " + e);
        }
        return false;
    }

    @SuppressWarnings("resource") // stopped by the shutdown hook
    private static ClickHouseTestService docker() {
        String password = HexFormat.of().formatHex(randomBytes(12));
        ClickHouseContainer container = new ClickHouseContainer(DOCKER_IMAGE)
                .withUsername("echodb")
                .withPassword(password);
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "clickhouse-container-stop"));
        return new ClickHouseTestService(container.getHost(), container.getMappedPort(8123), "echodb", password,
                "Docker " + DOCKER_IMAGE);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The chDB-backed server in {@code compose/local}, run as a child process. */
    private static final class LocalServer {

        private static final int PORT_ATTEMPTS = 3;

        static ClickHouseTestService start() {
            Path repo = repositoryRoot();
            Path local = repo.resolve("compose/local");
            install(local);
            Path work = Path.of(System.getProperty("user.dir")).resolve("target/clickhouse-local");
            String password = HexFormat.of().formatHex(randomBytes(12));
            IllegalStateException last = null;
            for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
                try {
                    return launch(local, work, password);
                } catch (IllegalStateException e) {
                    last = e; // most likely the free port was taken in between: try another one
                }
            }
            throw last;
        }

        private static Path repositoryRoot() {
            for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(LOCAL_SERVER))) {
                    return dir;
                }
            }
            throw new IllegalStateException(LOCAL_SERVER + " not found above " + System.getProperty("user.dir"));
        }

        /** Runs install.sh (a no-op when up to date), one JVM at a time. */
        private static void install(Path local) {
            Path lockFile = local.resolve(".install.lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Path log = Files.createTempFile("echodb-chdb-install", ".log");
                Process install = new ProcessBuilder("bash", local.resolve("install.sh").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                boolean done = install.waitFor(10, TimeUnit.MINUTES);
                String output = Files.readString(log);
                Files.deleteIfExists(log);
                if (!done) {
                    install.destroyForcibly();
                    throw new IllegalStateException("compose/local/install.sh did not finish in 10 minutes:\n" + output);
                }
                if (install.exitValue() != 0) {
                    throw new IllegalStateException("compose/local/install.sh failed:\n" + output.strip());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run compose/local/install.sh (is bash installed?): " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while installing chDB", e);
            }
        }

        private static ClickHouseTestService launch(Path local, Path work, String password) {
            int port = FreePorts.pick();
            Path data = work.resolve("data-" + ProcessHandle.current().pid() + "-" + port);
            Path log = work.resolve("server-" + ProcessHandle.current().pid() + "-" + port + ".log");
            Process process;
            try {
                Files.createDirectories(data);
                process = new ProcessBuilder("node", local.resolve("clickhouse-http.mjs").toString(),
                        "--host", "127.0.0.1", "--port", String.valueOf(port), "--data", data.toString(),
                        "--user", "echodb", "--password", password, "--verbose", "--stop-on-stdin-eof")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start node (is Node.js installed?): " + e, e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, data), "clickhouse-local-stop"));
            awaitPing(process, port, log);
            return new ClickHouseTestService("127.0.0.1", port, "echodb", password, "local chDB server, log " + log);
        }

        private static void awaitPing(Process process, int port, Path log) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ping = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping"))
                    .timeout(Duration.ofSeconds(2)).build();
            try {
                Waits.Result result = Waits.until(START_TIMEOUT, Duration.ofMillis(100), process::isAlive, () -> {
                    HttpResponse<String> response = http.send(ping, HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() == 200 && response.body().startsWith("Ok.");
                });
                if (result.ready()) {
                    return;
                }
                if (result.exited()) {
                    throw new IllegalStateException("the local ClickHouse server exited with " + process.exitValue()
                            + ":\n" + tail(log));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
            throw new IllegalStateException("the local ClickHouse server did not answer /ping within "
                    + START_TIMEOUT.toSeconds() + "s:\n" + tail(log));
        }

        private static void stop(Process process, Path data) {
            process.destroy(); // SIGTERM: the server closes its chDB session cleanly
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            RunDirectories.deleteTree(data);
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log at " + log + ")";
            }
        }
    }
}
