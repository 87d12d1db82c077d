package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renames through the runner on the real services (issue 11, DDL kept): a table renamed or moved to another watched
 * schema keeps its mirror and its ClickHouse rows — the target is renamed, nothing is copied again — and changes
 * made around the rename arrive; a renamed column is renamed in ClickHouse with its values; a table moved out of the
 * watched schemas is unmirrored like a dropped one.
 */
class RenameE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static Stack stack;
    private static EchoDbApplication app;

    @BeforeAll
    static void startWorker() {
        stack = new Stack("e2e_rename");
        stack.sql("CREATE SCHEMA sales", "CREATE SCHEMA archive");
        Map<String, String> env = stack.env("e2e-rename", "none");
        env.put("SYNC_SCHEMA", "public,sales");
        app = stack.start(env);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String state(String mirror) {
        return stack.get(app, "/mirrors/" + mirror).path("state").asText();
    }

    private static void awaitState(String mirror, String expected) {
        eventually(WAIT, () -> assertThat(state(mirror)).as(mirror).isEqualToIgnoringCase(expected));
    }

    /** When the target's rows arrived: a copy would write them all again, later. */
    private static String firstSyncedAt(String target) {
        return stack.chRows("SELECT toString(min(_echodb_synced_at)) FROM `" + stack.chDb + "`.`" + target + "`").get(0).get(0);
    }

    @Test
    void aRenamedTableKeepsItsMirrorAndItsRowsAndChangesAroundTheRenameArrive() {
        stack.sql("CREATE TABLE users (id int PRIMARY KEY, v text)",
                "INSERT INTO users SELECT g, 'v' || g FROM generate_series(1, 100) g");
        awaitState("public_users_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chCount("public_users")).isEqualTo(100));
        String synced = firstSyncedAt("public_users");

        stack.sql("BEGIN; UPDATE users SET v = 'in the renaming transaction' WHERE id = 1;"
                        + " ALTER TABLE users RENAME TO customers; INSERT INTO customers VALUES (101, 'after'); COMMIT",
                "DELETE FROM customers WHERE id = 2");
        awaitState("public_customers_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chFinal("public_customers", "id, v"))
                .hasSize(100).contains(List.of("1", "in the renaming transaction"), List.of("101", "after"))
                .doesNotContain(List.of("2", "v2")));

        assertThat(stack.chTableExists("public_users")).as("the target was renamed, not copied").isFalse();
        assertThat(firstSyncedAt("public_customers")).as("rows copied before the rename stay").isEqualTo(synced);
        assertThat(stack.get(app, "/mirrors/public_users_mirror").path("_status").asInt()).isEqualTo(404);
    }

    @Test
    void aRenamedColumnIsRenamedInClickHouseWithItsValuesAndNothingIsCopied() {
        stack.sql("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)",
                "INSERT INTO items SELECT g, 'n' || g, g FROM generate_series(1, 50) g");
        awaitState("public_items_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chCount("public_items")).isEqualTo(50));
        String synced = firstSyncedAt("public_items");

        stack.sql("BEGIN; UPDATE items SET name = 'before' WHERE id = 1; ALTER TABLE items RENAME COLUMN name TO title;"
                        + " INSERT INTO items VALUES (51, 'after', 51); COMMIT",
                "UPDATE items SET title = 'later' WHERE id = 2");
        eventually(WAIT, () -> assertThat(stack.chFinal("public_items", "id, title")).hasSize(51)
                .contains(List.of("1", "before"), List.of("2", "later"), List.of("3", "n3"), List.of("51", "after")));

        assertThat(stack.chRows("SELECT name FROM system.columns WHERE database = '" + stack.chDb
                + "' AND table = 'public_items'").stream().map(r -> r.get(0)).toList()).contains("title")
                .doesNotContain("name");
        assertThat(firstSyncedAt("public_items")).as("rows copied before the rename stay").isEqualTo(synced);
        assertThat(state("public_items_mirror")).isEqualToIgnoringCase("RUNNING");
    }

    @Test
    void aTableMovedToAnotherWatchedSchemaFollowsAndOneMovedOutIsUnmirrored() {
        stack.sql("CREATE TABLE orders (id int PRIMARY KEY, v text)", "INSERT INTO orders VALUES (1, 'a'), (2, 'b')");
        awaitState("public_orders_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chCount("public_orders")).isEqualTo(2));
        String synced = firstSyncedAt("public_orders");

        stack.sql("ALTER TABLE orders SET SCHEMA sales", "INSERT INTO sales.orders VALUES (3, 'c')");
        awaitState("sales_orders_mirror", "RUNNING");
        eventually(WAIT, () -> assertThat(stack.chCount("sales_orders")).isEqualTo(3));
        assertThat(firstSyncedAt("sales_orders")).isEqualTo(synced);
        assertThat(stack.chTableExists("public_orders")).isFalse();

        stack.sql("ALTER TABLE sales.orders SET SCHEMA archive", "INSERT INTO archive.orders VALUES (4, 'd')");
        eventually(WAIT, () -> assertThat(stack.get(app, "/mirrors/sales_orders_mirror").path("_status").asInt())
                .isEqualTo(404));
        assertThat(stack.pgLong("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'orders'")).isZero();
    }
}
