package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.runner.engine.KillableEngine.Trigger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issue's key test: while a workload of random multi-statement transactions over ~2,000 keys in two tables runs,
 * the engine is killed at a random point — no close(), every connection cut mid-flight (see {@link KillableEngine}) —
 * and a new engine is started on the same slot and checkpoint store. After the workload stops, ClickHouse with FINAL
 * must equal PostgreSQL row for row. Repeated with randomized kill points: from outside at a random moment
 * (including during the initial copy and during a re-copy), or from inside just before or after a write reaches
 * ClickHouse, or at an acknowledgement. The seed is logged; rerun one with -Dechodb.crash.seed=&lt;seed&gt;.
 */
class CrashSafetyEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashSafetyEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ITERATIONS = Integer.getInteger("echodb.crash.iterations", 12);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_crash");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private enum Kill {
        AT_RANDOM_TIME, DURING_RECOPY, BEFORE_WRITE, AFTER_WRITE, AT_ACK
    }

    @Test
    void killedAtRandomPointsAndRestartedTheMirrorEqualsTheSource() {
        long seed = Long.getLong("echodb.crash.seed", System.nanoTime());
        LOG.info("crash test seed {} ({} iterations); rerun with -Decho" + "db.crash.seed={}", seed, ITERATIONS, seed);
        SplittableRandom random = new SplittableRandom(seed);
        Workload workload = Workload.create(env, "crash", 2_000, 1_500, seed);
        TableRef accounts = E2eEnv.table(workload.accounts);
        TableRef events = E2eEnv.table(workload.events);
        MirrorName accountsMirror = E2eEnv.spec(accounts).name();
        MirrorName eventsMirror = E2eEnv.spec(events).name();
        List<String> summary = new ArrayList<>();

        KillableEngine engine = new KillableEngine(env, "engine-0").start();
        // The mirrors are created (tables added to the publication) before the workload starts: see
        // PublishWhileWritingEngineTest for what PostgreSQL before 17.5 does when that happens mid-transaction.
        engine.rig.engine.create(E2eEnv.spec(accounts));
        engine.rig.engine.create(E2eEnv.spec(events));
        for (int i = 0; i < ITERATIONS; i++) {
            workload.start();
            long before = workload.committed();
            Poll.until(WAIT, "the workload is writing", () -> workload.committed() > before + 10);
            Kill kill = i == 0 ? Kill.AT_RANDOM_TIME : Kill.values()[random.nextInt(Kill.values().length)];
            String point;
            if (i == 0) {
                // the very first engine dies early: often during the initial copy
                long delay = random.nextInt(400);
                Poll.pause(delay);
                point = "initial copy + " + delay + " ms";
                engine.kill(point);
            } else {
                switch (kill) {
                    case AT_RANDOM_TIME -> {
                        long delay = 50 + random.nextInt(1500);
                        Poll.pause(delay);
                        point = delay + " ms";
                        engine.kill(point);
                    }
                    case DURING_RECOPY -> {
                        long delay = random.nextInt(300);
                        engine.rig.engine.resync(accountsMirror);
                        Poll.pause(delay);
                        point = "resync + " + delay + " ms";
                        engine.kill(point);
                    }
                    default -> {
                        Trigger trigger = Trigger.valueOf(kill.name());
                        int nth = 1 + random.nextInt(kill == Kill.AT_ACK ? 8 : 25);
                        engine.arm(trigger, nth);
                        Poll.until(Duration.ofSeconds(30), kill + " #" + nth + " fires", engine::isDead);
                        point = kill + " #" + nth + ": " + engine.killedBy();
                    }
                }
            }
            String flushedAtKill = env.confirmedFlush();
            KillableEngine next = new KillableEngine(env, "engine-" + (i + 1)).start();
            long runOn = random.nextInt(800);
            Poll.pause(runOn);
            workload.stop();
            long t0 = System.nanoTime();
            env.awaitMirrored(accounts, WAIT);
            env.awaitMirrored(events, WAIT);
            long caughtUpMillis = (System.nanoTime() - t0) / 1_000_000;
            // equal data can show up before a restarted copy has finished: the mirrors must then become RUNNING and
            // stay equal
            E2eEnv.awaitState(next.rig.engine, accountsMirror, MirrorState.RUNNING, WAIT);
            E2eEnv.awaitState(next.rig.engine, eventsMirror, MirrorState.RUNNING, WAIT);
            env.awaitMirrored(accounts, WAIT);
            env.awaitMirrored(events, WAIT);
            String line = String.format("iteration %d: killed at %s (slot confirmed %s); restarted, workload ran %d ms"
                            + " more, %d transactions so far; equal %d ms after the workload stopped", i, point,
                    flushedAtKill, runOn, workload.committed(), caughtUpMillis);
            LOG.info(line);
            summary.add(line);
            engine = next;
        }
        LOG.info("crash test seed {}: {} iterations, {} transactions ({} statements):\n  {}", seed, ITERATIONS,
                workload.committed(), workload.statements(), String.join("\n  ", summary));
        assertThat(workload.failedTransactions()).isZero();
    }
}
