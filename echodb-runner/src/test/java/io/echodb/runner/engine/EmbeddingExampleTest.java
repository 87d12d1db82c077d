package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.NativeMirrorEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedding example of docs/EMBEDDING.md (and the README) is {@link MirrorOneTable}, verbatim: this test checks
 * that the documentation shows exactly that file, and runs its {@code mirror} method against the real services.
 */
class EmbeddingExampleTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SOURCE_FILE = "echodb-runner/src/test/java/io/echodb/runner/engine/MirrorOneTable.java";

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("embedding");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void theExampleMirrorsOneTableAndResumesAfterARestart() {
        TableRef orders = TableRef.of("public", "orders");
        env.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(12,2),"
                        + " placed_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO orders (id, customer, total) SELECT g, 'customer ' || g, g * 1.25 FROM generate_series(1, 1000) g");
        MirrorName name = MirrorName.forTable(orders, false);

        try (ClickHouseGateway gateway = new ClickHouseGateway(env.chSettings())) {
            NativeMirrorEngine engine = MirrorOneTable.mirror(env.pgSettings(), gateway, env.slot, orders);
            try {
                E2eEnv.awaitState(engine, name, MirrorState.RUNNING, WAIT);
                env.awaitMirrored(orders, WAIT);

                env.sql("INSERT INTO orders (id, customer, total) VALUES (1001, 'late', 9.99)",
                        "UPDATE orders SET total = total + 1 WHERE id <= 10",
                        "DELETE FROM orders WHERE id BETWEEN 500 AND 599");
                env.awaitMirrored(orders, WAIT);
            } finally {
                engine.close();
            }

            // Changes made while no engine runs are waiting in the slot; the same code picks them up.
            env.sql("INSERT INTO orders (id, customer, total) VALUES (2000, 'while stopped', 1)",
                    "DELETE FROM orders WHERE id = 1");
            NativeMirrorEngine again = MirrorOneTable.mirror(env.pgSettings(), gateway, env.slot, orders);
            try {
                env.awaitMirrored(orders, WAIT);
                assertThat(again.status(name).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
                assertThat(env.chLong("SELECT count() FROM " + env.chTable("orders") + " FINAL")).isEqualTo(901);

                again.drop(name, false);
                Poll.until(WAIT, "the slot is dropped with the last mirror",
                        () -> env.pgLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = "
                                + E2eEnv.pgLiteral(env.slot)) == 0);
                assertThat(env.pgLong("SELECT count(*) FROM pg_publication WHERE pubname = "
                        + E2eEnv.pgLiteral(env.slot + "_pub"))).isZero();
            } finally {
                again.close();
            }
        }
    }

    @Test
    void theDocumentationShowsExactlyTheTestedCode() throws IOException {
        Path root = repositoryRoot();
        String example = exampleWithoutPackage(Files.readString(root.resolve(SOURCE_FILE), StandardCharsets.UTF_8));

        String embedding = Files.readString(root.resolve("docs/EMBEDDING.md"), StandardCharsets.UTF_8);
        assertThat(javaBlockWithClass(embedding)).as("the example in docs/EMBEDDING.md").isEqualTo(example);

        // The README shows the same example once the section is in (see docs/EMBEDDING.md for the full text).
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        if (readme.contains("public final class MirrorOneTable")) {
            assertThat(javaBlockWithClass(readme)).as("the example in README.md").isEqualTo(example);
        }
    }

    /** The file without its package line: what a reader copies into their own project. */
    static String exampleWithoutPackage(String source) {
        String s = source.replace("\r\n", "\n");
        int start = s.indexOf('\n', s.indexOf("package ")) + 1;
        return s.substring(start).strip() + "\n";
    }

    /** The fenced java block of {@code markdown} that declares MirrorOneTable. */
    static String javaBlockWithClass(String markdown) {
        String md = markdown.replace("\r\n", "\n");
        int from = 0;
        while (true) {
            int open = md.indexOf("```java\n", from);
            if (open < 0) {
                throw new AssertionError("no ```java block declaring MirrorOneTable found");
            }
            int start = open + "```java\n".length();
            int end = md.indexOf("\n```", start);
            String block = md.substring(start, end + 1);
            if (block.contains("public final class MirrorOneTable")) {
                return block.strip() + "\n";
            }
            from = end + 4;
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SOURCE_FILE))) {
                return dir;
            }
        }
        throw new AssertionError(SOURCE_FILE + " not found above " + System.getProperty("user.dir"));
    }
}
