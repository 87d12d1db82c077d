package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tables without a primary key: the replica identity decides whether and how they are mirrored, never silently. */
class KeylessTablesEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static E2eEnv env;
    private static Rig rig;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_keyless");
        rig = env.rig().start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static MirrorStatus mirror(TableRef table, MirrorState expected) {
        MirrorSpec spec = E2eEnv.spec(table);
        rig.engine.create(spec);
        return E2eEnv.awaitState(rig.engine, spec.name(), expected, WAIT);
    }

    @Test
    void replicaIdentityFullWithoutAUniqueKeyIsUnsupportedBecauseIdenticalRowsWouldMerge() {
        env.sql("CREATE TABLE full_identity (a int, b text, c numeric(6,2))",
                "ALTER TABLE full_identity REPLICA IDENTITY FULL",
                "INSERT INTO full_identity VALUES (1, 'twin', 1.5), (1, 'twin', 1.5)");
        TableRef t = E2eEnv.table("full_identity");
        MirrorStatus status = mirror(t, MirrorState.UNSUPPORTED);
        assertThat(status.lastError()).contains("identical rows").contains("unique index");
        env.sql("DELETE FROM full_identity WHERE ctid = (SELECT min(ctid) FROM full_identity)");
    }

    @Test
    void replicaIdentityFullUsesAUniqueIndexOnNotNullColumnsAsTheKey() {
        env.sql("CREATE TABLE full_unique (a int NOT NULL, b text, c numeric(6,2))",
                "CREATE UNIQUE INDEX full_unique_a ON full_unique (a)",
                "ALTER TABLE full_unique REPLICA IDENTITY FULL",
                "INSERT INTO full_unique SELECT g, 'b' || g, g / 3.0 FROM generate_series(1, 300) g",
                "INSERT INTO full_unique VALUES (0, NULL, NULL)");
        TableRef t = E2eEnv.table("full_unique");
        mirror(t, MirrorState.RUNNING);
        env.awaitMirrored(t, WAIT);

        env.sql("UPDATE full_unique SET b = 'changed' WHERE a % 10 = 0",
                "UPDATE full_unique SET a = a + 1000 WHERE a BETWEEN 1 AND 5",
                "DELETE FROM full_unique WHERE a % 7 = 0",
                "UPDATE full_unique SET c = 1.5 WHERE b IS NULL",
                "INSERT INTO full_unique VALUES (5000, NULL, NULL)",
                "DELETE FROM full_unique WHERE a = 5000");
        env.awaitMirrored(t, WAIT);
    }

    @Test
    void aUniqueIndexAsReplicaIdentityIsTheKey() {
        env.sql("CREATE TABLE by_index (code text NOT NULL, region int NOT NULL, v int, note text)",
                "CREATE UNIQUE INDEX by_index_key ON by_index (code, region)",
                "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_key",
                "INSERT INTO by_index SELECT 'c' || (g % 50), g / 50, g, 'n' || g FROM generate_series(0, 499) g");
        TableRef t = E2eEnv.table("by_index");
        mirror(t, MirrorState.RUNNING);
        env.awaitMirrored(t, WAIT);

        env.sql("UPDATE by_index SET v = -v, note = NULL WHERE region = 3",
                "UPDATE by_index SET code = code || '-moved' WHERE region = 4",
                "DELETE FROM by_index WHERE region = 5",
                "INSERT INTO by_index VALUES ('new', 1, 1, 'fresh')");
        env.awaitMirrored(t, WAIT);
        assertThat(env.chColumnTypes("by_index")).containsEntry("code", "String").containsEntry("region", "Int32");
    }

    @Test
    void noKeyAtAllIsReportedAsUnsupportedWithTheReason() {
        env.sql("CREATE TABLE no_key (a int, b text)", "INSERT INTO no_key VALUES (1, 'x')");
        TableRef t = E2eEnv.table("no_key");
        MirrorStatus status = mirror(t, MirrorState.UNSUPPORTED);

        assertThat(status.lastError()).contains("no primary key").contains("REPLICA IDENTITY");
        assertThat(rig.engine.list()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo(status.name());
            assertThat(s.state()).isEqualTo(MirrorState.UNSUPPORTED);
        });
        assertThat(env.chTableExists("no_key")).as("no target table for an unsupported mirror").isFalse();
        // The table was not added to the publication: its updates and deletes keep working in the source.
        env.sql("UPDATE no_key SET b = 'still writable'", "DELETE FROM no_key WHERE a = 2");
        assertThat(env.pgLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = "
                + E2eEnv.pgLiteral(env.publication) + " AND tablename = 'no_key'")).isZero();

        // Once the table gets a replica identity, a resync mirrors it.
        env.sql("ALTER TABLE no_key ADD PRIMARY KEY (a)", "INSERT INTO no_key VALUES (2, 'y')");
        rig.engine.resync(status.name());
        E2eEnv.awaitState(rig.engine, status.name(), MirrorState.RUNNING, WAIT);
        env.sql("INSERT INTO no_key VALUES (3, 'z')", "UPDATE no_key SET b = 'w' WHERE a = 1");
        env.awaitMirrored(t, WAIT);
        assertThat(rig.engine.status(status.name()).orElseThrow().lastError()).isNull();
    }
}
