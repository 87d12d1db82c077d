package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed checked each new mirror a few seconds after creating it; EchoDB checks it when the engine reports the
 * initial copy finished. With the scheduled check an hour away, only that after-copy check can publish the gauge.
 */
class AfterCopyCheckE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Stack stack;
    private static EchoDbApplication app;

    @BeforeAll
    static void startWorker() {
        stack = new Stack("e2e_after_copy");
        stack.sql("CREATE TABLE invoices (id bigint PRIMARY KEY, amount numeric(10,2))",
                "INSERT INTO invoices SELECT g, g * 1.5 FROM generate_series(1, 500) g");
        var env = stack.env("e2e-after-copy", "none");
        env.put("CONSISTENCY_CHECK_INTERVAL", "3600");
        app = stack.start(env);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aMirrorIsCheckedAsSoonAsItsInitialCopyFinishes() {
        eventually(WAIT, () -> assertThat(stack.getText(app, "/metrics/prometheus"))
                .contains("echodb_consistency_match{table=\"public.invoices\"} 1.0")
                .contains("echodb_consistency_postgres_rows{table=\"public.invoices\"} 500.0")
                .contains("echodb_consistency_clickhouse_rows{table=\"public.invoices\"} 500.0"));
    }
}
