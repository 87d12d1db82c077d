package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures retrying cannot cure show at once in /ready, the mirror status and with the fix in one line: a mirror whose
 * target is a foreign ClickHouse table, and ClickHouse refusing the worker's credentials.
 */
class PermanentFailureE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_permanent");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void aFailedMirrorFailsReadinessWithItsFixUntilItIsResynced() throws Exception {
        stack.chExecute("CREATE TABLE `" + stack.chDb + "`.`taken` (x Int32) ENGINE = MergeTree ORDER BY x");
        stack.sql("CREATE TABLE fine (id int PRIMARY KEY)", "INSERT INTO fine VALUES (1)",
                "CREATE TABLE taken (id int PRIMARY KEY, v text)", "INSERT INTO taken VALUES (1, 'a')");
        EchoDbApplication app = stack.start(stack.env("permanent-worker", "none"));

        eventually(WAIT, () -> {
            JsonNode ready = stack.get(app, "/ready");
            assertThat(ready.get("_status").asInt()).isEqualTo(503);
            JsonNode mirrors = ready.get("checks").get("mirrors");
            assertThat(mirrors.get("ok").asBoolean()).isFalse();
            assertThat(mirrors.get("detail").asText()).contains("2 mirrors").contains("1 failed")
                    .contains("mirror taken_mirror FAILED").contains("was not created by EchoDB")
                    .contains("POST /mirrors/taken_mirror/resync");
            JsonNode status = stack.get(app, "/mirrors/taken_mirror");
            assertThat(status.get("state").asText()).isEqualTo("failed");
            assertThat(status.get("last_error").asText()).contains("drop or rename it");
        });
        eventually(WAIT, () -> assertThat(stack.chCount("fine")).isEqualTo(1));

        // the operator applies the fix, then resyncs
        stack.chExecute("DROP TABLE `" + stack.chDb + "`.`taken`");
        HttpResponse<String> resync = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.httpPort() + "/mirrors/taken_mirror/resync"))
                .header("Authorization", "Bearer " + Stack.ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resync.statusCode()).isIn(200, 202);
        eventually(WAIT, () -> {
            assertThat(stack.chCount("taken")).isEqualTo(1);
            JsonNode ready = stack.get(app, "/ready");
            assertThat(ready.get("_status").asInt()).as(ready.toString()).isEqualTo(200);
            assertThat(ready.get("checks").get("mirrors").get("detail").asText()).contains("2 mirrors (2 running)");
        });
    }

    @Test
    void clickHouseRefusingTheCredentialsIsNotReadyWithTheFix() {
        Map<String, String> env = stack.env("permanent-auth", "none");
        env.put("CLICKHOUSE_USER", "no_such_user_" + System.nanoTime());
        env.put("CLICKHOUSE_PASSWORD", "wrong");
        EchoDbApplication app;
        try {
            app = stack.start(env);
        } catch (RuntimeException startup) {
            // refusing to start with one line naming the cause is as good as saying it in /ready
            assertThat(startup.getMessage()).containsIgnoringCase("CLICKHOUSE_USER");
            return;
        }
        eventually(WAIT, () -> {
            JsonNode ready = stack.get(app, "/ready");
            assertThat(ready.get("_status").asInt()).isEqualTo(503);
            assertThat(ready.get("checks").get("clickhouse").get("detail").asText())
                    .contains("fix: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD");
        });
    }
}
