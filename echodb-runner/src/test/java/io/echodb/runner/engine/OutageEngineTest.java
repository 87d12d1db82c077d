package io.echodb.runner.engine;

import io.echodb.runner.testing.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The target or the source goes away for a while during a workload; nothing is lost and the engine catches up. */
class OutageEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(OutageEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private E2eEnv env;

    @BeforeEach
    void setUp() {
        env = E2eEnv.create("engine_outage");
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    /** Records when the engine reported failures. */
    private static final class Failures implements EngineListener {
        final List<Long> atMillis = new CopyOnWriteArrayList<>();
        final List<String> operations = new CopyOnWriteArrayList<>();
        final List<String> acknowledged = new CopyOnWriteArrayList<>();

        @Override
        public void acknowledged(io.echodb.core.change.Lsn lsn) {
            acknowledged.add(lsn.toString());
        }

        @Override
        public void error(MirrorName mirror, String operation, Throwable error) {
            atMillis.add(System.currentTimeMillis());
            operations.add(operation);
        }

        int countBetween(long from, long to) {
            return (int) atMillis.stream().filter(t -> t >= from && t <= to).count();
        }
    }

    @Test
    void clickHouseUnreachableForFiveSecondsLosesNothing() {
        long seed = System.nanoTime();
        Workload workload = Workload.create(env, "chdown", 2_000, 1_500, seed);
        TableRef accounts = E2eEnv.table(workload.accounts);
        TableRef events = E2eEnv.table(workload.events);
        TcpProxy proxy = TcpProxy.start("clickhouse", env.ch.host(), env.ch.port());
        env.closeAfterEngines(proxy);
        Failures failures = new Failures();
        Rig rig = env.rig().clickhouse(env.chSettings(proxy)).listener(failures)
                .settings(E2eEnv.engineSettings().withRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)))
                .start();
        MirrorSpec spec = E2eEnv.spec(accounts);
        rig.engine.create(spec);
        rig.engine.create(E2eEnv.spec(events));
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(events).name(), MirrorState.RUNNING, WAIT);

        workload.start();
        Poll.pause(1_000);
        String flushedBeforeCut = env.confirmedFlush();
        LOG.info("before the cut: slot confirmed {} after {} acknowledgements", flushedBeforeCut, failures.acknowledged.size());
        proxy.cut();
        long cutAt = System.currentTimeMillis();
        List<Boolean> slotSeen = new ArrayList<>();
        Set<String> errorsInStatus = new HashSet<>();
        String flushedAfterOneSecond = null;
        while (System.currentTimeMillis() - cutAt < 5_000) {
            slotSeen.add(env.slotExists());
            if (flushedAfterOneSecond == null && System.currentTimeMillis() - cutAt >= 1_000) {
                flushedAfterOneSecond = env.confirmedFlush();
            }
            for (MirrorStatus s : rig.engine.list()) {
                if (s.lastError() != null) {
                    errorsInStatus.add(s.lastError());
                }
            }
            Poll.pause(200);
        }
        String flushedAtEnd = env.confirmedFlush();
        Duration lagDuringOutage = rig.engine.replicationLag();
        long restoredAt = System.currentTimeMillis();
        proxy.restore();
        int failuresDuringOutage = failures.countBetween(cutAt, restoredAt);
        Poll.pause(1_000);
        workload.stop();

        env.awaitMirrored(accounts, WAIT);
        env.awaitMirrored(events, WAIT);
        long caughtUp = System.currentTimeMillis() - restoredAt;
        long lagZeroDeadline = System.currentTimeMillis() + 30_000;
        while (!rig.engine.replicationLag().isZero() && System.currentTimeMillis() < lagZeroDeadline) {
            Poll.pause(100);
        }
        List<Long> gaps = gaps(failures.atMillis, cutAt, restoredAt);
        LOG.info("ClickHouse cut for {} ms: {} failed attempts (gaps {} ms), slot confirmed {} after 1 s and {} at the end;"
                        + " caught up {} ms after the restore; {} transactions", restoredAt - cutAt, failuresDuringOutage,
                gaps, flushedAfterOneSecond, flushedAtEnd, caughtUp, workload.committed());

        assertThat(lagDuringOutage).as("replication lag in time grows while nothing can be written")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(rig.engine.replicationLag()).as("and is zero once idle and caught up").isZero();
        assertThat(slotSeen).as("the slot exists throughout the outage").isNotEmpty().doesNotContain(false);
        assertThat(flushedAtEnd).as("nothing is acknowledged while ClickHouse cannot take the rows")
                .isEqualTo(flushedAfterOneSecond);
        assertThat(failuresDuringOutage).as("the engine retried").isGreaterThanOrEqualTo(2);
        // 100 ms doubling up to 2 s: about seven attempts in five seconds; without backoff there would be fifty
        assertThat(failuresDuringOutage).as("and backed off").isLessThanOrEqualTo(15);
        assertThat(gaps.get(gaps.size() - 1)).as("the last wait is longer than the first").isGreaterThan(gaps.get(0));
        assertThat(errorsInStatus).as("the outage shows in the mirror status").isNotEmpty()
                .allSatisfy(e -> assertThat(e).containsIgnoringCase("unavailable"));
        assertThat(rig.engine.list()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(MirrorState.RUNNING);
            assertThat(s.lastError()).as("cleared once ClickHouse is back").isNull();
        });
        assertThat(proxy.refused()).as("connection attempts were refused during the outage").isPositive();
    }

    @Test
    void postgresRestartDuringTheWorkloadIsSurvived() {
        long seed = System.nanoTime();
        Workload workload = Workload.create(env, "pgdown", 2_000, 1_500, seed);
        TableRef accounts = E2eEnv.table(workload.accounts);
        TableRef events = E2eEnv.table(workload.events);
        Failures failures = new Failures();
        Rig rig = env.rig().listener(failures).start();
        MirrorSpec spec = E2eEnv.spec(accounts);
        rig.engine.create(spec);
        rig.engine.create(E2eEnv.spec(events));
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(events).name(), MirrorState.RUNNING, WAIT);

        workload.start();
        Poll.pause(1_000);
        long restartAt = System.currentTimeMillis();
        env.pg.restart();
        long restartedAt = System.currentTimeMillis();
        long committedAfterRestart = workload.committed();
        Poll.until(WAIT, "the workload writes again after the restart", () -> workload.committed() > committedAfterRestart + 50);
        Poll.pause(1_000);
        workload.stop();

        env.awaitMirrored(accounts, WAIT);
        env.awaitMirrored(events, WAIT);
        LOG.info("PostgreSQL restarted in {} ms; engine reported {} failures ({}); caught up {} ms after the restart;"
                        + " workload: {} transactions, {} failed", restartedAt - restartAt, failures.atMillis.size(),
                new HashSet<>(failures.operations), System.currentTimeMillis() - restartedAt, workload.committed(),
                workload.failedTransactions());
        assertThat(failures.operations).as("the engine noticed the lost connection and reconnected").isNotEmpty();
        assertThat(rig.engine.list()).allSatisfy(s -> assertThat(s.state()).isEqualTo(MirrorState.RUNNING));
        assertThat(env.slotExists()).isTrue();
    }

    private static List<Long> gaps(List<Long> times, long from, long to) {
        List<Long> in = times.stream().filter(t -> t >= from && t <= to).sorted().toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) {
            gaps.add(in.get(i) - in.get(i - 1));
        }
        return gaps.isEmpty() ? List.of(0L) : gaps;
    }
}
