package io.echodb.runner.config;

import static io.echodb.runner.config.Parsers.anyText;
import static io.echodb.runner.config.Parsers.bool;
import static io.echodb.runner.config.Parsers.clickHouseJdbcUrl;
import static io.echodb.runner.config.Parsers.commaList;
import static io.echodb.runner.config.Parsers.decimal;
import static io.echodb.runner.config.Parsers.host;
import static io.echodb.runner.config.Parsers.httpUrl;
import static io.echodb.runner.config.Parsers.optionalHost;
import static io.echodb.runner.config.Parsers.integer;
import static io.echodb.runner.config.Parsers.leaseName;
import static io.echodb.runner.config.Parsers.longInteger;
import static io.echodb.runner.config.Parsers.logLevel;
import static io.echodb.runner.config.Parsers.millis;
import static io.echodb.runner.config.Parsers.nonBlank;
import static io.echodb.runner.config.Parsers.nonEmptyCommaList;
import static io.echodb.runner.config.Parsers.oneOf;
import static io.echodb.runner.config.Parsers.optionalPort;
import static io.echodb.runner.config.Parsers.optionalReadableFile;
import static io.echodb.runner.config.Parsers.pgIdentifier;
import static io.echodb.runner.config.Parsers.port;
import static io.echodb.runner.config.Parsers.portOrOff;
import static io.echodb.runner.config.Parsers.seconds;
import static io.echodb.runner.config.Parsers.secret;
import static io.echodb.runner.config.Parsers.token;
import static io.echodb.runner.config.Parsers.workerId;

import io.echodb.runner.config.ConfigKey.ValueParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every configuration key EchoDB reads, in one place: name, default, description and validator. The seed's names and
 * defaults are kept (DESIGN §8); docs/CONFIGURATION.md is generated from this list ({@link ConfigDocs}).
 */
public final class ConfigKeys {

    private static final List<ConfigKey<?>> ALL = new ArrayList<>();

    // ---- PostgreSQL (source)
    public static final ConfigKey<String> POSTGRES_HOST = key("POSTGRES_HOST", "PostgreSQL", "postgres",
            "Source PostgreSQL host.", host());
    public static final ConfigKey<Integer> POSTGRES_PORT = key("POSTGRES_PORT", "PostgreSQL", "5432",
            "Source PostgreSQL port.", port());
    public static final ConfigKey<String> POSTGRES_USER = key("POSTGRES_USER", "PostgreSQL", "echodb",
            "User EchoDB connects as; needs REPLICATION (native engine), CREATE on the database and ownership of the mirrored"
                    + " tables; event triggers (superuser) are optional, see DDL_CAPTURE.", nonBlank());
    public static final ConfigKey<Secret> POSTGRES_PASSWORD = secretKey("POSTGRES_PASSWORD", "PostgreSQL", "password",
            "Password of POSTGRES_USER.", secret());
    public static final ConfigKey<String> POSTGRES_DB = key("POSTGRES_DB", "PostgreSQL", "echodb",
            "Source database whose tables are mirrored.", nonBlank());
    public static final ConfigKey<String> POSTGRES_SSLMODE = key("POSTGRES_SSLMODE", "PostgreSQL", "prefer",
            "pgjdbc sslmode: disable|allow|prefer|require|verify-ca|verify-full (cloud PostgreSQL usually needs require).",
            oneOf("disable", "allow", "prefer", "require", "verify-ca", "verify-full"));
    public static final ConfigKey<String> POSTGRES_SSLROOTCERT = key("POSTGRES_SSLROOTCERT", "PostgreSQL", "",
            "File with the CA certificate(s) the server's certificate must be signed by (PEM), for verify-ca and"
                    + " verify-full (empty: pgjdbc's default ~/.postgresql/root.crt). Used by every connection, the"
                    + " replication one included.", optionalReadableFile());
    public static final ConfigKey<String> POSTGRES_DIRECT_HOST = key("POSTGRES_DIRECT_HOST", "PostgreSQL", "",
            "The PostgreSQL server itself when POSTGRES_HOST/PORT is a connection pooler in transaction mode (PgBouncer):"
                    + " replication, LISTEN, advisory-lock leadership and snapshot sessions connect here, everything else"
                    + " through the pooler (empty: POSTGRES_HOST, no pooler).", optionalHost());
    public static final ConfigKey<Integer> POSTGRES_DIRECT_PORT = key("POSTGRES_DIRECT_PORT", "PostgreSQL", "",
            "Port of POSTGRES_DIRECT_HOST (empty: POSTGRES_PORT).", optionalPort());

    public static final ConfigKey<Duration> RECONNECT_DELAY = key("RECONNECT_DELAY", "PostgreSQL", "10",
            "Start-up: seconds between attempts to reach PostgreSQL before giving up.", seconds(0.1, 3600));
    public static final ConfigKey<Integer> MAX_RECONNECT_ATTEMPTS = key("MAX_RECONNECT_ATTEMPTS", "PostgreSQL", "10",
            "Start-up: attempts to reach PostgreSQL before exiting with status 1 (later outages are retried forever).", integer(1, 10_000));
    public static final ConfigKey<Integer> POSTGRES_POOL_SIZE = key("POSTGRES_POOL_SIZE", "PostgreSQL", "8",
            "Connections in the pool (HikariCP) for EchoDB's short PostgreSQL calls (catalog, checkpoints, checks, probes); the"
                    + " replication stream, snapshot workers, the DDL listener and the advisory lock use their own.", integer(1, 1000));
    public static final ConfigKey<Duration> POSTGRES_POOL_TIMEOUT = key("POSTGRES_POOL_TIMEOUT", "PostgreSQL", "3",
            "Seconds a call waits for a pooled PostgreSQL connection (opening one included) before failing as unavailable:"
                    + " the bound on every wait for PostgreSQL to accept a connection.", seconds(0.25, 300));

    // ---- ClickHouse (target)
    public static final ConfigKey<String> CLICKHOUSE_HOST = key("CLICKHOUSE_HOST", "ClickHouse", "clickhouse",
            "Target ClickHouse host (HTTP interface).", host());
    public static final ConfigKey<Integer> CLICKHOUSE_PORT = key("CLICKHOUSE_PORT", "ClickHouse", "8123",
            "Target ClickHouse HTTP port.", port());
    public static final ConfigKey<String> CLICKHOUSE_USER = key("CLICKHOUSE_USER", "ClickHouse", "echodb",
            "ClickHouse user.", nonBlank());
    public static final ConfigKey<Secret> CLICKHOUSE_PASSWORD = secretKey("CLICKHOUSE_PASSWORD", "ClickHouse", "password",
            "Password of CLICKHOUSE_USER.", secret());
    public static final ConfigKey<String> CLICKHOUSE_DATABASE = key("CLICKHOUSE_DATABASE", "ClickHouse", "echodb",
            "ClickHouse database that receives the mirrored tables (created if missing).", nonBlank());
    public static final ConfigKey<Secret> CLICKHOUSE_URL = secretKey("CLICKHOUSE_URL", "ClickHouse", "",
            "Full JDBC URL (jdbc:clickhouse:http[s]://host:port/db?param=value); overrides CLICKHOUSE_HOST/PORT/DATABASE and its "
                    + "parameters go to the driver. Treated as a secret because URLs may carry credentials.", clickHouseJdbcUrl());
    public static final ConfigKey<Integer> CLICKHOUSE_NATIVE_PORT = key("CLICKHOUSE_NATIVE_PORT", "ClickHouse", "9000",
            "ClickHouse native-protocol port; used only by PeerDB (MIRROR_ENGINE=peerdb) for its target peer.", port());
    public static final ConfigKey<String> CLICKHOUSE_CLUSTER = key("CLICKHOUSE_CLUSTER", "ClickHouse", "",
            "When set, target tables are created ON CLUSTER with Replicated engines.", anyText());
    public static final ConfigKey<Boolean> CLEAN_DATABASES = key("CLEAN_DATABASES", "ClickHouse", "false",
            "Opt-in housekeeping at start-up: remove target tables in CLICKHOUSE_DATABASE that no mirror owns. Off by default "
                    + "because it deletes data.", bool());

    // ---- Engine
    public static final ConfigKey<String> MIRROR_ENGINE = key("MIRROR_ENGINE", "Engine", "native",
            "Mirror engine: native (embedded logical-replication engine) or peerdb (drives a PeerDB server).", oneOf("native", "peerdb"));
    public static final ConfigKey<String> ECHODB_SLOT_NAME = key("ECHODB_SLOT_NAME", "Engine", "echodb_slot",
            "Logical replication slot of the native engine.", pgIdentifier());
    public static final ConfigKey<String> ECHODB_PUBLICATION = key("ECHODB_PUBLICATION", "Engine", "echodb_pub",
            "Publication of the native engine.", pgIdentifier());
    public static final ConfigKey<String> ECHODB_STATE_SCHEMA = key("ECHODB_STATE_SCHEMA", "Engine", "_echodb",
            "PostgreSQL schema for EchoDB's own state (DDL outbox, cursor, mirror checkpoints); never mirrored.", pgIdentifier());
    public static final ConfigKey<Long> SLOT_WAL_WARN_BYTES = key("SLOT_WAL_WARN_BYTES", "Engine", "10737418240",
            "Native engine: WAL retained by the replication slot above which /ready's replication_slot detail and the log"
                    + " warn (echodb_slot_retained_wal_bytes shows the value).", longInteger(1, Long.MAX_VALUE));
    public static final ConfigKey<Integer> BATCH_MAX_ROWS = key("BATCH_MAX_ROWS", "Engine", "50000",
            "Native engine: flush a table's batch when it holds this many rows.", integer(1, 10_000_000));
    public static final ConfigKey<Integer> BATCH_MAX_BYTES = key("BATCH_MAX_BYTES", "Engine", "33554432",
            "Native engine: flush a table's batch when its estimated size reaches this many bytes.", integer(1024, 1 << 30));
    public static final ConfigKey<Duration> BATCH_MAX_AGE_MS = key("BATCH_MAX_AGE_MS", "Engine", "200",
            "Native engine: flush a batch at the latest this many milliseconds after its first row (latency bound).", millis(1, 600_000));
    public static final ConfigKey<Integer> SNAPSHOT_PARALLELISM = key("SNAPSHOT_PARALLELISM", "Engine", "2",
            "Native engine: parallel COPY workers per initial snapshot (CTID ranges, PG 14+).", integer(1, 64));
    public static final ConfigKey<Integer> CONCURRENT_SNAPSHOTS = key("CONCURRENT_SNAPSHOTS", "Engine", "2",
            "Native engine: tables copied at the same time (initial copies and copies again); the others wait their turn.",
            integer(1, 64));
    public static final ConfigKey<Long> SNAPSHOT_MEMORY_BYTES = key("SNAPSHOT_MEMORY_BYTES", "Engine", "134217728",
            "Native engine: estimated bytes all copies together hold in rows read but not yet written. Each copy worker"
                    + " writes its fair share (this divided by twice the workers copying, at most BATCH_MAX_BYTES, at"
                    + " least 256 KiB), so more tables or SNAPSHOT_PARALLELISM never need more memory.",
            longInteger(1 << 20, Long.MAX_VALUE));
    public static final ConfigKey<Integer> SNAPSHOT_RANGE_MIN_PAGES = key("SNAPSHOT_RANGE_MIN_PAGES", "Engine", "1024",
            "Native engine: smallest CTID range (8 KiB pages) an initial copy splits a table into (PG 14+; smaller tables are"
                    + " copied whole). A copy cut short resumes from the ranges it finished.", integer(1, 1 << 20));

    // ---- Auto-mirror policy and control plane
    public static final ConfigKey<List<String>> SYNC_SCHEMA = key("SYNC_SCHEMA", "Auto-mirror", "public",
            "Comma list of schemas whose tables are mirrored.", nonEmptyCommaList());
    public static final ConfigKey<List<String>> EXCLUDED_TABLES = key("EXCLUDED_TABLES", "Auto-mirror",
            "spatial_ref_sys,geometry_columns,geography_columns,raster_columns,raster_overviews",
            "Comma list of tables never mirrored; '*' and '?' globs (temp_*); a pattern with a dot matches schema.table.", commaList());
    public static final ConfigKey<String> ECHODB_TABLES_FILE = key("ECHODB_TABLES_FILE", "Auto-mirror", "",
            "YAML file of table settings: an ordered list of rules (match, order_by, partition_by, exclude_columns,"
                    + " target); the first rule matching a table applies when its mirror is created. See 'Table"
                    + " settings' below.", optionalReadableFile());
    public static final ConfigKey<String> KEYLESS_TABLES = key("KEYLESS_TABLES", "Auto-mirror", "report",
            "Tables without a primary key or unique replica identity: report (UNSUPPORTED with the fix, never published)"
                    + " or full (native engine: EchoDB sets REPLICA IDENTITY FULL on them and mirrors them as multisets,"
                    + " duplicates kept; query them with sum(_echodb_sign), see docs/TYPE-MAPPING.md).",
            oneOf("report", "full"));
    public static final ConfigKey<Duration> RECONCILE_INTERVAL = key("RECONCILE_INTERVAL", "Auto-mirror", "60",
            "Seconds between reconciliation sweeps (desired mirrors vs actual) on the leader.", seconds(1, 86_400));
    public static final ConfigKey<Duration> DDL_POLL_INTERVAL = key("DDL_POLL_INTERVAL", "Auto-mirror", "5",
            "Seconds the leader waits for a DDL notification before polling the outbox anyway.", seconds(0.05, 3600));
    public static final ConfigKey<String> DDL_CAPTURE = key("DDL_CAPTURE", "Auto-mirror", "auto",
            "How DDL is captured: event-triggers (inside the DDL's transaction; creating them needs superuser or an"
                    + " administrator's script), catalog (a sweep of the catalog every DDL_SWEEP_INTERVAL, for roles without"
                    + " that right, e.g. on managed PostgreSQL; see README \"Remote databases\" for what it cannot"
                    + " guarantee), or auto (event triggers when they can be installed, else catalog).",
            oneOf("auto", "event-triggers", "catalog"));
    public static final ConfigKey<Duration> DDL_SWEEP_INTERVAL = key("DDL_SWEEP_INTERVAL", "Auto-mirror", "1",
            "Seconds between two catalog sweeps when DDL is captured without event triggers: the longest time DDL goes"
                    + " unseen, and the longest time the application's UPDATE/DELETE on a table that just lost its replica"
                    + " identity fail (the leader sweeps; each sweep reads the catalog of every table, see docs/BENCHMARKS.md).", seconds(0.1, 60));
    public static final ConfigKey<Duration> DDL_OUTBOX_RETENTION = key("DDL_OUTBOX_RETENTION", "Auto-mirror", "604800",
            "Seconds an acknowledged DDL event stays in the outbox (ECHODB_STATE_SCHEMA.ddl_outbox); the leader deletes"
                    + " older ones every RECONCILE_INTERVAL.", seconds(0, 31_536_000));
    public static final ConfigKey<Integer> DDL_OUTBOX_KEEP = key("DDL_OUTBOX_KEEP", "Auto-mirror", "1000",
            "How many of the newest DDL events stay in the outbox whatever their age, for diagnostics.",
            integer(0, 100_000_000));
    public static final ConfigKey<Boolean> DROP_TARGET_ON_TABLE_DROP = key("DROP_TARGET_ON_TABLE_DROP", "Auto-mirror", "false",
            "When a source table is dropped, also drop its ClickHouse table (the seed kept it).", bool());

    // ---- PeerDB (MIRROR_ENGINE=peerdb)
    public static final ConfigKey<String> PEERDB_HOST = key("PEERDB_HOST", "PeerDB", "peerdb",
            "PeerDB server host (its SQL interface).", host());
    public static final ConfigKey<Integer> PEERDB_PORT = key("PEERDB_PORT", "PeerDB", "9900",
            "PeerDB server SQL port.", port());
    public static final ConfigKey<String> PEERDB_USER = key("PEERDB_USER", "PeerDB", "echodb",
            "PeerDB user.", nonBlank());
    public static final ConfigKey<Secret> PEERDB_PASSWORD = secretKey("PEERDB_PASSWORD", "PeerDB", "password",
            "PeerDB password.", secret());
    public static final ConfigKey<String> SOURCE_PEER_NAME = key("SOURCE_PEER_NAME", "PeerDB", "postgres_main",
            "Name of the PostgreSQL peer in PeerDB.", pgIdentifier());
    public static final ConfigKey<String> TARGET_PEER_NAME = key("TARGET_PEER_NAME", "PeerDB", "clickhouse_analytics",
            "Name of the ClickHouse peer in PeerDB.", pgIdentifier());

    public static final ConfigKey<String> PEERDB_FLOW_API_URL = key("PEERDB_FLOW_API_URL", "PeerDB", "http://flow-api:8113",
            "PeerDB flow API (HTTP gateway), used to read mirror status.", httpUrl());
    public static final ConfigKey<Secret> PEERDB_FLOW_API_TOKEN = secretKey("PEERDB_FLOW_API_TOKEN", "PeerDB", "",
            "Bearer token for the flow API (empty: none).", secret());
    public static final ConfigKey<String> PEERDB_POSTGRES_HOST = key("PEERDB_POSTGRES_HOST", "PeerDB", "",
            "Host PeerDB uses to reach the source PostgreSQL (empty: POSTGRES_HOST).", optionalHost());
    public static final ConfigKey<String> PEERDB_CLICKHOUSE_HOST = key("PEERDB_CLICKHOUSE_HOST", "PeerDB", "",
            "Host PeerDB uses to reach ClickHouse (empty: CLICKHOUSE_HOST).", optionalHost());
    public static final ConfigKey<Boolean> PEERDB_CLICKHOUSE_DISABLE_TLS = key("PEERDB_CLICKHOUSE_DISABLE_TLS", "PeerDB", "true",
            "Whether PeerDB talks to ClickHouse's native port without TLS (the seed's local stack).", bool());
    public static final ConfigKey<String> PEERDB_S3_PATH = key("PEERDB_S3_PATH", "PeerDB", "",
            "S3 staging path for the ClickHouse peer, e.g. s3://peerdbbucket/stage (empty: PeerDB's own staging settings).", anyText());
    public static final ConfigKey<String> PEERDB_S3_ACCESS_KEY_ID = key("PEERDB_S3_ACCESS_KEY_ID", "PeerDB", "",
            "S3 staging access key id.", anyText());
    public static final ConfigKey<Secret> PEERDB_S3_SECRET_ACCESS_KEY = secretKey("PEERDB_S3_SECRET_ACCESS_KEY", "PeerDB", "",
            "S3 staging secret key.", secret());
    public static final ConfigKey<String> PEERDB_S3_REGION = key("PEERDB_S3_REGION", "PeerDB", "us-east-1",
            "S3 staging region.", anyText());
    public static final ConfigKey<String> PEERDB_S3_ENDPOINT = key("PEERDB_S3_ENDPOINT", "PeerDB", "",
            "S3 staging endpoint (MinIO in the seed's stack; empty: AWS).", anyText());

    // ---- Leadership
    public static final ConfigKey<String> LEADERSHIP = key("LEADERSHIP", "Leadership", "redis",
            "Leader election: redis (the seed's HA setup), postgres (advisory lock, no extra service) or none (single worker, always leader).",
            oneOf("redis", "postgres", "none"));
    public static final ConfigKey<String> WORKER_ID = computedKey("WORKER_ID", "Leadership", "<hostname>-<pid>",
            "Unique identity of this worker instance.", workerId());
    public static final ConfigKey<Duration> LEADER_ELECTION_TTL = key("LEADER_ELECTION_TTL", "Leadership", "30",
            "Seconds a leader lease lives without renewal.", seconds(1, 3600));
    public static final ConfigKey<Duration> LEADER_ELECTION_INTERVAL = key("LEADER_ELECTION_INTERVAL", "Leadership", "10",
            "Seconds between lease renewals / acquisition attempts; must be less than half of LEADER_ELECTION_TTL.", seconds(0.1, 3600));
    public static final ConfigKey<String> LEADER_LOCK_NAME = key("LEADER_LOCK_NAME", "Leadership", "echodb:auto_mirror:leader_lock",
            "Name of the leader lease: the Redis key (the seed's), or the name hashed into the PostgreSQL advisory-lock key. "
                    + "Workers that share it elect one leader; give each EchoDB deployment sharing a Redis its own.", leaseName());
    public static final ConfigKey<String> REDIS_HOST = key("REDIS_HOST", "Leadership", "redis",
            "Redis host (LEADERSHIP=redis).", host());
    public static final ConfigKey<Integer> REDIS_PORT = key("REDIS_PORT", "Leadership", "6379",
            "Redis port.", port());
    public static final ConfigKey<Secret> REDIS_PASSWORD = secretKey("REDIS_PASSWORD", "Leadership", "",
            "Redis password (empty: none).", secret());

    // ---- Resilience
    public static final ConfigKey<Integer> PEERDB_FAILURE_THRESHOLD = key("PEERDB_FAILURE_THRESHOLD", "Resilience", "5",
            "Consecutive mirror-engine failures that open the peerdb_api circuit breaker (any engine).", integer(1, 1000));
    public static final ConfigKey<Integer> PEERDB_SUCCESS_THRESHOLD = key("PEERDB_SUCCESS_THRESHOLD", "Resilience", "2",
            "Successful trial calls that close the half-open peerdb_api breaker.", integer(1, 1000));
    public static final ConfigKey<Duration> PEERDB_TIMEOUT = key("PEERDB_TIMEOUT", "Resilience", "60",
            "Seconds the peerdb_api breaker stays open before trial calls.", seconds(0.1, 86_400));
    public static final ConfigKey<Integer> POSTGRES_FAILURE_THRESHOLD = key("POSTGRES_FAILURE_THRESHOLD", "Resilience", "3",
            "Consecutive PostgreSQL failures that open the postgres_connection breaker.", integer(1, 1000));
    public static final ConfigKey<Integer> POSTGRES_SUCCESS_THRESHOLD = key("POSTGRES_SUCCESS_THRESHOLD", "Resilience", "2",
            "Successful trial calls that close the half-open postgres_connection breaker.", integer(1, 1000));
    public static final ConfigKey<Duration> POSTGRES_TIMEOUT = key("POSTGRES_TIMEOUT", "Resilience", "30",
            "Seconds the postgres_connection breaker stays open before trial calls.", seconds(0.1, 86_400));
    public static final ConfigKey<Integer> MAX_RETRIES = key("MAX_RETRIES", "Resilience", "5",
            "Control plane: failed rounds in a row (a DDL batch or a sweep the engine or a database refused) after which the"
                    + " wait between them stops growing (0 = always RETRY_DELAY); rounds are retried forever.", integer(0, 100));
    public static final ConfigKey<Duration> RETRY_DELAY = key("RETRY_DELAY", "Resilience", "5",
            "Control plane: seconds before a failed round is tried again (at least 0.1).", seconds(0, 3600));
    public static final ConfigKey<Double> RETRY_BACKOFF = key("RETRY_BACKOFF", "Resilience", "2.0",
            "Control plane: multiplier applied to the wait after each further failed round in a row (exponential backoff,"
                    + " never beyond RECONCILE_INTERVAL); engine calls themselves are tried once, never retried on top.",
            decimal(1.0, 10.0));

    // ---- Consistency
    public static final ConfigKey<Duration> CONSISTENCY_CHECK_INTERVAL = key("CONSISTENCY_CHECK_INTERVAL", "Consistency", "900",
            "Seconds between scheduled consistency checks of every mirrored table (on the leader).", seconds(1, 604_800));
    public static final ConfigKey<String> CONSISTENCY_MODE = key("CONSISTENCY_MODE", "Consistency", "count",
            "What scheduled checks, /verify and /verify-all compare when no ?mode= is given: count (the seed's row counts) "
                    + "or checksum (row digests down to the differing keys, where both sides support it).", oneOf("count", "checksum"));
    public static final ConfigKey<Integer> CONSISTENCY_AUTO_RESYNCS = key("CONSISTENCY_AUTO_RESYNCS", "Consistency", "3",
            "Native and PeerDB engines: when a scheduled check (or the check after a copy) finds a RUNNING, caught-up mirror "
                    + "whose table differs, copy it again, at most this many times per mirror in 24 hours; 0 only reports.",
            integer(0, 100));
    public static final ConfigKey<Integer> CONSISTENCY_CHECKER_PORT = key("CONSISTENCY_CHECKER_PORT", "Consistency", "0",
            "When non-zero, also serve the seed's checker endpoints (/health, /verify, /verify-all) on this port; "
                    + "0 (default) serves them on HTTP_PORT only.", portOrOff());

    // ---- HTTP and operations
    public static final ConfigKey<String> HTTP_HOST = key("HTTP_HOST", List.of("HEALTH_CHECK_HOST"), "HTTP", "0.0.0.0",
            "Address the HTTP API binds to.", host());
    public static final ConfigKey<Integer> HTTP_PORT = key("HTTP_PORT", List.of("HEALTH_CHECK_PORT"), "HTTP", "8080",
            "Port of the HTTP API (health, readiness, metrics, mirrors, verify); 0 picks a free port (logged at start-up).", portOrOff());
    public static final ConfigKey<Secret> ADMIN_TOKEN = secretKey("ADMIN_TOKEN", "HTTP", "",
            "Bearer token for POST /mirrors/{name}/pause|resume|resync; when empty those endpoints answer 403.", token());
    public static final ConfigKey<String> LOG_LEVEL = key("LOG_LEVEL", "HTTP", "INFO",
            "Log level of EchoDB's own loggers: TRACE|DEBUG|INFO|WARN|ERROR.", logLevel());

    private ConfigKeys() {
    }

    /** Every key in documentation order. */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> ConfigKey<T> key(String name, String area, String def, String description, ValueParser<T> parser) {
        return register(new ConfigKey<>(name, List.of(), area, def, null, description, false, parser));
    }

    private static <T> ConfigKey<T> key(String name, List<String> aliases, String area, String def, String description, ValueParser<T> parser) {
        return register(new ConfigKey<>(name, aliases, area, def, null, description, false, parser));
    }

    private static <T> ConfigKey<T> secretKey(String name, String area, String def, String description, ValueParser<T> parser) {
        return register(new ConfigKey<>(name, List.of(), area, def, null, description, true, parser));
    }

    private static <T> ConfigKey<T> computedKey(String name, String area, String computed, String description, ValueParser<T> parser) {
        return register(new ConfigKey<>(name, List.of(), area, null, computed, description, false, parser));
    }

    private static <T> ConfigKey<T> register(ConfigKey<T> key) {
        ALL.add(key);
        return key;
    }
}
