package io.echodb.core.replication;

import static io.echodb.core.replication.EngineFixture.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Commands, status, acknowledgements and memory bounds. */
class NativeMirrorEngineLifecycleTest {

    private final EngineFixture f = new EngineFixture();

    @Test
    void aTableWithoutKeyIsRecordedAsUnsupportedAndSaysWhy() {
        TableRef t = TableRef.of("public", "no_key");
        f.source.createTable(t, List.of(EngineFixture.ID, EngineFixture.NAME), List.of());
        NativeMirrorEngine engine = f.newEngine();

        MirrorStatus status = engine.create(spec(t));

        assertThat(status.state()).isEqualTo(MirrorState.UNSUPPORTED);
        assertThat(status.lastError()).contains("no primary key").contains("REPLICA IDENTITY");
        assertThat(engine.list()).extracting(MirrorStatus::state).containsExactly(MirrorState.UNSUPPORTED);
        assertThat(f.store.get(status.name()).state()).isEqualTo(MirrorState.UNSUPPORTED);
        assertThat(f.sink.exists("no_key")).isFalse();
        assertThat(f.source.isPublished(t)).isFalse();
        assertThat(f.events).contains("state no_key_mirror null->UNSUPPORTED");

        f.source.insert(t, Row.of(1L, "ignored"));
        engine.drain();
        assertThat(engine.status(status.name()).orElseThrow().state()).isEqualTo(MirrorState.UNSUPPORTED);
        engine.resync(status.name());
        f.settle(engine);
        assertThat(engine.status(status.name()).orElseThrow().state()).as("re-checked, still unsupported").isEqualTo(MirrorState.UNSUPPORTED);
    }

    @Test
    void createIsIdempotentAndCommandsOnUnknownMirrorsSayNotFound() {
        TableRef t = f.table("once", 2);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        MirrorStatus again = engine.create(spec(t));

        assertThat(again.state()).isEqualTo(MirrorState.SNAPSHOTTING);
        assertThat(engine.list()).hasSize(1);
        assertThat(f.snapshots.pending()).isEqualTo(1);
        MirrorName unknown = new MirrorName("unknown_mirror");
        assertThat(engine.status(unknown)).isEmpty();
        assertThatThrownBy(() -> engine.pause(unknown)).isInstanceOf(MirrorNotFoundException.class).hasMessageContaining("unknown_mirror");
        assertThatThrownBy(() -> engine.resume(unknown)).isInstanceOf(MirrorNotFoundException.class);
        assertThatThrownBy(() -> engine.resync(unknown)).isInstanceOf(MirrorNotFoundException.class);
        engine.drop(unknown, true);
    }

    @Test
    void aMissingTableOrATableMirroredTwiceIsRefused() {
        TableRef t = f.table("taken", 1);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));

        assertThatThrownBy(() -> engine.create(new MirrorSpec(new MirrorName("other_mirror"), t, "other")))
                .isInstanceOfSatisfying(MirrorEngineException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("already mirrored");
        assertThatThrownBy(() -> engine.create(spec(TableRef.of("public", "missing"))))
                .isInstanceOf(MirrorEngineException.class).hasMessageContaining("does not exist");
    }

    /**
     * Schema chaos seed 1389315 (I1, I4): a deposed leader finishing a re-create dropped the mirror of a table the new
     * leader had just mirrored again, and its unpublish took the new table out of the publication before the fenced
     * store refused the delete; the new leader's RUNNING mirror then missed every later change. Source writes are gated
     * like the sink's and the store's.
     */
    @Test
    void aDeposedLeaderChangesNeitherThePublicationNorTheSlot() {
        TableRef t = f.table("gated_source", 2);
        boolean[] leader = {true};
        f.snapshots = new QueuedExecutor();
        NativeMirrorEngine engine = NativeMirrorEngine.builder(f.source, f.sink, f.store).settings(f.settings).clock(f.clock)
                .listener(f.listener).sleeper(f.sleeper).snapshotExecutor(f.snapshots).writeGate(() -> leader[0]).build();
        engine.openForStepping();
        engine.create(spec(t));
        f.settle(engine);
        assertThat(f.source.isPublished(t)).isTrue();

        leader[0] = false;
        assertThatThrownBy(() -> engine.drop(spec(t).name(), false)).isInstanceOf(RuntimeException.class);
        assertThat(f.source.isPublished(t)).as("a deposed leader's drop leaves the publication alone").isTrue();
        TableRef other = f.table("gated_source_new", 1);
        assertThatThrownBy(() -> engine.create(spec(other))).isInstanceOf(RuntimeException.class);
        assertThat(f.source.isPublished(other)).as("nor does its create").isFalse();
    }

    @Test
    void droppingTheLastMirrorTearsDownTheSlotAndCreatingPreparesAgain() {
        TableRef a = f.table("drop_a", 3);
        TableRef b = f.table("drop_b", 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(a));
        engine.create(spec(b));
        f.settle(engine);
        assertThat(f.source.liveStreams()).isEqualTo(1);

        engine.drop(spec(a).name(), false);
        assertThat(f.source.slotExists()).isTrue();
        assertThat(f.source.isPublished(a)).isFalse();
        assertThat(f.sink.exists("drop_a")).isTrue();
        assertThat(f.store.get(spec(a).name())).isNull();

        f.source.insert(a, Row.of(10L, "not mirrored", 1));
        f.source.insert(b, Row.of(10L, "mirrored", 1));
        engine.drain();
        f.assertMirrored(b);

        engine.drop(spec(b).name(), true);
        assertThat(f.source.slotExists()).isFalse();
        assertThat(f.source.publicationExists()).isFalse();
        assertThat(f.source.teardowns()).isEqualTo(1);
        assertThat(f.source.liveStreams()).isZero();
        assertThat(f.sink.exists("drop_b")).isFalse();
        assertThat(f.store.loadAll()).isEmpty();
        assertThat(engine.list()).isEmpty();
        engine.drain();
        assertThat(f.source.slotExists()).as("no stream without mirrors").isFalse();

        engine.create(spec(b));
        f.settle(engine);
        assertThat(f.source.slotExists()).isTrue();
        f.assertMirrored(b);
    }

    @Test
    void aSlotLeftBehindByACrashAfterTheLastDropIsRemovedOnStart() {
        f.source.prepare();
        NativeMirrorEngine engine = f.newEngine();
        engine.drain();
        assertThat(f.source.slotExists()).isFalse();
    }

    @Test
    void changesSkippedWhilePausedAreRecoveredByResume() {
        TableRef t = f.table("paused", 5);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);

        engine.pause(spec(t).name());
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.PAUSED);
        assertThat(f.store.get(spec(t).name()).state()).isEqualTo(MirrorState.PAUSED);
        f.source.delete(t, 1L);
        f.source.update(t, Row.of(2L, "changed while paused", 2));
        f.source.insert(t, Row.of(6L, "inserted while paused", 6));
        engine.drain();
        assertThat(f.sink.finalView("paused", f.source.schema(t))).containsKey(RowKey.of(1L)).doesNotContainKey(RowKey.of(6L));
        assertThat(f.source.confirmedFlush()).as("a paused mirror does not hold the slot").isEqualTo(f.source.currentLsn());
        engine.pause(spec(t).name());

        engine.resume(spec(t).name());
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.SNAPSHOTTING);
        f.settle(engine);

        f.assertMirrored(t);
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void resyncRemovesRowsTheTargetShouldNotHave() {
        TableRef t = f.table("ghosts", 5);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        f.sink.write("ghosts", f.source.schema(t), List.of(new SinkRow(Row.of(99L, "ghost", 1), new RowVersion(Long.MAX_VALUE, 1), false)));

        engine.resync(spec(t).name());
        f.source.update(t, Row.of(3L, "during resync", 3));
        f.settle(engine);

        f.assertMirrored(t);
    }

    @Test
    void rowsWaitingInABufferHoldTheAcknowledgementBack() {
        TableRef busy = f.table("ack_busy", 1);
        TableRef quiet = f.table("ack_quiet", 1);
        f.settings = f.settings.withBatchRows(10_000).withMaxBatchAge(Duration.ofSeconds(5)).withAckInterval(Duration.ofSeconds(1));
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(busy));
        engine.create(spec(quiet));
        f.settle(engine);
        List<String> violations = new CopyOnWriteArrayList<>();
        f.source.onAcknowledge(ack -> {
            for (TableRef t : List.of(busy, quiet)) {
                Map<RowKey, Row> written = f.sink.finalView(t.name(), f.source.schema(t));
                f.source.rowsAsOf(t, ack).forEach((k, row) -> {
                    if (!row.equals(written.get(k))) {
                        violations.add("acknowledged " + ack + " before " + row + " was written");
                    }
                });
            }
        });
        Lsn before = engine.acknowledged();

        Lsn buffered = f.source.insert(busy, Row.of(2L, "waits in the buffer", 2));
        f.clock.advance(Duration.ofSeconds(2)); // the ack interval passes while the row is young and buffered
        f.source.insert(quiet, Row.of(2L, "also buffered", 2));
        while (engine.processOne()) {
            // apply everything, without the final flush of drain()
        }

        assertThat(engine.acknowledged()).isLessThan(buffered).isGreaterThanOrEqualTo(before);
        assertThat(violations).isEmpty();

        f.clock.advance(Duration.ofSeconds(6)); // older than the max batch age: written on the next turn
        engine.processOne();
        f.source.insert(quiet, Row.of(3L, "after", 3));
        while (engine.processOne()) {
            // idle turns flush aged buffers and acknowledge
        }
        assertThat(f.sink.finalView("ack_busy", f.source.schema(busy))).containsKey(RowKey.of(2L));
        assertThat(engine.acknowledged()).isGreaterThan(buffered);
        assertThat(violations).isEmpty();
    }

    @Test
    void idleKeepalivesLetTheSlotAdvancePastUnrelatedWork() {
        TableRef t = f.table("idle", 2);
        TableRef other = f.table("unmirrored", 0);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);

        f.source.insert(other, Row.of(1L, "not published", 1));
        engine.drain();

        assertThat(f.source.confirmedFlush()).isEqualTo(f.source.currentLsn());
        f.clock.advance(Duration.ofSeconds(2));
        assertThat(engine.status(spec(t).name()).orElseThrow().lagBytes()).isZero();
    }

    @Test
    void aMillionRowTransactionNeverHoldsMoreThanOneBatchInMemory() {
        TableRef t = f.table("million", 1_000);
        f.settings = f.settings.withBatchRows(10_000);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);

        f.source.bulkUpdate(t, 1_000_000, i -> Row.of(1L + i % 1_000, "r" + i, i));
        engine.drain();

        assertThat(engine.maxBufferedRows()).isLessThanOrEqualTo(10_000);
        assertThat(f.sink.writeCalls()).isGreaterThanOrEqualTo(100);
        f.assertMirrored(t);
        assertThat(f.sink.finalView("million", f.source.schema(t)).get(RowKey.of(1L))).isEqualTo(Row.of(1L, "r999000", 999_000));
    }

    @Test
    void statusReportsCopyProgressRowsLagAndTime() {
        TableRef t = f.table("progress", 1_000);
        f.source.copyBatchRows(100);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        List<MirrorStatus> seen = new CopyOnWriteArrayList<>();
        f.source.onSnapshotBatch(() -> {
            f.clock.advance(Duration.ofMillis(100));
            seen.add(engine.status(spec(t).name()).orElseThrow());
        });

        f.settle(engine);

        MirrorStatus mid = seen.get(5);
        assertThat(mid.state()).isEqualTo(MirrorState.SNAPSHOTTING);
        assertThat(mid.snapshot().rowsEstimated()).isEqualTo(1_000);
        assertThat(mid.snapshot().rowsDone()).isBetween(250L, 500L);
        assertThat(mid.snapshot().rowsPerSecond()).isPositive();
        assertThat(mid.snapshot().done()).isFalse();
        MirrorStatus end = engine.status(spec(t).name()).orElseThrow();
        assertThat(end.snapshot().done()).isTrue();
        assertThat(end.snapshot().percent()).isEqualTo(100.0);
        assertThat(end.rowsSynced()).isEqualTo(1_000);
        assertThat(end.updatedAt()).isEqualTo(f.clock.instant());
        assertThat(end.lagBytes()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void theListenerHearsBatchesStateChangesAndAcknowledgements() {
        TableRef t = f.table("heard", 10);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        f.source.insert(t, Row.of(11L, "x", 1));
        engine.drain();

        assertThat(f.events).contains("state heard_mirror null->SNAPSHOTTING", "state heard_mirror SNAPSHOTTING->RUNNING",
                "copied public.heard 10", "flushed public.heard 1");
        assertThat(f.events).anyMatch(e -> e.startsWith("ack "));
    }

    @Test
    void aThrowingListenerDoesNotStopReplication() {
        TableRef t = f.table("loud", 3);
        NativeMirrorEngine engine = NativeMirrorEngine.builder(f.source, f.sink, f.store).settings(f.settings).clock(f.clock)
                .sleeper(f.sleeper).snapshotExecutor(f.snapshots).listener(new EngineListener() {
                    @Override
                    public void batchFlushed(TableRef table, int rows, long nanos) {
                        throw new IllegalStateException("metrics broke");
                    }

                    @Override
                    public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
                        throw new IllegalStateException("metrics broke");
                    }
                }).build();
        engine.openForStepping();
        engine.create(spec(t));
        f.settle(engine);
        f.source.insert(t, Row.of(4L, "x", 4));
        engine.drain();

        f.assertMirrored(t);
    }

    @Test
    void closeWritesBufferedRowsAcknowledgesThemAndSavesProgress() {
        TableRef t = f.table("closing", 3);
        f.settings = f.settings.withBatchRows(10_000);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        Lsn commit = f.source.insert(t, Row.of(4L, "buffered", 4));
        while (engine.processOne()) {
            // applied, not flushed
        }

        engine.close();
        engine.close();

        f.assertMirrored(t);
        assertThat(f.source.confirmedFlush()).isGreaterThan(commit);
        assertThat(f.source.liveStreams()).isZero();
        assertThat(f.store.get(spec(t).name()).rowsSynced()).isEqualTo(4);
        assertThatThrownBy(() -> engine.create(spec(t))).isInstanceOf(MirrorEngineException.class).hasMessageContaining("closed");
    }

    @Test
    void aRestartResumesMirrorsFromTheStore() {
        TableRef t = f.table("restart", 3);
        NativeMirrorEngine first = f.newEngine();
        first.create(spec(t));
        f.settle(first);
        first.pause(spec(t).name());
        TableRef other = f.table("restart_other", 2);
        first.create(spec(other));
        f.settle(first);
        first.close();

        f.source.insert(other, Row.of(3L, "while down", 3));
        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        assertThat(second.list()).extracting(MirrorStatus::state).containsExactly(MirrorState.PAUSED, MirrorState.RUNNING);
        f.assertMirrored(other);
        assertThat(second.status(spec(other).name()).orElseThrow().rowsSynced()).isEqualTo(3);
    }

    @Test
    void settingsAreValidatedWithTheOffendingValueNamed() {
        assertThat(EngineSettings.defaults().batchRows()).isEqualTo(50_000);
        assertThat(EngineSettings.defaults().batchBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(EngineSettings.defaults().maxBatchAge()).isEqualTo(Duration.ofMillis(200));
        assertThat(EngineSettings.defaults().snapshotParallelism()).isEqualTo(2);
        assertThatThrownBy(() -> EngineSettings.defaults().withBatchRows(0)).hasMessageContaining("batchRows").hasMessageContaining("'0'");
        assertThatThrownBy(() -> EngineSettings.defaults().withRetryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .hasMessageContaining("retryMaxBackoff");
        assertThatThrownBy(() -> EngineSettings.defaults().withMaxBatchAge(Duration.ZERO)).hasMessageContaining("maxBatchAge");
        assertThatThrownBy(() -> EngineSettings.defaults().withMaxBufferedBytes(1)).hasMessageContaining("maxBufferedBytes");
        assertThatThrownBy(() -> EngineSettings.defaults().withPollTimeout(Duration.ofMillis(-1))).hasMessageContaining("pollTimeout");
        assertThat(EngineSettings.defaults().withBatchBytes(EngineSettings.MIB * 512).maxBufferedBytes()).isEqualTo(EngineSettings.MIB * 512);
    }

    @Test
    void commandsBeforeStartAreRefused() {
        NativeMirrorEngine engine = NativeMirrorEngine.builder(f.source, f.sink, f.store).build();
        try {
            assertThatThrownBy(() -> engine.create(spec(f.table("early", 1)))).isInstanceOf(MirrorEngineException.class)
                    .hasMessageContaining("not started");
            assertThat(engine.list()).isEmpty();
        } finally {
            engine.close();
        }
    }
}
