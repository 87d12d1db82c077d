package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unchanged TOAST values: pgoutput does not resend a large out-of-line value that an UPDATE did not touch (it sends
 * an "unchanged" marker instead). ClickHouse must keep the stored value — whether it was copied by the snapshot,
 * streamed in an earlier transaction, or inserted earlier in the same transaction.
 */
class ToastEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static E2eEnv env;
    private static Rig rig;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_toast");
        rig = env.rig().start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    /** Incompressible text: random letters and digits, so pglz cannot shrink it below the TOAST threshold. */
    private static String randomText(int chars) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void anUpdateOfAnotherColumnKeepsTheLargeValue() {
        String copied = randomText(20_000);
        String streamed = randomText(50_000);
        String sameTx = randomText(12_000);
        String external = randomText(9_000);
        env.sql("CREATE TABLE docs (id int PRIMARY KEY, n int NOT NULL, body text, extra text)",
                "ALTER TABLE docs ALTER COLUMN extra SET STORAGE EXTERNAL", // out of line, never compressed
                "INSERT INTO docs VALUES (1, 0, " + E2eEnv.pgLiteral(copied) + ", " + E2eEnv.pgLiteral(external) + ")");
        assertThat(env.pgLong("SELECT pg_column_size(body) FROM docs WHERE id = 1"))
                .as("the value is stored toasted (more than 8 kB even after compression)").isGreaterThan(8_000);
        TableRef docs = E2eEnv.table("docs");
        MirrorSpec spec = E2eEnv.spec(docs);
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(docs, WAIT);

        // row 1 came from the snapshot: its values must be looked up in ClickHouse
        env.sql("UPDATE docs SET n = n + 1 WHERE id = 1");
        // row 2 is streamed, then updated in a later transaction
        env.sql("INSERT INTO docs VALUES (2, 0, " + E2eEnv.pgLiteral(streamed) + ", NULL)");
        env.awaitMirrored(docs, WAIT);
        env.sql("UPDATE docs SET n = n + 1 WHERE id = 2", "UPDATE docs SET n = n + 1 WHERE id = 2");
        // row 3: insert and updates in one transaction (the value is still in the engine's buffer)
        env.tx("INSERT INTO docs VALUES (3, 0, " + E2eEnv.pgLiteral(sameTx) + ", " + E2eEnv.pgLiteral(external) + ")",
                "UPDATE docs SET n = 1 WHERE id = 3", "UPDATE docs SET n = 2 WHERE id = 3");
        // row 1 again, a key change: the moved row must carry its large values along
        env.sql("UPDATE docs SET n = 10 WHERE id = 1", "UPDATE docs SET id = 11 WHERE id = 1");
        env.awaitMirrored(docs, WAIT);

        assertThat(md5InClickHouse(11)).isEqualTo(md5(copied));
        assertThat(md5InClickHouse(2)).isEqualTo(md5(streamed));
        assertThat(md5InClickHouse(3)).isEqualTo(md5(sameTx));
        assertThat(env.chString("SELECT extra FROM " + env.chTable("docs") + " FINAL WHERE id = 11")).isEqualTo(external);
        assertThat(env.chRows("SELECT id, n, length(body) FROM " + env.chTable("docs") + " FINAL ORDER BY id"))
                .containsExactly(List.of("2", "2", "50000"), List.of("3", "2", "12000"), List.of("11", "10", "20000"));

        // a key change on its own, the old row long written: the moved row's values come from ClickHouse
        env.sql("UPDATE docs SET id = 12 WHERE id = 2");
        env.awaitMirrored(docs, WAIT);
        assertThat(md5InClickHouse(12)).isEqualTo(md5(streamed));

        // setting the large value to NULL, or to a new large value, is sent and applied
        String replaced = randomText(30_000);
        env.sql("UPDATE docs SET body = NULL WHERE id = 12",
                "UPDATE docs SET body = " + E2eEnv.pgLiteral(replaced) + " WHERE id = 3",
                "UPDATE docs SET n = 99 WHERE id = 3");
        env.awaitMirrored(docs, WAIT);
        assertThat(md5InClickHouse(3)).isEqualTo(md5(replaced));
    }

    private static String md5InClickHouse(int id) {
        return env.chString("SELECT lower(hex(MD5(body))) FROM " + env.chTable("docs") + " FINAL WHERE id = " + id);
    }

    private static String md5(String s) {
        return env.pgString("SELECT md5(" + E2eEnv.pgLiteral(s) + ")");
    }
    @Test
    void aKeyChangedDuringTheCopyKeepsItsUnchangedLargeValue() throws Exception {
        // its own slot: the class's engine must not share one with this test's engine
        try (E2eEnv env = E2eEnv.create("engine_toast_moved")) {
            keyChangedDuringTheCopy(env);
        }
    }

    private static void keyChangedDuringTheCopy(E2eEnv env) throws Exception {
        String body = randomText(20_000);
        env.sql("CREATE TABLE moved_docs (id int PRIMARY KEY, n int NOT NULL, body text)",
                "INSERT INTO moved_docs VALUES (1, 0, " + E2eEnv.pgLiteral(body) + ")",
                "INSERT INTO moved_docs SELECT g, g, 'small' FROM generate_series(2, 50) g");
        TableRef table = E2eEnv.table("moved_docs");
        // The copy's writes wait, so the key change commits after the copy's point but before it writes row 1.
        java.util.concurrent.CountDownLatch copyMayWrite = new java.util.concurrent.CountDownLatch(1);
        Rig held = env.rig().wrapSink(s -> new Forwarding.Sink(s) {
            @Override
            public void write(String target, io.echodb.core.schema.TableSchema schema,
                    java.util.List<io.echodb.core.change.SinkRow> rows) {
                String thread = Thread.currentThread().getName();
                if (thread.startsWith("echodb-copy") || thread.startsWith("echodb-snapshot")) {
                    try {
                        copyMayWrite.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                super.write(target, schema, rows);
            }
        }).start();
        held.engine.create(E2eEnv.spec(table));
        Thread.sleep(1_000); // the copy is waiting to write
        env.sql("UPDATE moved_docs SET id = 100, n = n + 1 WHERE id = 1"); // body not touched: sent as unchanged TOAST
        Thread.sleep(2_000); // the stream has seen the key change
        copyMayWrite.countDown();

        E2eEnv.awaitState(held.engine, E2eEnv.spec(table).name(), io.echodb.core.model.MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        assertThat(env.chString("SELECT length(body) FROM " + env.chTable("moved_docs") + " FINAL WHERE id = 100"))
                .isEqualTo("20000");
        held.close();
    }
}
