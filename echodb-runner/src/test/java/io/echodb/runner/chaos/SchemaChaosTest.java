package io.echodb.runner.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The randomized differential test ("schema chaos", DESIGN §9): seeded rounds of DML and DDL over several tables of
 * the watched schema — inserts, updates, deletes, multi-statement transactions, key changes, TOAST values, extreme
 * values, truncates, added and dropped columns, created, dropped, re-created and renamed tables — with worker
 * restarts, hard kills, resyncs, ClickHouse stalls and cuts, PostgreSQL restarts and leader changes (two workers) in
 * between, against real EchoDB workers (the full runner), real PostgreSQL 17 and a
 * real ClickHouse engine. After each round it waits for quiescence and checks I1 (ClickHouse FINAL equals PostgreSQL
 * row for row for every RUNNING mirror), I2 (no application statement failed) and I3 (every watched table has a
 * mirror that is RUNNING, or UNSUPPORTED/FAILED with a reason; no other mirror exists; a table the generator made
 * with a usable key is RUNNING, one without is not). Also: the product's own {@code /verify?mode=checksum} must agree
 * with the row comparison; once per run a row planted in ClickHouse proves the comparison can fail; after a graceful
 * in-process stop the replication slot must be free again. A violation fails the test with the seed, the round, the
 * differing keys and the statements of that round on the table ({@code target/chaos/chaos-<seed>.sql} has them all).
 *
 * <p>Short mode (part of {@code ./mvnw verify}, about 2 minutes): the fixed seed (-Dchaos.random=true adds a random seed), 6 rounds of 40
 * operations each. Operation families off by default are open bugs or limitations ({@link ChaosOp}). Long mode:
 * {@code -Dchaos.minutes=N} runs rounds until the time is up ({@code bench/chaos.sh}). Every seed is printed first;
 * {@code -Dchaos.seed=S} replays one. Other knobs: {@code chaos.ops} (families, see {@link ChaosOp#parse}),
 * {@code chaos.rounds}, {@code chaos.steps}, {@code chaos.tables}, {@code chaos.bulkRows}, {@code chaos.settleSeconds},
 * {@code chaos.verify} (also ask the product's /verify?mode=checksum), {@code chaos.capture} ({@code catalog}: DDL captured by
 * the catalog sweep instead of event triggers). Summaries go to the log, stdout and
 * {@code target/chaos/summary.txt}.
 */
class SchemaChaosTest {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaChaosTest.class);
    /** The seed every short run includes. */
    static final long FIXED_SEED = 20_261_202L;

    @TestFactory
    Stream<DynamicTest> schemaChaos() {
        Set<ChaosOp> ops = ChaosOp.parse(System.getProperty("chaos.ops"));
        double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "0"));
        String seedProperty = System.getProperty("chaos.seed", "").trim();
        List<Long> seeds = new ArrayList<>();
        if (!seedProperty.isEmpty()) {
            seeds.add(Long.parseLong(seedProperty));
        } else if (minutes > 0) {
            seeds.add(ThreadLocalRandom.current().nextLong(1, 1_000_000_000L));
        } else {
            // The test command runs the fixed seed only, so it is repeatable; -Dchaos.random=true adds a random seed.
            // A random seed found seed 617654343 (round 6: ADD COLUMN ... NOT NULL DEFAULT during a resync left NULL in
            // ClickHouse for a row inserted just before it) — open in issue 10, replay it with -Dchaos.seed=617654343.
            seeds.add(FIXED_SEED);
            if (Boolean.getBoolean("chaos.random")) {
                seeds.add(ThreadLocalRandom.current().nextLong(1, 1_000_000_000L));
            }
        }
        int rounds = Integer.getInteger("chaos.rounds", 6);
        int steps = Integer.getInteger("chaos.steps", 40);
        int tables = Integer.getInteger("chaos.tables", 5);
        int bulkRows = Integer.getInteger("chaos.bulkRows", minutes > 0 ? 5000 : 1500);
        Duration settle = Duration.ofSeconds(Integer.getInteger("chaos.settleSeconds", 90));
        boolean askChecker = Boolean.parseBoolean(System.getProperty("chaos.verify", "true"));
        String mode = minutes > 0 ? "long mode, " + minutes + " minute(s)" : "short mode, " + rounds + " round(s) per seed";
        String banner = "schema chaos: seed(s) " + seeds + " (" + mode + ", " + steps + " operations per round); replay one with"
                + " -Dchaos.seed=N; operation families: " + ChaosRun.ids(ops);
        LOG.info(banner);
        System.out.println(banner);
        return seeds.stream().map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            LOG.info("schema chaos seed {}", seed);
            System.out.println("schema chaos seed " + seed);
            long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : 0;
            ChaosRun run = new ChaosRun(new ChaosRun.Settings(seed, ops, rounds, deadline, steps, tables, bulkRows, settle,
                    askChecker));
            try {
                run.run();
            } finally {
                String summary = run.stats().summary();
                LOG.info("\n{}", summary);
                System.out.println(summary);
                appendSummary(summary);
            }
        }));
    }

    private static void appendSummary(String summary) {
        try {
            Path file = Path.of("target", "chaos", "summary.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, summary + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("could not write the chaos summary: {}", e.toString());
        }
    }
}
