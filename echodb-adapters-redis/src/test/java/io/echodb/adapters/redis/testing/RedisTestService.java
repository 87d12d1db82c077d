package io.echodb.adapters.redis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * A real Redis server for tests, started once per JVM and shared by all test classes.
 *
 * <p>Where the server comes from, in this order:
 * <ol>
 *   <li>{@code ECHODB_TEST_REDIS_URI} (e.g. {@code redis://localhost:6379}): an external server;</li>
 *   <li>Testcontainers {@code redis:7} if a Docker daemon is reachable (set {@code ECHODB_TEST_DOCKER=false} to skip
 *       this step);</li>
 *   <li>a local {@code redis-server} process: the binary bundled in the {@code com.github.codemonstur:embedded-redis}
 *       Maven artifact (Redis 6.2, extracted once into a cache directory), or, if that one cannot run here, a
 *       {@code redis-server} found on the PATH ({@code ECHODB_TEST_REDIS_SERVER} may name a binary explicitly).</li>
 * </ol>
 *
 * <p>The local server listens on 127.0.0.1 on a free port without persistence (no RDB, no AOF), so
 * {@link #stop()} + {@link #start()} (same port) simulate a failover to an empty Redis. It stops when the JVM exits:
 * through a shutdown hook, and also if the JVM is killed, because it runs under a small shell watchdog that stops it
 * as soon as the JVM's end of its stdin pipe closes.
 */
public final class RedisTestService {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTestService.class);

    public static final String ENV_URI = "ECHODB_TEST_REDIS_URI";
    /** Set to {@code false} to skip the Testcontainers step even when Docker is available. */
    public static final String ENV_DOCKER = "ECHODB_TEST_DOCKER";
    /** Path of a redis-server binary to use instead of the one bundled in the embedded-redis artifact. */
    public static final String ENV_SERVER_BINARY = "ECHODB_TEST_REDIS_SERVER";
    /** Directory for extracted binaries (default {@code ~/.cache/echodb}). */
    public static final String ENV_CACHE_DIR = "ECHODB_TEST_CACHE_DIR";
    /** Base directory for per-JVM run directories (config, log); default /dev/shm if large, else tmp. */
    public static final String ENV_RUN_DIR = RunDirectories.ENV_RUN_DIR;

    static final String DOCKER_IMAGE = "redis:7";

    private static final String HOWTO = "Provide Redis for the tests in one of these ways: (1) set " + ENV_URI
            + "=redis://host:6379 pointing to a Redis (6.2+) server; (2) install and start Docker so Testcontainers can "
            + "run " + DOCKER_IMAGE + "; (3) let the local server run: it uses the redis-server binary bundled in "
            + "com.github.codemonstur:embedded-redis (Linux x86_64/arm64/x86 or macOS, needs libssl3 on Linux) or a "
            + "redis-server on the PATH (e.g. apt-get install redis-server), or " + ENV_SERVER_BINARY + "=/path/to/redis-server.";

    private static RedisTestService instance;
    private static RuntimeException startFailure;

    private final Backend backend;

    private RedisTestService(Backend backend) {
        this.backend = backend;
    }

    /** The Redis server shared by all tests of this JVM, started on first use. Never skips: fails if impossible. */
    public static synchronized RedisTestService get() {
        if (instance != null) {
            return instance;
        }
        if (startFailure != null) {
            throw new IllegalStateException("Redis for tests could not be started earlier in this JVM. " + HOWTO,
                    startFailure);
        }
        try {
            long t0 = System.nanoTime();
            RedisTestService service = new RedisTestService(startBackend());
            LOG.info("Redis for tests ready in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    service.describe());
            instance = service;
            return service;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    private static Backend startBackend() {
        String uri = TestSettings.get(ENV_URI);
        if (uri != null && !uri.isBlank()) {
            return ExternalBackend.create(uri.trim());
        }
        List<String> failures = new ArrayList<>();
        if (!"false".equalsIgnoreCase(String.valueOf(TestSettings.get(ENV_DOCKER))) && dockerAvailable()) {
            try {
                return ContainerBackend.launch();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Could not start {} with Testcontainers, falling back to a local redis-server", DOCKER_IMAGE, e);
                failures.add("Testcontainers " + DOCKER_IMAGE + ": " + e);
            }
        }
        try {
            return LocalBackend.launch();
        } catch (RuntimeException e) {
            failures.add("local redis-server: " + e.getMessage());
            throw new IllegalStateException("No Redis available for tests (" + String.join("; ", failures) + "). "
                    + HOWTO, e);
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

    /** A {@code redis://host:port} URI for lettuce ({@code RedisClient.create(uri())}). */
    public String uri() {
        return backend.uri();
    }

    /** Stops the server (a local one loses its data: no persistence). Not supported for external servers. */
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

    /** {@link #stop()} then {@link #start()}. */
    public void restart() {
        synchronized (backend) {
            backend.stop();
            backend.start();
        }
    }

    /** False for an external server ({@code ECHODB_TEST_REDIS_URI}): stop/start/restart then throw. */
    public boolean supportsRestart() {
        return backend.supportsRestart();
    }

    /** {@code redis_version} reported by the server (INFO server). */
    public String version() {
        String info = Resp.command(host(), port(), Duration.ofSeconds(5), "INFO", "server");
        Matcher m = Pattern.compile("redis_version:(\\S+)").matcher(info);
        return m.find() ? m.group(1) : "unknown";
    }

    /** Human-readable description of where the server runs. */
    public String describe() {
        return backend.describe();
    }

    @Override
    public String toString() {
        return "RedisTestService[" + backend.describe() + "]";
    }

    // ------------------------------------------------------------------ backends

    private interface Backend {
        String host();

        int port();

        String uri();

        void stop();

        void start();

        String describe();

        default boolean supportsRestart() {
            return true;
        }
    }

    private static final class ExternalBackend implements Backend {
        private final String uri;
        private final String host;
        private final int port;

        private ExternalBackend(String uri, String host, int port) {
            this.uri = uri;
            this.host = host;
            this.port = port;
        }

        static ExternalBackend create(String uri) {
            URI u;
            try {
                u = URI.create(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(ENV_URI + " is not a valid URI: " + uri, e);
            }
            if (u.getHost() == null || !(u.getScheme().equals("redis") || u.getScheme().equals("rediss"))) {
                throw new IllegalStateException(ENV_URI + " must look like redis://host:port, got: " + uri);
            }
            int port = u.getPort() < 0 ? 6379 : u.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), port), 5000);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot reach " + ENV_URI + "=" + uri + ": " + e + ". " + HOWTO, e);
            }
            return new ExternalBackend(uri, u.getHost(), port);
        }

        @Override public String host() { return host; }
        @Override public int port() { return port; }
        @Override public String uri() { return uri; }

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
            return new UnsupportedOperationException("stop/start of Redis is not supported for the external server "
                    + "given by " + ENV_URI + "; unset it to use a local redis-server or Docker");
        }

        @Override
        public String describe() {
            return "external Redis " + host + ":" + port + " (from " + ENV_URI + ")";
        }
    }

    /** {@code redis:7} in Docker through Testcontainers, with a fixed host port so it survives stop/start. */
    private static final class ContainerBackend implements Backend {
        private final org.testcontainers.containers.GenericContainer<?> container;
        private final int port;
        private volatile boolean running = true;

        private ContainerBackend(org.testcontainers.containers.GenericContainer<?> container, int port) {
            this.container = container;
            this.port = port;
        }

        static ContainerBackend launch() {
            int hostPort = FreePorts.pick();
            org.testcontainers.containers.GenericContainer<?> c = new org.testcontainers.containers.GenericContainer<>(
                    org.testcontainers.utility.DockerImageName.parse(DOCKER_IMAGE));
            c.withExposedPorts(6379);
            c.withCommand("redis-server", "--save", "", "--appendonly", "no");
            c.waitingFor(org.testcontainers.containers.wait.strategy.Wait
                    .forLogMessage(".*Ready to accept connections.*\\n", 1));
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                    new com.github.dockerjava.api.model.PortBinding(
                            com.github.dockerjava.api.model.Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                            new com.github.dockerjava.api.model.ExposedPort(6379))));
            c.start();
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "echodb-redis-container-stop"));
            return new ContainerBackend(c, hostPort);
        }

        @Override public String host() { return "127.0.0.1"; }
        @Override public int port() { return port; }
        @Override public String uri() { return "redis://127.0.0.1:" + port; }

        @Override
        public void stop() {
            if (running) {
                container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
                running = false;
            }
        }

        @Override
        public void start() {
            if (!running) {
                container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
                running = true;
                awaitPing("127.0.0.1", port, Duration.ofSeconds(30), () -> true);
            }
        }

        @Override
        public String describe() {
            return "Testcontainers " + DOCKER_IMAGE + " container " + container.getContainerId() + " at 127.0.0.1:" + port;
        }
    }

    /** A redis-server process on this machine. */
    private static final class LocalBackend implements Backend {
        private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
        private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

        private final Binary binary;
        private final Path runDir;
        private final Path logFile;
        private int port;
        private Process process;

        private LocalBackend(Binary binary, Path runDir) {
            this.binary = binary;
            this.runDir = runDir;
            this.logFile = runDir.resolve("redis.log");
        }

        static LocalBackend launch() {
            long t0 = System.nanoTime();
            Binary binary = Binary.find();
            long tBinary = System.nanoTime();
            Path runsRoot = RunDirectories.runsRoot("echodb-redis", false);
            RunDirectories.reapStale(runsRoot, "redis.pid", "redis-server");
            Path runDir = RunDirectories.create(runsRoot);
            LocalBackend b = new LocalBackend(binary, runDir);
            try {
                b.startOnFreePort();
            } catch (RuntimeException e) {
                b.stopProcess();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(b::stopProcess, "echodb-redis-stop"));
            LOG.info("Local redis-server {} ({}) on 127.0.0.1:{}; binary found in {} ms, server start {} ms; log file {}",
                    binary.version, binary.origin, b.port, TimeUnit.NANOSECONDS.toMillis(tBinary - t0),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tBinary), b.logFile);
            return b;
        }

        private void startOnFreePort() {
            FreePorts.startOnFreePort(5, "redis-server", p -> {
                port = p;
                startProcess();
            });
        }

        private synchronized void startProcess() {
            Path conf = runDir.resolve("redis.conf");
            String config = String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "protected-mode no",
                    "daemonize no",
                    "save \"\"",
                    "appendonly no",
                    "dir " + quote(runDir.toString()),
                    "pidfile " + quote(runDir.resolve("redis.pid").toString()),
                    "logfile \"\"",
                    "loglevel notice",
                    "");
            try {
                Files.writeString(conf, config);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + conf, e);
            }
            process = LocalProcess.launch(List.of(binary.path.toString(), conf.toString()), "TERM", logFile, runDir);
            try {
                awaitPing("127.0.0.1", port, START_TIMEOUT, process::isAlive);
            } catch (RuntimeException e) {
                String log = LogFiles.tail(logFile, 4000);
                stopProcess();
                if (log.contains("Address already in use")) {
                    throw new FreePorts.PortInUseException(log);
                }
                throw new IllegalStateException("redis-server did not start on port " + port + " (" + e.getMessage()
                        + "); log " + logFile + ":\n" + log, e);
            }
        }

        private static String quote(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }

        @Override public String host() { return "127.0.0.1"; }
        @Override public synchronized int port() { return port; }
        @Override public String uri() { return "redis://127.0.0.1:" + port(); }

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
            LOG.info("Local redis-server started again on 127.0.0.1:{}", port);
        }

        private synchronized void stopProcess() {
            if (process != null) {
                LocalProcess.stop(process, STOP_TIMEOUT);
                process = null;
            }
        }

        @Override
        public String describe() {
            return "local redis-server " + binary.version + " (" + binary.origin + ") at 127.0.0.1:" + port + ", log "
                    + logFile;
        }
    }

    /** A redis-server binary that was checked to run here. */
    private static final class Binary {
        final Path path;
        final String version;
        final String origin;

        private Binary(Path path, String version, String origin) {
            this.path = path;
            this.version = version;
            this.origin = origin;
        }

        static Binary find() {
            List<String> problems = new ArrayList<>();
            String explicit = TestSettings.get(ENV_SERVER_BINARY);
            if (explicit != null && !explicit.isBlank()) {
                return check(Paths.get(explicit), ENV_SERVER_BINARY).orElseThrow(() ->
                        new IllegalStateException(ENV_SERVER_BINARY + "=" + explicit + " does not run (see log)"));
            }
            try {
                Optional<Binary> bundled = bundled(problems);
                if (bundled.isPresent()) {
                    return bundled.get();
                }
            } catch (RuntimeException | LinkageError e) {
                problems.add("embedded-redis artifact: " + e);
            }
            String onPath = Commands.which("redis-server");
            if (onPath != null) {
                Optional<Binary> b = check(Paths.get(onPath), "redis-server on PATH");
                if (b.isPresent()) {
                    return b.get();
                }
                problems.add(onPath + " does not run");
            } else {
                problems.add("no redis-server on PATH");
            }
            throw new IllegalStateException("no runnable redis-server: " + problems);
        }

        /** The binary bundled in com.github.codemonstur:embedded-redis, extracted once into a cache dir. */
        private static Optional<Binary> bundled(List<String> problems) {
            String resource = redis.embedded.core.ExecutableProvider.newProvidedVersionsMap()
                    .get(redis.embedded.model.OsArchitecture.detectOSandArchitecture());
            if (resource == null) {
                problems.add("embedded-redis has no binary for this OS/architecture");
                return Optional.empty();
            }
            String name = resource.startsWith("/") ? resource : "/" + resource;
            byte[] bytes;
            try (InputStream in = RedisTestService.class.getResourceAsStream(name)) {
                if (in == null) {
                    problems.add(name + " not on the classpath");
                    return Optional.empty();
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String dirName = "redis-" + Hashes.sha256(bytes).substring(0, 16);
            for (Path cacheRoot : cacheCandidates()) {
                Path dir = cacheRoot.resolve(dirName);
                Path bin = dir.resolve("redis-server");
                try {
                    if (!Files.isRegularFile(bin)) {
                        Files.createDirectories(cacheRoot);
                        Path tmp = Files.createTempDirectory(cacheRoot, ".extract-");
                        try {
                            Files.write(tmp.resolve("redis-server"), bytes);
                            Files.setPosixFilePermissions(tmp.resolve("redis-server"),
                                    PosixFilePermissions.fromString("rwxr-xr-x"));
                            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                            try {
                                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                            } catch (IOException e) {
                                if (!Files.isRegularFile(bin)) { // else extracted concurrently by another JVM
                                    throw e;
                                }
                            }
                        } finally {
                            RunDirectories.deleteTree(tmp);
                        }
                    }
                    Optional<Binary> b = check(bin, "embedded-redis artifact " + name.substring(1));
                    if (b.isPresent()) {
                        return b;
                    }
                    problems.add(bin + " does not run here (missing libssl3? see log)");
                    return Optional.empty();
                } catch (IOException e) {
                    problems.add(cacheRoot + ": " + e);
                }
            }
            return Optional.empty();
        }

        private static List<Path> cacheCandidates() {
            List<Path> out = new ArrayList<>();
            String explicit = TestSettings.get(ENV_CACHE_DIR);
            if (explicit != null && !explicit.isBlank()) {
                out.add(Paths.get(explicit).toAbsolutePath());
            }
            String xdg = System.getenv("XDG_CACHE_HOME");
            out.add((xdg != null && !xdg.isBlank() ? Paths.get(xdg)
                    : Paths.get(System.getProperty("user.home"), ".cache")).resolve("echodb"));
            out.add(Paths.get("/var/tmp/echodb-cache-" + Commands.uid()));
            out.add(Paths.get(System.getProperty("java.io.tmpdir"), "echodb-cache-" + Commands.uid()));
            return out.stream().distinct().toList();
        }

        private static Optional<Binary> check(Path bin, String origin) {
            try {
                ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--version");
                pb.environment().put("LC_ALL", "C");
                String out = Commands.output(pb, Duration.ofSeconds(10));
                Matcher m = Pattern.compile("v=(\\S+)").matcher(out);
                if (out.contains("Redis server") && m.find()) {
                    return Optional.of(new Binary(bin, m.group(1), origin + ", " + bin));
                }
                LOG.info("{} --version printed: {}", bin, out.trim());
            } catch (RuntimeException e) {
                LOG.info("{} cannot run here: {}", bin, e.getMessage());
            }
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ helpers

    static void awaitPing(String host, int port, Duration timeout, java.util.function.BooleanSupplier alive) {
        Waits.Result result;
        try {
            result = Waits.until(timeout, Duration.ofMillis(10), alive,
                    () -> Resp.command(host, port, Duration.ofSeconds(2), "PING").equals("PONG"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
        if (result.exited()) {
            throw new IllegalStateException("the server process exited");
        }
        if (!result.ready()) {
            throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer PING within "
                    + timeout.toSeconds() + " s (last error: " + result.lastError() + ")");
        }
    }

    /** Minimal RESP client for readiness checks (no dependency on the client library under test). */
    static final class Resp {
        private Resp() {
        }

        static String command(String host, int port, Duration timeout, String... args) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                s.setSoTimeout((int) timeout.toMillis());
                StringBuilder cmd = new StringBuilder("*").append(args.length).append("\r\n");
                for (String a : args) {
                    cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
                }
                OutputStream out = s.getOutputStream();
                out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                String line = readLine(in);
                switch (line.isEmpty() ? ' ' : line.charAt(0)) {
                    case '+':
                        return line.substring(1);
                    case '$': {
                        int len = Integer.parseInt(line.substring(1));
                        if (len < 0) {
                            return null;
                        }
                        byte[] data = in.readNBytes(len + 2);
                        return new String(data, 0, len, StandardCharsets.UTF_8);
                    }
                    case ':':
                        return line.substring(1);
                    default:
                        throw new IllegalStateException("Redis replied: " + line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r') {
                    in.read(); // '\n'
                    break;
                }
                buf.write(c);
            }
            if (c == -1 && buf.size() == 0) {
                throw new IOException("connection closed");
            }
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
