package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end: 200k changes of a typical 8-column table through walsender, pgjdbc, decoder and queue. Asserts that
 * every change arrives in order; the rate is only logged (speed is never asserted).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PgStreamThroughputTest {

    private static final Logger LOG = LoggerFactory.getLogger(PgStreamThroughputTest.class);
    private static final int ROWS = 200_000;
    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("throughput");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    @Test
    void streamsTwoHundredThousandChangesInOrder() {
        db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, qty int, price numeric(12,2),"
                + " created timestamptz, paid boolean, ref uuid, doc jsonb)");
        PgChangeSource source = new PgChangeSource(db.connections(),
                PgReplicationConfig.defaults().withNames("s_" + db.name(), "p_throughput"));
        try {
            Lsn start = source.prepare();
            source.publish(TableRef.of("public", "orders"));
            db.sql("INSERT INTO orders SELECT g, 'customer ' || g, g % 100, g / 7.0, now() - g * interval '1 second',"
                    + " g % 2 = 0, md5(g::text)::uuid, jsonb_build_object('k', g) FROM generate_series(1, " + ROWS + ") g");
            try (ChangeStream stream = source.openStream(start)) {
                long expected = 1;
                long first = 0;
                while (expected <= ROWS) {
                    Optional<ChangeEvent> e = stream.poll(Duration.ofSeconds(30));
                    assertThat(e).as("event after id %d", expected - 1).isPresent();
                    if (e.get() instanceof ChangeEvent.Insert i) {
                        if (first == 0) {
                            first = System.nanoTime();
                        }
                        if (!Long.valueOf(expected).equals(i.newRow().get(0))) {
                            throw new AssertionError("expected id " + expected + ", got " + i.newRow());
                        }
                        expected++;
                    }
                }
                long nanos = System.nanoTime() - first;
                LOG.info("streamed {} inserts end to end in {} ms = {} changes/s", ROWS, nanos / 1_000_000,
                        (long) (ROWS / (nanos / 1e9)));
            }
        } finally {
            source.teardown();
        }
    }
}
