package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.postgres.state.PgCheckpointStore;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    private static final String LATE_FENCE = "test:late_lock";

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
        PgCheckpointStore oldStore = new PgCheckpointStore(new io.echodb.adapters.postgres.jdbc.PgConnectionFactory(
                env.pgSettings())).fencedBy(FENCE, 1);
        MirrorRecord current = fresh.store.loadAll().stream().filter(r -> r.spec().name().equals(spec.name()))
                .findFirst().orElseThrow();
        assertThatThrownBy(() -> oldStore.save(current.withState(MirrorState.PAUSED, null, Instant.now())))
                .isInstanceOf(FencedOutException.class).hasMessageContaining("superseded");
        assertThat(fresh.store.loadAll()).filteredOn(r -> r.spec().name().equals(spec.name()))
                .extracting(MirrorRecord::state).containsExactly(MirrorState.RUNNING);

        // The new leader keeps working; the old one never took the slot back.
        env.sql("DELETE FROM fenced WHERE id = 2");
        env.awaitMirrored(table, WAIT);
        old.close();
        fresh.close();
    }

    /**
     * Schema chaos {@code leader_stall} (seed 10, round 10) found it: a leader passed its write gate for a copy's
     * truncate, stalled, and the truncate reached ClickHouse after the new leader had copied the table — RUNNING with
     * 0 of 347 rows. With the sinks fenced by their tokens, ClickHouse itself refuses the late writes.
     */
    @Test
    void writesAStalledOldLeaderSentBeforeItsStallTakeNoEffectInClickHouse() {
        env.sql("CREATE TABLE late (id int PRIMARY KEY, v text)",
                "INSERT INTO late SELECT g, 'row ' || g FROM generate_series(1, 347) g");
        TableRef table = E2eEnv.table("late");
        MirrorSpec spec = E2eEnv.spec(table);
        AtomicBoolean oldLeading = new AtomicBoolean(true);
        Rig old = env.rig().wrapStore(s -> ((PgCheckpointStore) s).fencedBy(LATE_FENCE, 11))
                .wrapSink(s -> ((ClickHouseChangeSink) s).fencedBy(LATE_FENCE, 11)).writeGate(oldLeading::get).start();
        old.engine.create(spec);
        E2eEnv.awaitState(old.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);
        TableSchema schema = old.source.describe(table).orElseThrow();

        oldLeading.set(false);
        Rig fresh = env.rig().wrapStore(s -> ((PgCheckpointStore) s).fencedBy(LATE_FENCE, 12))
                .wrapSink(s -> ((ClickHouseChangeSink) s).fencedBy(LATE_FENCE, 12)).start();
        env.sql("UPDATE late SET v = 'new leader' WHERE id <= 10");
        env.awaitMirrored(table, WAIT);
        fresh.engine.resync(spec.name());
        E2eEnv.awaitState(fresh.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(table, WAIT);

        // What the old leader had in flight when it stalled now reaches ClickHouse: its copy's truncate and a copy
        // batch of rows as they were (one of them deleted since).
        ChangeSink oldSink = old.sink; // the old term's sink, its claim made long ago
        env.sql("DELETE FROM late WHERE id = 347");
        env.awaitMirrored(table, WAIT);
        oldSink.truncate("late");
        assertThatThrownBy(() -> oldSink.write("late", schema, List.of(
                new SinkRow(Row.of(1, "stale copy"), RowVersion.snapshot(Lsn.of(Long.MAX_VALUE)), false),
                new SinkRow(Row.of(347, "ghost"), RowVersion.snapshot(Lsn.of(Long.MAX_VALUE)), false))))
                .isInstanceOf(FencedOutException.class).hasMessageContaining("superseded");

        assertThat(env.awaitMirrored(table, WAIT).matches()).isTrue();
        assertThat(env.chLong("SELECT count() FROM " + env.chDb + ".late FINAL")).isEqualTo(346);
        assertThat(fresh.engine.status(spec.name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        old.close();
        fresh.close();
    }
}
