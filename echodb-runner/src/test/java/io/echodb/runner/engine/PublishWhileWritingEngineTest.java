package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A table is mirrored (added to the publication) while another session has an open transaction that already wrote
 * to it, and the stream is already running for another table. Every later change of the table must still arrive.
 *
 * <p>PostgreSQL before 17.5 / 16.9 / 15.13 / 14.18 / 13.21 (the May 2025 minor releases) fails this: the walsender
 * decodes the open transaction with a catalog snapshot from before ALTER PUBLICATION … ADD TABLE, caches the table
 * as "not published", and never invalidates that cache again — all later changes of the table are silently
 * filtered out (upstream fix "Fix data loss in logical replication", which distributes invalidations to concurrent
 * transactions). On such servers this test fails: ClickHouse keeps the copied rows and nothing after.
 */
class PublishWhileWritingEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static E2eEnv env;
    private static Rig rig;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_publish");
        rig = env.rig().start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void aTableMirroredWhileATransactionWritingItIsOpenKeepsStreaming() throws Exception {
        env.sql("CREATE TABLE first_t (id int PRIMARY KEY, v text)", "CREATE TABLE second_t (id int PRIMARY KEY, v text)",
                "INSERT INTO second_t SELECT g, 'old' FROM generate_series(1, 10) g");
        TableRef first = E2eEnv.table("first_t");
        TableRef second = E2eEnv.table("second_t");
        rig.engine.create(E2eEnv.spec(first));
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(first).name(), MirrorState.RUNNING, WAIT);
        env.sql("INSERT INTO first_t VALUES (1, 'a')");
        env.awaitMirrored(first, WAIT);

        MirrorSpec spec = E2eEnv.spec(second);
        try (Connection c = env.pg.connect(env.pgDb); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO second_t VALUES (100, 'in flight')");
            rig.engine.create(spec); // ALTER PUBLICATION … ADD TABLE commits while the insert is uncommitted
            Poll.pause(300);
            c.commit();
        }
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.sql("INSERT INTO second_t VALUES (200, 'after')", "UPDATE second_t SET v = 'new' WHERE id <= 5",
                "DELETE FROM second_t WHERE id = 10");
        env.awaitMirrored(second, WAIT);
        assertThat(env.chLong("SELECT count() FROM " + env.chTable("second_t") + " FINAL WHERE v = 'new'")).isEqualTo(5);
    }
}
