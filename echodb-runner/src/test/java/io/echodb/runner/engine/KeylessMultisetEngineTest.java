package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.ClickHouseRowCounter;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KEYLESS_TABLES=full on the real services: a table without a key gets REPLICA IDENTITY FULL and is mirrored as a
 * multiset — identical rows stay two rows, deleting one of two leaves one, an update of one of two changes one — through
 * the copy, the stream, TRUNCATE, unchanged TOAST values and a primary key added later.
 */
class KeylessMultisetEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static E2eEnv env;
    private static Rig rig;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_multiset");
        rig = env.rig().settings(E2eEnv.engineSettings().withKeylessTables(KeylessTables.FULL)).start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static MirrorStatus mirror(TableRef table) {
        MirrorSpec spec = E2eEnv.spec(table);
        rig.engine.create(spec);
        return E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
    }

    private static String identity(String table) {
        return env.pgString("SELECT relreplident::text FROM pg_class WHERE oid = '" + table + "'::regclass");
    }

    @Test
    void duplicatesStayDuplicatesThroughTheCopyTheStreamAndTruncate() {
        env.sql("CREATE TABLE dup (a int, b text, c numeric(6,2))",
                "INSERT INTO dup VALUES (1, 'twin', 1.5), (1, 'twin', 1.5), (1, 'twin', 1.5), (2, NULL, NULL), (2, NULL, NULL)",
                "INSERT INTO dup SELECT g % 10, 'r' || (g % 7), g / 4.0 FROM generate_series(1, 300) g");
        TableRef t = E2eEnv.table("dup");
        mirror(t);
        assertThat(identity("dup")).as("EchoDB set REPLICA IDENTITY FULL").isEqualTo("f");
        assertThat(env.awaitMirrored(t, WAIT).mirrored()).hasSize(305);

        env.sql("INSERT INTO dup VALUES (1, 'twin', 1.5), (1, 'twin', 1.5)",
                "DELETE FROM dup WHERE ctid = (SELECT min(ctid) FROM dup WHERE a = 1 AND b = 'twin')",
                "UPDATE dup SET b = 'one of two' WHERE ctid = (SELECT min(ctid) FROM dup WHERE a = 2 AND b IS NULL)",
                "UPDATE dup SET c = c + 1 WHERE a = 3",
                "DELETE FROM dup WHERE a = 4",
                "UPDATE dup SET a = a WHERE a = 5"); // no-op updates: −old/+new cancel exactly
        TableComparison.Result afterChanges = env.awaitMirrored(t, WAIT);
        assertThat(afterChanges.mirrored()).filteredOn(r -> r.equals("'1' | 'twin' | '1.5'")).hasSize(4);
        assertThat(afterChanges.mirrored()).filteredOn(r -> r.startsWith("'2' | NULL")).hasSize(1);

        ClickHouseRowCounter counter = new ClickHouseRowCounter(rig.gateway, TableRef::name, Clock.systemUTC());
        assertThat(counter.count(t).count()).isEqualTo(afterChanges.source().size());

        env.sql("TRUNCATE dup", "INSERT INTO dup VALUES (7, 'after', 0), (7, 'after', 0)");
        assertThat(env.awaitMirrored(t, WAIT).mirrored()).containsExactly("'7' | 'after' | '0'", "'7' | 'after' | '0'");
    }

    @Test
    void unchangedToastValuesOfAnUpdatedDuplicateComeFromItsWholeOldRow() {
        env.sql("CREATE TABLE toasty (k int, big text, n int)",
                "ALTER TABLE toasty ALTER COLUMN big SET STORAGE EXTERNAL",
                "INSERT INTO toasty SELECT 1, string_agg(md5(g::text), ''), 0 FROM generate_series(1, 400) g",
                "INSERT INTO toasty SELECT * FROM toasty");
        TableRef t = E2eEnv.table("toasty");
        mirror(t);
        env.awaitMirrored(t, WAIT);
        // big is not rewritten: the new row image carries it as "unchanged TOAST", the FULL old image has it
        env.sql("UPDATE toasty SET n = n + 1 WHERE ctid = (SELECT min(ctid) FROM toasty)",
                "INSERT INTO toasty SELECT 2, big, 5 FROM toasty LIMIT 1",
                "UPDATE toasty SET n = n + 10 WHERE k = 2");
        TableComparison.Result r = env.awaitMirrored(t, WAIT);
        assertThat(r.mirrored()).hasSize(3);
    }

    @Test
    void aKeylessTableThatGetsAPrimaryKeyIsRebuiltAsAKeyedTable() {
        env.sql("CREATE TABLE grows (id int NOT NULL, v text)",
                "INSERT INTO grows SELECT g, 'v' || g FROM generate_series(1, 100) g");
        TableRef t = E2eEnv.table("grows");
        mirror(t);
        env.awaitMirrored(t, WAIT);
        assertThat(env.chLong("SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = 'grows'"
                + " AND name = '_echodb_sign' AND is_in_sorting_key")).isEqualTo(1);

        env.sql("ALTER TABLE grows ADD PRIMARY KEY (id)",
                "UPDATE grows SET v = 'changed' WHERE id <= 10",
                "DELETE FROM grows WHERE id > 90");
        Poll.until(WAIT, "grows is keyed by id in ClickHouse", () -> env.chLong("SELECT count() FROM system.columns"
                + " WHERE database = currentDatabase() AND table = 'grows' AND name = 'id' AND is_in_sorting_key") == 1);
        // the rebuild's copy can match the source a moment before it has caught up with its point and says RUNNING
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(t).name(), MirrorState.RUNNING, WAIT);
        assertThat(env.awaitMirrored(t, WAIT).mirrored()).hasSize(90);
    }
}
