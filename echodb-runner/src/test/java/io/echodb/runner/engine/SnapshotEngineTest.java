package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Initial copy at an exact consistent point while changes keep flowing, and the parallel CTID copy of a large table. */
class SnapshotEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private E2eEnv env;

    @BeforeEach
    void setUp() {
        env = E2eEnv.create("engine_snapshot");
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void rowsChangedDuringTheCopyEndUpCorrect() {
        long seed = System.nanoTime();
        LOG.info("workload seed {}", seed);
        Workload workload = Workload.create(env, "snap", 120_000, 100_000, seed);
        TableRef accounts = E2eEnv.table(workload.accounts);
        TableRef events = E2eEnv.table(workload.events);
        // Small copy batches: the copy takes many writes, and the workload commits between them.
        Rig rig = env.rig().settings(E2eEnv.engineSettings().withSnapshotBatchRows(5_000)).start();
        MirrorSpec spec = E2eEnv.spec(accounts);
        // create() publishes the tables and returns; the copy runs in the background, and the workload starts at
        // once, so it writes before, at and after the consistent point of the copy. (Publishing while a transaction
        // writing the table is open is PublishWhileWritingEngineTest's subject.)
        rig.engine.create(spec);
        rig.engine.create(E2eEnv.spec(events));
        long committedBefore = workload.committed();
        workload.start();
        try {
            Poll.until(WAIT, "the workload committed 20 transactions", () -> workload.committed() >= committedBefore + 20);
            assertThat(rig.engine.status(spec.name()).orElseThrow().state()).as("still copying after 20 transactions")
                    .isEqualTo(MirrorState.SNAPSHOTTING);
            MirrorStatus running = E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
            long committedDuringCopy = workload.committed() - committedBefore;
            LOG.info("{} workload transactions committed while {} was being copied ({} rows at {} rows/s)",
                    committedDuringCopy, accounts, running.snapshot().rowsDone(), (long) running.snapshot().rowsPerSecond());
            assertThat(committedDuringCopy).as("transactions committed during the copy").isPositive();
            assertThat(running.snapshot().done()).isTrue();
            assertThat(running.snapshot().rowsDone()).isGreaterThan(90_000);
            Poll.pause(1_000);
        } finally {
            workload.stop();
        }
        LOG.info("workload: {} transactions, {} statements", workload.committed(), workload.statements());
        env.awaitMirrored(accounts, WAIT);
        env.awaitMirrored(events, WAIT);
        assertThat(workload.failedTransactions()).isZero();
    }

    @Test
    void aLargeTableIsCopiedInParallelCtidRangesWithVisibleProgress() {
        int rows = 300_000;
        TableRef big = E2eEnv.table("big_narrow");
        env.sql("CREATE TABLE big_narrow (id bigint PRIMARY KEY, v integer NOT NULL)",
                "INSERT INTO big_narrow SELECT g, (g * 7) % 1000 FROM generate_series(1, " + rows + ") g",
                "ANALYZE big_narrow");
        long pages = env.pgLong("SELECT pg_relation_size('big_narrow') / 8192");
        Set<String> copyThreads = ConcurrentHashMap.newKeySet();
        Rig rig = env.rig()
                .settings(E2eEnv.engineSettings().withSnapshotParallelism(4).withSnapshotBatchRows(20_000))
                .wrapSource(s -> new Forwarding.Source(s) {
                    @Override
                    public SnapshotSession openSnapshot() {
                        return new Forwarding.Snapshot(delegate.openSnapshot()) {
                            @Override
                            public void copy(TableSchema schema, java.util.Set<String> omitted, int parallelism,
                                    List<io.echodb.core.port.out.CopyRange> finished,
                                    io.echodb.core.port.out.CopyReceiver batches) {
                                delegate.copy(schema, omitted, parallelism, finished, peeking(batches,
                                        b -> copyThreads.add(Thread.currentThread().getName())));
                            }
                        };
                    }
                })
                .start();
        MirrorName name = E2eEnv.spec(big).name();

        List<SnapshotProgress> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                rig.engine.status(name).filter(s -> s.state() == MirrorState.SNAPSHOTTING)
                        .ifPresent(s -> seen.add(s.snapshot()));
                Poll.pause(5);
            }
        }, "progress-watcher");
        long start = System.nanoTime();
        rig.engine.create(E2eEnv.spec(big));
        watcher.start();
        MirrorStatus done;
        try {
            done = E2eEnv.awaitState(rig.engine, name, MirrorState.RUNNING, WAIT);
        } finally {
            watching.set(false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("copied {} rows ({} pages) in {} s = {} rows/s (status says {} rows/s); copy threads {}; {} progress"
                        + " samples while copying, last {}", rows, pages, String.format("%.2f", seconds),
                (long) (rows / seconds), (long) done.snapshot().rowsPerSecond(), copyThreads, seen.size(),
                seen.isEmpty() ? null : seen.get(seen.size() - 1));

        assertThat(done.snapshot().done()).isTrue();
        assertThat(done.snapshot().rowsDone()).isEqualTo(rows);
        assertThat(done.snapshot().rowsEstimated()).as("planner estimate").isBetween(rows * 9L / 10, rows * 11L / 10);
        assertThat(done.snapshot().rowsPerSecond()).isPositive();
        assertThat(done.snapshot().percent()).isEqualTo(100.0);
        assertThat(copyThreads).as("threads that delivered copied rows (one per CTID range worker)").hasSizeGreaterThan(1);
        assertThat(seen).as("progress seen while the copy ran")
                .anySatisfy(p -> {
                    assertThat(p.rowsDone()).isBetween(1L, rows - 1L);
                    assertThat(p.rowsEstimated()).isPositive();
                    assertThat(p.percent()).isBetween(0.0, 99.9);
                });
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).rowsDone()).as("rows done never go back").isGreaterThanOrEqualTo(seen.get(i - 1).rowsDone());
        }
        assertThat(rig.engine.status(name).orElseThrow().rowsSynced()).isGreaterThanOrEqualTo(rows);
        env.awaitMirrored(big, WAIT);
    }
}
