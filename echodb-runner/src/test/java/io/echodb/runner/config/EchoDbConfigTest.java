package io.echodb.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EchoDbConfigTest {

    @TempDir
    Path dir;

    private static EchoDbConfig load(Map<String, String> env) {
        return EchoDbConfig.from(ConfigSource.of(env), () -> "test-worker");
    }

    @Test
    void defaultsAreTheSeeds() {
        EchoDbConfig c = load(Map.of());
        assertThat(c.postgres().host()).isEqualTo("postgres");
        assertThat(c.postgres().port()).isEqualTo(5432);
        assertThat(c.postgres().user()).isEqualTo("echodb");
        assertThat(c.postgres().password().reveal()).isEqualTo("password");
        assertThat(c.postgres().database()).isEqualTo("echodb");
        assertThat(c.clickhouse().host()).isEqualTo("clickhouse");
        assertThat(c.clickhouse().port()).isEqualTo(8123);
        assertThat(c.clickhouse().database()).isEqualTo("echodb");
        assertThat(c.clickhouse().jdbcUrl()).isEqualTo("jdbc:clickhouse:http://clickhouse:8123/echodb");
        assertThat(c.policy().schemas()).containsExactly("public");
        assertThat(c.policy().excludeGlobs()).containsExactly("spatial_ref_sys", "geometry_columns", "geography_columns",
                "raster_columns", "raster_overviews");
        assertThat(c.peerdb().sourcePeer()).isEqualTo("postgres_main");
        assertThat(c.peerdb().targetPeer()).isEqualTo("clickhouse_analytics");
        assertThat(c.peerdb().port()).isEqualTo(9900);
        assertThat(c.leadership().kind()).isEqualTo("redis");
        assertThat(c.leadership().workerId()).isEqualTo("test-worker");
        assertThat(c.leadership().ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.leadership().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.leadership().redisHost()).isEqualTo("redis");
        assertThat(c.leadership().lockName()).isEqualTo("echodb:auto_mirror:leader_lock");
        assertThat(c.leadership().redisPort()).isEqualTo(6379);
        assertThat(c.resilience().mirrorEngine()).isEqualTo(new EchoDbConfig.Breaker(5, 2, Duration.ofSeconds(60)));
        assertThat(c.resilience().postgres()).isEqualTo(new EchoDbConfig.Breaker(3, 2, Duration.ofSeconds(30)));
        assertThat(c.resilience().maxRetries()).isEqualTo(5);
        assertThat(c.resilience().retryBackoff()).isEqualTo(2.0);
        assertThat(c.consistency().interval()).isEqualTo(Duration.ofSeconds(900));
        assertThat(c.engine().kind()).isEqualTo("native");
        assertThat(c.engine().slotName()).isEqualTo("echodb_slot");
        assertThat(c.engine().publication()).isEqualTo("echodb_pub");
        assertThat(c.engine().stateSchema()).isEqualTo("_echodb");
        assertThat(c.autoMirror().reconcileInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().adminEnabled()).isFalse();
        assertThat(c.clickhouse().cleanDatabases()).isFalse();
    }

    @Test
    void everyKeyHasADescriptionAndAValidDefault() {
        assertThat(ConfigKeys.all()).hasSizeGreaterThan(50);
        assertThat(ConfigKeys.all().stream().map(ConfigKey::name).distinct()).hasSameSizeAs(ConfigKeys.all());
        for (ConfigKey<?> k : ConfigKeys.all()) {
            assertThat(k.description()).as(k.name()).isNotBlank();
            assertThat(k.shownDefault()).as(k.name()).isNotNull();
            if (k.defaultValue() != null) {
                k.parse(k.defaultValue()); // throws if a default broke its own rule
            }
        }
    }

    /** A bad value for every key that can have one; the error is one line naming the key, the value and the rule. */
    static final Map<String, List<String>> BAD_VALUES = Map.ofEntries(
            Map.entry("POSTGRES_HOST", List.of("bad host!")),
            Map.entry("POSTGRES_PORT", List.of("abc", "0", "65536", "-1", "5432.5")),
            Map.entry("POSTGRES_SSLMODE", List.of("sometimes")),
            Map.entry("DDL_CAPTURE", List.of("triggers", "none")),
            Map.entry("KEYLESS_TABLES", List.of("yes", "multiset")),
            Map.entry("POSTGRES_SSLROOTCERT", List.of("/nonexistent/root.crt", "/tmp")),
            Map.entry("ECHODB_TABLES_FILE", List.of("/nonexistent/tables.yaml", "/tmp")),
            Map.entry("POSTGRES_DIRECT_HOST", List.of("bad host!")),
            Map.entry("POSTGRES_DIRECT_PORT", List.of("abc", "65536", "-1")),
            Map.entry("DDL_SWEEP_INTERVAL", List.of("0", "0.05", "61", "often")),
            Map.entry("RECONNECT_DELAY", List.of("soon", "0")),
            Map.entry("MAX_RECONNECT_ATTEMPTS", List.of("0", "many")),
            Map.entry("POSTGRES_POOL_SIZE", List.of("0", "1001", "lots")),
            Map.entry("POSTGRES_POOL_TIMEOUT", List.of("0.1", "forever")),
            Map.entry("CLICKHOUSE_HOST", List.of("a b")),
            Map.entry("CLICKHOUSE_PORT", List.of("http")),
            Map.entry("CLICKHOUSE_URL", List.of("http://clickhouse:8123", "jdbc:postgresql://x/y")),
            Map.entry("CLEAN_DATABASES", List.of("maybe")),
            Map.entry("MIRROR_ENGINE", List.of("debezium")),
            Map.entry("ECHODB_SLOT_NAME", List.of("Bad-Slot", "1slot")),
            Map.entry("ECHODB_PUBLICATION", List.of("pub lication")),
            Map.entry("ECHODB_STATE_SCHEMA", List.of("State")),
            Map.entry("BATCH_MAX_ROWS", List.of("0", "lots")),
            Map.entry("BATCH_MAX_BYTES", List.of("12")),
            Map.entry("BATCH_MAX_AGE_MS", List.of("0", "1s")),
            Map.entry("SNAPSHOT_PARALLELISM", List.of("0", "65")),
            Map.entry("CONCURRENT_SNAPSHOTS", List.of("0", "65")),
            Map.entry("SNAPSHOT_MEMORY_BYTES", List.of("1048575", "128MiB")),
            Map.entry("SNAPSHOT_RANGE_MIN_PAGES", List.of("0", "x")),
            Map.entry("RECONCILE_INTERVAL", List.of("0", "one minute")),
            Map.entry("DDL_POLL_INTERVAL", List.of("0", "x")),
            Map.entry("DDL_OUTBOX_RETENTION", List.of("-1", "31536001", "week")),
            Map.entry("DDL_OUTBOX_KEEP", List.of("-1", "many")),
            Map.entry("SLOT_WAL_WARN_BYTES", List.of("0", "-5", "10GB")),
            Map.entry("DROP_TARGET_ON_TABLE_DROP", List.of("perhaps")),
            Map.entry("PEERDB_HOST", List.of("peer db")),
            Map.entry("PEERDB_PORT", List.of("99999")),
            Map.entry("SOURCE_PEER_NAME", List.of("Postgres-Main")),
            Map.entry("TARGET_PEER_NAME", List.of("click house")),
            Map.entry("LEADERSHIP", List.of("zookeeper")),
            Map.entry("WORKER_ID", List.of("worker one", "x".repeat(65))),
            Map.entry("LEADER_ELECTION_TTL", List.of("0", "forever")),
            Map.entry("LEADER_ELECTION_INTERVAL", List.of("0", "often")),
            Map.entry("REDIS_HOST", List.of("re dis")),
            Map.entry("REDIS_PORT", List.of("6379x")),
            Map.entry("PEERDB_FAILURE_THRESHOLD", List.of("0")),
            Map.entry("PEERDB_SUCCESS_THRESHOLD", List.of("-2")),
            Map.entry("PEERDB_TIMEOUT", List.of("-1")),
            Map.entry("POSTGRES_FAILURE_THRESHOLD", List.of("three")),
            Map.entry("POSTGRES_SUCCESS_THRESHOLD", List.of("0")),
            Map.entry("POSTGRES_TIMEOUT", List.of("0")),
            Map.entry("MAX_RETRIES", List.of("-1", "101")),
            Map.entry("RETRY_DELAY", List.of("-5")),
            Map.entry("RETRY_BACKOFF", List.of("0.5", "fast")),
            Map.entry("CONSISTENCY_CHECK_INTERVAL", List.of("0")),
            Map.entry("CONSISTENCY_CHECKER_PORT", List.of("-1")),
            Map.entry("CONSISTENCY_AUTO_RESYNCS", List.of("-1", "101", "many")),
            Map.entry("HTTP_HOST", List.of("local host")),
            Map.entry("HTTP_PORT", List.of("eighty")),
            Map.entry("ADMIN_TOKEN", List.of("short", "has spaces in it, sixteen+")),
            Map.entry("LOG_LEVEL", List.of("LOUD")),
            Map.entry("SYNC_SCHEMA", List.of(",", " , ")),
            Map.entry("CLICKHOUSE_NATIVE_PORT", List.of("nine thousand")),
            Map.entry("PEERDB_FLOW_API_URL", List.of("grpc://flow-api:8112", "flow-api:8113")),
            Map.entry("PEERDB_POSTGRES_HOST", List.of("pg host")),
            Map.entry("PEERDB_CLICKHOUSE_HOST", List.of("ch/host")),
            Map.entry("PEERDB_CLICKHOUSE_DISABLE_TLS", List.of("sometimes")),
            Map.entry("LEADER_LOCK_NAME", List.of("has space")),
            Map.entry("CONSISTENCY_MODE", List.of("rows")));

    /** Keys that accept any text (passwords, optional names): nothing to reject. */
    static final List<String> FREE_TEXT = List.of("POSTGRES_PASSWORD", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_CLUSTER",
            "PEERDB_PASSWORD", "REDIS_PASSWORD", "EXCLUDED_TABLES", "POSTGRES_USER", "POSTGRES_DB", "CLICKHOUSE_USER",
            "CLICKHOUSE_DATABASE", "PEERDB_USER", "PEERDB_FLOW_API_TOKEN", "PEERDB_S3_PATH", "PEERDB_S3_ACCESS_KEY_ID",
            "PEERDB_S3_SECRET_ACCESS_KEY", "PEERDB_S3_REGION", "PEERDB_S3_ENDPOINT");

    @Test
    void everyValidatingKeyHasBadValuesInThisTest() {
        for (ConfigKey<?> k : ConfigKeys.all()) {
            assertThat(BAD_VALUES.containsKey(k.name()) || FREE_TEXT.contains(k.name()))
                    .as("key %s needs bad values in BAD_VALUES (or to be listed in FREE_TEXT)", k.name()).isTrue();
        }
    }

    @Test
    void aBadValueStopsLoadingWithOneLineNamingTheKey() {
        BAD_VALUES.forEach((key, values) -> {
            for (String bad : values) {
                Map<String, String> env = new HashMap<>();
                env.put(key, bad);
                ConfigKey<?> k = ConfigKeys.all().stream().filter(x -> x.name().equals(key)).findFirst().orElseThrow();
                assertThatThrownBy(() -> load(env)).as("%s='%s'", key, bad)
                        .isInstanceOf(ConfigException.class)
                        .satisfies(e -> {
                            String m = e.getMessage();
                            assertThat(m).doesNotContain("\n");
                            assertThat(m).startsWith(key + "='" + (k.secret() ? Secret.MASK : bad) + "' ");
                            assertThat(m).containsPattern("must|needs");
                        });
            }
        });
    }

    @Test
    void theSeedsExampleOfAPortError() {
        assertThatThrownBy(() -> load(Map.of("POSTGRES_PORT", "abc")))
                .hasMessage("POSTGRES_PORT='abc' must be an integer 1..65535");
    }

    @Test
    void blankValuesMeanTheDefaultExceptForSecrets() {
        EchoDbConfig c = load(Map.of("POSTGRES_PORT", "", "POSTGRES_PASSWORD", ""));
        assertThat(c.postgres().port()).isEqualTo(5432);
        assertThat(c.postgres().password().reveal()).isEmpty();
    }

    @Test
    void valuesAreParsed() {
        EchoDbConfig c = load(Map.ofEntries(
                Map.entry("SYNC_SCHEMA", "public, analytics"),
                Map.entry("EXCLUDED_TABLES", "temp_*,audit.log"),
                Map.entry("LEADER_ELECTION_TTL", "3"),
                Map.entry("LEADER_ELECTION_INTERVAL", "1"),
                Map.entry("LEADERSHIP", "POSTGRES"),
                Map.entry("MIRROR_ENGINE", "Native"),
                Map.entry("RETRY_DELAY", "0.25"),
                Map.entry("CLEAN_DATABASES", "yes"),
                Map.entry("LOG_LEVEL", "warning"),
                Map.entry("CLICKHOUSE_URL", "jdbc:clickhouse:https://u:secretpw@ch.example.com:8443/analytics?compress=0")));
        assertThat(c.policy().schemas()).containsExactlyInAnyOrder("public", "analytics");
        assertThat(c.policy().excludeGlobs()).containsExactly("temp_*", "audit.log");
        assertThat(c.leadership().ttl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.leadership().kind()).isEqualTo("postgres");
        assertThat(c.engine().kind()).isEqualTo("native");
        assertThat(c.resilience().retryDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.clickhouse().cleanDatabases()).isTrue();
        assertThat(c.logLevel()).isEqualTo("WARN");
        assertThat(c.clickhouse().jdbcUrl()).isEqualTo("jdbc:clickhouse:https://u:secretpw@ch.example.com:8443/analytics?compress=0");
    }

    @Test
    void copyConcurrencyAndMemoryAreRead() {
        EchoDbConfig defaults = load(Map.of());
        assertThat(defaults.engine().concurrentSnapshots()).isEqualTo(2);
        assertThat(defaults.engine().snapshotMemoryBytes()).isEqualTo(128L << 20);

        EchoDbConfig c = load(Map.of("CONCURRENT_SNAPSHOTS", "4", "SNAPSHOT_MEMORY_BYTES", "67108864"));
        assertThat(c.engine().concurrentSnapshots()).isEqualTo(4);
        assertThat(c.engine().snapshotMemoryBytes()).isEqualTo(64L << 20);
    }

    @Test
    void leaderIntervalMustLeaveRoomToRenew() {
        assertThatThrownBy(() -> load(Map.of("LEADER_ELECTION_TTL", "10", "LEADER_ELECTION_INTERVAL", "6")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("LEADER_ELECTION_INTERVAL=6s must be at most half of LEADER_ELECTION_TTL=10s");
    }

    @Test
    void checkerPortMustDifferFromHttpPort() {
        assertThatThrownBy(() -> load(Map.of("HTTP_PORT", "8090", "CONSISTENCY_CHECKER_PORT", "8090")))
                .hasMessageStartingWith("CONSISTENCY_CHECKER_PORT=8090 must differ from HTTP_PORT");
    }

    @Test
    void stateSchemaIsNeverWatched() {
        assertThatThrownBy(() -> load(Map.of("SYNC_SCHEMA", "public,_echodb")))
                .hasMessageContaining("SYNC_SCHEMA must not include ECHODB_STATE_SCHEMA='_echodb'");
    }

    @Test
    void theSeedsOldPortNamesAreAccepted() {
        EchoDbConfig c = load(Map.of("HEALTH_CHECK_PORT", "8081", "HEALTH_CHECK_HOST", "127.0.0.1"));
        assertThat(c.http().port()).isEqualTo(8081);
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> load(Map.of("HEALTH_CHECK_PORT", "x")))
                .hasMessage("HEALTH_CHECK_PORT='x' must be an integer 0..65535");
        assertThat(load(Map.of("HEALTH_CHECK_PORT", "8081", "HTTP_PORT", "9000")).http().port()).isEqualTo(9000);
    }

    @Test
    void secretsAreMaskedInToStringSummaryAndErrors() {
        EchoDbConfig c = load(Map.of(
                "POSTGRES_PASSWORD", "pg-Secret-1",
                "CLICKHOUSE_PASSWORD", "ch-Secret-2",
                "PEERDB_PASSWORD", "pdb-Secret-3",
                "REDIS_PASSWORD", "redis-Secret-4",
                "ADMIN_TOKEN", "admin-token-0123456789",
                "CLICKHOUSE_URL", "jdbc:clickhouse:http://bob:url-Secret-5@ch:8123/db?password=url-Secret-6&compress=0"));
        String everything = c.toString() + String.join("\n", c.describe());
        for (String secret : List.of("pg-Secret-1", "ch-Secret-2", "pdb-Secret-3", "redis-Secret-4",
                "admin-token-0123456789", "url-Secret-5", "url-Secret-6")) {
            assertThat(everything).doesNotContain(secret);
        }
        assertThat(everything).contains("POSTGRES_PASSWORD=**** (environment)");
        assertThat(everything).contains("jdbc:clickhouse:http://bob:****@ch:8123/db?password=****&compress=0");
        assertThatThrownBy(() -> load(Map.of("ADMIN_TOKEN", "tiny-secret")))
                .hasMessage("ADMIN_TOKEN='****' must be empty or at least 16 printable characters without spaces")
                .message().doesNotContain("tiny-secret");
    }

    @Test
    void redactorMasksConfiguredSecretsInAnyText() {
        EchoDbConfig c = load(Map.of("POSTGRES_PASSWORD", "hunter2hunter2", "ADMIN_TOKEN", "admin-token-0123456789"));
        Redactor r = new Redactor().register(c);
        assertThat(r.redact("FATAL: password hunter2hunter2 rejected; token admin-token-0123456789"))
                .isEqualTo("FATAL: password **** rejected; token ****");
        assertThat(r.redact("connect to jdbc:postgresql://a:b@h/db?password=zzz&ssl=true failed"))
                .isEqualTo("connect to jdbc:postgresql://a:****@h/db?password=****&ssl=true failed");
        assertThat(r.redact(null)).isNull();
    }

    @Test
    void envFileIsReadAndTheEnvironmentWins() throws Exception {
        Path file = dir.resolve("custom.env");
        Files.writeString(file, String.join("\n",
                "# comment",
                "",
                "POSTGRES_HOST=db.internal",
                "export POSTGRES_PORT=6543",
                "CONSISTENCY_CHECK_INTERVAL=300  # 5 minutes, like the seed's .env.example",
                "POSTGRES_PASSWORD='sq # not a comment'",
                "CLICKHOUSE_PASSWORD=\"dq \\\"quoted\\\"\"",
                "SYNC_SCHEMA=from_file"), StandardCharsets.UTF_8);
        EchoDbConfig c = EchoDbConfig.from(ConfigSource.load(Map.of(
                ConfigSource.ENV_FILE_KEY, file.toString(),
                "SYNC_SCHEMA", "from_env"), dir), () -> "w");
        assertThat(c.postgres().host()).isEqualTo("db.internal");
        assertThat(c.postgres().port()).isEqualTo(6543);
        assertThat(c.consistency().interval()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.postgres().password().reveal()).isEqualTo("sq # not a comment");
        assertThat(c.clickhouse().password().reveal()).isEqualTo("dq \"quoted\"");
        assertThat(c.policy().schemas()).containsExactly("from_env");
        assertThat(c.summary().get("POSTGRES_HOST")).isEqualTo("db.internal (env file)");
        assertThat(c.summary().get("SYNC_SCHEMA")).isEqualTo("from_env (environment)");
    }

    @Test
    void dotEnvInTheWorkingDirectoryIsUsedWhenPresent() throws Exception {
        Files.writeString(dir.resolve(".env"), "POSTGRES_DB=from_dot_env\n", StandardCharsets.UTF_8);
        assertThat(EchoDbConfig.load(Map.of(), dir).postgres().database()).isEqualTo("from_dot_env");
    }

    @Test
    void aMissingExplicitEnvFileIsAnError() {
        assertThatThrownBy(() -> EchoDbConfig.load(Map.of(ConfigSource.ENV_FILE_KEY, dir.resolve("nope.env").toString()), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ECHODB_ENV_FILE='")
                .hasMessageEndingWith("nope.env' must name a readable file");
    }

    @Test
    void aMalformedEnvFileLineIsReportedWithItsNumber() throws Exception {
        Path file = dir.resolve("bad.env");
        Files.writeString(file, "POSTGRES_HOST=x\nthis line has no equals sign\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EchoDbConfig.load(Map.of(ConfigSource.ENV_FILE_KEY, file.toString()), dir))
                .hasMessage(file + " line 2: expected KEY=VALUE");
    }

    @Test
    void anInvalidValueInTheEnvFileNamesTheKey() throws Exception {
        Files.writeString(dir.resolve(".env"), "REDIS_PORT=sixty\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EchoDbConfig.load(Map.of(), dir)).hasMessage("REDIS_PORT='sixty' must be an integer 1..65535");
    }

    @Test
    void defaultWorkerIdIsUsable() {
        String id = EchoDbConfig.defaultWorkerId();
        assertThat(id).matches("[A-Za-z0-9._:\\-]{1,64}");
        assertThat(EchoDbConfig.load(Map.of(), dir).leadership().workerId()).isEqualTo(id);
    }
}
