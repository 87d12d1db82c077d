package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tables created together (a migration, a restore) through the runner on the real services: every one is mirrored
 * with its rows and its changes, and they were copied from shared exported snapshots (the engine's records hold fewer
 * distinct consistent points than tables). The 200-table figure is the auto-mirror benchmark's (docs/BENCHMARKS.md).
 */
class BurstE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int TABLES = 40;

    private Stack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void tablesCreatedInOneTransactionAreAllMirroredFromSharedSnapshots() {
        stack = new Stack("e2e_burst");
        EchoDbApplication app = stack.start(stack.env("e2e-burst", "none"));
        StringBuilder migration = new StringBuilder("BEGIN;");
        for (int i = 1; i <= TABLES; i++) {
            migration.append("CREATE TABLE burst_").append(i).append(" (id int PRIMARY KEY, note text);")
                    .append("INSERT INTO burst_").append(i).append(" SELECT g, 'row ' || g FROM generate_series(1, ")
                    .append(i).append(") g;");
        }
        stack.sql(migration.append("COMMIT").toString());

        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT count(*) FROM _echodb.mirrors"
                + " WHERE source_table LIKE 'burst\\_%' AND state = 'RUNNING'")).isEqualTo(TABLES));
        // Changes after the copies reach every table too: one transaction touching all of them.
        StringBuilder changes = new StringBuilder("BEGIN;");
        for (int i = 1; i <= TABLES; i++) {
            changes.append("DELETE FROM burst_").append(i).append(" WHERE id = 1;")
                    .append("INSERT INTO burst_").append(i).append(" VALUES (1000, 'after');");
        }
        stack.sql(changes.append("COMMIT").toString());
        eventually(WAIT, () -> {
            for (int i = 1; i <= TABLES; i++) {
                List<List<String>> rows = stack.chFinal("burst_" + i, "id, note");
                assertThat(rows).as("burst_" + i).hasSize(i).contains(List.of("1000", "after"))
                        .doesNotContain(List.of("1", "row 1"));
            }
        });
        assertThat(stack.pgLong("SELECT count(DISTINCT snapshot_lsn) FROM _echodb.mirrors"
                + " WHERE source_table LIKE 'burst\\_%'")).as("consistent points shared by the burst's copies")
                .isLessThan(TABLES);
    }
}
