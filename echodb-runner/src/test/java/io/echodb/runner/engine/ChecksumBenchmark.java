package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.ClickHouseRowCounter;
import io.echodb.adapters.clickhouse.checksum.ClickHouseRowChecksums;
import io.echodb.adapters.postgres.catalog.PgRowCounter;
import io.echodb.adapters.postgres.catalog.PgSourceCatalog;
import io.echodb.adapters.postgres.checksum.PgRowChecksums;
import io.echodb.adapters.postgres.checksum.PgSlotPosition;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.snapshot.PgPositionedRowCounter;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.ConsistencyChecker.Mode;
import io.echodb.core.time.Sleeper;
import io.echodb.core.service.checksum.ChecksumComparer;
import io.echodb.core.service.checksum.ChecksumSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checksum check of a 1,000,000-row table mirrored by the real engine (docs/BENCHMARKS.md, "Consistency check").
 * Logs the timings; asserts outcomes only (never speed).
 */
/** Not a test: a benchmark, named so the default build does not run it (docs/BENCHMARKS.md has the command). */
class ChecksumBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(ChecksumBenchmark.class);
    private static final int ROWS = Integer.getInteger("echodb.bench.rows", 1_000_000);
    private static final Duration WAIT = Duration.ofMinutes(10);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("checksum_bench");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void aMillionRowTableIsCheckedInChecksumMode() {
        env.sql("CREATE TABLE bench (id bigint PRIMARY KEY, account bigint NOT NULL, name text, amount numeric(12,2),"
                        + " created timestamptz NOT NULL, tags text[], active boolean)",
                "INSERT INTO bench SELECT g, g % 5000, 'customer ' || g, (g % 100000) / 100.0,"
                        + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',"
                        + " CASE WHEN g % 3 = 0 THEN ARRAY['a', 'b,' || g] END, g % 2 = 0 FROM generate_series(1, " + ROWS + ") g",
                "ANALYZE bench");
        TableRef bench = E2eEnv.table("bench");
        Rig rig = env.rig().start();
        MirrorSpec spec = E2eEnv.spec(bench);
        long copyStart = System.nanoTime();
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        LOG.info("BENCH copy of {} rows: {} ms", ROWS, ms(copyStart));

        PgConnectionFactory pg = new PgConnectionFactory(env.pgSettings());
        WatchPolicy policy = WatchPolicy.fromCommaLists("public", "");
        Clock clock = Clock.systemUTC();
        PgSlotPosition slot = new PgSlotPosition(pg, env.slot);
        PgRowChecksums source = new PgRowChecksums(pg);
        ClickHouseRowChecksums target = new ClickHouseRowChecksums(rig.gateway, policy::targetTableFor);
        ChecksumComparer comparer = new ChecksumComparer(new PgSourceCatalog(pg), source, target,
                table -> slot.confirmedFlush(), ChecksumSettings.defaults(), clock, Sleeper.SYSTEM);
        ConsistencyChecker checker = ConsistencyChecker.builder(new PgRowCounter(pg, clock),
                        new ClickHouseRowCounter(rig.gateway, policy::targetTableFor, clock), rig.engine, policy)
                .clock(clock).settings(new ConsistencyChecker.Settings(3, Duration.ofSeconds(1), WAIT, Duration.ofMillis(200)))
                .checksums(comparer)
                .positions(new ConsistencyChecker.Positions(new PgPositionedRowCounter(pg, PgReplicationConfig.defaults().withNames(env.slot,
                        env.publication)), new ClickHouseRowCounter(rig.gateway, policy::targetTableFor, clock),
                        table -> slot.confirmedFlush(), Duration.ofSeconds(10), Duration.ofMillis(100)))
                .build();

        // each side's share: one top-level bucket reading (4096 buckets)
        TableSchema schema = new PgSourceCatalog(pg).describe(bench).orElseThrow();
        Query all = Query.of(Scope.allColumns(schema), List.of(HashRange.ALL));
        for (int i = 0; i < 2; i++) {
            long pgStart = System.nanoTime();
            var pgDigests = source.bucketDigests(all, 12);
            long pgMs = ms(pgStart);
            long chStart = System.nanoTime();
            var chDigests = target.bucketDigests(all.asOf(pgDigests.position().orElseThrow()), 12);
            LOG.info("BENCH bucket digests: PostgreSQL {} ms ({} buckets), ClickHouse as of its position {} ms ({} buckets)",
                    pgMs, pgDigests.buckets().size(), ms(chStart), chDigests.buckets().size());
            long finalStart = System.nanoTime();
            target.bucketDigests(all, 12);
            LOG.info("BENCH bucket digests: ClickHouse with FINAL {} ms", ms(finalStart));
        }

        ConsistencyReport match = null;
        for (int i = 0; i < 3; i++) {
            match = timed("checksum, equal", () -> checker.check(bench, Mode.CHECKSUM));
            assertThat(match.verdict()).isEqualTo(Verdict.MATCH);
        }
        assertThat(match.postgresCount()).isEqualTo(ROWS);
        assertThat(match.clickhouseCount()).isEqualTo(ROWS);
        for (int i = 0; i < 3; i++) {
            ConsistencyReport count = timed("count, equal", () -> checker.check(bench, Mode.COUNT));
            assertThat(count.verdict()).isEqualTo(Verdict.MATCH);
        }

        // ten rows changed behind the engine's back
        String t = env.chTable("bench");
        rig.gateway.execute("INSERT INTO " + t + " (id, account, name, amount, created, tags, active, _echodb_version,"
                + " _echodb_is_deleted) SELECT id, account, 'tampered', amount, created, tags, active, _echodb_version + 1, 0"
                + " FROM " + t + " FINAL WHERE id % " + (ROWS / 10) + " = 7", "tamper");
        ConsistencyReport mismatch = timed("checksum, 10 differing rows",
                () -> checker.check(bench, Mode.CHECKSUM));
        assertThat(mismatch.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(mismatch.differingKeys()).hasSize(10);

        // ten rows deleted behind the engine's back
        rig.gateway.execute("INSERT INTO " + t + " (id, account, name, amount, created, tags, active, _echodb_version,"
                + " _echodb_is_deleted) SELECT id, account, name, amount, created, tags, active, _echodb_version + 1, 1"
                + " FROM " + t + " FINAL WHERE id % " + (ROWS / 10) + " = 8", "delete behind the engine's back");
        ConsistencyReport countMismatch = timed("count, 10 rows missing", () -> checker.check(bench, Mode.COUNT));
        assertThat(countMismatch.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(countMismatch.difference()).isEqualTo(10);
    }

    private static ConsistencyReport timed(String what, Supplier<ConsistencyReport> check) {
        long start = System.nanoTime();
        ConsistencyReport r = check.get();
        LOG.info("BENCH {}: {} ms -> {} ({} / {} rows, {} keys)", what, ms(start), r.verdict(), r.postgresCount(),
                r.clickhouseCount(), r.differingKeys().size());
        return r;
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
