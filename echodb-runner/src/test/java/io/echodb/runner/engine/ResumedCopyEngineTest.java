package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CopyCheckpoint;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy killed after it finished some page ranges, then, while no engine runs, each way the source can make those
 * ranges wrong: rows moved by updates (some with unchanged TOAST values nobody resends), a TRUNCATE, a VACUUM FULL
 * (rows move between pages without any change in the stream). (DDL that changes rows without row changes needs the DDL
 * capture, which this engine-only rig does not install: schema chaos covers it with resumed copies.) The next engine resumes or starts over as each case demands, and ClickHouse with FINAL ends equal to
 * PostgreSQL row for row (I1) with the mirror RUNNING.
 */
class ResumedCopyEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(ResumedCopyEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ROWS = 120_000;

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("resumed_copy");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    /** What happens to the table while no engine runs. */
    enum Meanwhile {
        ROWS_MOVE("UPDATE %1$s SET v = v + 1 WHERE id %% 997 = 0", "UPDATE %1$s SET note = 'moved' WHERE id %% 1009 = 0",
                "DELETE FROM %1$s WHERE id %% 1013 = 0"),
        TRUNCATE("TRUNCATE %1$s", "INSERT INTO %1$s (id, v, note) SELECT g, g, 'after the truncate' FROM generate_series(1, 500) g"),
        VACUUM_FULL("DELETE FROM %1$s WHERE id %% 3 = 0", "VACUUM FULL %1$s", "UPDATE %1$s SET v = -v WHERE id %% 2003 = 0");

        final String[] sql;

        Meanwhile(String... sql) {
            this.sql = sql;
        }
    }

    @ParameterizedTest
    @EnumSource(Meanwhile.class)
    void aCopyKilledHalfWayEndsExactWhateverHappenedMeanwhile(Meanwhile meanwhile) {
        String name = "resumed_" + meanwhile.name().toLowerCase(Locale.ROOT);
        // every thousandth row carries a TOAST value (md5 text does not compress): updates that leave it unchanged
        // do not resend it
        env.sql("CREATE TABLE " + name + " (id bigint PRIMARY KEY, v int NOT NULL, note text, big text)",
                "ALTER TABLE " + name + " ALTER COLUMN big SET STORAGE EXTERNAL",
                "INSERT INTO " + name + " SELECT g, g, 'note ' || g, CASE WHEN g % 1000 = 0 THEN (SELECT string_agg(md5("
                        + "g::text || x::text), '') FROM generate_series(1, 100) x) END FROM generate_series(1, " + ROWS + ") g",
                "ANALYZE " + name);
        TableRef table = E2eEnv.table(name);
        MirrorName mirror = E2eEnv.spec(table).name();

        KillableEngine first = new KillableEngine(env, name + "-0").start();
        first.rig.engine.create(E2eEnv.spec(table));
        CopyCheckpoint atKill = Poll.value(WAIT, "the copy of " + name + " finished a range", () -> {
            String text = env.pgString("SELECT coalesce(max(copy_checkpoint), '') FROM _echodb.mirrors"
                    + " WHERE source_table = '" + name + "'");
            CopyCheckpoint c = text.isEmpty() ? null : CopyCheckpoint.parse(text);
            return c != null && c.hasFinishedRanges() ? c : null;
        });
        first.kill("a range into the copy");
        assertThat(env.pgString("SELECT state FROM _echodb.mirrors WHERE source_table = '" + name + "'"))
                .isEqualTo("SNAPSHOTTING");
        // committed after the copy's point: the next engine's stream brings these
        env.sql("UPDATE " + name + " SET v = v + 1 WHERE id % 1000 = 0"); // TOAST values unchanged, rows move
        for (String sql : meanwhile.sql) {
            env.sql(String.format(sql, name));
        }

        KillableEngine next = new KillableEngine(env, name + "-1").start();
        try {
            E2eEnv.awaitState(next.rig.engine, mirror, MirrorState.RUNNING, WAIT);
            env.awaitMirrored(table, WAIT);
            E2eEnv.awaitState(next.rig.engine, mirror, MirrorState.RUNNING, WAIT);
            env.awaitMirrored(table, WAIT);
        } finally {
            // The cases share one slot: an engine left running would take it over in the next case, skip that case's
            // changes (its mirror is unknown to it) and acknowledge past them, as two unfenced leaders would.
            next.kill("the end of its case");
        }
        LOG.info("{}: killed with {} range(s) finished at {}; after the restart the record holds {}", meanwhile,
                atKill.finished().size(), atKill.point(),
                env.pgString("SELECT coalesce(copy_checkpoint, 'no copy progress') FROM _echodb.mirrors"
                        + " WHERE source_table = '" + name + "'"));
    }
}
