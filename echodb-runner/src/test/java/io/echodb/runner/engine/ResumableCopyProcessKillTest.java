package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 16: the engine process is killed with SIGKILL at a random point of a multi-million-row initial copy, while
 * the table takes updates (rows moving between pages), deletes and inserts; a new process resumes from the ranges the
 * first one finished instead of starting over, and ClickHouse with FINAL ends equal to PostgreSQL row for row (I1).
 */
class ResumableCopyProcessKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(ResumableCopyProcessKillTest.class);
    private static final int ROWS = Integer.getInteger("echodb.resumableCopy.rows", 2_000_000);
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Pattern COPIED = Pattern.compile("copied (\\d+) rows of public\\.big_copy");

    private static E2eEnv env;
    private static EngineProcesses processes;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("resume_kill");
        processes = new EngineProcesses(env);
    }

    @AfterAll
    static void tearDown() {
        processes.close();
        env.close();
    }

    @Test
    void aCopyKilledAtARandomPointResumesFromItsFinishedRangesAndEndsExact() throws Exception {
        long seed = Long.getLong("echodb.resumableCopy.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        double killAt = 0.2 + random.nextDouble() * 0.5;
        LOG.info("resumable copy kill test: seed {}, {} rows, killed once {}% of the pages are copied", seed, ROWS,
                Math.round(killAt * 100));
        env.sql("CREATE TABLE big_copy (id bigint PRIMARY KEY, account int NOT NULL, note text, amount numeric(12,2))",
                "INSERT INTO big_copy SELECT g, g % 1000, 'note ' || g, g / 100.0 FROM generate_series(1, " + ROWS + ") g",
                "ANALYZE big_copy");
        long pages = env.pgLong("SELECT pg_relation_size('big_copy') / current_setting('block_size')::bigint");
        TableRef table = E2eEnv.table("big_copy");

        Process first = processes.start(0, List.of("big_copy"));
        CopyCheckpoint started = awaitFinished(first, 1.0 / pages);
        // Committed after the copy's point: the stream brings them, into finished ranges and remaining ones alike.
        env.sql("UPDATE big_copy SET note = 'moved ' || id, amount = amount + 1 WHERE id % 10007 = 0",
                "DELETE FROM big_copy WHERE id % 9973 = 0",
                "INSERT INTO big_copy SELECT g, 7, 'added during the copy', 1 FROM generate_series(" + (ROWS + 1) + ", "
                        + (ROWS + 500) + ") g");
        CopyCheckpoint atKill = awaitFinished(first, killAt * pages);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no close
        first.waitFor();
        double finished = finishedPages(atKill) / (double) pages;
        LOG.info("killed with {}% of the pages copied ({} ranges)", Math.round(finished * 100), atKill.finished().size());

        // While no engine runs: rows move and vanish, and freed space takes new rows on pages already copied.
        env.sql("UPDATE big_copy SET note = 'moved while down' WHERE id % 7919 = 0",
                "DELETE FROM big_copy WHERE id % 8111 = 0", "VACUUM big_copy",
                "INSERT INTO big_copy SELECT g, 8, 'added while down', 2 FROM generate_series(" + (ROWS + 501) + ", "
                        + (ROWS + 900) + ") g");
        Path secondLog = processes.logOf(1);
        processes.start(1, List.of("big_copy"));
        Poll.until(WAIT, "the resumed copy completes", () -> "RUNNING".equals(mirrorState()));
        long expected = env.pgLong("SELECT count(*) FROM big_copy");
        Poll.until(WAIT, "ClickHouse holds " + expected + " rows",
                () -> env.chLong("SELECT count() FROM " + env.chTable("big_copy") + " FINAL") == expected);
        env.awaitMirrored(table, WAIT);

        String log = Files.readString(secondLog);
        assertThat(log).contains("resuming the copy of public.big_copy");
        Matcher copied = COPIED.matcher(log);
        assertThat(copied.find()).as("the second process logs its copy (%s)", secondLog).isTrue();
        long reread = Long.parseLong(copied.group(1));
        LOG.info("the second process read {} rows of {} ({}% of the pages were finished)", reread, expected,
                Math.round(finished * 100));
        assertThat(reread).as("rows read again after the kill").isLessThan((long) ((1 - finished) * ROWS + 0.05 * ROWS));
        CopyCheckpoint done = CopyCheckpoint.parse(env.pgString("SELECT copy_checkpoint FROM _echodb.mirrors"
                + " WHERE source_table = 'big_copy'"));
        assertThat(done.resumed()).isTrue();
        assertThat(done.point()).isEqualTo(started.point());
    }

    private static String mirrorState() {
        return env.pgString("SELECT coalesce(max(state), '') FROM _echodb.mirrors WHERE source_table = 'big_copy'");
    }

    /** Waits until the recorded copy progress covers at least {@code pages} pages; fails if the copy completes first. */
    private static CopyCheckpoint awaitFinished(Process engine, double pages) {
        CopyCheckpoint[] seen = new CopyCheckpoint[1];
        Poll.until(WAIT, "the copy finished " + Math.round(pages) + " pages", () -> {
            assertThat(engine.isAlive()).as("engine process").isTrue();
            assertThat(mirrorState()).as("the copy must still run").isNotEqualTo("RUNNING");
            String text = env.pgString("SELECT coalesce(max(copy_checkpoint), '') FROM _echodb.mirrors"
                    + " WHERE source_table = 'big_copy'");
            if (text.isEmpty()) {
                return false;
            }
            seen[0] = CopyCheckpoint.parse(text);
            return finishedPages(seen[0]) >= pages;
        });
        return seen[0];
    }

    private static long finishedPages(CopyCheckpoint progress) {
        long pages = 0;
        for (CopyRange r : progress.finished()) {
            pages += r.openEnded() ? 1 : r.endPage() - r.firstPage();
        }
        return pages;
    }
}
