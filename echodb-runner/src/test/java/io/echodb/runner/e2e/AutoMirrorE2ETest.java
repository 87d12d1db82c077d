package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One worker (LEADERSHIP=none, native engine) against real PostgreSQL and ClickHouse: the seed's promise end to end.
 * The steps build on each other, so they run in order on one worker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoMirrorE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Stack stack;
    private static EchoDbApplication app;

    @BeforeAll
    static void startWorker() {
        stack = new Stack("e2e_auto");
        stack.sql("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text)",
                "INSERT INTO users VALUES (1, 'ada', 'ada@example.com'), (2, 'bob', NULL)",
                "CREATE TABLE products (id int PRIMARY KEY, title text, price numeric(10,2))",
                "INSERT INTO products VALUES (10, 'pen', 1.50)",
                "CREATE TABLE temp_scratch (id int PRIMARY KEY)",
                "CREATE SCHEMA other",
                "CREATE TABLE other.hidden (id int PRIMARY KEY)");
        var env = stack.env("e2e-worker-1", "none");
        env.put("CONSISTENCY_CHECK_INTERVAL", "2");
        env.put("CLEAN_DATABASES", "true");
        app = stack.start(env);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void existingTablesAreMirroredAtStart() {
        eventually(WAIT, () -> {
            assertThat(stack.chFinal("users", "id, name, email")).containsExactly(
                    List.of("1", "ada", "ada@example.com"), java.util.Arrays.asList("2", "bob", null));
            assertThat(stack.chFinal("products", "id, title, price")).containsExactly(List.of("10", "pen", "1.50"));
        });
        assertThat(stack.mirrorNames(app)).containsExactly("products_mirror", "users_mirror");
    }

    @Test
    @Order(2)
    void aNewTableIsMirroredWithItsRows() {
        stack.sql("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(12,2))",
                "INSERT INTO orders VALUES (100, 1, 9.99), (101, 2, 20.00)");
        eventually(WAIT, () -> assertThat(stack.chFinal("orders", "id, user_id, total"))
                .containsExactly(List.of("100", "1", "9.99"), List.of("101", "2", "20.00")));
        JsonNode mirror = stack.get(app, "/mirrors/orders_mirror");
        assertThat(mirror.get("_status").asInt()).isEqualTo(200);
        assertThat(mirror.get("source_table").asText()).isEqualTo("public.orders");
    }

    @Test
    @Order(3)
    void insertsUpdatesAndDeletesFlow() {
        stack.sql("INSERT INTO users VALUES (3, 'cy', 'cy@example.com')",
                "UPDATE users SET email = 'bob@example.com' WHERE id = 2",
                "DELETE FROM users WHERE id = 1",
                "BEGIN; UPDATE users SET name = 'cyd' WHERE id = 3; UPDATE users SET name = 'cydney' WHERE id = 3; COMMIT");
        eventually(WAIT, () -> assertThat(stack.chFinal("users", "id, name, email")).containsExactly(
                List.of("2", "bob", "bob@example.com"), List.of("3", "cydney", "cy@example.com")));
        JsonNode verify = stack.get(app, "/verify?schema=public&table=users");
        assertThat(verify.get("match").asBoolean()).isTrue();
        assertThat(verify.get("postgres_count").asLong()).isEqualTo(2);
        assertThat(verify.get("clickhouse_count").asLong()).isEqualTo(2);
    }

    @Test
    @Order(4)
    void excludedAndUnwatchedTablesAreUntouched() {
        stack.sql("CREATE TABLE temp_later (id int PRIMARY KEY)", "INSERT INTO temp_later VALUES (1)",
                "CREATE TABLE other.later (id int PRIMARY KEY)", "CREATE TABLE audit (id int PRIMARY KEY)");
        // audit is a marker: once it is mirrored, the events before it have been handled
        eventually(WAIT, () -> assertThat(stack.mirrorNames(app)).contains("audit_mirror"));
        assertThat(stack.mirrorNames(app)).noneMatch(n -> n.startsWith("temp_") || n.contains("hidden") || n.contains("later"));
        for (String t : List.of("temp_scratch", "temp_later", "hidden", "later")) {
            assertThat(stack.chTableExists(t)).as(t).isFalse();
        }
    }

    @Test
    @Order(5)
    void aDroppedTableLosesItsMirror() {
        stack.sql("DROP TABLE orders");
        eventually(WAIT, () -> assertThat(stack.mirrorNames(app)).doesNotContain("orders_mirror"));
        assertThat(stack.get(app, "/mirrors/orders_mirror").get("_status").asInt()).isEqualTo(404);
        // the mirror is gone but its data is kept (DROP_TARGET_ON_TABLE_DROP=false) until CLEAN_DATABASES sweeps it
        eventually(WAIT, () -> assertThat(stack.chTableExists("orders")).isFalse());
        assertThat(stack.chTableExists("users")).isTrue();
        assertThat(stack.chTableExists("products")).isTrue();
    }

    @Test
    @Order(6)
    void workerEndpointsReportTheWork() {
        // products was never verified on demand: only the scheduled check (every 2 s here) can have counted it
        eventually(WAIT, () -> assertThat(stack.getText(app, "/metrics/prometheus"))
                .contains("echodb_consistency_match{table=\"public.products\"} 1.0")
                .contains("echodb_mirrors{state=\"running\"} 3.0")
                .contains("resilience4j_circuitbreaker_state{name=\"peerdb_api\",state=\"closed\"} 1.0")
                .contains("echodb_engine_rows_written_total{phase=\"stream\",table=\"public.users\"}")
                .contains("jvm_memory_used_bytes"));
        JsonNode metrics = stack.get(app, "/metrics");
        assertThat(metrics.get("running").asBoolean()).isTrue();
        assertThat(metrics.get("is_leader").asBoolean()).isTrue();
        assertThat(metrics.get("worker_id").asText()).isEqualTo("e2e-worker-1");
        assertThat(metrics.get("mirrors_created").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(metrics.get("mirrors_dropped").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("circuit_breakers").get("peerdb_api").get("state").asText()).isEqualTo("closed");
        JsonNode ready = stack.get(app, "/ready");
        assertThat(ready.get("ready").asBoolean()).as(ready.toString()).isTrue();
        JsonNode all = stack.get(app, "/verify-all");
        assertThat(all.get("summary").get("tables_checked").asInt()).isEqualTo(3);
        assertThat(all.get("summary").get("mismatched").asInt()).isZero();
    }
}
