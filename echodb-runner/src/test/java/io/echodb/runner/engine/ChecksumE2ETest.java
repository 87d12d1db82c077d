package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.checksum.ClickHouseRowChecksums;
import io.echodb.adapters.clickhouse.ClickHouseRowCounter;
import io.echodb.adapters.postgres.catalog.PgRowCounter;
import io.echodb.adapters.postgres.catalog.PgSourceCatalog;
import io.echodb.adapters.postgres.checksum.PgRowChecksums;
import io.echodb.adapters.postgres.checksum.PgSlotPosition;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.snapshot.PgPositionedRowCounter;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.DifferenceKind;
import io.echodb.core.model.ConsistencyReport.KeyDifference;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.ConsistencyChecker.Mode;
import io.echodb.core.time.Sleeper;
import io.echodb.core.service.checksum.ChecksumComparer;
import io.echodb.core.service.checksum.ChecksumSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistency checks over the real engine, PostgreSQL and ClickHouse: checksum mode reports match while a workload
 * runs, and after rows are changed behind the engine's back directly in ClickHouse it names exactly those keys; count
 * mode reports the difference in numbers.
 */
class ChecksumE2ETest {

    private static final Logger LOG = LoggerFactory.getLogger(ChecksumE2ETest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("checksum_e2e");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    /**
     * Up to 15 one-second rechecks: the slot's lag (the lag probe) only returns to 0 once the idle engine acknowledges a
     * keepalive past unrelated WAL (autovacuum after the workload), which can take a few seconds on a busy machine.
     */
    private static ConsistencyChecker checker(Rig rig) {
        PgConnectionFactory pg = new PgConnectionFactory(env.pgSettings());
        WatchPolicy policy = WatchPolicy.fromCommaLists("public", "");
        Clock clock = Clock.systemUTC();
        PgSlotPosition slot = new PgSlotPosition(pg, env.slot);
        ChecksumComparer checksums = new ChecksumComparer(new PgSourceCatalog(pg), new PgRowChecksums(pg),
                new ClickHouseRowChecksums(rig.gateway, policy::targetTableFor), table -> slot.confirmedFlush(),
                ChecksumSettings.defaults().withCommonPoint(Duration.ofSeconds(20), Duration.ofMillis(100)), clock,
                Sleeper.SYSTEM);
        return ConsistencyChecker.builder(new PgRowCounter(pg, clock),
                        new ClickHouseRowCounter(rig.gateway, policy::targetTableFor, clock), rig.engine, policy)
                .clock(clock).settings(new ConsistencyChecker.Settings(15, Duration.ofSeconds(1), WAIT, Duration.ofMillis(200)))
                .checksums(checksums)
                .positions(new ConsistencyChecker.Positions(new PgPositionedRowCounter(pg, PgReplicationConfig.defaults().withNames(env.slot,
                        env.publication)), new ClickHouseRowCounter(rig.gateway, policy::targetTableFor, clock),
                        table -> slot.confirmedFlush(), Duration.ofSeconds(20), Duration.ofMillis(100)))
                .build();
    }

    /** Single-statement transactions of every kind on the accounts table, one per {@code pace}, on its own thread. */
    private static final class PacedWriter implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong committed = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final Thread thread;

        PacedWriter(String table, int keys, Duration pace) {
            SplittableRandom random = new SplittableRandom(7);
            thread = new Thread(() -> {
                try (Connection c = env.pg.connect(env.pgDb); Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        long k = 1 + random.nextInt(keys);
                        int op = random.nextInt(10);
                        String sql = op < 4 ? "UPDATE " + table + " SET balance = balance + 1, amount = " + random.nextInt(100_000)
                                + " / 100.0, touched = now() WHERE id = " + k
                                : op < 6 ? "INSERT INTO " + table + " (id, balance, owner, tags) VALUES (" + k + ", 1, 'new', '{\"n\": 1}')"
                                        + " ON CONFLICT (id) DO UPDATE SET owner = NULL, tags = NULL"
                                : op < 8 ? "DELETE FROM " + table + " WHERE id = " + k
                                : "UPDATE " + table + " SET active = NOT coalesce(active, false) WHERE id BETWEEN " + k + " AND " + (k + 10);
                        try {
                            st.execute(sql);
                            committed.incrementAndGet();
                        } catch (SQLException e) {
                            failures.incrementAndGet();
                        }
                        Poll.pause(pace.toMillis());
                    }
                } catch (SQLException e) {
                    failures.incrementAndGet();
                }
            }, "paced-writer");
            thread.setDaemon(true);
            thread.start();
        }

        long committed() {
            return committed.get();
        }

        long failures() {
            return failures.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    @Test
    void checksumModeMatchesUnderAWorkloadAndNamesExactlyTheKeysChangedInClickHouse() throws Exception {
        Workload workload = Workload.create(env, "ck", 20_000, 10_000, 42); // its tables; the writer below is paced
        TableRef accounts = E2eEnv.table(workload.accounts);
        Rig rig = env.rig().start();
        MirrorSpec spec = E2eEnv.spec(accounts);
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        ConsistencyChecker checker = checker(rig);

        // 1. While a steady workload (one the mirror keeps up with) writes, repeated checksum checks compare at a
        //    common point and match.
        List<ConsistencyReport> underLoad = new ArrayList<>();
        try (PacedWriter writer = new PacedWriter(workload.accounts, 20_000, Duration.ofMillis(5))) {
            Poll.until(WAIT, "the workload is writing", () -> writer.committed() > 50);
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                ConsistencyReport r = checker.check(accounts, Mode.CHECKSUM);
                LOG.info("under load: {} in {} ms, {} transactions so far, lag {} bytes, keys {}", r.verdict(),
                        (System.nanoTime() - start) / 1_000_000, writer.committed(), r.lagBytes(), r.differences());
                underLoad.add(r);
            }
            assertThat(writer.failures()).isZero();
        }
        List<ConsistencyReport> countsUnderLoad = new ArrayList<>();
        try (PacedWriter writer = new PacedWriter(workload.accounts, 20_000, Duration.ofMillis(2))) {
            Poll.until(WAIT, "the workload is writing", () -> writer.committed() > 50);
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                ConsistencyReport r = checker.check(accounts, Mode.COUNT);
                LOG.info("count under load: {} in {} ms ({} / {} rows), {} transactions so far", r.verdict(),
                        (System.nanoTime() - start) / 1_000_000, r.postgresCount(), r.clickhouseCount(), writer.committed());
                countsUnderLoad.add(r);
            }
            assertThat(writer.failures()).isZero();
        }
        assertThat(countsUnderLoad).as("count mode under a workload: never a false alarm")
                .allSatisfy(r -> assertThat(r.verdict()).isNotEqualTo(Verdict.MISMATCH))
                .anySatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.MATCH));
        assertThat(underLoad).allSatisfy(r -> {
            assertThat(r.mode()).isEqualTo("checksum");
            assertThat(r.verdict()).isEqualTo(Verdict.MATCH);
            assertThat(r.differingKeys()).isEmpty();
        });
        env.awaitMirrored(accounts, WAIT);

        // 2. Quiet again: checksum and count modes both match.
        ConsistencyReport quiet = checker.check(accounts, Mode.CHECKSUM);
        assertThat(quiet.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(quiet.postgresCount()).isEqualTo(quiet.clickhouseCount())
                .isEqualTo(env.pgLong("SELECT count(*) FROM " + workload.accounts));
        assertThat(checker.check(accounts, Mode.COUNT).verdict()).isEqualTo(Verdict.MATCH);

        // 3. Behind the engine's back, in ClickHouse: delete one row and change one value (higher versions, as the
        //    engine would write them), and write one row with a version beyond the source's WAL.
        long deleted = env.pgLong("SELECT min(id) FROM " + workload.accounts);
        long changed = env.pgLong("SELECT max(id) FROM " + workload.accounts);
        long future = env.pgLong("SELECT min(id) FROM " + workload.accounts + " WHERE id > " + deleted);
        String t = env.chTable(workload.accounts);
        String columns = "id, balance, owner, amount, touched, active, tags";
        rig.gateway.execute("INSERT INTO " + t + " (" + columns + ", _echodb_version, _echodb_is_deleted) SELECT " + columns
                + ", _echodb_version + 1, 1 FROM " + t + " FINAL WHERE id = " + deleted, "delete a row behind the engine's back");
        rig.gateway.execute("INSERT INTO " + t + " (" + columns + ", _echodb_version, _echodb_is_deleted) SELECT id, balance + 1,"
                + " owner, amount, touched, active, tags, _echodb_version + 1, 0 FROM " + t + " FINAL WHERE id = " + changed,
                "change a value behind the engine's back");
        rig.gateway.execute("INSERT INTO " + t + " (" + columns + ", _echodb_version, _echodb_is_deleted) SELECT id, balance,"
                + " 'from the future', amount, touched, active, tags, bitShiftLeft(toUInt128(18446744073709551615), 64), 0"
                + " FROM " + t + " FINAL WHERE id = " + future, "write a version from the future");

        ConsistencyReport checksum = checker.check(accounts, Mode.CHECKSUM);

        LOG.info("after tampering: {}", checksum);
        assertThat(checksum.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(checksum.differences()).containsExactlyInAnyOrder(
                new KeyDifference(Long.toString(deleted), DifferenceKind.MISSING_IN_CLICKHOUSE),
                new KeyDifference(Long.toString(changed), DifferenceKind.DIFFERENT),
                new KeyDifference(Long.toString(future), DifferenceKind.DIFFERENT));
        assertThat(Set.copyOf(checksum.differingKeys()))
                .isEqualTo(Set.of(Long.toString(deleted), Long.toString(changed), Long.toString(future)));
        assertThat(checksum.difference()).isEqualTo(1);

        long countStart = System.nanoTime();
        ConsistencyReport count = checker.check(accounts, Mode.COUNT);
        LOG.info("count after tampering: {} in {} ms", count, (System.nanoTime() - countStart) / 1_000_000);

        assertThat(count.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(count.difference()).isEqualTo(1);
        assertThat(count.differingKeys()).isEmpty();
    }
}
