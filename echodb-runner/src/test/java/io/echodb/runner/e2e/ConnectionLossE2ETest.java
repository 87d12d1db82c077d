package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL kills the worker's connections (pg_terminate_backend of the LISTEN and replication backends, as a
 * failover or an admin would): the worker reconnects and no change or DDL event is lost.
 */
class ConnectionLossE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_connloss");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    private long terminateWorkerBackends() {
        return stack.pgLong("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name LIKE 'echodb-%' AND pid <> pg_backend_pid()) t");
    }

    @Test
    void killedConnectionsAreReopenedAndNothingIsLost() {
        stack.sql("CREATE TABLE ledger (id int PRIMARY KEY, amount int)", "INSERT INTO ledger VALUES (1, 10)");
        EchoDbApplication app = stack.start(stack.env("connloss-worker", "none"));
        eventually(WAIT, () -> assertThat(stack.chFinal("ledger", "id, amount")).containsExactly(List.of("1", "10")));
        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                + stack.slot + "' AND active")).isEqualTo(1));

        // the copy's temporary walsender (its exported snapshot) ends a moment after the copy
        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name LIKE 'echodb-%' AND backend_type = 'walsender'"))
                .as("the replication connection is one of the killed ones").isEqualTo(1));
        assertThat(terminateWorkerBackends()).isGreaterThanOrEqualTo(2);
        stack.sql("INSERT INTO ledger VALUES (2, 20)", "UPDATE ledger SET amount = 11 WHERE id = 1",
                "CREATE TABLE after_kill (id int PRIMARY KEY, v text)", "INSERT INTO after_kill VALUES (1, 'x')");

        // kill them again while the worker is recovering
        assertThat(terminateWorkerBackends()).isGreaterThanOrEqualTo(0);
        stack.sql("INSERT INTO ledger VALUES (3, 30)", "INSERT INTO after_kill VALUES (2, 'y')");

        eventually(WAIT, () -> {
            assertThat(stack.chFinal("ledger", "id, amount"))
                    .containsExactly(List.of("1", "11"), List.of("2", "20"), List.of("3", "30"));
            assertThat(stack.chFinal("after_kill", "id, v")).containsExactly(List.of("1", "x"), List.of("2", "y"));
        });
        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                + stack.slot + "' AND active")).as("streaming again").isEqualTo(1));
        List<String> mirrors = new ArrayList<>(stack.mirrorNames(app));
        assertThat(mirrors).containsExactly("after_kill_mirror", "ledger_mirror");
        // the DDL channel works again too: a table created now is mirrored
        stack.sql("CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later VALUES (5)");
        eventually(WAIT, () -> assertThat(stack.chFinal("later", "id")).containsExactly(List.of("5")));
    }
}
