package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SourceUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A change belongs to a mirror only when it is of the relation the mirror copied (not of an older table of the same
 * name) and is newer than that copy. The adversarial order: while no engine runs, the mirrored table keeps changing, is
 * truncated, dropped and created again; the new engine adopts the new table (as the control plane does, or by a
 * resync) and copies it before its stream replays the old generation's changes from the slot. Routed by name, those
 * changes would bring back old rows and the replayed TRUNCATE would empty the fresh copy.
 */
class GenerationRoutingEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_generation");
        // A second mirror keeps the slot (and the old generation's changes in it) alive when a mirror is dropped.
        env.sql("CREATE TABLE keeper (id int PRIMARY KEY)", "INSERT INTO keeper VALUES (1)");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    /** How the new engine takes up the table that replaced the old one. */
    enum Adoption {
        /** What auto-mirror does for a table dropped and created again: drop the mirror, create it anew. */
        DROP_AND_CREATE,
        /** A resync of the existing mirror, which copies whatever table now has the name. */
        RESYNC
    }

    @ParameterizedTest
    @EnumSource(Adoption.class)
    void changesOfTheOldGenerationStillInTheSlotNeverReachTheNewTable(Adoption adoption) {
        String name = "gen_" + adoption.name().toLowerCase();
        TableRef table = E2eEnv.table(name);
        MirrorSpec spec = E2eEnv.spec(table);
        MirrorSpec keeper = E2eEnv.spec(E2eEnv.table("keeper"));
        env.sql("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + name + " SELECT g, 'old' FROM generate_series(1, 100) g");

        Rig first = env.rig().start();
        first.engine.create(keeper);
        first.engine.create(spec);
        E2eEnv.awaitState(first.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        first.close();

        // No engine runs: every one of these changes waits in the slot.
        env.sql("INSERT INTO " + name + " SELECT g, 'old, later' FROM generate_series(101, 200) g",
                "TRUNCATE " + name,
                "INSERT INTO " + name + " SELECT g, 'old, after the truncate' FROM generate_series(1, 50) g",
                "UPDATE " + name + " SET v = 'old, updated' WHERE id <= 20",
                "DROP TABLE " + name,
                "CREATE TABLE " + name + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + name + " SELECT g, 'new' FROM generate_series(1, 10) g");

        // The stream stays closed until the new table is copied, so the old generation's changes arrive afterwards.
        GatedSource[] gate = new GatedSource[1];
        Rig second = env.rig().wrapSource(s -> gate[0] = new GatedSource(s)).start();
        if (adoption == Adoption.DROP_AND_CREATE) {
            second.engine.drop(spec.name(), false);
            second.engine.create(spec);
        } else {
            second.engine.resync(spec.name());
        }
        E2eEnv.awaitState(second.engine, spec.name(), MirrorState.RUNNING, WAIT);
        gate[0].open = true;

        env.sql("INSERT INTO " + name + " SELECT g, 'new, streamed' FROM generate_series(11, 15) g",
                "UPDATE " + name + " SET v = 'new, updated' WHERE id IN (1, 12)",
                "DELETE FROM " + name + " WHERE id IN (2, 13)");
        env.awaitMirrored(table, WAIT);
        awaitAcknowledgedPastNow();
        TableComparison.Result settled = env.awaitMirrored(table, WAIT);
        assertThat(settled.matches()).isTrue();
        assertThat(env.chLong("SELECT count() FROM " + env.chTable(name) + " FINAL")).isEqualTo(13);
        assertThat(env.chLong("SELECT count() FROM " + env.chTable(name) + " FINAL WHERE v LIKE 'old%'")).isZero();
        MirrorName mirror = spec.name();
        assertThat(second.engine.status(mirror).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        assertThat(second.engine.status(mirror).orElseThrow().lastError()).isNull();
        second.close();
    }

    @org.junit.jupiter.api.Test
    void aTruncateOlderThanTheCopyArrivingAfterItNeverEmptiesTheCopy() {
        String name = "older_truncate";
        TableRef table = E2eEnv.table(name);
        MirrorSpec spec = E2eEnv.spec(table);
        env.sql("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + name + " SELECT g, 'before' FROM generate_series(1, 50) g");
        Rig first = env.rig().start();
        first.engine.create(E2eEnv.spec(E2eEnv.table("keeper")));
        first.engine.create(spec);
        E2eEnv.awaitState(first.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        first.close();

        env.sql("INSERT INTO " + name + " SELECT g, 'doomed' FROM generate_series(51, 80) g",
                "TRUNCATE " + name,
                "INSERT INTO " + name + " SELECT g, 'after the truncate' FROM generate_series(1, 20) g");
        GatedSource[] gate = new GatedSource[1];
        Rig second = env.rig().wrapSource(s -> gate[0] = new GatedSource(s)).start();
        second.engine.resync(spec.name()); // copies at a point after the TRUNCATE, before the stream replays it
        E2eEnv.awaitState(second.engine, spec.name(), MirrorState.RUNNING, WAIT);
        gate[0].open = true;

        env.sql("INSERT INTO " + name + " VALUES (21, 'streamed')");
        awaitAcknowledgedPastNow();
        E2eEnv.awaitState(second.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        assertThat(env.chLong("SELECT count() FROM " + env.chTable(name) + " FINAL")).isEqualTo(21);
        second.close();
    }

    /** Waits until the slot has confirmed everything written so far: the replay of the old changes is over. */
    private static void awaitAcknowledgedPastNow() {
        Lsn now = Lsn.parse(env.pgString("SELECT pg_current_wal_lsn()::text"));
        env.sql("INSERT INTO keeper VALUES (2) ON CONFLICT DO NOTHING");
        Poll.value(WAIT, "slot confirmed past " + now, () -> {
            String confirmed = env.confirmedFlush();
            return confirmed != null && !Lsn.parse(confirmed).isBefore(now) ? confirmed : null;
        });
    }

    /** A source whose change stream cannot be opened until the test opens the gate (a lagging stream). */
    private static final class GatedSource extends Forwarding.Source {
        volatile boolean open;

        GatedSource(io.echodb.core.port.out.ChangeSource delegate) {
            super(delegate);
        }

        @Override
        public ChangeStream openStream(Lsn from) {
            if (!open) {
                throw SourceUnavailableException.of("open the change stream (held back by the test)", null);
            }
            return super.openStream(from);
        }
    }
}
