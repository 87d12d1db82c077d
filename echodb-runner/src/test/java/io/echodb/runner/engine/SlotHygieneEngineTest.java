package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The slot and publication live exactly as long as mirrors exist; the slot's lag is visible in status. */
class SlotHygieneEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(SlotHygieneEngineTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private E2eEnv env;

    @BeforeEach
    void setUp() {
        env = E2eEnv.create("engine_slot");
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private long publishedTables() {
        return env.pgLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = " + E2eEnv.pgLiteral(env.publication));
    }

    @Test
    void aCloseThatCannotStopAStuckWriteStillReleasesTheSlot() throws Exception {
        env.sql("CREATE TABLE stuck (id int PRIMARY KEY, v text)", "INSERT INTO stuck VALUES (1, 'a')");
        TableRef table = E2eEnv.table("stuck");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean block = new java.util.concurrent.atomic.AtomicBoolean();
        Rig rig = env.rig()
                .settings(E2eEnv.engineSettings().withControlTimeout(Duration.ofSeconds(2)))
                .wrapSink(s -> new Forwarding.Sink(s) {
                    @Override
                    public void write(String target, io.echodb.core.schema.TableSchema schema,
                            java.util.List<io.echodb.core.change.SinkRow> rows) {
                        if (block.get()) {
                            // a target that stopped answering: ignores interrupts, like a socket read without timeout
                            while (release.getCount() > 0) {
                                try {
                                    release.await();
                                } catch (InterruptedException e) {
                                    // keep waiting
                                }
                            }
                        }
                        super.write(target, schema, rows);
                    }
                }).start();
        rig.engine.create(E2eEnv.spec(table));
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(table).name(), MirrorState.RUNNING, WAIT);
        block.set(true);
        env.sql("INSERT INTO stuck VALUES (2, 'b')");
        Poll.value(WAIT, "slot active while the write hangs", () -> slotActive() ? true : null);
        Thread.sleep(500); // the stream thread is inside the hanging write now

        rig.close();
        try {
            Poll.value(Duration.ofSeconds(30), "slot released after close", () -> slotActive() ? null : true);
        } finally {
            release.countDown();
        }
    }

    private boolean slotActive() {
        return "t".equals(env.pgString("SELECT active::text FROM pg_replication_slots WHERE slot_name = "
                + E2eEnv.pgLiteral(env.slot)).substring(0, 1));
    }

    @Test
    void droppingTheLastMirrorDropsSlotAndPublication() {
        env.sql("CREATE TABLE keep_me (id int PRIMARY KEY, v text)", "CREATE TABLE drop_me (id int PRIMARY KEY, v text)",
                "INSERT INTO keep_me VALUES (1, 'k')", "INSERT INTO drop_me VALUES (1, 'd')");
        TableRef keep = E2eEnv.table("keep_me");
        TableRef gone = E2eEnv.table("drop_me");
        Rig rig = env.rig().start();
        assertThat(env.slotExists()).as("no slot before the first mirror").isFalse();
        rig.engine.create(E2eEnv.spec(keep));
        rig.engine.create(E2eEnv.spec(gone));
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(keep).name(), MirrorState.RUNNING, WAIT);
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(gone).name(), MirrorState.RUNNING, WAIT);
        assertThat(env.slotExists()).isTrue();
        assertThat(env.publicationExists()).isTrue();
        assertThat(publishedTables()).isEqualTo(2);

        rig.engine.drop(E2eEnv.spec(gone).name(), true);
        assertThat(env.slotExists()).as("other mirrors still need the slot").isTrue();
        assertThat(publishedTables()).isEqualTo(1);
        assertThat(env.chTableExists("drop_me")).as("dropped with its target table").isFalse();
        env.sql("INSERT INTO keep_me VALUES (2, 'still streaming')");
        env.awaitMirrored(keep, WAIT);

        rig.engine.drop(E2eEnv.spec(keep).name(), false);
        Poll.until(WAIT, "the slot is gone", () -> !env.slotExists());
        assertThat(env.publicationExists()).isFalse();
        assertThat(rig.engine.list()).isEmpty();
        assertThat(env.chTableExists("keep_me")).as("kept: dropped without its target table").isTrue();
        assertThat(env.pgLong("SELECT count(*) FROM pg_replication_slots WHERE database = " + E2eEnv.pgLiteral(env.pgDb)))
                .as("no temporary snapshot slots left behind either").isZero();

        // mirroring again after the teardown builds a new slot and publication
        env.sql("INSERT INTO keep_me VALUES (3, 'while unmirrored')");
        rig.engine.create(E2eEnv.spec(keep));
        E2eEnv.awaitState(rig.engine, E2eEnv.spec(keep).name(), MirrorState.RUNNING, WAIT);
        env.sql("INSERT INTO keep_me VALUES (4, 'after')");
        env.awaitMirrored(keep, WAIT);
        assertThat(env.slotExists()).isTrue();
    }

    @Test
    void lagInBytesIsExposedInStatus() {
        env.sql("CREATE TABLE lagging (id int PRIMARY KEY, v text)");
        TableRef t = E2eEnv.table("lagging");
        MirrorName name = E2eEnv.spec(t).name();
        Rig first = env.rig().start();
        first.engine.create(E2eEnv.spec(t));
        E2eEnv.awaitState(first.engine, name, MirrorState.RUNNING, WAIT);
        env.sql("INSERT INTO lagging SELECT g, 'v' || g FROM generate_series(1, 100) g");
        env.awaitMirrored(t, WAIT);
        assertThat(first.engine.status(name).orElseThrow().lagBytes()).isGreaterThanOrEqualTo(0);
        first.close();

        // changes made while no engine runs wait in the slot
        env.sql("INSERT INTO lagging SELECT g, repeat('x', 100) FROM generate_series(101, 20100) g");
        long lagWhileStopped = env.directSource().lagBytes();
        assertThat(lagWhileStopped).as("slot lag while stopped").isGreaterThan(1_000_000);

        // a new engine that cannot write yet reports that lag
        CountDownLatch gate = new CountDownLatch(1);
        Rig second = env.rig().wrapSink(s -> new Forwarding.Sink(s) {
            @Override
            public void write(String target, TableSchema schema, List<SinkRow> rows) {
                try {
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.write(target, schema, rows);
            }
        }).start();
        try {
            long reported = Poll.value(WAIT, "a lag in status", () -> second.engine.status(name)
                    .map(s -> s.lagBytes()).filter(l -> l > 0).orElse(null));
            LOG.info("slot lag: {} bytes while stopped, {} bytes reported by the restarted engine", lagWhileStopped, reported);
            assertThat(reported).isGreaterThanOrEqualTo(lagWhileStopped);
        } finally {
            gate.countDown();
        }
        env.awaitMirrored(t, WAIT);
        Poll.until(WAIT, "the reported lag drops once the rows are written",
                () -> second.engine.status(name).orElseThrow().lagBytes() < lagWhileStopped / 10);
    }
}
