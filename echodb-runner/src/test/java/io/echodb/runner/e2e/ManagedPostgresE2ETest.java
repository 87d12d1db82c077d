package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;

/**
 * EchoDB as a managed-PostgreSQL role runs it (LOGIN REPLICATION, CREATE on the database, owner of its tables, not a
 * superuser, so no event triggers): DDL_CAPTURE=auto falls back to the catalog sweep, and a created table is mirrored,
 * a renamed one follows, a dropped key lets the application's UPDATEs through again within the sweep window, a dropped
 * table is unmirrored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedPostgresE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PASSWORD = "managed-pw";
    private static Stack stack;
    private static String role;
    private static EchoDbApplication app;

    @BeforeAll
    static void startAsAManagedRole() {
        stack = new Stack("e2e_managed");
        role = "managed_" + stack.db.substring(stack.db.length() - 6);
        stack.sql("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'",
                "GRANT CREATE ON DATABASE " + stack.db + " TO " + role);
        asRole("CREATE SCHEMA app", "CREATE TABLE app.orders (id int PRIMARY KEY, v text)",
                "INSERT INTO app.orders VALUES (1, 'a'), (2, 'b')");
        Map<String, String> env = stack.env("e2e-managed", "none");
        env.put("POSTGRES_USER", role);
        env.put("POSTGRES_PASSWORD", PASSWORD);
        env.put("SYNC_SCHEMA", "app");
        env.put("DDL_SWEEP_INTERVAL", "0.5");
        app = stack.start(env);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static void asRole(String... statements) {
        Properties p = stack.pg.connectionProperties();
        p.setProperty("user", role);
        p.setProperty("password", PASSWORD);
        try (Connection c = DriverManager.getConnection(stack.pg.jdbcUrl(stack.db), p); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static JsonNode mirror(String table) {
        return stack.get(app, "/mirrors/" + table + "_mirror");
    }

    private static void awaitRunningWith(String table, List<List<String>> rows) {
        eventually(WAIT, () -> assertThat(mirror(table).path("state").asText()).as(table).isEqualToIgnoringCase("RUNNING"));
        eventually(WAIT, () -> assertThat(stack.chFinal(table, "id, v")).containsExactlyElementsOf(rows));
    }

    @Test
    @Order(1)
    void startsWithoutEventTriggersAndSaysSo() {
        assertThat(stack.pgLong("SELECT count(*) FROM pg_event_trigger")).isZero();
        awaitRunningWith("orders", List.of(List.of("1", "a"), List.of("2", "b")));
        eventually(WAIT, () -> {
            JsonNode ready = stack.get(app, "/ready");
            assertThat(ready.get("_status").asInt()).isEqualTo(200);
            assertThat(ready.path("checks").path("ddl_capture").path("detail").asText())
                    .contains("catalog sweep every 500 ms", "lost its replica identity");
        });
        String metrics = stack.getText(app, "/metrics/prometheus");
        assertThat(metrics).containsPattern("echodb_ddl_sweep_age_seconds \\d");
    }

    @Test
    @Order(2)
    void aCreatedTableIsMirroredAndARenamedOneFollows() {
        asRole("CREATE TABLE app.items (id int PRIMARY KEY, v text)", "INSERT INTO app.items VALUES (1, 'x')");
        awaitRunningWith("items", List.of(List.of("1", "x")));

        asRole("ALTER TABLE app.items RENAME TO line_items", "INSERT INTO app.line_items VALUES (2, 'y')");
        awaitRunningWith("line_items", List.of(List.of("1", "x"), List.of("2", "y")));
        eventually(WAIT, () -> assertThat(stack.mirrorNames(app)).doesNotContain("items_mirror"));
    }

    @Test
    @Order(3)
    void aDroppedKeyBlocksTheApplicationsUpdatesAtMostForTheSweepWindow() throws InterruptedException {
        asRole("CREATE TABLE app.keyed (id int PRIMARY KEY, v text)", "INSERT INTO app.keyed VALUES (1, 'a'), (2, 'b')");
        awaitRunningWith("keyed", List.of(List.of("1", "a"), List.of("2", "b")));

        asRole("ALTER TABLE app.keyed DROP CONSTRAINT keyed_pkey");
        long start = System.nanoTime();
        int refused = 0;
        while (true) {
            try {
                asRole("UPDATE app.keyed SET v = 'after' WHERE id = 1");
                break;
            } catch (IllegalStateException e) {
                assertThat(e.getMessage()).contains("does not have a replica identity and publishes updates");
                refused++;
                Thread.sleep(20);
            }
        }
        long windowMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("catalog mode: UPDATE refused %d times, window %d ms (sweep interval 500 ms)%n", refused, windowMs);
        assertThat(windowMs).as("UPDATEs work again after at most a few sweep intervals").isLessThan(5_000);
        asRole("DELETE FROM app.keyed WHERE id = 2");
        assertThat(stack.pgLong("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'keyed'")).isZero();
        eventually(WAIT, () -> assertThat(mirror("keyed").path("state").asText()).isEqualToIgnoringCase("UNSUPPORTED"));
        assertThat(mirror("keyed").path("last_error").asText()).contains("no primary key");

        asRole("ALTER TABLE app.keyed ADD PRIMARY KEY (id)", "INSERT INTO app.keyed VALUES (3, 'c')");
        awaitRunningWith("keyed", List.of(List.of("1", "after"), List.of("3", "c")));
    }

    @Test
    @Order(4)
    void aDroppedTableIsUnmirrored() {
        asRole("CREATE TABLE app.scratch (id int PRIMARY KEY, v text)", "INSERT INTO app.scratch VALUES (1, 's')");
        awaitRunningWith("scratch", List.of(List.of("1", "s")));
        asRole("DROP TABLE app.scratch");
        eventually(WAIT, () -> assertThat(stack.mirrorNames(app)).doesNotContain("scratch_mirror"));
    }
}
