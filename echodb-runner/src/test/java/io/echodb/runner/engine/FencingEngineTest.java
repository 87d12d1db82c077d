package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.FencedOutException;
import io.echodb.core.port.MirrorEngineException;
import io.echodb.core.replication.MirrorRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * I4: only the current leader's writes take effect. An old leader that lost its lease while stalled (GC pause, slow
 * target, SIGSTOP) wakes up with its engine still open: its writes must not land, its state writes must be refused by
 * the store's fence, and the new leader must not wait for the old stream's walsender to time out.
 */
class FencingEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FENCE = "test:leader_lock";

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_fencing");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void aStalledOldLeaderCanNeitherWriteNorHoldTheSlotOnceANewLeaderActs() {
        env.sql("CREATE TABLE fenced (id int PRIMARY KEY, v text)", "INSERT INTO fenced VALUES (1, 'a')");
        TableRef table = E2eEnv.table("fenced");
        MirrorSpec spec = E2eEnv.spec(table);
        AtomicBoolean oldLeading = new AtomicBoolean(true);
        Rig old = env.rig().wrapStore(s -> ((PgCheckpointStore) s).fencedBy(FENCE, 1)).writeGate(oldLeading::get).start();
        old.engine.create(spec);
        E2eEnv.awaitState(old.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);

        // The old leader stalls past its lease: its gate closes, but nothing closes its engine or its stream.
        oldLeading.set(false);
        Rig fresh = env.rig().wrapStore(s -> ((PgCheckpointStore) s).fencedBy(FENCE, 2)).start();
        env.sql("INSERT INTO fenced VALUES (2, 'b')", "UPDATE fenced SET v = 'a2' WHERE id = 1");
        // Well within wal_sender_timeout (60 s): the new leader took the slot over instead of waiting.
        env.awaitMirrored(table, Duration.ofSeconds(20));
        assertThat(fresh.engine.status(spec.name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);

        // The old engine wakes up and tries to act: refused before anything is written.
        assertThatThrownBy(() -> old.engine.pause(spec.name())).isInstanceOf(MirrorEngineException.class)
                .hasMessageContaining("no longer the leader");
        // Even with its gate open again (a clock that lies), the store's fence refuses the older token.
        PgCheckpointStore oldStore = new PgCheckpointStore(new io.echodb.adapters.postgres.replication.PgConnectionFactory(
                env.pgSettings())).fencedBy(FENCE, 1);
        MirrorRecord current = fresh.store.loadAll().get(0);
        assertThatThrownBy(() -> oldStore.save(current.withState(MirrorState.PAUSED, null, Instant.now())))
                .isInstanceOf(FencedOutException.class).hasMessageContaining("superseded");
        assertThat(fresh.store.loadAll()).extracting(MirrorRecord::state).containsExactly(MirrorState.RUNNING);

        // The new leader keeps working; the old one never took the slot back.
        env.sql("DELETE FROM fenced WHERE id = 2");
        env.awaitMirrored(table, WAIT);
        old.close();
        fresh.close();
    }
}
