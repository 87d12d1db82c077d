package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.wiring.StartupException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start-up against real services when something is wrong: clear errors, or a worker that says it is not ready. */
class StartupErrorsE2ETest {

    private final Stack stack = new Stack("e2e_startup");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRoleThatMayNotCreateEventTriggersGetsAClearError() {
        String role = "lowpriv_" + stack.db.substring(stack.db.length() - 6);
        stack.sql("CREATE ROLE " + role + " LOGIN PASSWORD 'lowpriv-password'",
                "GRANT CONNECT ON DATABASE " + stack.db + " TO " + role);
        Map<String, String> env = stack.env("startup-lowpriv", "none");
        env.put("POSTGRES_USER", role);
        env.put("POSTGRES_PASSWORD", "lowpriv-password");
        try {
            assertThatThrownBy(() -> stack.start(env))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("cannot install DDL capture")
                    .hasMessageContaining("as role '" + role + "'")
                    .hasMessageContaining("superuser")
                    .message().doesNotContain("lowpriv-password");
        } finally {
            stack.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    @Test
    void anUnreachablePostgresStopsStartUpAfterTheConfiguredAttempts() throws Exception {
        Map<String, String> env = stack.env("startup-nopg", "none");
        env.put("POSTGRES_PORT", Integer.toString(closedPort()));
        env.put("MAX_RECONNECT_ATTEMPTS", "2");
        env.put("RECONNECT_DELAY", "0.1");
        assertThatThrownBy(() -> stack.start(env))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot reach PostgreSQL at ")
                .hasMessageContaining("after 2 attempts");
    }

    @Test
    void peerDbEngineWithPeerDbDownStartsButIsNotReady() throws Exception {
        Map<String, String> env = stack.env("startup-peerdb", "none");
        env.put("MIRROR_ENGINE", "peerdb");
        env.put("PEERDB_HOST", "127.0.0.1");
        env.put("PEERDB_PORT", Integer.toString(closedPort()));
        env.put("PEERDB_FLOW_API_URL", "http://127.0.0.1:" + closedPort());
        EchoDbApplication app = stack.start(env);
        assertThat(stack.get(app, "/health").get("status").asText()).isEqualTo("healthy");
        eventually(Duration.ofSeconds(30), () -> {
            JsonNode ready = stack.get(app, "/ready");
            assertThat(ready.get("_status").asInt()).isEqualTo(503);
            assertThat(ready.get("checks").get("postgres").get("ok").asBoolean()).isTrue();
            assertThat(ready.get("checks").get("engine").get("ok").asBoolean()).isFalse();
            assertThat(ready.get("checks").get("engine").get("detail").asText()).startsWith("engine starting");
        });
        assertThat(stack.get(app, "/metrics").get("is_leader").asBoolean()).isTrue();
    }
}
