package io.echodb.adapters.postgres.testing;

import io.echodb.core.testing.services.Commands;
import io.echodb.core.testing.services.FreePorts;
import io.echodb.core.testing.services.LocalProcess;
import io.echodb.core.testing.services.LogFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (Debian's {@code pgbouncer} package) in <b>transaction</b> pool mode in front of the shared test
 * PostgreSQL (or another test server), started per test class. It authenticates clients with md5 against the test server's user and password.
 * Without the binary the test fails under CI=true (with how to install it) and is aborted elsewhere.
 */
public final class PgBouncerTestService implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final Path log;
    private final int port;
    private final Process process;

    private PgBouncerTestService(Path dir, Path log, int port, Process process) {
        this.dir = dir;
        this.log = log;
        this.port = port;
        this.process = process;
    }

    /** Starts PgBouncer in front of {@code pg} ({@code extraSettings}: more lines for its [pgbouncer] section). */
    public static PgBouncerTestService start(PostgresTestService pg, List<String> extraSettings) {
        return start(pg.host(), pg.port(), pg.user(), pg.password(), extraSettings, Map.of());
    }

    /**
     * Starts PgBouncer in front of the server at {@code host}:{@code port}, for {@code user}; {@code files} are written
     * to its working directory first, so settings can name them relatively (e.g. {@code client_tls_cert_file}).
     */
    public static PgBouncerTestService start(String host, int port, String user, String password,
                                             List<String> extraSettings, Map<String, byte[]> files) {
        String binary = Commands.which("pgbouncer");
        if (binary == null) {
            String how = "the connection-pooler tests need PgBouncer: apt-get install pgbouncer (Debian's package;"
                    + " .ci/run installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(how);
            }
            Assumptions.abort(how);
        }
        try {
            Path dir = Files.createTempDirectory("echodb-pgbouncer-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // it may run as nobody
            Path log = dir.resolve("pgbouncer.log");
            Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"" + password + "\"\n");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path file = dir.resolve(f.getKey());
                Files.write(file, f.getValue());
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Upstream upstream = new Upstream(host, port, user, password);
            int[] chosen = new int[1];
            Process[] started = new Process[1];
            FreePorts.startOnFreePort(5, "PgBouncer", p -> {
                chosen[0] = p;
                started[0] = launch(binary, dir, log, upstream, p, extraSettings);
            });
            return new PgBouncerTestService(dir, log, chosen[0], started[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare PgBouncer", e);
        }
    }

    /** The server PgBouncer passes clients on to, and the one user it lets in. */
    private record Upstream(String host, int port, String user, String password) { }

    private static Process launch(String binary, Path dir, Path log, Upstream pg, int port, List<String> extra) {
        List<String> ini = new ArrayList<>(List.of(
                "[databases]",
                "* = host=" + pg.host() + " port=" + pg.port(),
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = md5",
                "auth_file = " + dir.resolve("userlist.txt"),
                "pool_mode = transaction",
                "max_client_conn = 200",
                "default_pool_size = 10",
                "logfile = " + log,
                "pidfile = " + dir.resolve("pgbouncer.pid")));
        ini.addAll(extra);
        Path config = dir.resolve("pgbouncer-" + port + ".ini");
        try {
            Files.writeString(config, String.join("\n", ini) + "\n", StandardCharsets.UTF_8);
            for (Path p : List.of(config, dir.resolve("userlist.txt"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(binary));
        if (Commands.uid() == 0) {
            cmd.addAll(List.of("-u", "nobody")); // PgBouncer refuses to run as root
        }
        cmd.add(config.toString());
        Process p = LocalProcess.launch(cmd, "INT", dir.resolve("stdout.log"), dir);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!p.isAlive()) {
                String out = LogFiles.tail(dir.resolve("stdout.log"), 2000) + LogFiles.tail(log, 2000);
                if (out.contains("Address already in use")) {
                    throw new FreePorts.PortInUseException(out);
                }
                throw new IllegalStateException("PgBouncer exited at start: " + out);
            }
            if (connectable(pg, port)) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                LocalProcess.stop(p, Duration.ofSeconds(5));
                throw new IllegalStateException("PgBouncer not connectable on port " + port + " after " + START_TIMEOUT
                        + ": " + LogFiles.tail(log, 2000));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PgBouncer", e);
            }
        }
    }

    private static boolean connectable(Upstream pg, int port) {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        props.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** PgBouncer's log so far (its last 4,000 characters). */
    public String logTail() {
        return LogFiles.tail(log, 4000);
    }

    @Override
    public void close() {
        LocalProcess.stop(process, Duration.ofSeconds(10));
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; the next run does not need it
        }
    }
}
