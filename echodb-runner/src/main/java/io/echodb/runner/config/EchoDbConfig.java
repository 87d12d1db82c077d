package io.echodb.runner.config;

import static io.echodb.runner.config.ConfigKeys.*;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.service.ConsistencyChecker;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The validated configuration, one record per area. Built only by {@link #load}; every secret is a {@link Secret},
 * so {@code toString()} of any part is safe to log.
 */
public record EchoDbConfig(
        Postgres postgres,
        ClickHouse clickhouse,
        Engine engine,
        AutoMirror autoMirror,
        PeerDb peerdb,
        Leadership leadership,
        Resilience resilience,
        Consistency consistency,
        Http http,
        String logLevel,
        Map<String, String> summary) {

    /** Source database connection. */
    public record Postgres(String host, int port, String user, Secret password, String database, String sslMode,
                           Duration reconnectDelay, int maxReconnectAttempts, int poolSize, Duration poolTimeout,
                           String sslRootCert, String directHost, int directPort) {
        /** True when POSTGRES_HOST/PORT is a pooler and the server itself is elsewhere. */
        public boolean throughPooler() {
            return !(directHost.equals(host) && directPort == port);
        }

        /** A JDBC URL without credentials. */
        public String jdbcUrl() {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "jdbc:postgresql://" + h + ":" + port + "/" + database + "?sslmode=" + sslMode;
        }
    }

    /** Target ClickHouse; {@code url} overrides host/port/database when not empty. */
    public record ClickHouse(String host, int port, String user, Secret password, String database, Secret url,
                             int nativePort, String cluster, boolean cleanDatabases) {
        /** The JDBC URL to hand to the driver (may carry parameters from CLICKHOUSE_URL). */
        public String jdbcUrl() {
            if (!url.isEmpty()) {
                return url.reveal();
            }
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "jdbc:clickhouse:http://" + h + ":" + port + "/" + database;
        }
    }

    /** Which mirror engine runs, and the native engine's knobs. */
    public record Engine(String kind, String slotName, String publication, String stateSchema, int batchMaxRows,
                         int batchMaxBytes, Duration batchMaxAge, int snapshotParallelism, int snapshotRangeMinPages,
                         long slotWalWarnBytes, int concurrentSnapshots, long snapshotMemoryBytes) {
        public boolean isNative() {
            return kind.equals("native");
        }
    }

    /** What is mirrored and how often the leader sweeps. */
    public record AutoMirror(WatchPolicy policy, Duration reconcileInterval, Duration ddlPollInterval, boolean dropTargetOnTableDrop,
                             Duration ddlOutboxRetention, int ddlOutboxKeep, String ddlCapture, Duration ddlSweepInterval) { }

    /** PeerDB server, flow API, peer names and how PeerDB reaches the databases (MIRROR_ENGINE=peerdb). */
    public record PeerDb(String host, int port, String user, Secret password, String sourcePeer, String targetPeer,
                         String flowApiUrl, Secret flowApiToken, String postgresHost, String clickhouseHost,
                         boolean clickhouseDisableTls, S3 staging) { }

    /** S3 staging of PeerDB's ClickHouse peer; an empty path means none. */
    public record S3(String path, String accessKeyId, Secret secretAccessKey, String region, String endpoint) { }

    /** Leader election. */
    public record Leadership(String kind, String workerId, Duration ttl, Duration interval, String lockName,
                             String redisHost, int redisPort, Secret redisPassword) { }

    /** One circuit breaker's settings (the seed's FAILURE_THRESHOLD / SUCCESS_THRESHOLD / TIMEOUT). */
    public record Breaker(int failureThreshold, int successThreshold, Duration openWait) { }

    /** Circuit breakers and retries. */
    public record Resilience(Breaker mirrorEngine, Breaker postgres, int maxRetries, Duration retryDelay, double retryBackoff) { }

    /** Scheduled checks. */
    public record Consistency(Duration interval, ConsistencyChecker.Mode mode, int checkerPort, int autoResyncsPerDay) { }

    /** HTTP API. */
    public record Http(String host, int port, Secret adminToken) {
        public boolean adminEnabled() {
            return !adminToken.isEmpty();
        }
    }

    public EchoDbConfig {
        Objects.requireNonNull(postgres, "postgres");
        summary = Map.copyOf(summary);
    }

    /** Loads from the process environment and the optional .env file; throws {@link ConfigException} on any bad value. */
    public static EchoDbConfig load(Map<String, String> env, Path workingDir) {
        return from(ConfigSource.load(env, workingDir), EchoDbConfig::defaultWorkerId);
    }

    /** Builds from an explicit source; {@code workerIdDefault} computes WORKER_ID when it is unset. */
    public static EchoDbConfig from(ConfigSource source, Supplier<String> workerIdDefault) {
        Values v = new Values(source, workerIdDefault);
        WatchPolicy policy;
        try {
            policy = new WatchPolicy(new LinkedHashSet<>(v.get(SYNC_SCHEMA)), v.get(EXCLUDED_TABLES),
                    TablesFile.load(v.get(ECHODB_TABLES_FILE)), KeylessTables.parse("KEYLESS_TABLES", v.get(KEYLESS_TABLES)));
        } catch (InvalidValueException e) {
            throw ConfigException.conflict(e.getMessage());
        }
        EchoDbConfig c = new EchoDbConfig(
                new Postgres(v.get(POSTGRES_HOST), v.get(POSTGRES_PORT), v.get(POSTGRES_USER), v.get(POSTGRES_PASSWORD),
                        v.get(POSTGRES_DB), v.get(POSTGRES_SSLMODE), v.get(RECONNECT_DELAY), v.get(MAX_RECONNECT_ATTEMPTS),
                        v.get(POSTGRES_POOL_SIZE), v.get(POSTGRES_POOL_TIMEOUT), v.get(POSTGRES_SSLROOTCERT),
                        orElse(v.get(POSTGRES_DIRECT_HOST), v.get(POSTGRES_HOST)),
                        v.get(POSTGRES_DIRECT_PORT) == 0 ? v.get(POSTGRES_PORT) : v.get(POSTGRES_DIRECT_PORT)),
                new ClickHouse(v.get(CLICKHOUSE_HOST), v.get(CLICKHOUSE_PORT), v.get(CLICKHOUSE_USER), v.get(CLICKHOUSE_PASSWORD),
                        v.get(CLICKHOUSE_DATABASE), v.get(CLICKHOUSE_URL), v.get(CLICKHOUSE_NATIVE_PORT),
                        v.get(CLICKHOUSE_CLUSTER).trim(), v.get(CLEAN_DATABASES)),
                new Engine(v.get(MIRROR_ENGINE), v.get(ECHODB_SLOT_NAME), v.get(ECHODB_PUBLICATION), v.get(ECHODB_STATE_SCHEMA),
                        v.get(BATCH_MAX_ROWS), v.get(BATCH_MAX_BYTES), v.get(BATCH_MAX_AGE_MS), v.get(SNAPSHOT_PARALLELISM),
                        v.get(SNAPSHOT_RANGE_MIN_PAGES), v.get(SLOT_WAL_WARN_BYTES), v.get(CONCURRENT_SNAPSHOTS),
                        v.get(SNAPSHOT_MEMORY_BYTES)),
                new AutoMirror(policy, v.get(RECONCILE_INTERVAL), v.get(DDL_POLL_INTERVAL), v.get(DROP_TARGET_ON_TABLE_DROP),
                        v.get(DDL_OUTBOX_RETENTION), v.get(DDL_OUTBOX_KEEP), v.get(DDL_CAPTURE), v.get(DDL_SWEEP_INTERVAL)),
                new PeerDb(v.get(PEERDB_HOST), v.get(PEERDB_PORT), v.get(PEERDB_USER), v.get(PEERDB_PASSWORD),
                        v.get(SOURCE_PEER_NAME), v.get(TARGET_PEER_NAME), v.get(PEERDB_FLOW_API_URL), v.get(PEERDB_FLOW_API_TOKEN),
                        orElse(v.get(PEERDB_POSTGRES_HOST), v.get(POSTGRES_HOST)),
                        orElse(v.get(PEERDB_CLICKHOUSE_HOST), v.get(CLICKHOUSE_HOST)), v.get(PEERDB_CLICKHOUSE_DISABLE_TLS),
                        new S3(v.get(PEERDB_S3_PATH).trim(), v.get(PEERDB_S3_ACCESS_KEY_ID).trim(), v.get(PEERDB_S3_SECRET_ACCESS_KEY),
                                v.get(PEERDB_S3_REGION).trim(), v.get(PEERDB_S3_ENDPOINT).trim())),
                new Leadership(v.get(LEADERSHIP), v.get(WORKER_ID), v.get(LEADER_ELECTION_TTL), v.get(LEADER_ELECTION_INTERVAL),
                        v.get(LEADER_LOCK_NAME), v.get(REDIS_HOST), v.get(REDIS_PORT), v.get(REDIS_PASSWORD)),
                new Resilience(
                        new Breaker(v.get(PEERDB_FAILURE_THRESHOLD), v.get(PEERDB_SUCCESS_THRESHOLD), v.get(PEERDB_TIMEOUT)),
                        new Breaker(v.get(POSTGRES_FAILURE_THRESHOLD), v.get(POSTGRES_SUCCESS_THRESHOLD), v.get(POSTGRES_TIMEOUT)),
                        v.get(MAX_RETRIES), v.get(RETRY_DELAY), v.get(RETRY_BACKOFF)),
                new Consistency(v.get(CONSISTENCY_CHECK_INTERVAL), ConsistencyChecker.Mode.parse(v.get(CONSISTENCY_MODE)),
                        v.get(CONSISTENCY_CHECKER_PORT), v.get(CONSISTENCY_AUTO_RESYNCS)),
                new Http(v.get(HTTP_HOST), v.get(HTTP_PORT), v.get(ADMIN_TOKEN)),
                v.get(LOG_LEVEL),
                v.summary());
        c.checkAcrossKeys();
        return c;
    }

    private void checkAcrossKeys() {
        if (leadership.interval().multipliedBy(2).compareTo(leadership.ttl()) > 0) {
            throw ConfigException.conflict("LEADER_ELECTION_INTERVAL=" + seconds(leadership.interval())
                    + " must be at most half of LEADER_ELECTION_TTL=" + seconds(leadership.ttl())
                    + " so a leader renews (or stops acting) before its lease can expire");
        }
        if (consistency.checkerPort() != 0 && consistency.checkerPort() == http.port()) {
            throw ConfigException.conflict("CONSISTENCY_CHECKER_PORT=" + consistency.checkerPort()
                    + " must differ from HTTP_PORT (or be 0: the checker endpoints are on HTTP_PORT anyway)");
        }
        if (!policy().rules().isEmpty() && !engine.isNative()) {
            throw ConfigException.conflict("ECHODB_TABLES_FILE needs MIRROR_ENGINE=native (PeerDB mirrors are laid out"
                    + " by PeerDB); MIRROR_ENGINE=" + engine.kind());
        }
        if (policy().keylessTables() == KeylessTables.FULL && !engine.isNative()) {
            throw ConfigException.conflict("KEYLESS_TABLES=full needs MIRROR_ENGINE=native; MIRROR_ENGINE=" + engine.kind());
        }
        if (policy().schemas().contains(engine.stateSchema())) {
            throw ConfigException.conflict("SYNC_SCHEMA must not include ECHODB_STATE_SCHEMA='" + engine.stateSchema()
                    + "' (EchoDB's own state is never mirrored)");
        }
    }

    public WatchPolicy policy() {
        return autoMirror.policy();
    }

    /** One line per key, {@code KEY=value (origin)}, secrets masked: for the start-up log. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        summary.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> lines.add(e.getKey() + "=" + e.getValue()));
        return lines;
    }

    private static String orElse(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return (s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s)) + "s";
    }

    /** {@code <hostname>-<pid>}, reduced to the characters WORKER_ID allows. */
    public static String defaultWorkerId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "worker";
            }
        }
        String id = host.replaceAll("[^A-Za-z0-9._:\\-]", "-") + "-" + ProcessHandle.current().pid();
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }

    /** Parses each key once and remembers its masked display value and origin. */
    private static final class Values {
        private final ConfigSource source;
        private final Supplier<String> workerIdDefault;
        private final Map<String, String> summary = new LinkedHashMap<>();

        Values(ConfigSource source, Supplier<String> workerIdDefault) {
            this.source = source;
            this.workerIdDefault = workerIdDefault;
            for (ConfigKey<?> k : ConfigKeys.all()) {
                get(k); // validate every key, even those the chosen adapters do not use
            }
        }

        <T> T get(ConfigKey<T> key) {
            var raw = source.lookup(key);
            T value;
            String origin;
            // An empty value means "use the default", except for secrets (an empty password is a real choice).
            if (raw.isPresent() && (key.secret() || !raw.get().value().isBlank())) {
                value = key.parse(raw.get().value(), raw.get().name());
                origin = raw.get().origin() == ConfigSource.Origin.ENVIRONMENT ? "environment" : "env file";
                if (!raw.get().name().equals(key.name())) {
                    origin += " as " + raw.get().name();
                }
            } else if (key.defaultValue() != null) {
                value = key.parse(key.defaultValue());
                origin = "default";
            } else {
                value = key.parse(workerIdDefault.get());
                origin = "computed";
            }
            String shown = key.secret() ? String.valueOf(value) : display(value);
            summary.put(key.name(), shown + " (" + origin + ")");
            return value;
        }

        Map<String, String> summary() {
            return summary;
        }

        private static String display(Object value) {
            if (value instanceof Duration d) {
                return seconds(d);
            }
            if (value instanceof List<?> l) {
                return String.join(",", l.stream().map(String::valueOf).toList());
            }
            return String.valueOf(value);
        }
    }
}
