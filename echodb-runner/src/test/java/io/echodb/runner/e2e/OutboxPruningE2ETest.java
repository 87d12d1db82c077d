package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bounded state: the leader deletes acknowledged DDL events past the retention, keeping the newest (DDL_OUTBOX_*). */
class OutboxPruningE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_outbox");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void acknowledgedEventsBeyondTheNewestAreDeletedOnceTheyAreOldEnough() {
        Map<String, String> env = stack.env("outbox-a", "postgres");
        env.put("DDL_OUTBOX_RETENTION", "0");
        env.put("DDL_OUTBOX_KEEP", "2");
        EchoDbApplication app = stack.start(env);
        for (int i = 1; i <= 6; i++) {
            stack.sql("CREATE TABLE pruned_" + i + " (id int PRIMARY KEY)");
        }
        eventually(WAIT, () -> {
            for (int i = 1; i <= 6; i++) {
                assertThat(stack.chTableExists("pruned_" + i)).as("pruned_" + i + " mirrored").isTrue();
            }
        });

        eventually(WAIT, () -> {
            assertThat(stack.pgLong("SELECT count(*) FROM _echodb.ddl_outbox")).isEqualTo(2);
            assertThat(stack.getText(app, "/metrics/prometheus"))
                    .containsPattern("echodb_ddl_outbox_pruned_total(\\{[^}]*\\})? [1-9]")
                    .containsPattern("echodb_ddl_outbox_events(\\{[^}]*\\})? 2\\.0");
        });
        // the newest events are the ones kept
        assertThat(stack.pgLong("SELECT count(*) FROM _echodb.ddl_outbox WHERE table_name = 'pruned_6'"))
                .isPositive();
    }
}
