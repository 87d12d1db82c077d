package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The schema operations teams run every week, against one worker with DDL capture: EchoDB never makes the
 * application's statements fail (I2) — a table that loses its replica identity leaves the publication inside the DDL's
 * own transaction, tables without a usable identity are never published, inheritance children are not published with
 * their parent — and DDL that changes existing rows without row changes makes the mirror copy again (I1, I3).
 */
class SchemaOperationsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static Stack stack;
    private static EchoDbApplication app;

    @BeforeAll
    static void startWorker() {
        stack = new Stack("e2e_schema_ops");
        app = stack.start(stack.env("e2e-schema-ops", "none"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static JsonNode mirror(String table) {
        return stack.get(app, "/mirrors/" + table + "_mirror");
    }

    private static void awaitState(String table, String state) {
        eventually(WAIT, () -> assertThat(mirror(table).path("state").asText()).as(table + " mirror state")
                .isEqualToIgnoringCase(state));
    }

    private static void awaitRows(String table, String columns, List<List<String>> expected) {
        eventually(WAIT, () -> assertThat(stack.chFinal(table, columns)).containsExactlyElementsOf(expected));
    }

    @Test
    void droppingThePrimaryKeyNeverBreaksTheApplicationsUpdatesAndTheMirrorSaysWhy() {
        stack.sql("CREATE TABLE pk_dropped (id int PRIMARY KEY, v text)",
                "INSERT INTO pk_dropped VALUES (1, 'a'), (2, 'b')");
        awaitState("pk_dropped", "RUNNING");
        awaitRows("pk_dropped", "id, v", List.of(List.of("1", "a"), List.of("2", "b")));

        // The application's migration and its next statements, in one transaction and after it.
        stack.sql("BEGIN; ALTER TABLE pk_dropped DROP CONSTRAINT pk_dropped_pkey; UPDATE pk_dropped SET v = 'in tx'; COMMIT",
                "UPDATE pk_dropped SET v = 'after' WHERE id = 1",
                "DELETE FROM pk_dropped WHERE id = 2");
        assertThat(stack.pgLong("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'pk_dropped'")).isZero();
        awaitState("pk_dropped", "UNSUPPORTED");
        assertThat(mirror("pk_dropped").path("last_error").asText()).contains("no primary key");

        // The key comes back: the mirror copies the table again and is exact.
        stack.sql("ALTER TABLE pk_dropped ADD PRIMARY KEY (id)", "INSERT INTO pk_dropped VALUES (3, 'c')");
        awaitState("pk_dropped", "RUNNING");
        awaitRows("pk_dropped", "id, v", List.of(List.of("1", "after"), List.of("3", "c")));
    }

    @Test
    void columnsNamedLikeEchoDbsMetadataAreMirroredAndTheTargetTakesOtherMetadataNames() {
        stack.sql("CREATE TABLE meta_named (id int PRIMARY KEY, _echodb_version text, _echodb_is_deleted int)",
                "INSERT INTO meta_named VALUES (1, 'a', 0), (2, 'b', 1), (3, 'c', NULL)");
        awaitState("meta_named", "RUNNING");
        stack.sql("UPDATE meta_named SET _echodb_version = 'changed', _echodb_is_deleted = 7 WHERE id = 1",
                "DELETE FROM meta_named WHERE id = 2", "INSERT INTO meta_named VALUES (4, 'd', 1)");

        eventually(WAIT, () -> assertThat(stack.chRows("SELECT id, _echodb_version, toString(_echodb_is_deleted) FROM `"
                + stack.chDb + "`.`meta_named` FINAL ORDER BY id")).containsExactly(List.of("1", "changed", "7"),
                java.util.Arrays.asList("3", "c", null), List.of("4", "d", "1")));
        assertThat(stack.chRows("SELECT engine_full FROM system.tables WHERE database = '" + stack.chDb
                + "' AND name = 'meta_named'").get(0).get(0)).contains("_echodb_version_1", "_echodb_is_deleted_1");
        JsonNode check = stack.get(app, "/verify?mode=checksum&table=meta_named");
        assertThat(check.path("status").asText()).as(check.toString()).isEqualTo("match");
    }

    @Test
    void aDeferrablePrimaryKeyIsNotAReplicaIdentity() {
        stack.sql("CREATE TABLE pk_deferrable (id int PRIMARY KEY DEFERRABLE, v text)",
                "INSERT INTO pk_deferrable VALUES (1, 'a')");
        awaitState("pk_deferrable", "UNSUPPORTED");
        assertThat(mirror("pk_deferrable").path("last_error").asText()).contains("DEFERRABLE");
        stack.sql("UPDATE pk_deferrable SET v = 'b'", "DELETE FROM pk_deferrable");
    }

    @Test
    void anUnloggedTableIsReportedOnceAndMirroredOnceLogged() throws InterruptedException {
        stack.sql("CREATE UNLOGGED TABLE unlogged_t (id int PRIMARY KEY, v text)", "INSERT INTO unlogged_t VALUES (1, 'a')");
        awaitState("unlogged_t", "UNSUPPORTED");
        JsonNode reported = mirror("unlogged_t");
        assertThat(reported.path("last_error").asText()).contains("UNLOGGED");
        Thread.sleep(5_000); // more than two reconcile sweeps
        assertThat(mirror("unlogged_t").path("updated_at").asText()).as("not re-created by every sweep")
                .isEqualTo(reported.path("updated_at").asText());

        stack.sql("ALTER TABLE unlogged_t SET LOGGED", "INSERT INTO unlogged_t VALUES (2, 'b')");
        awaitState("unlogged_t", "RUNNING");
        awaitRows("unlogged_t", "id, v", List.of(List.of("1", "a"), List.of("2", "b")));
    }

    @Test
    void aPartitionedTableWithReplicaIdentityFullOnlyOnItsRootIsNotPublished() {
        stack.sql("CREATE TABLE parted_full (id int, v text) PARTITION BY RANGE (id)",
                "CREATE TABLE parted_full_1 PARTITION OF parted_full FOR VALUES FROM (0) TO (100)",
                "ALTER TABLE parted_full REPLICA IDENTITY FULL",
                "INSERT INTO parted_full VALUES (1, 'a')");
        awaitState("parted_full", "UNSUPPORTED");
        stack.sql("UPDATE parted_full SET v = 'b'", "DELETE FROM parted_full");
        assertThat(stack.pgLong("SELECT count(*) FROM pg_publication_tables WHERE tablename LIKE 'parted_full%'")).isZero();
    }

    @Test
    void anInheritanceParentIsPublishedWithoutItsKeylessChildren() {
        stack.sql("CREATE TABLE inh_parent (id int PRIMARY KEY, v text)",
                "CREATE TABLE inh_child (extra int) INHERITS (inh_parent)",
                "INSERT INTO inh_parent VALUES (1, 'parent row')",
                "INSERT INTO inh_child VALUES (2, 'child row', 7)");
        awaitState("inh_parent", "RUNNING");
        awaitState("inh_child", "UNSUPPORTED");
        stack.sql("UPDATE inh_child SET v = 'child updated'", "DELETE FROM inh_child",
                "UPDATE inh_parent SET v = 'parent updated' WHERE id = 1");
        awaitRows("inh_parent", "id, v", List.of(List.of("1", "parent updated")));
    }

    @Test
    void ddlThatRewritesValuesWithoutRowChangesCopiesTheTableAgain() {
        stack.sql("CREATE TABLE rewritten (id int PRIMARY KEY, cents int)",
                "INSERT INTO rewritten SELECT g, g FROM generate_series(1, 3) g");
        awaitState("rewritten", "RUNNING");
        awaitRows("rewritten", "id, cents", List.of(List.of("1", "1"), List.of("2", "2"), List.of("3", "3")));

        stack.sql("ALTER TABLE rewritten ALTER COLUMN cents TYPE int USING cents * 100");
        awaitRows("rewritten", "id, cents", List.of(List.of("1", "100"), List.of("2", "200"), List.of("3", "300")));

        stack.sql("ALTER TABLE rewritten ADD COLUMN flag int NOT NULL DEFAULT 5");
        awaitRows("rewritten", "id, cents, flag",
                List.of(List.of("1", "100", "5"), List.of("2", "200", "5"), List.of("3", "300", "5")));
        awaitState("rewritten", "RUNNING");

        // a type the target cannot change in place: the copy rebuilds the target table
        stack.sql("ALTER TABLE rewritten ALTER COLUMN cents TYPE real USING cents / 4.0");
        awaitRows("rewritten", "id, cents", List.of(List.of("1", "25.0"), List.of("2", "50.0"), List.of("3", "75.0")));
        stack.sql("ALTER TABLE rewritten ALTER COLUMN cents TYPE double precision");
        stack.sql("UPDATE rewritten SET cents = 0.5 WHERE id = 1");
        awaitRows("rewritten", "id, cents", List.of(List.of("1", "0.5"), List.of("2", "50.0"), List.of("3", "75.0")));
        awaitState("rewritten", "RUNNING");
    }

    /**
     * A table replaced under its name by a swap through an excluded name that no DDL event told of (schema chaos seed
     * 11771441: the catalog sweep of a new leader saw only "created"). The sweep finds the mirror following another
     * relation and mirrors the table now under the name (I1); the old table, now excluded, leaves the publication, so
     * its statements never fail once it loses its key (I2).
     */
    @Test
    void aTableSwappedUnderItsNameBehindTheCapturesBackIsMirroredAgainAndTheOldOneUnpublished() {
        stack.sql("CREATE TABLE swapped (id int PRIMARY KEY, v text)", "INSERT INTO swapped VALUES (1, 'old'), (2, 'old')",
                "CREATE TABLE temp_swapped (id int PRIMARY KEY, v text)",
                "INSERT INTO temp_swapped VALUES (7, 'new'), (8, 'new')");
        awaitState("swapped", "RUNNING");
        awaitRows("swapped", "id, v", List.of(List.of("1", "old"), List.of("2", "old")));

        behindTheCapturesBack("ALTER TABLE temp_swapped RENAME TO swapped_next;"
                + " ALTER TABLE swapped RENAME TO temp_swapped; ALTER TABLE swapped_next RENAME TO swapped");
        stack.sql("INSERT INTO swapped VALUES (9, 'after')", "UPDATE temp_swapped SET v = 'not mirrored'");

        awaitRows("swapped", "id, v", List.of(List.of("7", "new"), List.of("8", "new"), List.of("9", "after")));
        awaitState("swapped", "RUNNING");
        assertThat(mirror("swapped").path("source_relation").asLong()).as("the mirror follows the table now called swapped")
                .isEqualTo(stack.pgLong("SELECT 'swapped'::regclass::oid::bigint"));
        eventually(WAIT, () -> assertThat(stack.pgLong("SELECT count(*) FROM pg_publication_tables"
                + " WHERE tablename = 'temp_swapped'")).as("the old relation left the publication").isZero());
        behindTheCapturesBack("ALTER TABLE temp_swapped DROP CONSTRAINT swapped_pkey");
        stack.sql("UPDATE temp_swapped SET v = 'x'", "DELETE FROM temp_swapped WHERE id = 1");
        stack.sql("UPDATE swapped SET v = 'still mirrored' WHERE id = 7");
        awaitRows("swapped", "id, v",
                List.of(List.of("7", "still mirrored"), List.of("8", "new"), List.of("9", "after")));
    }

    /** Runs {@code ddl} with EchoDB's event triggers disabled inside its transaction: no DDL event tells of it. */
    private static void behindTheCapturesBack(String ddl) {
        List<String> triggers = stack.pgRows("SELECT quote_ident(evtname) FROM pg_event_trigger").stream()
                .map(r -> r.get(0)).toList();
        assertThat(triggers).as("DDL capture installed").isNotEmpty();
        StringBuilder tx = new StringBuilder("BEGIN; ");
        triggers.forEach(t -> tx.append("ALTER EVENT TRIGGER ").append(t).append(" DISABLE; "));
        tx.append(ddl).append("; ");
        triggers.forEach(t -> tx.append("ALTER EVENT TRIGGER ").append(t).append(" ENABLE ALWAYS; "));
        stack.sql(tx.append("COMMIT").toString());
    }

    @Test
    void attachingDetachingOrTruncatingAPartitionCopiesTheRootAgain() {
        stack.sql("CREATE TABLE parts (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k)",
                "CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10)",
                "INSERT INTO parts VALUES (1, 1)",
                "CREATE TABLE temp_parts_2 (id int, k int, PRIMARY KEY (id, k))",
                "INSERT INTO temp_parts_2 VALUES (2, 15), (3, 16)");
        awaitState("parts", "RUNNING");
        awaitRows("parts", "id, k", List.of(List.of("1", "1")));

        stack.sql("ALTER TABLE parts ATTACH PARTITION temp_parts_2 FOR VALUES FROM (10) TO (20)");
        awaitRows("parts", "id, k", List.of(List.of("1", "1"), List.of("2", "15"), List.of("3", "16")));

        stack.sql("TRUNCATE temp_parts_2", "INSERT INTO parts VALUES (4, 17)"); // not in the stream: a rewrite event
        awaitRows("parts", "id, k", List.of(List.of("1", "1"), List.of("4", "17")));
        stack.sql("INSERT INTO parts VALUES (2, 15), (3, 16)");
        awaitRows("parts", "id, k", List.of(List.of("1", "1"), List.of("2", "15"), List.of("3", "16"), List.of("4", "17")));

        stack.sql("ALTER TABLE parts DETACH PARTITION parts_1");
        awaitRows("parts", "id, k", List.of(List.of("2", "15"), List.of("3", "16"), List.of("4", "17")));
        stack.sql("DROP TABLE temp_parts_2");
        awaitRows("parts", "id, k", List.of());
    }
}
