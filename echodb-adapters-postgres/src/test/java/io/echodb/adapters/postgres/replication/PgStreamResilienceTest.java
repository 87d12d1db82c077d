package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.Eventually;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/** The stream survives a consumer slower than wal_sender_timeout, and reports and recovers from a server restart. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PgStreamResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("resilience");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    private static String slotActivePid(String slot) {
        return db.queryString("SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    @Test
    void aConsumerThatDoesNotPollLongerThanWalSenderTimeoutKeepsItsStream() throws Exception {
        db.sql("CREATE TABLE slow (id int PRIMARY KEY, v text)");
        // wal_sender_timeout is settable per connection (PostgreSQL 12+): only these walsenders get 3 s
        PgConnectionSettings shortTimeout = db.settings().withParameter("options", "-c wal_sender_timeout=3s");
        PgConnectionFactory connections = new PgConnectionFactory(shortTimeout);

        // control: a replication stream nobody reads is dropped by the server after wal_sender_timeout
        String controlSlot = "c_" + db.name();
        db.sql("SELECT pg_create_logical_replication_slot('" + controlSlot + "', 'pgoutput')",
                "CREATE PUBLICATION p_control FOR TABLE slow");
        try (Connection raw = connections.openReplication()) {
            PGReplicationStream silent = raw.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(controlSlot).withStartPosition(LogSequenceNumber.valueOf(0))
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", "p_control")
                    .withStatusInterval(60, TimeUnit.SECONDS).start();
            assertThat(silent).isNotNull();
            Eventually.eventually(WAIT, "control walsender active", () -> slotActivePid(controlSlot) != null);
            Eventually.eventually(WAIT, "the server to drop the silent control walsender",
                    () -> slotActivePid(controlSlot) == null);
        }
        db.sql("SELECT pg_drop_replication_slot('" + controlSlot + "')", "DROP PUBLICATION p_control");

        PgChangeSource source = new PgChangeSource(connections, PgReplicationConfig.defaults()
                .withNames("s_" + db.name() + "_slow", "p_slow").withQueueCapacity(4));
        try {
            Lsn start = source.prepare();
            source.publish(TableRef.of("public", "slow"));
            try (ChangeStream stream = source.openStream(start)) {
                db.sql("INSERT INTO slow SELECT g, 'row ' || g FROM generate_series(1, 300) g");
                Eventually.eventually(WAIT, "walsender active", () -> slotActivePid(source.config().slotName()) != null);
                String pid = slotActivePid(source.config().slotName());
                // the consumer is "blocked on a slow sink" for 8 s: far beyond the 3 s timeout, queue full meanwhile
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                while (System.nanoTime() < until) {
                    assertThat(slotActivePid(source.config().slotName())).isEqualTo(pid);
                    Thread.sleep(500);
                }
                StreamCollector c = new StreamCollector(stream);
                c.until(e -> e instanceof ChangeEvent.Insert, 300, WAIT);
                assertThat(c.ofType(ChangeEvent.Insert.class)).hasSize(300);
                assertThat(slotActivePid(source.config().slotName())).isEqualTo(pid);
            }
        } finally {
            source.teardown();
        }
    }

    @Test
    void serverRestartSurfacesAsSourceUnavailableAndANewStreamResumesFromTheConfirmedPosition() {
        db.sql("CREATE TABLE restarted (id int PRIMARY KEY)");
        PgChangeSource source = new PgChangeSource(db.connections(), PgReplicationConfig.defaults()
                .withNames("s_" + db.name() + "_restart", "p_restart"));
        try {
            Lsn start = source.prepare();
            source.publish(TableRef.of("public", "restarted"));
            Lsn acked;
            try (ChangeStream stream = source.openStream(start)) {
                db.sql("INSERT INTO restarted VALUES (1)");
                StreamCollector c = new StreamCollector(stream);
                c.untilCommits(1, WAIT);
                acked = c.ofType(ChangeEvent.Commit.class).get(0).endLsn();
                stream.acknowledge(acked);
                Eventually.eventually(WAIT, "acknowledgement to reach the slot", () -> Lsn.parse(db.queryString(
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                                + source.config().slotName() + "'")).compareTo(acked) >= 0);

                db.server().restart();

                SourceUnavailableException failure = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (failure == null && System.nanoTime() < deadline) {
                    try {
                        stream.poll(Duration.ofMillis(200));
                    } catch (SourceUnavailableException e) {
                        failure = e;
                    }
                }
                assertThat(failure).as("poll after restart").isNotNull();
                assertThat(failure.getMessage()).contains(source.config().slotName());
            }

            db.sql("INSERT INTO restarted VALUES (2)", "INSERT INTO restarted VALUES (3)");
            Lsn confirmed = source.prepare();
            assertThat(confirmed.compareTo(acked)).isGreaterThanOrEqualTo(0);
            try (ChangeStream resumed = source.openStream(confirmed)) {
                StreamCollector c = new StreamCollector(resumed);
                c.untilCommits(2, WAIT);
                List<Object> ids = new ArrayList<>();
                c.ofType(ChangeEvent.Insert.class).forEach(i -> ids.add(i.newRow().get(0)));
                assertThat(ids).containsExactly(2, 3);
                c.ofType(ChangeEvent.Begin.class).forEach(b -> assertThat(b.finalLsn().isAfter(acked)).isTrue());
            }
        } finally {
            source.teardown();
        }
    }
}
