package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The replication slot's retained WAL in /ready and Prometheus, with the warning threshold (SLOT_WAL_WARN_BYTES). */
class SlotGuardrailsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_slot");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void retainedWalIsReportedAndWarnedAboveTheThreshold() {
        stack.sql("CREATE TABLE slot_watched (id int PRIMARY KEY, v text)", "INSERT INTO slot_watched VALUES (1, 'a')");
        Map<String, String> env = stack.env("slot-a", "postgres");
        env.put("SLOT_WAL_WARN_BYTES", "1");
        EchoDbApplication app = stack.start(env);
        eventually(WAIT, () -> assertThat(stack.chCount("slot_watched")).isEqualTo(1));
        stack.sql("INSERT INTO slot_watched SELECT g, repeat('v', 100) FROM generate_series(2, 5000) g");

        eventually(WAIT, () -> {
            JsonNode slot = stack.get(app, "/ready").get("checks").get("replication_slot");
            assertThat(slot.get("ok").asBoolean()).isTrue();
            assertThat(slot.get("detail").asText()).startsWith("WARNING: slot ").contains("retains")
                    .containsPattern("wal_status (reserved|extended)").contains("above SLOT_WAL_WARN_BYTES");
            assertThat(stack.getText(app, "/metrics/prometheus"))
                    .containsPattern("echodb_slot_retained_wal_bytes(\\{[^}]*\\})? [1-9]")
                    .containsPattern("echodb_slot_wal_status(\\{[^}]*\\})? [01]\\.0")
                    .contains("echodb_slot_safe_wal_bytes");
        });
        eventually(WAIT, () -> {
            for (String path : new String[] {"/mirrors", "/metrics"}) {
                JsonNode r = stack.get(app, path).get("replication");
                assertThat(r.get("slot").asText()).as(path).isNotBlank();
                assertThat(r.get("wal_status").asText()).as(path).isIn("reserved", "extended");
                assertThat(r.get("retained_wal_bytes").asLong()).as(path).isPositive();
                assertThat(r.has("safe_wal_bytes")).as(path).isTrue();
                assertThat(r.get("lag_seconds").asDouble()).as(path + ": idle and caught up").isZero();
            }
            assertThat(stack.getText(app, "/metrics/prometheus"))
                    .containsPattern("echodb_replication_lag_seconds\\{slot=\"[^\"]+\"[^}]*\\} 0\\.0");
        });
    }
}
