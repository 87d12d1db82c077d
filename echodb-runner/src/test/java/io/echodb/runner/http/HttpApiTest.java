package io.echodb.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.TableCheck;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.InMemoryRowCounter;
import io.echodb.runner.config.ConfigSource;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.config.Secret;
import io.echodb.runner.resilience.Resilience;
import io.echodb.runner.resilience.ResilientMirrorControl;
import io.echodb.core.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's shapes and rules, over in-memory ports and the real consistency checker. */
class HttpApiTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final String PG_SECRET = "pg-super-secret-pw";

    private final ManualClock clock = ManualClock.at("2025-03-01T12:00:00Z");
    private final WatchPolicy policy = WatchPolicy.fromCommaLists("public", "");
    private final TableRef users = TableRef.of("public", "users");
    private final TableRef orders = TableRef.of("public", "orders");
    private final InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
    private final InMemoryRowCounter pgRows = new InMemoryRowCounter(clock);
    private final InMemoryRowCounter chRows = new InMemoryRowCounter(clock);
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private Resilience resilience;
    private TestBackend backend;
    private HttpApi api;
    private HttpApi noTokenApi;

    /** A backend over in-memory ports; worker state is set by the tests. */
    private final class TestBackend implements ApiBackend {
        volatile boolean leader = true;
        volatile String lastError = null;
        volatile String deadLoop = null;
        volatile ReadinessReport readiness = new ReadinessReport(Map.of("postgres", ReadinessReport.Check.ok("reachable")));
        /** When set, verify, readiness and engine commands wait for it: a dependency that hangs. */
        volatile java.util.concurrent.CountDownLatch hang;
        final MirrorControl mirrors;
        final ConsistencyChecker checker;

        TestBackend() {
            mirrors = new ResilientMirrorControl(new MirrorControl() {
                public io.echodb.core.model.MirrorStatus create(io.echodb.core.model.MirrorSpec spec) {
                    return engine.create(spec);
                }

                public void drop(MirrorName name, boolean dropTarget) {
                    engine.drop(name, dropTarget);
                }

                public void pause(MirrorName name) {
                    engine.pause(name);
                }

                public void resume(MirrorName name) {
                    engine.resume(name);
                }

                public void resync(MirrorName name) {
                    hangIfAsked();
                    engine.resync(name);
                }

                public java.util.Optional<io.echodb.core.model.MirrorStatus> rename(MirrorName name,
                        io.echodb.core.model.MirrorSpec to) {
                    return engine.rename(name, to);
                }

                public List<io.echodb.core.model.MirrorStatus> list() {
                    return engine.list();
                }

                public java.util.Optional<io.echodb.core.model.MirrorStatus> status(MirrorName name) {
                    return engine.status(name);
                }
            }, resilience);
            checker = ConsistencyChecker.builder(pgRows, chRows, mirrors, policy).clock(clock).sleeper(d -> { })
                    .settings(new ConsistencyChecker.Settings(1, Duration.ZERO, Duration.ZERO, Duration.ofMillis(1))).build();
        }

        public WorkerSnapshot worker() {
            return new WorkerSnapshot(true, true, "worker-1", leader, 2, 1, 0, lastError, 42, deadLoop);
        }

        public ReadinessReport readiness() {
            hangIfAsked();
            return readiness;
        }

        void hangIfAsked() {
            java.util.concurrent.CountDownLatch h = hang;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        public Map<String, Resilience.View> breakers() {
            return resilience.views();
        }

        public MirrorControl mirrors() {
            return mirrors;
        }

        public boolean isLeader() {
            return leader;
        }

        public ConsistencyReport verify(TableRef table, ConsistencyChecker.Mode mode) {
            hangIfAsked();
            if (!table.equals(users) && !table.equals(orders)) {
                throw NotFoundException.of("table " + table + " does not exist in the source database");
            }
            return checker.check(table, mode);
        }

        public List<TableCheck> verifyAll(ConsistencyChecker.Mode mode) {
            return checker.checkAll(mode);
        }

        public String prometheusScrape() {
            return "# HELP echodb_mirrors Mirrors by state\necho_test 1.0\n";
        }
    }

    @BeforeEach
    void start() {
        EchoDbConfig config = EchoDbConfig.from(ConfigSource.of(Map.of("POSTGRES_PASSWORD", PG_SECRET, "ADMIN_TOKEN", TOKEN,
                "MAX_RETRIES", "1", "RETRY_DELAY", "0.001")), () -> "w");
        Redactor redactor = new Redactor().register(config);
        resilience = new Resilience(config.resilience(), clock);
        backend = new TestBackend();
        engine.create(policy.specFor(users));
        engine.create(policy.specFor(orders));
        engine.setLag(new MirrorName("orders_mirror"), 1234);
        engine.setSnapshot(new MirrorName("orders_mirror"), new SnapshotProgress(500, 1000, 250.0, false));
        api = new HttpApi(backend, Secret.of(TOKEN), redactor, clock, List.of("public"), HttpApi.Surface.FULL).start("127.0.0.1", 0);
        noTokenApi = new HttpApi(backend, Secret.of(""), redactor, clock, List.of("public"), HttpApi.Surface.FULL).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        api.close();
        noTokenApi.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpApi target, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode body(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        return json.readTree(r.body());
    }

    private JsonNode unchecked(String path) {
        try {
            return body(get(path));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void healthIsTheSeedsLiveness() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(b.get("status").asText()).isEqualTo("healthy");
        assertThat(b.get("worker_id").asText()).isEqualTo("worker-1");
    }

    @Test
    void healthFailsWithTheReasonWhenALoopOfTheWorkerDied() throws Exception {
        backend.deadLoop = "the control-plane loop ended: java.lang.OutOfMemoryError: Java heap space";
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode b = body(r);
        assertThat(b.get("status").asText()).isEqualTo("unhealthy");
        assertThat(b.get("reason").asText()).contains("control-plane loop").contains("OutOfMemoryError");
        backend.deadLoop = null;
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsHaveExactlyTheSeedsFields() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(fields(b)).containsExactly("running", "connected", "worker_id", "is_leader", "mirrors_created",
                "mirrors_dropped", "mirrors_failed", "last_error", "uptime_seconds", "circuit_breakers");
        assertThat(b.get("running").isBoolean()).isTrue();
        assertThat(b.get("is_leader").asBoolean()).isTrue();
        assertThat(b.get("mirrors_created").asLong()).isEqualTo(2);
        assertThat(b.get("mirrors_dropped").asLong()).isEqualTo(1);
        assertThat(b.get("last_error").isNull()).isTrue();
        assertThat(b.get("uptime_seconds").asLong()).isEqualTo(42);
        JsonNode cb = b.get("circuit_breakers");
        assertThat(fields(cb)).containsExactly("peerdb_api", "postgres_connection");
        assertThat(fields(cb.get("peerdb_api"))).containsExactly("state", "failures");
        assertThat(cb.get("peerdb_api").get("state").asText()).isEqualTo("closed");
        assertThat(cb.get("postgres_connection").get("failures").asInt()).isZero();
    }

    @Test
    void breakerStateChangesShowInMetrics() throws Exception {
        engine.failWith(MirrorEngineException.retryable("engine down", null));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/mirrors").statusCode()).isEqualTo(503);
        }
        HttpResponse<String> refused = get("/mirrors");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(body(refused).get("error").asText()).contains("circuit breaker 'peerdb_api' is open");
        JsonNode cb = body(get("/metrics")).get("circuit_breakers").get("peerdb_api");
        assertThat(cb.get("state").asText()).isEqualTo("open");
        assertThat(cb.get("failures").asInt()).isEqualTo(5);
    }

    @Test
    void secretsNeverAppearInResponses() throws Exception {
        backend.lastError = "connect failed: password " + PG_SECRET + " rejected for jdbc:postgresql://u:" + PG_SECRET + "@h/db";
        String metrics = get("/metrics").body();
        assertThat(metrics).doesNotContain(PG_SECRET).contains("password **** rejected");
        backend.readiness = new ReadinessReport(Map.of("postgres", ReadinessReport.Check.failed("auth failed with " + PG_SECRET)));
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).doesNotContain(PG_SECRET);
        HttpResponse<String> denied = post(api, "/mirrors/users_mirror/pause", "Bearer " + TOKEN + "x");
        assertThat(denied.body()).doesNotContain(TOKEN);
    }

    @Test
    void readyReportsEveryCheckAnd503WhenOneFails() throws Exception {
        Map<String, ReadinessReport.Check> checks = new LinkedHashMap<>();
        checks.put("postgres", ReadinessReport.Check.ok("reachable"));
        checks.put("engine", ReadinessReport.Check.ok("running"));
        backend.readiness = new ReadinessReport(checks);
        HttpResponse<String> ok = get("/ready");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode b = body(ok);
        assertThat(fields(b)).containsExactly("ready", "checks");
        assertThat(b.get("ready").asBoolean()).isTrue();
        assertThat(fields(b.get("checks"))).containsExactly("postgres", "engine");
        assertThat(fields(b.get("checks").get("engine"))).containsExactlyInAnyOrder("ok", "detail");

        checks.put("clickhouse", ReadinessReport.Check.failed("unreachable"));
        backend.readiness = new ReadinessReport(checks);
        HttpResponse<String> notReady = get("/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(body(notReady).get("ready").asBoolean()).isFalse();
        assertThat(body(notReady).get("checks").get("clickhouse").get("detail").asText()).isEqualTo("unreachable");
    }

    @Test
    void prometheusIsPlainText() throws Exception {
        HttpResponse<String> r = get("/metrics/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        assertThat(r.body()).contains("echo_test 1.0");
    }

    @Test
    void mirrorsListAndDetail() throws Exception {
        JsonNode list = body(get("/mirrors"));
        assertThat(list.get("count").asInt()).isEqualTo(2);
        JsonNode first = list.get("mirrors").get(0);
        assertThat(fields(first)).containsExactly("name", "source_table", "target_table", "state", "rows_synced",
                "lag_bytes", "snapshot", "last_error", "updated_at");
        assertThat(first.get("name").asText()).isEqualTo("orders_mirror");
        assertThat(first.get("source_table").asText()).isEqualTo("public.orders");
        assertThat(first.get("target_table").asText()).isEqualTo("orders");
        assertThat(first.get("state").asText()).isEqualTo("running");
        assertThat(first.get("lag_bytes").asLong()).isEqualTo(1234);
        assertThat(fields(first.get("snapshot"))).containsExactly("percent", "rows_done", "rows_estimated", "rows_per_second",
                "done", "eta_seconds");
        assertThat(first.get("snapshot").get("percent").asDouble()).isEqualTo(50.0);
        assertThat(first.get("snapshot").get("rows_per_second").asDouble()).isEqualTo(250.0);
        assertThat(first.get("snapshot").get("eta_seconds").asLong()).isEqualTo(2);
        assertThat(first.get("updated_at").asText()).isEqualTo("2025-03-01T12:00:00Z");

        HttpResponse<String> one = get("/mirrors/users_mirror");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(body(one).get("source_table").asText()).isEqualTo("public.users");

        for (String unknown : List.of("/mirrors/nope_mirror", "/mirrors/Not-A-Name")) {
            HttpResponse<String> missing = get(unknown);
            assertThat(missing.statusCode()).as(unknown).isEqualTo(404);
            assertThat(fields(body(missing))).containsExactly("error");
        }
    }

    @Test
    void commandsNeedTheAdminToken() throws Exception {
        HttpResponse<String> none = post(api, "/mirrors/users_mirror/pause", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(body(none).get("error").asText()).contains("Authorization: Bearer");
        assertThat(post(api, "/mirrors/users_mirror/pause", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(post(api, "/mirrors/users_mirror/pause", "Basic " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(post(api, "/mirrors/users_mirror/pause", "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
        assertThat(engine.operations()).noneMatch(op -> op.startsWith("pause"));

        HttpResponse<String> disabled = post(noTokenApi, "/mirrors/users_mirror/pause", "Bearer " + TOKEN);
        assertThat(disabled.statusCode()).isEqualTo(403);
        assertThat(body(disabled).get("error").asText()).isEqualTo("mutating endpoints are disabled: set ADMIN_TOKEN to enable them");
        assertThat(engine.operations()).noneMatch(op -> op.startsWith("pause"));
    }

    @Test
    void pauseResumeResyncWithTheToken() throws Exception {
        HttpResponse<String> paused = post(api, "/mirrors/users_mirror/pause", "Bearer " + TOKEN);
        assertThat(paused.statusCode()).isEqualTo(200);
        JsonNode b = body(paused);
        assertThat(fields(b)).containsExactly("mirror", "action", "status");
        assertThat(b.get("action").asText()).isEqualTo("paused");
        assertThat(b.get("status").get("state").asText()).isEqualTo("paused");
        assertThat(body(get("/mirrors/users_mirror")).get("state").asText()).isEqualTo("paused");

        assertThat(body(post(api, "/mirrors/users_mirror/resume", "bearer " + TOKEN)).get("status").get("state").asText())
                .isEqualTo("running");
        assertThat(post(api, "/mirrors/users_mirror/resync", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(engine.operations()).contains("pause users_mirror", "resume users_mirror", "resync users_mirror");

        assertThat(post(api, "/mirrors/ghost_mirror/pause", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(post(api, "/mirrors/Bad-Name/resume", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void onlyTheLeaderRunsCommands() throws Exception {
        backend.leader = false;
        HttpResponse<String> r = post(api, "/mirrors/users_mirror/pause", "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(body(r).get("error").asText()).contains("not the leader");
        assertThat(engine.operations()).noneMatch(op -> op.startsWith("pause"));
    }

    @Test
    void verifyHasTheSeedsFieldsPlusModeAndLag() throws Exception {
        pgRows.givenRows(users, 10);
        chRows.givenRows(users, 10);
        HttpResponse<String> r = get("/verify?schema=public&table=users");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(fields(b)).containsExactly("table", "postgres_count", "clickhouse_count", "match", "difference",
                "timestamp", "mode", "status", "lag_bytes", "differing_keys", "differences");
        assertThat(b.get("table").asText()).isEqualTo("public.users");
        assertThat(b.get("postgres_count").asLong()).isEqualTo(10);
        assertThat(b.get("match").asBoolean()).isTrue();
        assertThat(b.get("difference").asLong()).isZero();
        assertThat(b.get("mode").asText()).isEqualTo("count");
        assertThat(b.get("status").asText()).isEqualTo("match");
        assertThat(b.get("timestamp").asText()).isEqualTo("2025-03-01T12:00:00Z");

        pgRows.givenRows(orders, 7);
        chRows.givenRows(orders, 5);
        JsonNode o = body(get("/verify?table=orders"));
        assertThat(o.get("table").asText()).isEqualTo("public.orders");
        assertThat(o.get("match").asBoolean()).isFalse();
        assertThat(o.get("difference").asLong()).isEqualTo(2);
        assertThat(o.get("lag_bytes").asLong()).isEqualTo(1234);
        assertThat(o.get("status").asText()).isEqualTo("in_flight");

        assertThat(get("/verify?schema=public").statusCode()).isEqualTo(400);
        assertThat(get("/verify?table=users&mode=rows").statusCode()).isEqualTo(400);
        HttpResponse<String> noChecksums = get("/verify?table=users&mode=checksum");
        assertThat(noChecksums.statusCode()).isEqualTo(422);
        assertThat(body(noChecksums).get("error").asText()).contains("checksum mode is not configured");
        assertThat(get("/verify?schema=public&table=ghost").statusCode()).isEqualTo(404);
    }

    @Test
    void verifyAllHasSummaryTablesAndTimestamp() throws Exception {
        pgRows.givenRows(users, 3);
        chRows.givenRows(users, 3);
        pgRows.givenRows(orders, 4);
        chRows.givenRows(orders, 1);
        engine.setLag(new MirrorName("orders_mirror"), 0);
        engine.setState(new MirrorName("orders_mirror"), MirrorState.RUNNING);
        JsonNode b = body(get("/verify-all"));
        assertThat(fields(b)).containsExactly("summary", "tables", "timestamp");
        assertThat(b.get("summary").get("tables_checked").asInt()).isEqualTo(2);
        assertThat(b.get("summary").get("matching").asInt()).isEqualTo(1);
        assertThat(b.get("summary").get("mismatched").asInt()).isEqualTo(1);
        Set<String> tables = Set.of(b.get("tables").get(0).get("table").asText(), b.get("tables").get(1).get("table").asText());
        assertThat(tables).containsExactlyInAnyOrder("public.users", "public.orders");
    }

    @Test
    void unknownEndpointsAnswerJson404() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(body(r).get("error").asText()).contains("/nope");
    }

    @Test
    void checkerSurfaceServesOnlyTheSeedsCheckerEndpoints() throws Exception {
        try (HttpApi checker = new HttpApi(backend, Secret.of(TOKEN), new Redactor(), clock, List.of("public"),
                HttpApi.Surface.CONSISTENCY_CHECKER).start("127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + checker.port();
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/verify-all")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/mirrors")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aCommandThatTakesLongIsAcceptedAtOnceAndPolled() throws Exception {
        backend.hang = new java.util.concurrent.CountDownLatch(1);
        long start = System.nanoTime();
        HttpResponse<String> r = post(api, "/mirrors/users_mirror/resync", "Bearer " + TOKEN);
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(ms).as("answered within 2 s").isLessThan(2_000);
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode accepted = body(r);
        String id = accepted.get("command_id").asText();
        assertThat(accepted.get("state").asText()).isEqualTo("running");
        assertThat(accepted.get("kind").asText()).isEqualTo("resync_started");
        assertThat(accepted.get("target").asText()).isEqualTo("users_mirror");
        assertThat(r.headers().firstValue("Location")).hasValue("/commands/" + id);
        assertThat(body(get("/commands/" + id)).get("state").asText()).isEqualTo("running");

        backend.hang.countDown();
        io.echodb.core.testing.Eventually.eventually(Duration.ofSeconds(10), () -> {
            JsonNode done = unchecked("/commands/" + id);
            assertThat(done.get("state").asText()).isEqualTo("succeeded");
            assertThat(done.get("http_status").asInt()).isEqualTo(200);
            assertThat(done.get("result").get("action").asText()).isEqualTo("resync_started");
            assertThat(done.get("finished_at").isNull()).isFalse();
        });
        assertThat(engine.operations()).contains("resync users_mirror");
        assertThat(body(get("/commands")).get("commands").get(0).get("command_id").asText()).isEqualTo(id);
    }

    @Test
    void aCheckThatTakesLongIsAcceptedAndAFailureIsReportedWithItsStatus() throws Exception {
        backend.hang = new java.util.concurrent.CountDownLatch(1);
        HttpResponse<String> r = get("/verify?table=ghost");
        assertThat(r.statusCode()).isEqualTo(202);
        String id = body(r).get("command_id").asText();

        backend.hang.countDown();
        io.echodb.core.testing.Eventually.eventually(Duration.ofSeconds(10), () -> {
            JsonNode done = unchecked("/commands/" + id);
            assertThat(done.get("state").asText()).isEqualTo("failed");
            assertThat(done.get("http_status").asInt()).isEqualTo(404);
            assertThat(done.get("error").asText()).contains("does not exist");
        });
        assertThat(get("/commands/no-such-command").statusCode()).isEqualTo(404);
    }

    @Test
    void aReadWhoseDependencyHangsAnswers503WithinTwoSeconds() throws Exception {
        backend.hang = new java.util.concurrent.CountDownLatch(1);
        try {
            long start = System.nanoTime();
            HttpResponse<String> r = get("/ready");
            long ms = (System.nanoTime() - start) / 1_000_000;

            assertThat(ms).isLessThan(2_000);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(body(r).get("error").asText()).contains("/ready did not answer within 1800 ms");
            assertThat(get("/health").statusCode()).as("other endpoints still answer").isEqualTo(200);
        } finally {
            backend.hang.countDown();
        }
    }
}
