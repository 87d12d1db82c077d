package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DDL and data changes made while no worker runs are applied after a restart: the DDL outbox and the replication slot
 * are durable. Uses LEADERSHIP=postgres (advisory lock), the zero-extra-service setup.
 */
class RestartE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Stack stack = new Stack("e2e_restart");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void changesMadeWhileStoppedAreAppliedAfterRestart() {
        stack.sql("CREATE TABLE accounts (id int PRIMARY KEY, owner text)", "INSERT INTO accounts VALUES (1, 'ann')",
                "CREATE TABLE legacy (id int PRIMARY KEY)", "INSERT INTO legacy VALUES (1)");
        Map<String, String> env = stack.env("restart-worker", "postgres");
        EchoDbApplication first = stack.start(env);
        eventually(WAIT, () -> {
            assertThat(stack.chFinal("accounts", "id, owner")).containsExactly(List.of("1", "ann"));
            assertThat(stack.mirrorNames(first)).containsExactly("accounts_mirror", "legacy_mirror");
        });
        first.close();

        stack.sql("INSERT INTO accounts VALUES (2, 'ben')",
                "UPDATE accounts SET owner = 'anne' WHERE id = 1",
                "CREATE TABLE invoices (id int PRIMARY KEY, amount int)",
                "INSERT INTO invoices VALUES (7, 70), (8, 80)",
                "DROP TABLE legacy");

        EchoDbApplication second = stack.start(env);
        eventually(WAIT, () -> {
            assertThat(stack.chFinal("accounts", "id, owner")).containsExactly(List.of("1", "anne"), List.of("2", "ben"));
            assertThat(stack.chFinal("invoices", "id, amount")).containsExactly(List.of("7", "70"), List.of("8", "80"));
            assertThat(stack.mirrorNames(second)).containsExactly("accounts_mirror", "invoices_mirror");
        });
        assertThat(stack.get(second, "/metrics").get("is_leader").asBoolean()).isTrue();
    }
}
