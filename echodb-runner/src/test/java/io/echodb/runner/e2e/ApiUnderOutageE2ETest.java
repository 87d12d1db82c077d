package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.testing.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL and ClickHouse stop answering (the network path stalls: connections stay open, no byte passes): every
 * endpoint of the API still answers within 2 s — reads with their last known state or a 503 naming the cause,
 * commands and checks accepted as jobs to poll — and the jobs finish once the databases answer again.
 */
class ApiUnderOutageE2ETest {

    private static final Logger LOG = LoggerFactory.getLogger(ApiUnderOutageE2ETest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_api_outage");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> proxies = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        stack.close();
        for (AutoCloseable p : proxies) {
            p.close();
        }
    }

    private record Answer(int status, long millis, String body) { }

    private Answer call(EchoDbApplication app, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .timeout(Duration.ofSeconds(30));
        if (method.equals("POST")) {
            b.POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + Stack.ADMIN_TOKEN);
        }
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), (System.nanoTime() - start) / 1_000_000, r.body());
    }

    @Test
    void everyEndpointAnswersWithinTwoSecondsWhileTheDatabasesHang() throws Exception {
        TcpProxy pg = TcpProxy.start("postgres", stack.pg.host(), stack.pg.port());
        TcpProxy ch = TcpProxy.start("clickhouse", stack.ch.host(), stack.ch.port());
        proxies.add(pg);
        proxies.add(ch);
        stack.sql("CREATE TABLE outage_t (id int PRIMARY KEY, v text)", "INSERT INTO outage_t VALUES (1, 'a')");
        Map<String, String> env = stack.env("outage-worker", "none");
        env.put("POSTGRES_HOST", pg.host());
        env.put("POSTGRES_PORT", Integer.toString(pg.port()));
        env.put("CLICKHOUSE_URL", "jdbc:clickhouse:http://" + ch.host() + ":" + ch.port() + "/" + stack.chDb + "?compress=0");
        EchoDbApplication app = stack.start(env);
        eventually(WAIT, () -> assertThat(stack.chCount("outage_t")).isEqualTo(1));
        eventually(WAIT, () -> assertThat(stack.get(app, "/mirrors").get("mirrors").get(0).get("state").asText())
                .isEqualTo("running"));

        pg.pause();
        ch.pause();
        Map<String, Answer> answers = new LinkedHashMap<>();
        try {
            Thread.sleep(2_500); // let the worker's own calls get stuck and the cached probe results (2 s) expire
            for (String path : List.of("/health", "/ready", "/metrics", "/metrics/prometheus", "/mirrors",
                    "/mirrors/outage_t_mirror", "/verify?table=outage_t", "/verify?table=outage_t&mode=checksum",
                    "/verify-all", "POST /mirrors/outage_t_mirror/pause", "POST /mirrors/outage_t_mirror/resume",
                    "/health")) {
                String[] parts = path.startsWith("POST ") ? new String[] {"POST", path.substring(5)} : new String[] {"GET", path};
                answers.put(path, call(app, parts[0], parts[1]));
            }
        } finally {
            pg.resume();
            ch.resume();
        }
        answers.forEach((path, a) -> LOG.info("while PostgreSQL and ClickHouse hang: {} -> {} in {} ms: {}", path,
                a.status(), a.millis(), a.body().length() > 300 ? a.body().substring(0, 300) + "…" : a.body()));

        assertThat(answers).allSatisfy((path, a) -> assertThat(a.millis()).as(path).isLessThan(2_000));
        assertThat(answers.get("/health").status()).as("liveness does not depend on the databases").isEqualTo(200);
        assertThat(answers.get("/ready").status()).as("not ready while they hang").isEqualTo(503);
        assertThat(answers.get("/ready").body()).contains("did not answer within");
        List<String> jobs = new ArrayList<>();
        for (String path : List.of("/verify?table=outage_t", "/verify-all", "POST /mirrors/outage_t_mirror/pause")) {
            Answer a = answers.get(path);
            assertThat(a.status()).as(path).isIn(202, 503);
            if (a.status() == 202) {
                jobs.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(a.body()).get("command_id").asText());
            }
        }
        assertThat(jobs).as("long commands and checks are accepted as jobs").isNotEmpty();

        // once the databases answer again, every accepted job ends (succeeded or failed with its reason)
        eventually(WAIT, () -> {
            for (String id : jobs) {
                assertThat(stack.get(app, "/commands/" + id).get("state").asText()).as(id).isIn("succeeded", "failed");
            }
        });
        eventually(WAIT, () -> assertThat(stack.get(app, "/ready").get("_status").asInt()).isEqualTo(200));
    }
}
