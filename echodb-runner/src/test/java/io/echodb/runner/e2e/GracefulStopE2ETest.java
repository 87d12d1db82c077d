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
 * A graceful stop writes what the engine has buffered and acknowledges it before the lease is released: the next
 * leader does not have to replay it. (The write gate used to close before the final flush, which was then refused.)
 */
class GracefulStopE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Stack stack = new Stack("e2e_graceful");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void aGracefulStopFlushesAndAcknowledgesWhatItHasBuffered() {
        stack.sql("CREATE TABLE orders (id int PRIMARY KEY, note text)", "INSERT INTO orders VALUES (1, 'copied')");
        Map<String, String> env = stack.env("graceful-a", "postgres");
        env.put("BATCH_MAX_AGE_MS", "600000"); // streamed rows stay buffered until the stop writes them
        EchoDbApplication app = stack.start(env);
        eventually(WAIT, () -> assertThat(stack.chFinal("orders", "id, note")).containsExactly(List.of("1", "copied")));

        long before = stack.pgLong("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
        stack.sql("INSERT INTO orders VALUES (2, 'buffered')");
        long end = stack.pgLong("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
        // the walsender has sent the insert; the engine buffers it at once (its batch would wait ten minutes)
        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT coalesce(max(r.sent_lsn - '0/0'::pg_lsn), 0)::bigint"
                + " FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid"
                + " WHERE s.slot_name = '" + stack.slot + "'")).isGreaterThanOrEqualTo(end));
        assertThat(stack.chFinal("orders", "id, note")).as("still buffered").containsExactly(List.of("1", "copied"));

        app.close();

        assertThat(stack.chFinal("orders", "id, note")).containsExactly(List.of("1", "copied"), List.of("2", "buffered"));
        assertThat(stack.pgLong("SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots"
                + " WHERE slot_name = '" + stack.slot + "'")).as("the insert's commit is acknowledged").isGreaterThan(before);
    }
}
