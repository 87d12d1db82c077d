package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table settings through the runner on the real services: the target's sorting key, partition, name and excluded
 * columns come from ECHODB_TABLES_FILE; rows that move within the sorting key stay exact (I1); settings that cannot be
 * kept exact are reported, never half-applied (I3); a changed rule is applied by copying into a fresh target.
 */
class TableSettingsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String COLUMNS = "id, tenant_id, toString(created_on), v";

    @TempDir
    Path dir;
    private Stack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private EchoDbApplication start(String rules) throws Exception {
        Path file = dir.resolve("tables-" + System.nanoTime() + ".yaml");
        Files.writeString(file, rules);
        Map<String, String> env = stack.env("e2e-table-settings", "none");
        env.put("ECHODB_TABLES_FILE", file.toString());
        return stack.start(env);
    }

    private void awaitExact(String source, String target) {
        eventually(WAIT, () -> assertThat(stack.chFinal(target, COLUMNS))
                .isEqualTo(stack.pgRows("SELECT id, tenant_id, created_on::text, v FROM " + source + " ORDER BY id")));
    }

    private void awaitState(EchoDbApplication app, String mirror, String state) {
        eventually(WAIT, () -> assertThat(stack.get(app, "/mirrors/" + mirror).path("state").asText()).as(mirror)
                .isEqualToIgnoringCase(state));
    }

    private String tableMeta(String target, String column) {
        return stack.chRows("SELECT " + column + " FROM system.tables WHERE database = '" + stack.chDb
                + "' AND name = '" + target + "'").get(0).get(0);
    }

    @Test
    void theTargetIsLaidOutAsTheRuleSaysAndStaysExactWhenRowsMoveWithinTheSortingKey() throws Exception {
        stack = new Stack("e2e_table_settings");
        EchoDbApplication app = start("""
                - match: public.events
                  order_by: [tenant_id, created_on]   # id, the primary key, is appended
                  partition_by: toYYYYMM(created_on)
                  exclude_columns: [payload_raw]
                  target: events_v2
                """);
        stack.sql("BEGIN; CREATE TABLE events (id bigint PRIMARY KEY, tenant_id int NOT NULL, created_on date NOT NULL,"
                        + " payload_raw text, v text); ALTER TABLE events REPLICA IDENTITY FULL; COMMIT",
                "INSERT INTO events SELECT g, g % 3, date '2026-01-01' + g, repeat('x', 100), 'v' || g"
                        + " FROM generate_series(1, 200) g");
        awaitState(app, "events_mirror", "RUNNING");
        awaitExact("events", "events_v2");

        assertThat(tableMeta("events_v2", "sorting_key")).isEqualTo("tenant_id, created_on, id");
        assertThat(tableMeta("events_v2", "partition_key")).isEqualTo("toYYYYMM(created_on)");
        assertThat(stack.chRows("SELECT name FROM system.columns WHERE database = '" + stack.chDb
                + "' AND table = 'events_v2'").stream().map(r -> r.get(0)).toList()).doesNotContain("payload_raw")
                .contains("id", "tenant_id", "created_on", "v");
        JsonNode settings = stack.get(app, "/mirrors/events_mirror").path("settings");
        assertThat(settings.path("order_by").toString()).isEqualTo("[\"tenant_id\",\"created_on\"]");
        assertThat(settings.path("exclude_columns").toString()).isEqualTo("[\"payload_raw\"]");
        assertThat(stack.chTableExists("events")).as("no second target under the table's own name").isFalse();

        // Rows change their sorting values and partition (moved to another tenant and month), are deleted, added.
        stack.sql("UPDATE events SET tenant_id = tenant_id + 10, created_on = created_on + 40, v = 'moved' WHERE id % 7 = 0",
                "UPDATE events SET payload_raw = 'only the excluded column changed' WHERE id % 5 = 0",
                "DELETE FROM events WHERE id % 11 = 0",
                "INSERT INTO events VALUES (1000, 1, date '2026-06-01', 'p', 'new')");
        awaitExact("events", "events_v2");
        assertThat(stack.chCount("events_v2")).isEqualTo(stack.pgLong("SELECT count(*) FROM events"));

        // A changed rule is applied by copying into a fresh target laid out the new way.
        app.close();
        EchoDbApplication second = start("""
                - match: public.events
                  order_by: [tenant_id]
                  target: events_v2
                """);
        eventually(WAIT, () -> assertThat(tableMeta("events_v2", "sorting_key")).isEqualTo("tenant_id, id"));
        awaitState(second, "events_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chRows("SELECT count() FROM system.columns WHERE database = '"
                + stack.chDb + "' AND table = 'events_v2' AND name = 'payload_raw'").get(0).get(0)).isEqualTo("1"));
        assertThat(tableMeta("events_v2", "partition_key")).isEmpty();
        awaitExact("events", "events_v2");
    }

    /**
     * The usual partition column is a nullable timestamp (PostgreSQL's default): ClickHouse refuses such a partition
     * key unless the table allows nullable keys. And a rule ClickHouse cannot create a table from is reported on the
     * mirror, not only logged.
     */
    @Test
    void aPartitionKeyOnANullableColumnWorksAndAnExpressionClickHouseRefusesFailsTheMirrorWithItsReason()
            throws Exception {
        stack = new Stack("e2e_table_settings_nullable");
        EchoDbApplication app = start("""
                - match: public.visits
                  partition_by: toYYYYMM(seen_at)
                - match: public.broken
                  partition_by: no_such_function(id)
                """);
        stack.sql("CREATE TABLE visits (id bigint PRIMARY KEY, seen_at timestamptz, v text)",
                "INSERT INTO visits SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE timestamptz '2026-01-01 00:00Z' + g * interval"
                        + " '5 days' END, 'v' || g FROM generate_series(1, 100) g",
                "CREATE TABLE broken (id bigint PRIMARY KEY, v text)", "INSERT INTO broken VALUES (1, 'a')");
        awaitState(app, "visits_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chFinal("visits", "id, toUnixTimestamp64Micro(seen_at), v"))
                .isEqualTo(stack.pgRows("SELECT id, (extract(epoch FROM seen_at) * 1000000)::bigint, v FROM visits"
                        + " ORDER BY id")));
        assertThat(tableMeta("visits", "partition_key")).isEqualTo("toYYYYMM(seen_at)");

        awaitState(app, "broken_mirror", "FAILED");
        assertThat(stack.get(app, "/mirrors/broken_mirror").path("last_error").asText())
                .contains("broken").contains("no_such_function");
    }

    @Test
    void hardDeletesLeaveNoDeletedRowsBehindOnceTheCopyIsDone() throws Exception {
        stack = new Stack("e2e_table_settings_hard");
        EchoDbApplication app = start("""
                - match: public.audit_log
                  deletes: hard
                  purge_after: 1
                """);
        stack.sql("CREATE TABLE audit_log (id bigint PRIMARY KEY, tenant_id int NOT NULL, created_on date NOT NULL, v text)",
                "INSERT INTO audit_log SELECT g, g % 4, date '2026-02-01' + g, 'v' || g FROM generate_series(1, 300) g");
        awaitState(app, "audit_log_mirror", "RUNNING");
        assertThat(tableMeta("audit_log", "create_table_query"))
                .contains("enable_replacing_merge_with_cleanup_for_min_age_to_force_merge = 1");

        stack.sql("DELETE FROM audit_log WHERE id % 3 = 0", "UPDATE audit_log SET v = 'kept' WHERE id % 3 = 1");
        awaitExact("audit_log", "audit_log");
        // Without FINAL: ClickHouse's cleanup merges removed the deleted rows and the replaced versions.
        eventually(WAIT, () -> assertThat(stack.chRows("SELECT count(), countIf(_echodb_is_deleted = 1) FROM `"
                + stack.chDb + "`.`audit_log`").get(0)).containsExactly("200", "0"));
        awaitExact("audit_log", "audit_log");
    }

    @Test
    void aSortingColumnOutsideTheReplicaIdentityIsReportedUntilTheIdentityAllowsIt() throws Exception {
        stack = new Stack("e2e_table_settings_ri");
        EchoDbApplication app = start("""
                - match: "public.by_*"
                  order_by: [tenant_id]
                """);
        stack.sql("CREATE TABLE by_tenant (id bigint PRIMARY KEY, tenant_id int NOT NULL, created_on date NOT NULL, v text)",
                "INSERT INTO by_tenant VALUES (1, 1, date '2026-01-01', 'a'), (2, 2, date '2026-01-02', 'b')");
        awaitState(app, "by_tenant_mirror", "UNSUPPORTED");
        assertThat(stack.get(app, "/mirrors/by_tenant_mirror").path("last_error").asText())
                .contains("order_by column tenant_id").contains("REPLICA IDENTITY FULL");
        // The application is never disturbed (I2), and the fix the message names makes the mirror exact.
        stack.sql("UPDATE by_tenant SET tenant_id = 5 WHERE id = 1", "ALTER TABLE by_tenant REPLICA IDENTITY FULL",
                "UPDATE by_tenant SET tenant_id = 6, v = 'moved' WHERE id = 2");
        awaitState(app, "by_tenant_mirror", "RUNNING");
        awaitExact("by_tenant", "by_tenant");
        assertThat(tableMeta("by_tenant", "sorting_key")).isEqualTo("tenant_id, id");

        // Setting the identity back would make moved rows stale: the mirror says so instead of drifting.
        stack.sql("ALTER TABLE by_tenant REPLICA IDENTITY DEFAULT", "INSERT INTO by_tenant VALUES (3, 3, date '2026-01-03', 'c')");
        awaitState(app, "by_tenant_mirror", "UNSUPPORTED");
    }
}
