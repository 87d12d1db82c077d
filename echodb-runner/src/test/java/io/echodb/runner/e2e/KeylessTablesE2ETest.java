package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * KEYLESS_TABLES=full through the runner on the real services: a table created without any key is mirrored with no
 * manual step — EchoDB sets REPLICA IDENTITY FULL, copies it and streams it as a multiset — and the documented query
 * ({@code sum(_echodb_sign)} per row) gives PostgreSQL's rows with their multiplicities; the count check agrees.
 */
class KeylessTablesE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** The documented way to read a key-less table's mirror: each distinct row with how often it is there. */
    private static final String CH_MULTISET = "SELECT at, msg, sum(_echodb_sign) AS n FROM `%s`.`log_lines` FINAL"
            + " GROUP BY at, msg HAVING n != 0 ORDER BY at, msg";
    private static final String PG_MULTISET = "SELECT at::text, msg, count(*)::text FROM log_lines GROUP BY at, msg"
            + " ORDER BY at, msg";

    private Stack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private void awaitSameMultiset() {
        eventually(WAIT, () -> assertThat(sorted(stack.chRows(CH_MULTISET.formatted(stack.chDb))))
                .isEqualTo(sorted(stack.pgRows(PG_MULTISET))));
    }

    /** Both sides in one order (the databases sort NULLs and numbers-as-text differently). */
    private static List<String> sorted(List<List<String>> rows) {
        return rows.stream().map(String::valueOf).sorted().toList();
    }

    @Test
    void aTableWithoutAKeyIsMirroredAsAMultisetWithNoManualStep() throws Exception {
        stack = new Stack("e2e_keyless");
        Map<String, String> env = stack.env("e2e-keyless", "none");
        env.put("KEYLESS_TABLES", "full");
        EchoDbApplication app = stack.start(env);
        stack.sql("BEGIN; CREATE TABLE log_lines (at int, msg text);"
                        + " INSERT INTO log_lines VALUES (1, 'boot'), (1, 'boot'), (2, NULL), (2, NULL), (2, NULL); COMMIT",
                "INSERT INTO log_lines SELECT g % 20, 'line ' || (g % 9) FROM generate_series(1, 500) g");
        eventually(WAIT, () -> assertThat(stack.get(app, "/mirrors/log_lines_mirror").path("state").asText())
                .isEqualToIgnoringCase("RUNNING"));
        assertThat(stack.pgLong("SELECT count(*) FROM pg_class WHERE relname = 'log_lines' AND relreplident = 'f'"))
                .as("EchoDB set REPLICA IDENTITY FULL").isEqualTo(1);
        awaitSameMultiset();

        // The application's UPDATE and DELETE work (the table is published with a replica identity) and stay exact.
        stack.sql("INSERT INTO log_lines VALUES (1, 'boot')",
                "DELETE FROM log_lines WHERE ctid = (SELECT min(ctid) FROM log_lines WHERE at = 2)",
                "UPDATE log_lines SET msg = 'one of them' WHERE ctid = (SELECT max(ctid) FROM log_lines WHERE at = 1)",
                "UPDATE log_lines SET at = at + 100 WHERE msg = 'line 3'",
                "DELETE FROM log_lines WHERE msg = 'line 4'");
        awaitSameMultiset();
        assertThat(stack.chRows(CH_MULTISET.formatted(stack.chDb))).contains(List.of("1", "boot", "2"),
                List.of("1", "one of them", "1"), java.util.Arrays.asList("2", null, "2"));

        JsonNode verify = stack.get(app, "/verify?schema=public&table=log_lines");
        assertThat(verify.path("match").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("clickhouse_count").asLong()).as(verify.toString())
                .isEqualTo(stack.pgLong("SELECT count(*) FROM log_lines"));
    }
}
