package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot invalidated for real (max_slot_wal_keep_size exceeded while the engine was down): the next engine creates
 * the slot again and copies the mirror at a new consistent point, instead of failing to stream forever.
 */
class InvalidatedSlotEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidatedSlotEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_lost_slot");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void aSlotTheServerInvalidatedIsCreatedAgainAndTheMirrorCopiedAgain() {
        env.sql("CREATE TABLE ledger (id int PRIMARY KEY, v text)",
                "INSERT INTO ledger SELECT g, 'v' || g FROM generate_series(1, 500) g");
        TableRef table = E2eEnv.table("ledger");
        MirrorSpec spec = E2eEnv.spec(table);
        Rig first = env.rig().start();
        first.engine.create(spec);
        E2eEnv.awaitState(first.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        first.close();

        // While no engine runs: changes, then the server removes the WAL the slot still needs.
        env.sql("UPDATE ledger SET v = 'changed while down' WHERE id <= 100", "DELETE FROM ledger WHERE id > 450");
        invalidateSlot();

        long started = System.nanoTime();
        Rig second = env.rig().start();
        env.awaitMirrored(table, WAIT);
        E2eEnv.awaitState(second.engine, spec.name(), MirrorState.RUNNING, WAIT);
        LOG.info("recovered from the invalidated slot in {} ms", (System.nanoTime() - started) / 1_000_000);
        assertThat(env.pgString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'"))
                .isIn("reserved", "extended");

        env.sql("INSERT INTO ledger VALUES (1000, 'after recovery')");
        env.awaitMirrored(table, WAIT);
        second.close();
    }

    /** Lowers max_slot_wal_keep_size for a moment and writes WAL past it; restores the setting whatever happens. */
    private static void invalidateSlot() {
        try {
            env.sql("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            for (int i = 0; i < 60 && !"lost".equals(walStatus()); i++) {
                env.sql("CREATE TABLE IF NOT EXISTS wal_filler (v text)",
                        "INSERT INTO wal_filler SELECT repeat('w', 500) FROM generate_series(1, 5000)",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
        } finally {
            env.sql("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }
        assertThat(walStatus()).as("slot invalidated by the server").isEqualTo("lost");
    }

    private static String walStatus() {
        return env.pgString("SELECT coalesce(wal_status, 'none') FROM pg_replication_slots WHERE slot_name = '" + env.slot + "'");
    }
}
