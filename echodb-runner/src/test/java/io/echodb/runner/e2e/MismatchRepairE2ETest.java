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
 * I3's safety net, end to end: whatever makes a RUNNING mirror's target differ (here: the ClickHouse table emptied
 * behind EchoDB's back, as a former leader's late TRUNCATE would), the scheduled consistency check finds it and the
 * mirror is copied again.
 */
class MismatchRepairE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_repair");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    @Test
    void aTargetEmptiedBehindEchoDbsBackIsCopiedAgainByTheScheduledCheck() {
        stack.sql("CREATE TABLE ledger (id int PRIMARY KEY, amount int)",
                "INSERT INTO ledger SELECT g, g * 10 FROM generate_series(1, 50) g");
        Map<String, String> env = stack.env("repair-a", "postgres");
        env.put("CONSISTENCY_CHECK_INTERVAL", "2");
        EchoDbApplication app = stack.start(env);
        eventually(WAIT, () -> assertThat(stack.chCount("ledger")).isEqualTo(50));

        stack.chExecute("TRUNCATE TABLE ledger");
        assertThat(stack.chCount("ledger")).isZero();

        eventually(WAIT, () -> {
            assertThat(stack.chCount("ledger")).isEqualTo(50);
            assertThat(stack.chFinal("ledger", "id, amount")).first().isEqualTo(List.of("1", "10"));
            assertThat(stack.get(app, "/mirrors").toString()).contains("\"running\"");
        });
        assertThat(stack.getText(app, "/metrics/prometheus")).contains("echodb_consistency_auto_resyncs_total");
    }
}
