package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.TableRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most literal crash: the engine runs in a JVM of its own ({@link EngineProcessMain}) and is killed with SIGKILL
 * at a random moment while the workload runs; a new process takes over the slot. After the workload stops, ClickHouse
 * with FINAL equals PostgreSQL row for row. (CrashSafetyEngineTest covers many more, precisely placed kill points
 * inside one JVM; this test shows the same holds for a real process death.)
 */
class ProcessKillEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessKillEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ITERATIONS = Integer.getInteger("echodb.processKill.iterations", 3);

    private static E2eEnv env;
    private static EngineProcesses processes;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_sigkill");
        processes = new EngineProcesses(env);
    }

    @AfterAll
    static void tearDown() {
        processes.close();
        env.close();
    }

    @Test
    void killDashNineAtRandomMomentsLosesNothing() throws Exception {
        long seed = Long.getLong("echodb.processKill.seed", System.nanoTime());
        LOG.info("process kill test seed {} ({} iterations)", seed, ITERATIONS);
        SplittableRandom random = new SplittableRandom(seed);
        Workload workload = Workload.create(env, "sigkill", 2_000, 1_500, seed);
        TableRef accounts = E2eEnv.table(workload.accounts);
        TableRef events = E2eEnv.table(workload.events);
        Process engine = launch(0, workload);
        for (int i = 0; i < ITERATIONS; i++) {
            workload.start();
            long delay = 200 + random.nextInt(2_000);
            Poll.pause(delay);
            engine.destroyForcibly(); // SIGKILL: no shutdown hook, no close, sockets dropped by the kernel
            engine.waitFor();
            Process next = launch(i + 1, workload);
            Poll.pause(random.nextInt(800));
            workload.stop();
            long t0 = System.nanoTime();
            env.awaitMirrored(accounts, WAIT);
            env.awaitMirrored(events, WAIT);
            LOG.info("iteration {}: engine process killed {} ms into the workload; equal {} ms after the workload stopped"
                    + " ({} transactions so far)", i, delay, (System.nanoTime() - t0) / 1_000_000, workload.committed());
            engine = next;
        }
        engine.destroyForcibly();
        engine.waitFor();
        assertThat(workload.failedTransactions()).isZero();
    }

    /** Starts an engine process for the workload's tables and waits until it is running. */
    private static Process launch(int n, Workload workload) throws IOException {
        Path log = processes.logOf(n);
        Process p = processes.start(n, List.of(workload.accounts, workload.events));
        Poll.until(WAIT, "engine process " + n + " is ready (log " + log + ")", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("engine process " + n + " exited with " + p.exitValue() + "; see " + log);
            }
            try {
                return Files.readString(log).contains("READY");
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }
}
